package run.ats.bench.fanout;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * MQTT 3.1.1 over WebSocket (subprotocol {@code mqtt}), QoS 0, clean sessions: the cheapest
 * delivery Mosquitto offers, the same promise ATS makes (at most once, no broker storage).
 */
final class MqttWire implements Wire {

    private static final int CONNECT = 1, CONNACK = 2, PUBLISH = 3, SUBACK = 9;
    private final AtomicInteger clients = new AtomicInteger();

    @Override
    public String subprotocol() {
        return "mqtt";
    }

    @Override
    public List<WebSocketFrame> opening(String topic) {
        List<WebSocketFrame> frames = new ArrayList<>();
        byte[] clientId = Bytes.ascii("bench-" + clients.incrementAndGet());
        ByteBuf connect = Unpooled.buffer();
        connect.writeShort(4).writeBytes(Bytes.ascii("MQTT")).writeByte(4) // protocol level 3.1.1
                .writeByte(0x02)                                          // clean session
                .writeShort(60)                                           // keep-alive seconds
                .writeShort(clientId.length).writeBytes(clientId);
        frames.add(packet(CONNECT << 4, connect));
        if (topic != null) {
            byte[] filter = topic.getBytes(StandardCharsets.UTF_8);
            ByteBuf subscribe = Unpooled.buffer();
            subscribe.writeShort(1).writeShort(filter.length).writeBytes(filter).writeByte(0);
            frames.add(packet(0x82, subscribe));
        }
        return frames;
    }

    @Override
    public WebSocketFrame publish(String topic, Stamp stamp) {
        byte[] name = topic.getBytes(StandardCharsets.UTF_8);
        ByteBuf body = Unpooled.buffer(2 + name.length + FanOutBench.PAYLOAD_BYTES);
        body.writeShort(name.length).writeBytes(name).writeBytes(stamp.payload(FanOutBench.PAYLOAD_BYTES));
        return packet(PUBLISH << 4, body);
    }

    @Override
    public WebSocketFrame keepAlive() {
        return new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {(byte) 0xC0, 0}));
    }

    @Override
    public Reader reader(String topic) {
        int readyType = topic == null ? CONNACK : SUBACK;
        ByteBuf pending = Unpooled.buffer();
        return (bytes, inbound) -> {
            pending.writeBytes(bytes);
            while (true) {
                int start = pending.readerIndex();
                if (pending.readableBytes() < 2) {
                    break;
                }
                int header = pending.getUnsignedByte(start);
                int length = 0, multiplier = 1, at = start + 1;
                boolean complete = false;
                while (at < pending.writerIndex()) {
                    int digit = pending.getUnsignedByte(at++);
                    length += (digit & 0x7F) * multiplier;
                    multiplier *= 128;
                    if ((digit & 0x80) == 0) {
                        complete = true;
                        break;
                    }
                }
                if (!complete || pending.writerIndex() - at < length) {
                    break;
                }
                int type = header >> 4;
                if (type == PUBLISH) {
                    int nameLength = pending.getUnsignedShort(at);
                    int qosBytes = (header & 0x06) != 0 ? 2 : 0;
                    inbound.message(Stamp.read(pending, at + 2 + nameLength + qosBytes));
                } else if (type == readyType) {
                    inbound.ready();
                }
                pending.readerIndex(at + length);
            }
            pending.discardReadBytes();
        };
    }

    private static WebSocketFrame packet(int header, ByteBuf body) {
        ByteBuf packet = Unpooled.buffer(body.readableBytes() + 5);
        packet.writeByte(header);
        int length = body.readableBytes();
        do {
            int digit = length % 128;
            length /= 128;
            packet.writeByte(length > 0 ? digit | 0x80 : digit);
        } while (length > 0);
        packet.writeBytes(body);
        body.release();
        return new BinaryWebSocketFrame(packet);
    }
}
