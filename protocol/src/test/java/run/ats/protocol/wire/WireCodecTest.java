package run.ats.protocol.wire;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class WireCodecTest {

    private static final String ID = "e1b2c3d4e5f6a7b8";

    @Test
    void decodesEveryClientMessage() throws Exception {
        assertThat(WireCodec.decode("{\"type\":\"hello\",\"token\":\"t.t.t\",\"protocol\":1}"))
                .isEqualTo(new ClientMessage.Hello("t.t.t", 1));
        assertThat(WireCodec.decode("{\"type\":\"subscribe\",\"topic\":\"tEitVHIzQk6ySa64HU4pR4\",\"cell\":\"dqcj\"}"))
                .isEqualTo(new ClientMessage.Subscribe("tEitVHIzQk6ySa64HU4pR4", "dqcj"));
        assertThat(WireCodec.decode("{\"type\":\"unsubscribe\",\"topic\":\"t\",\"cell\":\"dqcj\"}"))
                .isEqualTo(new ClientMessage.Unsubscribe("t", "dqcj"));
        assertThat(WireCodec.decode(publish("\"ttl\":60,\"payload\":\"AAEC\",\"later\":{\"field\":1}")))
                .isEqualTo(new ClientMessage.Publish("t", "dqcj", ID, 60, "AAEC"));
        assertThat(WireCodec.decode("{\"type\":\"heartbeat\"}")).isEqualTo(new ClientMessage.Heartbeat());
    }

    static Stream<Arguments> badFrames() {
        String big = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[4097]);
        String max = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[4096]);
        return Stream.of(
                arguments("not JSON", "{", ErrorCode.BAD_REQUEST),
                arguments("an array", "[]", ErrorCode.BAD_REQUEST),
                arguments("a string", "\"hello\"", ErrorCode.BAD_REQUEST),
                arguments("trailing garbage", "{\"type\":\"heartbeat\"} x", ErrorCode.BAD_REQUEST),
                arguments("no type", "{\"topic\":\"t\"}", ErrorCode.BAD_REQUEST),
                arguments("type not a string", "{\"type\":1}", ErrorCode.BAD_REQUEST),
                arguments("unknown type", "{\"type\":\"teleport\"}", ErrorCode.UNKNOWN_TYPE),
                arguments("protocol as a string", "{\"type\":\"hello\",\"token\":\"x\",\"protocol\":\"1\"}", ErrorCode.BAD_REQUEST),
                arguments("no token", "{\"type\":\"hello\",\"protocol\":1}", ErrorCode.BAD_REQUEST),
                arguments("topic with a dot", "{\"type\":\"subscribe\",\"topic\":\"a.b\",\"cell\":\"dqcj\"}", ErrorCode.BAD_REQUEST),
                arguments("topic too long", "{\"type\":\"subscribe\",\"topic\":\"" + "x".repeat(65) + "\",\"cell\":\"dqcj\"}", ErrorCode.BAD_REQUEST),
                arguments("empty topic", "{\"type\":\"subscribe\",\"topic\":\"\",\"cell\":\"dqcj\"}", ErrorCode.BAD_REQUEST),
                arguments("cell of 3", "{\"type\":\"subscribe\",\"topic\":\"t\",\"cell\":\"dqc\"}", ErrorCode.BAD_REQUEST),
                arguments("cell with 'a'", "{\"type\":\"subscribe\",\"topic\":\"t\",\"cell\":\"dqca\"}", ErrorCode.BAD_REQUEST),
                arguments("cell upper case", "{\"type\":\"subscribe\",\"topic\":\"t\",\"cell\":\"DQCJ\"}", ErrorCode.BAD_REQUEST),
                arguments("cell as number", "{\"type\":\"subscribe\",\"topic\":\"t\",\"cell\":1234}", ErrorCode.BAD_REQUEST),
                arguments("id too short", "{\"type\":\"publish\",\"topic\":\"t\",\"cell\":\"dqcj\",\"id\":\"short\",\"ttl\":5,\"payload\":\"\"}", ErrorCode.BAD_REQUEST),
                arguments("ttl zero", publish("\"ttl\":0,\"payload\":\"AAEC\""), ErrorCode.BAD_REQUEST),
                arguments("ttl fraction", publish("\"ttl\":1.5,\"payload\":\"AAEC\""), ErrorCode.BAD_REQUEST),
                arguments("ttl huge", publish("\"ttl\":99999999999,\"payload\":\"AAEC\""), ErrorCode.BAD_REQUEST),
                arguments("payload not base64url", publish("\"ttl\":5,\"payload\":\"a+b/\""), ErrorCode.BAD_REQUEST),
                arguments("payload padded", publish("\"ttl\":5,\"payload\":\"AA==\""), ErrorCode.BAD_REQUEST),
                arguments("payload impossible length", publish("\"ttl\":5,\"payload\":\"AAAAA\""), ErrorCode.BAD_REQUEST),
                arguments("payload over 4 KiB", publish("\"ttl\":5,\"payload\":\"" + big + "\""), ErrorCode.TOO_LARGE),
                arguments("deep nesting", "{\"type\":\"heartbeat\",\"x\":" + "[".repeat(50) + "]".repeat(50) + "}", ErrorCode.BAD_REQUEST),
                arguments("exactly 4 KiB is fine, so this one has a bad cell", publish("\"ttl\":5,\"payload\":\"" + max + "\"").replace("dqcj", "dqc"), ErrorCode.BAD_REQUEST));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFrames")
    void refusesBadFramesByName(String name, String frame, ErrorCode code) {
        assertThatThrownBy(() -> WireCodec.decode(frame))
                .isInstanceOfSatisfying(BadFrame.class, bad -> assertThat(bad.code()).isEqualTo(code))
                .hasMessageNotContaining("Exception");
    }

    @Test
    void badPublishErrorsCarryTheEventId() {
        assertThatThrownBy(() -> WireCodec.decode(publish("\"ttl\":0,\"payload\":\"AAEC\"")))
                .isInstanceOfSatisfying(BadFrame.class, bad -> assertThat(bad.id()).isEqualTo(ID));
    }

    @Test
    void payloadOfExactly4KiBPasses() throws Exception {
        String max = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[4096]);
        assertThat(WireCodec.decode(publish("\"ttl\":5,\"payload\":\"" + max + "\""))).isInstanceOf(ClientMessage.Publish.class);
    }

    @Test
    void encodesServerMessages() {
        assertThat(text(new ServerMessage.Event("t", "dqcj", ID, "AAEC", 1795300000000L)))
                .isEqualTo("{\"type\":\"event\",\"topic\":\"t\",\"cell\":\"dqcj\",\"id\":\"" + ID
                        + "\",\"payload\":\"AAEC\",\"expiresAt\":1795300000000}");
        assertThat(text(new ServerMessage.Welcome("r", 1, List.of("replay"), Map.of("maxPayloadBytes", 4096L))))
                .isEqualTo("{\"type\":\"welcome\",\"relayId\":\"r\",\"protocol\":1,\"features\":[\"replay\"],\"limits\":{\"maxPayloadBytes\":4096}}");
        assertThat(text(new ServerMessage.Error(ErrorCode.RATE_LIMITED, "slow \"down\"", null)))
                .isEqualTo("{\"type\":\"error\",\"code\":\"rate_limited\",\"message\":\"slow \\\"down\\\"\"}");
        assertThat(text(new ServerMessage.Ack(ID))).isEqualTo("{\"type\":\"ack\",\"id\":\"" + ID + "\"}");
    }

    /** Fuzzing finding: clipping the echoed type cut an emoji in half, and the error frame said '?' instead. */
    @Test
    void anErrorEchoingInputNeverCutsACharacterInHalf() {
        for (int before = 28; before <= 34; before++) {
            String type = "x".repeat(before) + "\uD83D\uDE00".repeat(3);
            BadFrame bad = catchThrowableOfType(BadFrame.class, () -> WireCodec.decode("{\"type\":\"" + type + "\"}"));
            String answer = new String(WireCodec.encode(bad.toError()), StandardCharsets.UTF_8);
            assertThat(answer).as("%d characters before the emoji", before)
                    .doesNotContain("?")
                    .contains(bad.getMessage());
            assertThat(bad.getMessage().codePoints()).as("no half of a surrogate pair").noneMatch(c -> c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE);
        }
    }

    /**
     * Fuzzing finding: Jackson names an unexpected character outside the Basic Multilingual Plane by
     * its first half only, and that half reached the client as '?' in the error frame.
     */
    @Test
    void anErrorAboutAnUnexpectedCharacterBeyondTheBasicPlaneIsWellFormedText() {
        for (String character : List.of("\uD83D\uDE00", "\uD801\uDC10", "\uDBFF\uDFFF")) {
            for (String frame : List.of(character, "{" + character, "{\"type\":" + character + "}", "[1," + character + "]",
                    "{\"type\":\"heartbeat\"}" + character)) {
                BadFrame bad = catchThrowableOfType(BadFrame.class, () -> WireCodec.decode(frame));
                assertWellFormedAnswer(bad);
                BadFrame badLink = catchThrowableOfType(BadFrame.class, () -> LinkCodec.decode(frame));
                assertWellFormedAnswer(badLink);
            }
        }
    }

    private static void assertWellFormedAnswer(BadFrame bad) {
        assertThat(bad).isNotNull();
        assertThat(bad.getMessage().codePoints()).as(bad.getMessage())
                .noneMatch(c -> c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE);
        assertThat(new String(WireCodec.encode(bad.toError()), StandardCharsets.UTF_8)).contains(bad.getMessage());
    }

    private static String publish(String rest) {
        return "{\"type\":\"publish\",\"topic\":\"t\",\"cell\":\"dqcj\",\"id\":\"" + ID + "\"," + rest + "}";
    }

    private static String text(ServerMessage message) {
        return new String(WireCodec.encode(message), StandardCharsets.UTF_8);
    }
}
