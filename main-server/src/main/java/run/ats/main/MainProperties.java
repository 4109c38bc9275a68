package run.ats.main;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.net.URI;
import java.time.Duration;

/**
 * Every {@code ats.main.*} setting, with its safe default. docs/operations.md lists them.
 *
 * @param publicUrl  the URL people reach this server at; sign-in links point here and tokens name it as issuer
 * @param signIn     email sign-in rules
 * @param tokens     lifetimes of the tokens this server issues
 * @param mail       how sign-in mail leaves
 * @param rateLimits per-address and per-IP limits on sign-in
 * @param directoryUrl the directory service, where claimed relays are registered
 * @param relays     relay enrollment and claims
 * @param brokerUrl  the tunnel broker that serves claimed relays at {@code https://{name}.{domain}};
 *                   none: relays are reached at the public URL they enrolled with
 * @param app        the PWA this server serves at {@code /} and the KMS enclave it serves on its own origin
 */
@Validated
@ConfigurationProperties("ats.main")
public record MainProperties(
        @DefaultValue("http://localhost:8080") @NotNull URI publicUrl,
        @DefaultValue @Valid SignIn signIn,
        @DefaultValue @Valid Tokens tokens,
        @DefaultValue @Valid Mail mail,
        @DefaultValue @Valid RateLimits rateLimits,
        @DefaultValue("http://localhost:8082") @NotNull URI directoryUrl,
        @DefaultValue @Valid Relays relays,
        URI brokerUrl,
        @DefaultValue @Valid App app) {

    /** The issuer every token carries: the public URL without a trailing slash. */
    public String issuer() {
        String url = publicUrl.toString();
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /**
     * @param codeTtl           how long a code and its link stay valid
     * @param maxAttempts       wrong codes after which a code stops working (its link still works)
     * @param codesPerAddress   sign-ins of one address that stay valid at once, newest first: a new
     *                          request ends only older ones, so a mailed code survives other requests.
     *                          At least {@code rate-limits.start-per-address}, so no flood within the
     *                          mail limit ends a code already mailed
     */
    public record SignIn(
            @DefaultValue("15m") Duration codeTtl,
            @DefaultValue("5") @Min(1) @Max(20) int maxAttempts,
            @DefaultValue("5") @Min(1) @Max(20) int codesPerAddress) {
    }

    /**
     * @param accessTtl         lifetime of an access token ({@code aud=ats-main})
     * @param refreshTtl        lifetime of a refresh token; each use rotates it
     * @param relayTtl          lifetime of a relay-access token, at most one hour
     * @param keyReloadInterval how often a replica rereads the signing keys (picks up a rotation)
     */
    public record Tokens(
            @DefaultValue("15m") Duration accessTtl,
            @DefaultValue("30d") Duration refreshTtl,
            @DefaultValue("1h") Duration relayTtl,
            @DefaultValue("1m") Duration keyReloadInterval) {
    }

    /**
     * @param from        sender address of sign-in mail
     * @param localInbox  keep mail in an in-memory inbox served at /local/inbox instead of SMTP (local runs only)
     * @param sendThreads threads that talk SMTP, off the event loop
     * @param sendQueue   sends waiting for a thread; beyond it sign-in answers 503
     * @param sendTimeout longest wait for the SMTP server to take one mail
     */
    public record Mail(
            @DefaultValue("ATS <no-reply@localhost>") @NotNull String from,
            @DefaultValue("false") boolean localInbox,
            @DefaultValue("4") @Min(1) int sendThreads,
            @DefaultValue("1000") @Min(1) int sendQueue,
            @DefaultValue("10s") Duration sendTimeout) {
    }

    /**
     * Fixed-window limits, each counted per replica.
     *
     * There is no limit on verifies per address: anyone could spend it and lock the owner out.
     * Guessing is bounded per code instead ({@code sign-in.max-attempts}, and codes are minted at
     * most {@code startPerAddress} times a window).
     *
     * @param window          the window every limit counts in
     * @param startPerAddress sign-in mails sent to one email address; past it starts are refused,
     *                        and the codes and links already mailed keep working
     * @param startPerIp      sign-ins started from one client IP
     * @param verifyPerIp     verify attempts from one client IP
     */
    public record RateLimits(
            @DefaultValue("15m") Duration window,
            @DefaultValue("5") @Min(1) int startPerAddress,
            @DefaultValue("30") @Min(1) int startPerIp,
            @DefaultValue("60") @Min(1) int verifyPerIp) {
    }

    /**
     * @param claimCodeTtl       how long a relay's claim code works (a restart of the relay shows a new one)
     * @param enrollmentsPerIp   enrollments from one client IP per {@code window}
     * @param claimsPerAccount   claim attempts (right or wrong) by one account per {@code window}
     * @param window             the window those limits count in
     */
    public record Relays(
            @DefaultValue("24h") Duration claimCodeTtl,
            @DefaultValue("30") @Min(1) int enrollmentsPerIp,
            @DefaultValue("10") @Min(1) int claimsPerAccount,
            @DefaultValue("15m") Duration window) {
    }

    /**
     * @param kmsOrigin       where browsers load the KMS enclave from (its own origin: {@code https://kms.<domain>}
     *                        in production); the app frames it and the enclave answers this server's origin only
     * @param kmsPort         the port this server serves the enclave on (a second listener, so the
     *                        enclave has an origin of its own); -1: served elsewhere (another host or a CDN)
     * @param kmsAddress      the address that listener binds
     * @param tileUrl         map tiles, Leaflet's {@code {z}/{x}/{y}} template; empty: a map without tiles
     * @param tileAttribution the credit the tile provider asks for
     */
    public record App(
            @DefaultValue("http://localhost:8085") @NotNull URI kmsOrigin,
            @DefaultValue("8085") @Min(-1) @Max(65535) int kmsPort,
            @DefaultValue("0.0.0.0") @NotNull String kmsAddress,
            @DefaultValue("https://tile.openstreetmap.org/{z}/{x}/{y}.png") String tileUrl,
            @DefaultValue("© OpenStreetMap contributors") String tileAttribution) {

        /** The enclave's origin, as browsers compare it ({@code scheme://host[:port]}). */
        public String kmsOriginText() {
            return kmsOrigin.getScheme() + "://" + kmsOrigin.getAuthority();
        }
    }
}
