package run.ats.protocol.relay;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;
import run.ats.protocol.ContractVectors;
import run.ats.protocol.ContractVectors.RelayIdCase;

import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RelayIdTest {

    private static final RelayIdCase VECTOR = ContractVectors.relayId();

    @Test
    void matchesTheContractVectorFromTheRawKey() {
        byte[] raw = HexFormat.of().parseHex(VECTOR.ed25519PublicHex());

        assertThat(RelayId.of(raw)).isEqualTo(VECTOR.relayId());
    }

    @Test
    void matchesTheContractVectorFromAJdkKey() throws Exception {
        // The same key as the JDK would load it from a relay's key file.
        byte[] x509 = HexFormat.of().parseHex("302a300506032b6570032100" + VECTOR.ed25519PublicHex());
        PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(x509));

        assertThat(RelayId.of(key)).isEqualTo(VECTOR.relayId());
    }

    @Test
    void aGeneratedKeyGivesTheSameIdEitherWay() throws Exception {
        PublicKey key = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic();
        byte[] encoded = key.getEncoded();
        byte[] raw = Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length);

        String id = RelayId.of(key);

        assertThat(id).isEqualTo(RelayId.of(raw)).hasSize(RelayId.LENGTH);
        assertThat(RelayId.isValid(id)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 31, 33, 44})
    void refusesRawKeysOfTheWrongLength(int length) {
        assertThatThrownBy(() -> RelayId.of(new byte[length]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("this one " + length);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Ed448", "X25519", "EC"})
    void refusesOtherKeyTypes(String algorithm) throws Exception {
        PublicKey key = KeyPairGenerator.getInstance(algorithm).generateKeyPair().getPublic();

        assertThatThrownBy(() -> RelayId.of(key))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not an X.509-encoded Ed25519 public key")
                .hasMessageContaining(key.getAlgorithm());
    }

    @ParameterizedTest
    @ValueSource(strings = {"eh7ddx5bksrgcytl7bkai36se4nxx3kl", "abcdefghijklmnopqrstuvwxyz234567", "22222222222222222222222222222222"})
    void acceptsThirtyTwoBase32Characters(String id) {
        assertThat(RelayId.isValid(id)).isTrue();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
            "eh7ddx5bksrgcytl7bkai36se4nxx3k",    // 31
            "eh7ddx5bksrgcytl7bkai36se4nxx3klq",  // 33
            "EH7DDX5BKSRGCYTL7BKAI36SE4NXX3KL",   // uppercase
            "eh7ddx5bksrgcytl7bkai36se4nxx3k1",   // '1' is not base32
            "eh7ddx5bksrgcytl7bkai36se4nxx3k0",   // nor '0'
            "eh7ddx5bksrgcytl7bkai36se4nxx3k8"})  // nor '8'
    void refusesAnythingElse(String id) {
        assertThat(RelayId.isValid(id)).isFalse();
    }
}
