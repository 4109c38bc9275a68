package run.ats.bench.fanout;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

import java.util.List;

/**
 * How the harness speaks one server's protocol over WebSocket: the frames that open a
 * subscriber or a publisher, a publish, a keep-alive, and a per-connection reader. Every wire
 * carries the same {@link Stamp} so that one harness measures all three servers alike.
 */
interface Wire {

    /** The WebSocket subprotocol to ask for, or null. */
    String subprotocol();

    /** Frames sent as soon as the socket opens; {@code topic} is null for a publisher. */
    List<WebSocketFrame> opening(String topic);

    /** One publish to {@code topic} of a {@link FanOutBench#PAYLOAD_BYTES}-byte payload carrying {@code stamp}. */
    WebSocketFrame publish(String topic, Stamp stamp);

    /** What keeps an idle connection open. */
    WebSocketFrame keepAlive();

    /** A fresh reader for one connection (readers keep partial packets between frames); {@code topic} as for {@link #opening}. */
    Reader reader(String topic);

    interface Reader {
        /** Reads one inbound frame's bytes; the caller releases the frame. */
        void read(ByteBuf bytes, Inbound inbound);
    }

    /** What a reader reports. */
    interface Inbound {
        /** The connection is set up: subscribed, or ready to publish. */
        void ready();

        void message(Stamp stamp);

        /** The server wants an answer on this connection (NATS PING). */
        void reply(WebSocketFrame frame);

        /** The server said something is wrong. */
        void problem(String text);
    }
}
