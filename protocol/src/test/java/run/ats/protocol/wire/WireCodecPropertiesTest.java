package run.ats.protocol.wire;

import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Codec properties over generated messages (a fixed seed, so a failure names its case and
 * replays): every valid message survives encode then decode; decoding does not depend on field
 * order, whitespace or unknown fields; and what a relay sends is JSON saying exactly what the
 * message holds, whatever text it carries.
 */
class WireCodecPropertiesTest {

    private static final int CASES = 300;
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String TAG_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    private static final String CELL_CHARS = "0123456789bcdefghjkmnpqrstuvwxyz";
    private static final String RELAY_ID_CHARS = "abcdefghijklmnopqrstuvwxyz234567";

    static Stream<Named<ClientMessage>> clientMessages() {
        return cases(0xC1, WireCodecPropertiesTest::clientMessage);
    }

    static Stream<Named<LinkMessage>> linkMessages() {
        return cases(0x11, WireCodecPropertiesTest::linkMessage);
    }

    static Stream<Named<ServerMessage>> serverMessages() {
        return cases(0x5E, WireCodecPropertiesTest::serverMessage);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clientMessages")
    void everyClientMessageSurvivesItsCanonicalText(ClientMessage message) throws BadFrame {
        String text = ClientFrames.encode(message);
        assertThat(WireCodec.decode(text)).isEqualTo(message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clientMessages")
    void decodingIgnoresFieldOrderWhitespaceAndUnknownFields(ClientMessage message) throws BadFrame {
        ObjectNode canonical = (ObjectNode) JSON.readTree(ClientFrames.encode(message));
        List<String> names = new ArrayList<>(canonical.propertyNames());
        Collections.shuffle(names, new Random(message.hashCode()));
        StringBuilder respelled = new StringBuilder("{ \"later\" : {\"x\": [1, 2]},\n");
        for (String name : names) {
            respelled.append(' ').append(JSON.writeValueAsString(JSON.getNodeFactory().textNode(name)))
                    .append(" :\t").append(JSON.writeValueAsString(canonical.get(name))).append(",\r\n");
        }
        respelled.append("\"zz\": null }");
        assertThat(WireCodec.decode(respelled.toString())).isEqualTo(message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("linkMessages")
    void everyLinkMessageSurvivesEncodeThenDecode(LinkMessage message) throws BadFrame {
        byte[] encoded = LinkCodec.encode(message);
        LinkMessage decoded = LinkCodec.decode(new String(encoded, StandardCharsets.UTF_8));
        assertThat(decoded).isEqualTo(message);
        assertThat(LinkCodec.encode(decoded)).isEqualTo(encoded);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("serverMessages")
    void whatARelaySendsIsJsonSayingExactlyTheMessage(ServerMessage message) {
        JsonNode sent = JSON.readTree(new String(WireCodec.encode(message), StandardCharsets.UTF_8));
        switch (message) {
            case ServerMessage.Error e -> {
                assertThat(sent.get("type").asString()).isEqualTo("error");
                assertThat(sent.get("code").asString()).isEqualTo(e.code().wire());
                assertThat(sent.get("message").asString()).isEqualTo(e.message());
                assertThat(sent.has("id")).isEqualTo(e.id() != null);
            }
            case ServerMessage.Event e -> {
                assertThat(sent.get("type").asString()).isEqualTo("event");
                assertThat(List.of(sent.get("topic").asString(), sent.get("cell").asString(), sent.get("id").asString(),
                        sent.get("payload").asString())).containsExactly(e.topic(), e.cell(), e.id(), e.payload());
                assertThat(sent.get("expiresAt").asLong()).isEqualTo(e.expiresAt());
            }
            case ServerMessage.Welcome w -> {
                assertThat(sent.get("relayId").asString()).isEqualTo(w.relayId());
                assertThat(sent.get("protocol").asInt()).isEqualTo(w.protocol());
                assertThat(sent.get("features").valueStream().map(JsonNode::asString).toList()).isEqualTo(w.features());
                w.limits().forEach((name, value) -> assertThat(sent.get("limits").get(name).asLong()).isEqualTo(value));
                assertThat(sent.get("limits").size()).isEqualTo(w.limits().size());
            }
            default -> throw new AssertionError("not generated: " + message);
        }
    }

    // --- generators

    private static <T> Stream<Named<T>> cases(long seed, Function<Random, T> generator) {
        Random random = new Random(seed);
        return IntStream.range(0, CASES).mapToObj(i -> {
            T value = generator.apply(random);
            return Named.of("case " + i + ": " + value.getClass().getSimpleName(), value);
        });
    }

    private static ClientMessage clientMessage(Random r) {
        return switch (r.nextInt(7)) {
            case 0 -> new ClientMessage.Hello(text(r, 200), r.nextInt());
            case 1 -> new ClientMessage.Subscribe(tag(r), cell(r));
            case 2 -> new ClientMessage.Unsubscribe(tag(r), cell(r));
            case 3 -> new ClientMessage.Publish(tag(r), cell(r), eventId(r), 1 + r.nextInt(Integer.MAX_VALUE), payload(r));
            case 4 -> new ClientMessage.Heartbeat();
            case 5 -> new ClientMessage.PushRegister(endpoint(r), base64(point(r)),
                    IntStream.range(0, 1 + r.nextInt(WireCodec.MAX_PUSH_JWTS)).mapToObj(i -> jwt(r)).toList(),
                    IntStream.range(0, 1 + r.nextInt(WireCodec.MAX_PUSH_CHANNELS)).mapToObj(i -> new ClientMessage.Channel(tag(r), cell(r))).toList(),
                    r.nextBoolean() ? null : new ClientMessage.PushKeys(base64(point(r)), base64(bytes(r, 16))));
            default -> new ClientMessage.PushUnregister(endpoint(r));
        };
    }

    private static LinkMessage linkMessage(Random r) {
        return switch (r.nextInt(7)) {
            case 0 -> new LinkMessage.Challenge(relayId(r), nonce(r));
            case 1 -> new LinkMessage.Hello(relayId(r), nonce(r), text(r, 100));
            case 2 -> new LinkMessage.Welcome(relayId(r), text(r, 100));
            case 3 -> new LinkMessage.DirectoryVersion(r.nextLong());
            case 4 -> new LinkMessage.Join(tag(r), cell(r));
            case 5 -> new LinkMessage.Leave(tag(r), cell(r));
            default -> new LinkMessage.Event(tag(r), cell(r), eventId(r), payload(r), r.nextLong());
        };
    }

    private static ServerMessage serverMessage(Random r) {
        return switch (r.nextInt(3)) {
            case 0 -> new ServerMessage.Error(ErrorCode.values()[r.nextInt(ErrorCode.values().length)], text(r, 300),
                    r.nextBoolean() ? null : eventId(r));
            case 1 -> new ServerMessage.Event(tag(r), cell(r), eventId(r), payload(r), r.nextLong());
            default -> new ServerMessage.Welcome(relayId(r), r.nextInt(), List.of(text(r, 10), text(r, 10)),
                    Map.of(text(r, 20) + "a", r.nextLong(), text(r, 20) + "b", r.nextLong()));
        };
    }

    /** Any text: ASCII, quotes, backslashes, control characters, accents, emoji. */
    private static String text(Random r, int maxLength) {
        int[] alphabet = {'a', 'Z', '0', ' ', '"', '\\', '/', '\n', '\r', '\t', 0, 0x1F, 0x7F, 'é', 0x2028, 0xFFFD, 0x1F600, 0x10FFFF};
        StringBuilder text = new StringBuilder();
        int length = r.nextInt(maxLength + 1);
        for (int i = 0; i < length; i++) {
            text.appendCodePoint(alphabet[r.nextInt(alphabet.length)]);
        }
        return text.toString();
    }

    private static String tag(Random r) {
        return chars(r, TAG_CHARS, 1 + r.nextInt(64));
    }

    private static String cell(Random r) {
        return chars(r, CELL_CHARS, 4);
    }

    private static String eventId(Random r) {
        return chars(r, TAG_CHARS, 16 + r.nextInt(49));
    }

    private static String nonce(Random r) {
        return chars(r, TAG_CHARS, 22 + r.nextInt(43));
    }

    private static String relayId(Random r) {
        return chars(r, RELAY_ID_CHARS, 32);
    }

    private static String payload(Random r) {
        return base64(bytes(r, r.nextInt(8) == 0 ? WireCodec.MAX_PAYLOAD_BYTES : r.nextInt(200)));
    }

    private static String endpoint(Random r) {
        return (r.nextBoolean() ? "https" : "http") + "://" + chars(r, RELAY_ID_CHARS, 1 + r.nextInt(20)) + ".example/push/"
                + chars(r, TAG_CHARS, r.nextInt(100));
    }

    private static String jwt(Random r) {
        return chars(r, TAG_CHARS, 10 + r.nextInt(100)) + "." + chars(r, TAG_CHARS, 10 + r.nextInt(100)) + "."
                + chars(r, TAG_CHARS, 40 + r.nextInt(161));
    }

    private static byte[] point(Random r) {
        byte[] point = bytes(r, 65);
        point[0] = 4;
        return point;
    }

    private static byte[] bytes(Random r, int length) {
        byte[] bytes = new byte[length];
        r.nextBytes(bytes);
        return bytes;
    }

    private static String base64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String chars(Random r, String alphabet, int length) {
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return s.toString();
    }
}
