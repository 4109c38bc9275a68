package run.ats.verifier;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Every {@code ats.verifier.*} setting, with its safe default; docs/operations.md lists them.
 *
 * @param logOrigin   the log's name: the first line of every checkpoint and its key's name
 * @param logKeyFile  the log's checkpoint signing key (a key file, as {@code release-key} makes; a mounted
 *                    secret); made (0600) if absent. Unset: the key is kept in the database, as older
 *                    versions did, which lets whoever reads the database sign checkpoints
 * @param releaseKeys the Ed25519 public keys (raw 32 bytes, base64) whose signatures the log accepts
 *                    on releases and deprecations; none: the log accepts nothing
 * @param origins     the deployments {@code /v1/verify} and the monitor may fetch; nothing else is fetched
 * @param verifyCache how long one verification of an origin answers repeated requests for it
 * @param fetch       limits on every fetch from a deployment
 * @param monitor     the periodic re-verification of {@code origins}
 */
@Validated
@ConfigurationProperties("ats.verifier")
public record VerifierProperties(
        @DefaultValue("ats.run/kms-log") @NotBlank String logOrigin,
        Path logKeyFile,
        @DefaultValue("") List<String> releaseKeys,
        @DefaultValue("") List<URI> origins,
        @DefaultValue("10s") @NotNull Duration verifyCache,
        @DefaultValue @Valid Fetch fetch,
        @DefaultValue @Valid Monitor monitor) {

    /**
     * @param maxFileSize     the largest file fetched; a bigger one fails the verification
     * @param maxFiles        the most files one verification fetches
     * @param timeout         for each fetch, headers and body
     * @param total           for a whole verification
     * @param allowLoopback   let allow-listed origins resolve to loopback (local runs and tests only);
     *                        private, link-local and other internal addresses stay refused
     * @param maxRedirects    same-origin redirects followed; a redirect elsewhere fails the fetch
     */
    public record Fetch(
            @DefaultValue("2MB") @NotNull DataSize maxFileSize,
            @DefaultValue("200") @Min(1) int maxFiles,
            @DefaultValue("10s") @NotNull Duration timeout,
            @DefaultValue("60s") @NotNull Duration total,
            @DefaultValue("false") boolean allowLoopback,
            @DefaultValue("3") @Min(0) int maxRedirects) {
    }

    /**
     * @param interval how often each origin is verified again
     * @param jitter   the share of the interval by which each wait varies, so replicas and origins spread out
     * @param history  verifications kept per origin
     */
    public record Monitor(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("5m") @NotNull Duration interval,
            @DefaultValue("0.2") @DecimalMin("0") @DecimalMax("0.9") double jitter,
            @DefaultValue("100") @Min(1) int history) {
    }
}
