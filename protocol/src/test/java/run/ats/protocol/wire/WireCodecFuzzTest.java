package run.ats.protocol.wire;

import com.code_intelligence.jazzer.junit.FuzzTest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whatever a client or a peer relay sends: decoding ends in a message or a {@link BadFrame},
 * never another exception; a decoded frame survives its canonical re-encoding unchanged; and the
 * error frame answering a bad one is well-formed JSON that says what the {@link BadFrame} said,
 * echoing only a bounded part of the input. Seeds: {@code WireCodecFuzzTestInputs/}.
 */
class WireCodecFuzzTest {

    /** Longest error message any bad frame may produce (the relay sends it back). */
    private static final int MAX_ERROR_MESSAGE = 300;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @FuzzTest(maxDuration = "20s")
    void clientFrames(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        ClientMessage message;
        try {
            message = WireCodec.decode(text);
        } catch (BadFrame bad) {
            assertAnswerable(bad);
            return;
        }
        String canonical = ClientFrames.encode(message);
        assertThat(decodeValid(canonical)).isEqualTo(message);
        assertThat(ClientFrames.encode(decodeValid(canonical))).isEqualTo(canonical);
    }

    @FuzzTest(maxDuration = "20s")
    void linkFrames(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        LinkMessage message;
        try {
            message = LinkCodec.decode(text);
        } catch (BadFrame bad) {
            assertAnswerable(bad);
            return;
        }
        byte[] canonical = LinkCodec.encode(message);
        LinkMessage again = decodeLink(canonical);
        assertThat(again).isEqualTo(message);
        assertThat(LinkCodec.encode(again)).isEqualTo(canonical);
    }

    private static void assertAnswerable(BadFrame bad) {
        assertThat(bad.code()).isNotNull();
        assertThat(bad.getMessage()).isNotBlank().hasSizeLessThanOrEqualTo(MAX_ERROR_MESSAGE);
        JsonNode error = JSON.readTree(new String(WireCodec.encode(bad.toError()), StandardCharsets.UTF_8));
        assertThat(error.get("type").asString()).isEqualTo("error");
        assertThat(error.get("code").asString()).isEqualTo(bad.code().wire());
        assertThat(error.get("message").asString()).isEqualTo(bad.getMessage());
    }

    private static ClientMessage decodeValid(String text) {
        try {
            return WireCodec.decode(text);
        } catch (BadFrame bad) {
            throw new AssertionError("the canonical form of a decoded frame is refused: " + bad.getMessage() + " in " + text, bad);
        }
    }

    private static LinkMessage decodeLink(byte[] bytes) {
        try {
            return LinkCodec.decode(new String(bytes, StandardCharsets.UTF_8));
        } catch (BadFrame bad) {
            throw new AssertionError("the canonical form of a decoded link frame is refused: " + bad.getMessage(), bad);
        }
    }
}
