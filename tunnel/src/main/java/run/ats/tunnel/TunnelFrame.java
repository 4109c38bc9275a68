package run.ats.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.charset.StandardCharsets;

/**
 * One binary WebSocket message on a tunnel after the handshake: {@code type (1 byte) | stream id
 * (4 bytes, big-endian) | payload}. The broker opens streams (ids 1, 2, 3, ...); both ends send
 * data, credit, end and reset. See docs/tunnel.md.
 */
public record TunnelFrame(Type type, int streamId, ByteBuf payload) {

    /** Frame kinds; the byte on the wire is the ordinal plus one. */
    public enum Type {
        /** Broker to relay: a new stream to the relay's own HTTP port. Payload: empty. */
        OPEN,
        /** Bytes of the stream, at most {@link #MAX_DATA} per frame, never more than the peer's credit. */
        DATA,
        /** Credit: the sender may send this many more bytes (4-byte unsigned payload). */
        WINDOW,
        /** The sender will send no more on this stream (its side is done). */
        FIN,
        /** The stream is over at once, both ways; payload: a UTF-8 reason. */
        RESET
    }

    public static final int HEADER = 5;
    public static final int MAX_DATA = 16 * 1024;

    public static ByteBuf encode(ByteBufAllocator alloc, Type type, int streamId, ByteBuf payload) {
        ByteBuf frame = alloc.buffer(HEADER + (payload == null ? 0 : payload.readableBytes()));
        frame.writeByte(type.ordinal() + 1).writeInt(streamId);
        if (payload != null) {
            frame.writeBytes(payload);
        }
        return frame;
    }

    public static ByteBuf window(ByteBufAllocator alloc, int streamId, int credit) {
        return alloc.buffer(HEADER + 4).writeByte(Type.WINDOW.ordinal() + 1).writeInt(streamId).writeInt(credit);
    }

    public static ByteBuf reset(ByteBufAllocator alloc, int streamId, String reason) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        return alloc.buffer(HEADER + text.length).writeByte(Type.RESET.ordinal() + 1).writeInt(streamId).writeBytes(text);
    }

    /**
     * Reads the header of {@code frame}; the payload is a slice of it (not retained).
     *
     * @throws IllegalArgumentException for a frame too short, of an unknown type, or too large
     */
    public static TunnelFrame decode(ByteBuf frame) {
        if (frame.readableBytes() < HEADER) {
            throw new IllegalArgumentException("a tunnel frame has at least " + HEADER + " bytes");
        }
        int kind = frame.getUnsignedByte(frame.readerIndex());
        if (kind < 1 || kind > Type.values().length) {
            throw new IllegalArgumentException("unknown tunnel frame type " + kind);
        }
        Type type = Type.values()[kind - 1];
        int streamId = frame.getInt(frame.readerIndex() + 1);
        ByteBuf payload = frame.slice(frame.readerIndex() + HEADER, frame.readableBytes() - HEADER);
        if (type == Type.DATA && payload.readableBytes() > MAX_DATA) {
            throw new IllegalArgumentException("a data frame carries at most " + MAX_DATA + " bytes");
        }
        if (type == Type.WINDOW && payload.readableBytes() != 4) {
            throw new IllegalArgumentException("a window frame carries 4 bytes");
        }
        if (streamId <= 0) {
            throw new IllegalArgumentException("stream ids are positive");
        }
        return new TunnelFrame(type, streamId, payload);
    }
}
