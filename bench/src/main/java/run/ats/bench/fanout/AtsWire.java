package run.ats.bench.fanout;

import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * ATS client protocol v1: hello with a relay token, subscribe to (tag, cell), publish with the
 * stamp as the event id. The payload is 256 opaque bytes, base64url as the protocol requires.
 */
final class AtsWire implements Wire {

    static final String CELL = "dqcj";
    private static final byte[] EVENT = Bytes.ascii("{\"type\":\"event\"");
    private static final byte[] ID = Bytes.ascii("\"id\":\"");
    private static final byte[] SUBSCRIBED = Bytes.ascii("{\"type\":\"subscribed\"");
    private static final byte[] WELCOME = Bytes.ascii("{\"type\":\"welcome\"");
    private static final byte[] ERROR = Bytes.ascii("{\"type\":\"error\"");

    private final String token;
    private final String payload;

    AtsWire(String token) {
        this.token = token;
        this.payload = Base64.getUrlEncoder().withoutPadding().encodeToString(new Stamp(0, 0, 0).payload(FanOutBench.PAYLOAD_BYTES));
    }

    @Override
    public String subprotocol() {
        return null;
    }

    @Override
    public List<WebSocketFrame> opening(String topic) {
        List<WebSocketFrame> frames = new ArrayList<>();
        frames.add(new TextWebSocketFrame("{\"type\":\"hello\",\"token\":\"" + token + "\",\"protocol\":1}"));
        if (topic != null) {
            frames.add(new TextWebSocketFrame("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\",\"cell\":\"" + CELL + "\"}"));
        }
        return frames;
    }

    @Override
    public WebSocketFrame publish(String topic, Stamp stamp) {
        return new TextWebSocketFrame("{\"type\":\"publish\",\"topic\":\"" + topic + "\",\"cell\":\"" + CELL + "\",\"id\":\""
                + stamp.text() + "\",\"ttl\":60,\"payload\":\"" + payload + "\"}");
    }

    @Override
    public WebSocketFrame keepAlive() {
        return new TextWebSocketFrame("{\"type\":\"heartbeat\"}");
    }

    @Override
    public Reader reader(String topic) {
        byte[] ready = topic == null ? WELCOME : SUBSCRIBED;
        return (bytes, inbound) -> {
            int start = bytes.readerIndex();
            if (Bytes.indexOf(bytes, start, EVENT) == start) {
                int id = Bytes.indexOf(bytes, start, ID);
                inbound.message(Stamp.read(bytes, id < 0 ? -1 : id + ID.length));
            } else if (Bytes.indexOf(bytes, start, ready) == start) {
                inbound.ready();
            } else if (Bytes.indexOf(bytes, start, ERROR) == start) {
                inbound.problem(bytes.toString(StandardCharsets.UTF_8));
            }
        };
    }
}
