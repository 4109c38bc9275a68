package run.ats.testkit;

import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingOperationError;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * The blocking calls BlockHound lets pass on non-blocking threads in every service's tests,
 * each with why it is harmless; a service adds its own in an integration of its own. Listed in
 * each service's {@code META-INF/services/reactor.blockhound.integration.BlockHoundIntegration}.
 */
public final class ReviewedBlockingCalls implements BlockHoundIntegration {

    @Override
    public void applyTo(BlockHound.Builder builder) {
        // r2dbc-postgresql's SCRAM login draws a nonce from a NativePRNG SecureRandom, which reads
        // /dev/urandom; that never blocks once the kernel is seeded, and happens once per new connection.
        builder.allowBlockingCallsInside("com.ongres.scram.common.ScramFunctions", "nonce");

        // Print every violation before throwing it: a library may swallow the error and leave a
        // request hanging, and the trace is what says where.
        builder.blockingMethodCallback(method -> {
            BlockingOperationError error = new BlockingOperationError(method);
            error.printStackTrace();
            throw error;
        });
    }
}
