package run.ats.protocol.wire;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** push.register and push.unregister: decoded strictly, printed without the endpoint or a JWT. */
class PushFramesTest {

    private static final String KEY = Base64.getUrlEncoder().withoutPadding().encodeToString(point());
    private static final String JWT = "eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiJ9.eyJhdWQiOiJodHRwczovL3B1c2guZXhhbXBsZSJ9."
            + "A".repeat(86);
    private static final String CHANNEL = "{\"topic\":\"tEitVHIzQk6ySa64HU4pR4\",\"cell\":\"dqcj\"}";

    private static byte[] point() {
        byte[] point = new byte[65];
        point[0] = 4;
        return point;
    }

    private static String register(String endpoint, String key, String jwts, String channels) {
        return "{\"type\":\"push.register\",\"endpoint\":" + endpoint + ",\"vapidKey\":" + key + ",\"jwts\":" + jwts + ",\"channels\":" + channels + "}";
    }

    @Test
    void aRegistrationDecodesAndPrintsNothingSecret() throws BadFrame {
        ClientMessage message = WireCodec.decode(register("\"https://push.example/send/abc\"", "\"" + KEY + "\"", "[\"" + JWT + "\"]", "[" + CHANNEL + "]"));
        assertThat(message).isEqualTo(new ClientMessage.PushRegister("https://push.example/send/abc", KEY, java.util.List.of(JWT),
                java.util.List.of(new ClientMessage.Channel("tEitVHIzQk6ySa64HU4pR4", "dqcj")), null));
        assertThat(message.toString()).doesNotContain("push.example", JWT);
        assertThat(WireCodec.decode("{\"type\":\"push.unregister\",\"endpoint\":\"https://push.example/x\"}"))
                .isEqualTo(new ClientMessage.PushUnregister("https://push.example/x"));
    }

    @Test
    void answersEncode() {
        assertThat(new String(WireCodec.encode(new ServerMessage.PushRegistered(2, 1234L)), StandardCharsets.UTF_8))
                .isEqualTo("{\"type\":\"push.registered\",\"channels\":2,\"expiresAt\":1234}");
        assertThat(new String(WireCodec.encode(new ServerMessage.PushUnregistered()), StandardCharsets.UTF_8))
                .isEqualTo("{\"type\":\"push.unregistered\"}");
    }

    static Stream<Arguments> badRegistrations() {
        String key = "\"" + KEY + "\"";
        String jwts = "[\"" + JWT + "\"]";
        String channels = "[" + CHANNEL + "]";
        String nine = "[" + ("\"" + JWT + "\",").repeat(8) + "\"" + JWT + "\"]";
        return Stream.of(
                arguments("endpoint not a URL", register("\"not a url\"", key, jwts, channels), "endpoint"),
                arguments("endpoint ftp", register("\"ftp://push.example/x\"", key, jwts, channels), "endpoint"),
                arguments("endpoint with user info", register("\"https://me@push.example/x\"", key, jwts, channels), "endpoint"),
                arguments("endpoint too long", register("\"https://push.example/" + "a".repeat(2100) + "\"", key, jwts, channels), "endpoint"),
                arguments("key compressed", register("\"https://push.example/x\"", "\"AAAA\"", jwts, channels), "vapidKey"),
                arguments("no JWT", register("\"https://push.example/x\"", key, "[]", channels), "jwts"),
                arguments("nine JWTs", register("\"https://push.example/x\"", key, nine, channels), "jwts"),
                arguments("JWT not compact", register("\"https://push.example/x\"", key, "[\"abc\"]", channels), "jwts"),
                arguments("no channel", register("\"https://push.example/x\"", key, jwts, "[]"), "channels"),
                arguments("bad cell", register("\"https://push.example/x\"", key, jwts, "[{\"topic\":\"abc\",\"cell\":\"dqca\"}]"), "cell"),
                arguments("channel not an object", register("\"https://push.example/x\"", key, jwts, "[\"dqcj\"]"), "channels"),
                arguments("keys without auth", register("\"https://push.example/x\"", key, jwts, channels).replace("}]}", "}],\"keys\":{\"p256dh\":" + key + "}}"), "keys"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRegistrations")
    void badRegistrationsAreBadRequestsNamingTheField(String name, String frame, String field) {
        assertThatThrownBy(() -> WireCodec.decode(frame)).isInstanceOf(BadFrame.class)
                .hasMessageContaining(field)
                .satisfies(e -> assertThat(((BadFrame) e).code()).isEqualTo(ErrorCode.BAD_REQUEST));
    }
}
