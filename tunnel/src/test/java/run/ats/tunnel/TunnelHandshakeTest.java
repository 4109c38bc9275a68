package run.ats.tunnel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import run.ats.protocol.crypto.Ed25519;
import run.ats.protocol.relay.RelayId;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The tunnel handshake's proof is bound to the broker the relay dialed: a proof made for one
 * broker proves nothing to another, whatever the hello claims, and a v1 proof (no broker in it)
 * proves nothing at all.
 */
class TunnelHandshakeTest {

    private static final String BROKER_A = TunnelHandshake.brokerOrigin(URI.create("wss://broker-a.example/v1/tunnel"));
    private static final String BROKER_B = TunnelHandshake.brokerOrigin(URI.create("wss://broker-b.example/v1/tunnel"));
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final KeyPair key = keys();
    private final String relayId = RelayId.of(Ed25519.raw(key.getPublic()));
    private final String nonce = TunnelHandshake.nonce(new SecureRandom());

    @Test
    void aProofForOneBrokerIsRefusedByAnother() {
        TunnelHandshake.Hello forA = TunnelHandshake.parseHello(TunnelHandshake.hello(relayId, key.getPublic(), key.getPrivate(), null, nonce, BROKER_A));
        assertThat(forA.provenFor(nonce, Set.of(BROKER_A))).isTrue();
        assertThat(forA.provenFor(nonce, Set.of(BROKER_B))).isFalse();
        // Replicas behind one name share its origin; a broker reached by two names lists both.
        assertThat(forA.provenFor(nonce, Set.of(BROKER_B, BROKER_A))).isTrue();
    }

    @Test
    void aProofWhoseBrokerWasRewrittenIsRefused() throws Exception {
        String forA = TunnelHandshake.hello(relayId, key.getPublic(), key.getPrivate(), null, nonce, BROKER_A);
        ObjectNode edited = (ObjectNode) JSON.readTree(forA);
        edited.put("broker", BROKER_B);
        assertThat(TunnelHandshake.parseHello(edited.toString()).provenFor(nonce, Set.of(BROKER_B))).isFalse();
    }

    @Test
    void aVersionOneProofIsRefused() throws Exception {
        // What a relay before v2 signed: no broker, the v1 label.
        byte[] v1 = Ed25519.domainSeparated("ats-tunnel-v1", (nonce + "\n" + relayId).getBytes(StandardCharsets.UTF_8));
        String signature = Base64.getUrlEncoder().withoutPadding().encodeToString(Ed25519.sign(key.getPrivate(), v1));
        ObjectNode hello = (ObjectNode) JSON.readTree(TunnelHandshake.hello(relayId, key.getPublic(), key.getPrivate(), null, nonce, BROKER_A));
        hello.put("signature", signature);
        assertThat(TunnelHandshake.parseHello(hello.toString()).provenFor(nonce, Set.of(BROKER_A))).isFalse();
        hello.remove("broker");
        assertThatThrownBy(() -> TunnelHandshake.parseHello(hello.toString()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("handshake v2");
    }

    /** Found by fuzzing: a name that was an object escaped as Jackson's exception, so the broker closed with no reason. */
    @ParameterizedTest
    @ValueSource(strings = {"{\"a\":1}", "[\"calm-aqua-harbor\"]", "12", "true", "\"\""})
    void aHelloWhoseNameIsNotAStringIsRefusedAsMalformed(String name) {
        String hello = "{\"type\":\"tunnel-hello\",\"relayId\":\"r\",\"publicKey\":\"k\",\"broker\":\"b\",\"signature\":\"s\",\"name\":" + name + "}";
        assertThatThrownBy(() -> TunnelHandshake.parseHello(hello))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name");
    }

    @ParameterizedTest
    @CsvSource({
            "wss://broker.ats.run/v1/tunnel,         wss://broker.ats.run:443",
            "WSS://Broker.ATS.run./v1/tunnel,        wss://broker.ats.run:443",
            "wss://broker.ats.run:443/elsewhere,     wss://broker.ats.run:443",
            "ws://broker.ats.run/v1/tunnel,          ws://broker.ats.run:80",
            "wss://broker.ats.run:8443/v1/tunnel,    wss://broker.ats.run:8443",
            "ws://127.0.0.1:8443/v1/tunnel,          ws://127.0.0.1:8443",
            "ws://[::1]:8443/v1/tunnel,              ws://[::1]:8443",
            "ws://ats-broker:8443/v1/tunnel,         ws://ats-broker:8443"})
    void everySpellingOfOneAddressIsOneOrigin(String url, String origin) {
        assertThat(TunnelHandshake.brokerOrigin(URI.create(url))).isEqualTo(origin);
    }

    @Test
    void addressesThatDifferInSchemeHostOrPortAreDifferentBrokers() {
        assertThat(Set.of(
                TunnelHandshake.brokerOrigin(URI.create("ws://broker.ats.run/v1/tunnel")),
                TunnelHandshake.brokerOrigin(URI.create("wss://broker.ats.run/v1/tunnel")),
                TunnelHandshake.brokerOrigin(URI.create("wss://broker.ats.run:8443/v1/tunnel")),
                TunnelHandshake.brokerOrigin(URI.create("wss://other.ats.run/v1/tunnel")),
                TunnelHandshake.brokerOrigin(URI.create("wss://broker.ats.run.evil.example/v1/tunnel")))).hasSize(5);
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://broker.ats.run/v1/tunnel", "https://broker.ats.run/v1/tunnel", "/v1/tunnel",
            "wss:///v1/tunnel", "wss://user@broker.ats.run/v1/tunnel", "mailto:broker@ats.run"})
    void onlyAWebSocketUrlWithAHostIsABroker(String url) {
        assertThatThrownBy(() -> TunnelHandshake.brokerOrigin(URI.create(url))).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"short", "has\nnewline-and-is-long-enough", "has/slash/and/is/long/enough", "padded=base64url/===="})
    void aChallengeNonceIsBase64urlOnly(String nonce) {
        String challenge = JSON.createObjectNode().put("type", "tunnel-challenge").put("nonce", nonce).toString();
        assertThatThrownBy(() -> TunnelHandshake.parseChallenge(challenge)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aChallengeRoundTrips() {
        assertThat(TunnelHandshake.parseChallenge(TunnelHandshake.challenge(nonce))).isEqualTo(nonce);
    }

    private static KeyPair keys() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
