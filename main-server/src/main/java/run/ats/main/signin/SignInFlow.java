package run.ats.main.signin;

import java.util.UUID;

/** One stored sign-in request. Only hashes of the code, the link token and the browser verifier. */
record SignInFlow(UUID id, String email, String codeHash, String tokenHash, String browserHash,
                  int attempts, long createdMs, long expiresMs, Long endedMs) {

    boolean open() {
        return endedMs == null;
    }

    boolean expiredAt(long nowMs) {
        return nowMs >= expiresMs;
    }
}
