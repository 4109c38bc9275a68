package run.ats.protocol.directory;

import org.junit.jupiter.api.Test;
import run.ats.protocol.crypto.Ed25519;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SignedDirectoryTest {

    private static final JsonNode VECTORS = load();
    private static final PrivateKey DIRECTORY_KEY = privateKey(VECTORS.get("directory_key_seed_hex").asString());
    private static final PublicKey DIRECTORY_PUBLIC = Ed25519.publicKey(HexFormat.of().parseHex(VECTORS.get("directory_public_hex").asString()));
    private static final String GOLDEN = VECTORS.get("signed_directory_json").asString();

    @Test
    void anIndependentlySignedVersionVerifiesAndReserializesByteForByte() throws Exception {
        SignedDirectory parsed = SignedDirectory.parse(GOLDEN);
        Directory directory = parsed.verifiedWith(DIRECTORY_PUBLIC);
        assertThat(directory.version()).isEqualTo(7);
        assertThat(directory.rootsPerTree()).isEqualTo(3);
        assertThat(directory.relays()).hasSize(2);
        assertThat(parsed.toJson()).isEqualTo(GOLDEN);
        // Ed25519 is deterministic: signing the same version gives the same signature.
        assertThat(SignedDirectory.sign(directory, DIRECTORY_KEY)).isEqualTo(parsed);
    }

    @Test
    void aNamedRelaySignedIndependentlyVerifiesAndReserializes() throws Exception {
        String named = VECTORS.get("signed_directory_named_json").asString();
        SignedDirectory parsed = SignedDirectory.parse(named);
        Directory directory = parsed.verifiedWith(DIRECTORY_PUBLIC);
        assertThat(directory.relays().get(0).name()).isNull();
        assertThat(directory.relays().get(1).name()).isEqualTo("poetic-cornflower-bench");
        assertThat(parsed.toJson()).isEqualTo(named);
        assertThat(SignedDirectory.sign(directory, DIRECTORY_KEY)).isEqualTo(parsed);
        // A name is signed like every other field: changing it, or dropping it, breaks the signature.
        for (String tampered : List.of(named.replace("poetic-cornflower-bench\"}", "poetic-cornflower-bell\"}"),
                named.replace(",\"name\":\"poetic-cornflower-bench\"", ""))) {
            assertThat(tampered).isNotEqualTo(named);
            assertThatThrownBy(() -> SignedDirectory.parse(tampered).verifiedWith(DIRECTORY_PUBLIC))
                    .isInstanceOf(InvalidDirectoryException.class);
        }
        assertThatThrownBy(() -> SignedDirectory.parse(named.replace("poetic-cornflower-bench\"}", "Poetic.Bench\"}")))
                .isInstanceOf(InvalidDirectoryException.class).hasMessageContaining("name must be three lowercase words");
    }

    @Test
    void anyChangeBreaksTheSignature() throws Exception {
        for (String tampered : List.of(
                GOLDEN.replace("\"version\":7", "\"version\":8"),
                GOLDEN.replace("\"rootsPerTree\":3", "\"rootsPerTree\":2"),
                GOLDEN.replace("\"weight\":4", "\"weight\":5"),
                GOLDEN.replace("relay1.example", "evil.example"))) {
            assertThat(tampered).isNotEqualTo(GOLDEN);
            SignedDirectory parsed = SignedDirectory.parse(tampered);
            assertThatThrownBy(() -> parsed.verifiedWith(DIRECTORY_PUBLIC))
                    .isInstanceOf(InvalidDirectoryException.class).hasMessageContaining("not signed by the directory key");
        }
    }

    @Test
    void aVersionSignedByAnotherKeyIsRefused() throws Exception {
        Directory directory = SignedDirectory.parse(GOLDEN).directory();
        KeyPair forger = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        SignedDirectory forged = SignedDirectory.sign(directory, forger.getPrivate());
        assertThatThrownBy(() -> SignedDirectory.parse(forged.toJson()).verifiedWith(DIRECTORY_PUBLIC))
                .isInstanceOf(InvalidDirectoryException.class);
        assertThat(SignedDirectory.parse(forged.toJson()).verifiedWith(forger.getPublic())).isEqualTo(directory);
    }

    @Test
    void malformedVersionsAreRefusedWithTheReason() {
        String otherKey = "\"publicKey\":\"" + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[32]) + "\"";
        record Case(String json, String reason) {
        }
        for (Case c : List.of(
                new Case("not json", "not JSON"),
                new Case("[]", "JSON object"),
                new Case(GOLDEN.replace("\"rootsPerTree\":3,", "\"rootsPerTree\":3,\"extra\":1,"), "unknown fields [extra]"),
                new Case(GOLDEN.replace("\"issuedAt\":1795300000000,", ""), "missing fields [issuedAt]"),
                new Case(GOLDEN.replace("\"version\":7", "\"version\":\"7\""), "version must be an integer"),
                new Case(GOLDEN.replace("\"version\":7", "\"version\":0"), "version starts at 1"),
                new Case(GOLDEN.replace("\"rootsPerTree\":3", "\"rootsPerTree\":0"), "rootsPerTree must be"),
                new Case(GOLDEN.replace("\"weight\":4", "\"weight\":-1"), "weight must be"),
                new Case(GOLDEN.replaceFirst("\"publicKey\":\"[^\"]+\"", otherKey), "is not the id of its publicKey"),
                new Case(GOLDEN.replace("wss://relay1.example/v1/link", "http://relay1.example"), "ws:// or wss://"))) {
            assertThatThrownBy(() -> SignedDirectory.parse(c.json())).as(c.reason())
                    .isInstanceOf(InvalidDirectoryException.class).hasMessageContaining(c.reason());
        }
    }

    @Test
    void relaysAreSortedAndListedOnce() throws Exception {
        Directory golden = SignedDirectory.parse(GOLDEN).directory();
        List<DirectoryEntry> reversed = golden.relays().reversed();
        Directory again = new Directory(7, golden.issuedAt(), 3, reversed);
        assertThat(again.relays()).isEqualTo(golden.relays());
        assertThat(SignedDirectory.sign(again, DIRECTORY_KEY).toJson()).isEqualTo(GOLDEN);
        assertThatThrownBy(() -> new Directory(1, 0, 3, List.of(golden.relays().getFirst(), golden.relays().getFirst())))
                .hasMessageContaining("listed twice");
    }

    @Test
    void heartbeatsVerifyAgainstTheRelayKeyOnly() throws Exception {
        RelayHeartbeat heartbeat = RelayHeartbeat.parse(VECTORS.get("heartbeat_json").asString());
        PublicKey relayKey = Ed25519.publicKey(HexFormat.of().parseHex(VECTORS.get("relay_public_hex").asString()));
        assertThat(heartbeat.signedBy(relayKey)).isTrue();
        assertThat(heartbeat.toJson()).isEqualTo(VECTORS.get("heartbeat_json").asString());
        assertThat(RelayHeartbeat.sign(heartbeat.relayId(), heartbeat.sentAt(), heartbeat.uptimeSeconds(), heartbeat.connections(),
                heartbeat.loadPercent(), privateKey(VECTORS.get("relay_seed_hex").asString()))).isEqualTo(heartbeat);

        assertThat(heartbeat.signedBy(DIRECTORY_PUBLIC)).isFalse();
        RelayHeartbeat replayedLater = new RelayHeartbeat(heartbeat.relayId(), heartbeat.sentAt() + 60_000, heartbeat.uptimeSeconds(),
                heartbeat.connections(), heartbeat.loadPercent(), heartbeat.signature());
        assertThat(replayedLater.signedBy(relayKey)).isFalse();
        assertThatThrownBy(() -> RelayHeartbeat.parse("{\"relayId\":\"x\"}")).isInstanceOf(InvalidDirectoryException.class);
        assertThatThrownBy(() -> RelayHeartbeat.parse(VECTORS.get("heartbeat_json").asString().replace("\"loadPercent\":7", "\"loadPercent\":700")))
                .hasMessageContaining("loadPercent");
    }

    private static PrivateKey privateKey(String seedHex) {
        try {
            return KeyFactory.getInstance("Ed25519").generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, HexFormat.of().parseHex(seedHex)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode load() {
        try (InputStream in = SignedDirectoryTest.class.getResourceAsStream("/vectors/signed-directory.json")) {
            return JsonMapper.builder().build().readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
