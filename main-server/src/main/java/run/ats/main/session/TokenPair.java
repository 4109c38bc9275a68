package run.ats.main.session;

/** What a sign-in or a refresh answers. {@code expiresIn} is the access token's lifetime in seconds. */
public record TokenPair(String accessToken, String refreshToken, long expiresIn) {
}
