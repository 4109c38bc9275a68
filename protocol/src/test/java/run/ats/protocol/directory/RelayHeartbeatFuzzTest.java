package run.ats.protocol.directory;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.nio.charset.StandardCharsets;
import java.security.PublicKey;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Heartbeats as any host may post them to the directory: parsing ends in a value or an
 * {@link InvalidDirectoryException}; a parsed heartbeat survives its canonical form unchanged;
 * checking its signature answers yes or no, the same for both forms.
 */
class RelayHeartbeatFuzzTest {

    private static final PublicKey RELAY_KEY = SignedDirectoryFuzzTest.key("relay_public_hex");

    @FuzzTest(maxDuration = "20s")
    void heartbeats(byte[] input) {
        RelayHeartbeat parsed;
        try {
            parsed = RelayHeartbeat.parse(new String(input, StandardCharsets.UTF_8));
        } catch (InvalidDirectoryException refused) {
            assertThat(refused.getMessage()).isNotBlank();
            return;
        }
        String canonical = parsed.toJson();
        RelayHeartbeat again = parseHeartbeat(canonical);
        assertThat(again).isEqualTo(parsed);
        assertThat(again.toJson()).isEqualTo(canonical);
        assertThat(again.signedBy(RELAY_KEY)).isEqualTo(parsed.signedBy(RELAY_KEY));
    }

    private static RelayHeartbeat parseHeartbeat(String canonical) {
        try {
            return RelayHeartbeat.parse(canonical);
        } catch (InvalidDirectoryException e) {
            throw new AssertionError("the canonical form of a parsed heartbeat is refused: " + e.getMessage() + " in " + canonical, e);
        }
    }
}
