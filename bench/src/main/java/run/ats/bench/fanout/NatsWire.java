package run.ats.bench.fanout;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The NATS client protocol over WebSocket: CONNECT, SUB, then PING, whose PONG says the
 * subscription is in place; PUB to publish. Core NATS, at most once, like ATS.
 */
final class NatsWire implements Wire {

    private static final byte[] CRLF = Bytes.ascii("\r\n");

    @Override
    public String subprotocol() {
        return null;
    }

    @Override
    public List<WebSocketFrame> opening(String topic) {
        String connect = "CONNECT {\"verbose\":false,\"pedantic\":false,\"protocol\":1,\"echo\":false}\r\n";
        return List.of(text(connect + (topic == null ? "" : "SUB " + topic + " 1\r\n") + "PING\r\n"));
    }

    @Override
    public WebSocketFrame publish(String topic, Stamp stamp) {
        ByteBuf frame = Unpooled.buffer(FanOutBench.PAYLOAD_BYTES + topic.length() + 20);
        frame.writeBytes(Bytes.ascii("PUB " + topic + " " + FanOutBench.PAYLOAD_BYTES + "\r\n"))
                .writeBytes(stamp.payload(FanOutBench.PAYLOAD_BYTES))
                .writeBytes(CRLF);
        return new BinaryWebSocketFrame(frame);
    }

    @Override
    public WebSocketFrame keepAlive() {
        return text("PING\r\n");
    }

    @Override
    public Reader reader(String topic) {
        ByteBuf pending = Unpooled.buffer();
        return (bytes, inbound) -> {
            pending.writeBytes(bytes);
            while (true) {
                int start = pending.readerIndex();
                int end = Bytes.indexOf(pending, start, CRLF);
                if (end < 0) {
                    break;
                }
                String line = pending.toString(start, end - start, StandardCharsets.US_ASCII);
                if (line.startsWith("MSG ")) {
                    String[] parts = line.split(" ");
                    int size = Integer.parseInt(parts[parts.length - 1]);
                    int payload = end + 2;
                    if (pending.writerIndex() < payload + size + 2) {
                        break;
                    }
                    inbound.message(Stamp.read(pending, payload));
                    pending.readerIndex(payload + size + 2);
                    continue;
                }
                if (line.equals("PONG")) {
                    inbound.ready();
                } else if (line.equals("PING")) {
                    inbound.reply(text("PONG\r\n"));
                } else if (line.startsWith("-ERR")) {
                    inbound.problem(line);
                }
                pending.readerIndex(end + 2);
            }
            pending.discardReadBytes();
        };
    }

    private static WebSocketFrame text(String protocolText) {
        return new BinaryWebSocketFrame(Unpooled.wrappedBuffer(protocolText.getBytes(StandardCharsets.US_ASCII)));
    }
}
