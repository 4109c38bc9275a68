package run.ats.directory.versions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import run.ats.directory.DirectoryProperties;
import run.ats.protocol.crypto.Ed25519;

import java.net.URI;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The directory's signing key from a secret: the public key relays pin is derived exactly as openssl derives it. */
class DirectoryKeyTest {

    // Private keys as Helm's genPrivateKey "ed25519" and openssl genpkey write them; public keys from `openssl pkey -pubout`.
    private static final String HELM_PEM = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEILQ7L+uLF9kg4jrxWg+PIjaJkiriaq1LF2PxVW+9U5sQ\n-----END PRIVATE KEY-----\n";
    private static final String HELM_PUBLIC = "cbOnzIBvZkj81cHlzotWezCFbZ4xkMygdidN2tZyHrY";

    @ParameterizedTest
    @CsvSource({
            "'" + HELM_PEM + "', " + HELM_PUBLIC,
            "MC4CAQAwBQYDK2VwBCIEIESuCv5OK4Fpq6TlLYZ2GnPuSekD5CsKdBVSq+I0l355, -fXglo56xu1ZD4XS4t7_SJ2wqnxQpJSLtJkAGQASVOY",
    })
    void derivesThePublicKeyOpensslDerives(String pem, String publicKey) {
        KeyPair pair = SigningKeyPem.parse(pem);
        assertThat(Base64.getUrlEncoder().withoutPadding().encodeToString(Ed25519.raw(pair.getPublic()))).isEqualTo(publicKey);
        byte[] message = "directory version 7".getBytes();
        assertThat(Ed25519.verify(pair.getPublic(), message, Ed25519.sign(pair.getPrivate(), message))).isTrue();
    }

    @Test
    void aConfiguredKeySignsAndIsWhatRelaysPin() {
        // No database: a configured key never touches it.
        DirectoryKey key = new DirectoryKey(null, Clock.systemUTC(), properties(HELM_PEM));
        assertThat(key.publicKey().block(Duration.ofSeconds(1))).isEqualTo(HELM_PUBLIC);
        assertThat(properties(HELM_PEM).toString()).contains("signingKey=(set)").doesNotContain("MC4CAQAw");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "not base64 at all!",
            // A P-256 key in PKCS#8: a private key, but not Ed25519.
            "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgypdQsirUa9CqZYd2Bg7mQ3JBPAIkqQG82kAxogL/1EahRANCAAQtFixuXwSqvtyABALGZzhRnDQlENuaE0u0xhXWNnOmdqtOhDiYaHMVI9uhZkV8CuBJjQRvyyZniM6J/SuwaLm0",
            // An Ed25519 public key (X.509), not a private one.
            "MCowBQYDK2VwAyEAcbOnzIBvZkj81cHlzotWezCFbZ4xkMygdidN2tZyHrY=",
    })
    void refusesWhatIsNotAnEd25519PrivateKey(String text) {
        assertThatThrownBy(() -> SigningKeyPem.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ats.directory.signing-key");
    }

    private static DirectoryProperties properties(String signingKey) {
        return new DirectoryProperties(URI.create("http://main"), 3, Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(1),
                null, signingKey);
    }
}
