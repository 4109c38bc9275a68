package run.ats.tunnel;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.nio.charset.StandardCharsets;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of the handshake's text frames, each parser on the same bytes: the
 * broker reads a relay's hello, the relay reads a broker's challenge and welcome. Each returns
 * a well-formed value or throws {@link IllegalArgumentException}, never anything else; what parses
 * round-trips; no hello proves anything it was not signed for. Seeds in
 * {@code TunnelHandshakeFuzzTestInputs/}.
 */
class TunnelHandshakeFuzzTest {

    private static final String BROKER = "wss://broker.ats.run:443";

    @FuzzTest(maxDuration = "20s")
    void handshakeMessages(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        try {
            String nonce = TunnelHandshake.parseChallenge(text);
            assertThat(nonce).matches("[A-Za-z0-9_-]{16,128}");
            assertThat(TunnelHandshake.parseChallenge(TunnelHandshake.challenge(nonce))).isEqualTo(nonce);
        } catch (IllegalArgumentException refused) {
            // the relay closes the tunnel
        }
        try {
            TunnelHandshake.Hello hello = TunnelHandshake.parseHello(text);
            for (String field : new String[] {hello.relayId(), hello.publicKey(), hello.broker(), hello.signature()}) {
                assertThat(field).isNotEmpty().hasSizeLessThanOrEqualTo(512);
            }
            if (hello.name() != null) {
                assertThat(hello.name()).isNotEmpty().hasSizeLessThanOrEqualTo(512);
            }
            // Nobody here holds a key for whatever the input names: no proof can hold, and checking one never throws.
            assertThat(hello.provenFor("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", Set.of(BROKER, hello.broker()))).isFalse();
        } catch (IllegalArgumentException refused) {
            // the broker closes with 1008 and the reason
        }
        try {
            TunnelHandshake.Welcome welcome = TunnelHandshake.parseWelcome(text);
            assertThat(welcome.window()).isBetween(TunnelHandshake.MIN_WINDOW, TunnelHandshake.MAX_WINDOW);
            assertThat(TunnelHandshake.parseWelcome(TunnelHandshake.welcome(welcome.name(), welcome.publicUrl(), welcome.window())))
                    .isEqualTo(welcome);
        } catch (IllegalArgumentException refused) {
            // the relay closes the tunnel
        }
    }
}
