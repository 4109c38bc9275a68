package run.ats.directory;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;
import run.ats.protocol.directory.Directory;

import java.net.URI;
import java.time.Duration;

/**
 * Every {@code ats.directory.*} setting, with its safe default; docs/operations.md lists them.
 *
 * @param mainUrl            main server base URL: its JWKS verifies the service tokens that register relays
 * @param rootsPerTree       N, the roots every tree has, until an operator sets another through the API
 * @param answeringWithin    a relay whose last heartbeat is older than this is not answering: weight 0
 * @param heartbeatSkew      how far a heartbeat's own time may be from the directory's
 * @param publishInterval    how often a replica checks whether the directory changed and issues a version
 * @param operatorTokenHash  SHA-256 (hex) of the operator token that may change N; none: the endpoint is off
 * @param signingKey         the Ed25519 private key that signs every version (PKCS#8, PEM or bare base64), from a
 *                           secret, so its public key can be pinned before the directory first starts; none: a key
 *                           made at first start and kept in the database (local runs)
 */
@Validated
@ConfigurationProperties("ats.directory")
public record DirectoryProperties(
        @DefaultValue("http://localhost:8080") @NotNull URI mainUrl,
        @DefaultValue("3") @Min(1) @Max(Directory.MAX_ROOTS_PER_TREE) int rootsPerTree,
        @DefaultValue("30s") @NotNull Duration answeringWithin,
        @DefaultValue("60s") @NotNull Duration heartbeatSkew,
        @DefaultValue("1s") @NotNull Duration publishInterval,
        String operatorTokenHash,
        String signingKey) {

    /** Never prints the signing key. */
    @Override
    public String toString() {
        return "DirectoryProperties[mainUrl=" + mainUrl + ", rootsPerTree=" + rootsPerTree + ", answeringWithin=" + answeringWithin
                + ", heartbeatSkew=" + heartbeatSkew + ", publishInterval=" + publishInterval + ", operatorTokenHash=" + operatorTokenHash
                + ", signingKey=" + (signingKey == null || signingKey.isBlank() ? "none" : "(set)") + "]";
    }
}
