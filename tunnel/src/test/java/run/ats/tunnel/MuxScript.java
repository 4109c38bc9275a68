package run.ats.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.util.ReferenceCountUtil;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Drives one {@link TunnelMux} on an {@link EmbeddedChannel} (the real Netty pipeline, its event
 * loop run inline) with a script read from bytes: frames from the peer, well-formed or not; the
 * local endpoints sending, finishing, resetting and writing out what they got; the tunnel's
 * socket filling up and draining; the tunnel closing. A model of what the peer may expect is kept
 * from what crosses the wire, and after every step the mux must agree with it:
 * <ul>
 *   <li>nothing throws; a malformed frame closes the tunnel with 1002, and nothing else does;</li>
 *   <li>the mux never sends more than its credit, and its credit never rises above the window
 *       (a peer that returns more than it was sent has the stream reset);</li>
 *   <li>it returns credit only for bytes its endpoint wrote out, and a peer that sends past its
 *       credit has the stream reset;</li>
 *   <li>sent bytes leave in order, all of what credit allows while the socket is writable, FIN last;</li>
 *   <li>no frame for a stream that is over; every stream's endpoint learns that it is over; once
 *       the tunnel is closed no stream is open; every buffer is released.</li>
 * </ul>
 * The first byte picks the end: even, the broker's (opens streams), odd, the relay's (accepts them).
 */
final class MuxScript {

    /** Two data frames: small, so a short script runs out of credit and earns it back. */
    static final int WINDOW = 2 * TunnelFrame.MAX_DATA;
    static final int MAX_STREAMS = 3;
    /** Stream ids a script names: mostly ones in use; 0 and below break the framing. */
    private static final int[] IDS = {1, 2, 3, 1, 2, 3, 4, Integer.MAX_VALUE, 0, -1};

    /** One stream as its endpoint and the peer see it. */
    private final class Side implements Endpoint {
        TunnelStream stream;
        int id;
        final ArrayDeque<ByteBuf> delivered = new ArrayDeque<>();
        final ArrayDeque<Runnable> consumers = new ArrayDeque<>();
        long sentLocal;
        long sentOnWire;
        long creditIn;
        long peerSent;
        long deliveredBytes;
        long consumedBytes;
        long returnedOut;
        boolean finishing;
        boolean finIn;
        boolean finOut;
        boolean selfReset;
        boolean told;
        boolean ended;
        boolean paused;

        long credit() {
            return WINDOW - sentOnWire + creditIn;
        }

        @Override
        public void data(ByteBuf data, Runnable consumed) {
            check(!ended && !told, "data for stream %d after it ended", id);
            check(!finIn, "data for stream %d after its FIN", id);
            deliveredBytes += data.readableBytes();
            delivered.add(data);
            consumers.add(consumed);
        }

        @Override
        public void finished() {
            check(!ended && finIn, "stream %d told finished without a FIN", id);
        }

        @Override
        public void reset(String reason) {
            check(!told, "stream %d told twice that it is over", id);
            told = true;
            end();
        }

        @Override
        public void pause() {
            check(!paused, "stream %d paused twice", id);
            paused = true;
        }

        @Override
        public void resume() {
            check(paused, "stream %d resumed while not paused", id);
            paused = false;
        }

        void end() {
            if (!ended) {
                ended = true;
                live.remove(id, this);
            }
        }
    }

    /**
     * An embedded channel whose writes and flushes do not run queued tasks on the spot. The plain
     * one does (from its own methods and from its transport), which no event loop does: a loop
     * runs its tasks between events, never inside a write. Here tasks run when the script drains.
     */
    private static final class LoopChannel extends EmbeddedChannel {

        private static final java.lang.reflect.Field UNSAFE;

        static {
            try {
                UNSAFE = io.netty.channel.AbstractChannel.class.getDeclaredField("unsafe");
                UNSAFE.setAccessible(true);
            } catch (NoSuchFieldException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        /** The transport itself, not the embedded channel's wrapper of it that runs pending tasks after each call. */
        @Override
        public Unsafe unsafe() {
            try {
                return (Unsafe) UNSAFE.get(this);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public io.netty.channel.ChannelFuture write(Object msg) {
            return pipeline().write(msg);
        }

        @Override
        public io.netty.channel.ChannelFuture write(Object msg, ChannelPromise promise) {
            return pipeline().write(msg, promise);
        }

        @Override
        public io.netty.channel.ChannelFuture writeAndFlush(Object msg) {
            return pipeline().writeAndFlush(msg);
        }

        @Override
        public io.netty.channel.ChannelFuture writeAndFlush(Object msg, ChannelPromise promise) {
            return pipeline().writeAndFlush(msg, promise);
        }

        @Override
        public EmbeddedChannel flush() {
            pipeline().flush();
            return this;
        }
    }

    private final byte[] script;
    private int at;
    private final boolean broker;
    private final EmbeddedChannel channel = new LoopChannel();
    private final TunnelMux mux;
    private final Map<Integer, Side> live = new HashMap<>();
    private final List<Side> all = new ArrayList<>();
    private final List<ByteBuf> made = new ArrayList<>();
    private Side opening;
    private boolean closedByUs;
    private boolean failed;
    private boolean writable = true;
    private AssertionError broken;

    private MuxScript(byte[] script) {
        this.script = script;
        this.broker = script.length == 0 || (script[0] & 1) == 0;
        this.at = 1;
        channel.pipeline().addLast("wire", new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                onWire(msg);
                ctx.write(msg, promise);
            }
        });
        this.mux = new TunnelMux(channel, WINDOW, MAX_STREAMS, broker ? null : stream -> {
            Side side = new Side();
            side.stream = stream;
            side.id = stream.id();
            check(!closedByUs && !failed, "stream %d accepted after the tunnel closed", side.id);
            check(!live.containsKey(side.id), "stream %d accepted while one with its id is open", side.id);
            live.put(side.id, side);
            all.add(side);
            return side;
        });
    }

    /** Runs {@code script}; throws {@link AssertionError} at the first broken rule. */
    static void run(byte[] script) {
        new MuxScript(script).play();
    }

    private void play() {
        try {
            while (at < script.length) {
                step(next());
                rethrow();
                checkState();
            }
            // The tunnel goes: every stream ends, and its endpoint knows.
            mux.close();
            closedByUs = true;
            drain();
            rethrow();
            checkState();
            check(mux.streams() == 0, "%d streams open after the tunnel closed", mux.streams());
            for (Side side : all) {
                check(side.ended, "stream %d never ended", side.id);
                check(side.told || side.selfReset || (side.finIn && side.finOut), "stream %d ended without its endpoint knowing", side.id);
            }
        } finally {
            // Flushes queued on this thread must run even after a failure, or later runs never flush.
            drain();
            for (Side side : all) {
                side.delivered.forEach(ByteBuf::release);
                side.delivered.clear();
            }
            channel.finishAndReleaseAll();
        }
        for (ByteBuf buffer : made) {
            check(buffer.refCnt() == 0, "a buffer was leaked (refCnt %d)", buffer.refCnt());
        }
    }

    private void step(int op) {
        switch (op % 10) {
            case 0, 1 -> feedStructured();
            case 2 -> feedRaw();
            case 3 -> consume();
            case 4 -> send();
            case 5 -> finish();
            case 6 -> {
                if (next() % 4 == 0) {
                    reset();
                } else {
                    open();
                }
            }
            case 7 -> {
                if (channel.unsafe().outboundBuffer() != null) { // null once the channel closed
                    writable = !writable;
                    channel.unsafe().outboundBuffer().setUserDefinedWritability(1, writable);
                    channel.runPendingTasks(); // the change is announced by a task, which a loop runs next
                }
            }
            case 8 -> drain();
            default -> {
                if (next() % 8 == 0) {
                    mux.close();
                    closedByUs = true;
                    for (Side side : List.copyOf(live.values())) {
                        check(side.told, "stream %d not told the tunnel closed", side.id);
                    }
                } else {
                    drain();
                }
            }
        }
    }

    // The peer's frames

    private void feedStructured() {
        int pick = next() % 8; // DATA and WINDOW twice as often; 0 is no frame type
        int kind = pick < 5 ? pick + 1 : pick == 5 ? 2 : pick == 6 ? 3 : 0;
        int id = IDS[next() % IDS.length];
        ByteBuf frame = Unpooled.buffer().writeByte(kind).writeInt(id);
        Side side = live.get(id);
        switch (kind) {
            case 2 -> {
                // Within the credit the mux gave, or a little past it.
                long credit = side == null ? WINDOW : WINDOW - side.peerSent + side.returnedOut;
                int size = (int) Math.min(TunnelFrame.MAX_DATA, Math.max(0, credit - 64 + next()));
                frame.writeZero(size);
            }
            case 3 -> {
                // Credit back for what the mux sent, or a little more, or nonsense.
                long owed = side == null ? 0 : side.sentOnWire - side.creditIn;
                int choice = next() % 4;
                frame.writeInt(choice == 0 ? (int) owed : choice == 1 ? (int) owed + next() : choice == 2 ? next() * 257 : readInt());
            }
            case 5 -> frame.writeBytes("bye".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            default -> {
            }
        }
        feed(frame);
    }

    private void feedRaw() {
        int length = next();
        ByteBuf frame = Unpooled.buffer(length);
        for (int i = 0; i < length && at < script.length; i++) {
            frame.writeByte(next());
        }
        feed(frame);
    }

    /** One frame from the peer: what the mux must do with it, by the rules in docs/tunnel.md. */
    private void feed(ByteBuf frame) {
        made.add(frame);
        boolean ended = closedByUs || failed;
        String malformed = malformed(frame);
        int kind = frame.readableBytes() > 0 ? frame.getUnsignedByte(0) : 0;
        int id = frame.readableBytes() >= 5 ? frame.getInt(1) : 0;
        int payload = Math.max(0, frame.readableBytes() - 5);
        Side side = ended || malformed != null ? null : live.get(id);
        int streamsBefore = mux.streams();
        long deliveredBefore = side == null ? 0 : side.deliveredBytes;
        boolean finBefore = side != null && side.finIn;
        // What the peer may expect, decided before the mux acts (it sends and delivers while it does).
        boolean pastCredit = false;
        boolean badCredit = false;
        int more = kind == 3 && malformed == null ? frame.getInt(5) : 0;
        if (side != null && kind == 2 && !side.finIn) {
            side.peerSent += payload;
            pastCredit = side.peerSent - side.returnedOut > WINDOW;
        } else if (side != null && kind == 3) {
            badCredit = more <= 0 || side.credit() + more > WINDOW;
            if (!badCredit) {
                side.creditIn += more;
            }
        } else if (side != null && kind == 4 && !side.finIn) {
            side.finIn = true;
        }
        try {
            mux.onFrame(frame);
        } finally {
            frame.release();
        }
        if (ended) {
            check(mux.streams() == 0, "a frame after the tunnel closed opened a stream");
            return;
        }
        if (malformed != null) {
            check(failed, "malformed frame (%s) did not close the tunnel with 1002", malformed);
            return;
        }
        check(!failed, "a well-formed frame closed the tunnel");
        switch (kind) {
            case 1 -> {
                if (side != null) {
                    check(side.ended && side.told, "OPEN for open stream %d did not end it both ways", id);
                } else if (broker || streamsBefore >= MAX_STREAMS) {
                    check(mux.streams() == streamsBefore && !live.containsKey(id), "OPEN %d should have been refused", id);
                } else {
                    check(live.containsKey(id), "OPEN %d was not accepted", id);
                }
            }
            case 2 -> {
                if (pastCredit) {
                    check(side.ended && side.told, "stream %d took %d bytes past its credit", id, side.peerSent - side.returnedOut - WINDOW);
                } else if (side != null && !finBefore) {
                    check(side.deliveredBytes == deliveredBefore + payload, "stream %d delivered %d of %d bytes", id,
                            side.deliveredBytes - deliveredBefore, payload);
                }
            }
            case 3 -> {
                if (badCredit) {
                    check(side.ended && side.told, "credit %d taken on stream %d (window %d)", more, id, WINDOW);
                }
            }
            case 4 -> {
                if (side != null && side.finIn && side.finOut) {
                    side.end();
                }
            }
            case 5 -> {
                if (side != null) {
                    check(side.told, "RESET of stream %d not passed to its endpoint", id);
                }
            }
            default -> throw new AssertionError("unreachable frame kind " + kind);
        }
    }

    /** Why {@code frame} breaks the framing, or null: the reference reading of docs/tunnel.md's table. */
    private static String malformed(ByteBuf frame) {
        if (frame.readableBytes() < 5) {
            return "short";
        }
        int kind = frame.getUnsignedByte(0);
        int payload = frame.readableBytes() - 5;
        if (kind < 1 || kind > 5) {
            return "type " + kind;
        }
        if (kind == 2 && payload > TunnelFrame.MAX_DATA) {
            return "data too long";
        }
        if (kind == 3 && payload != 4) {
            return "window of " + payload + " bytes";
        }
        if (frame.getInt(1) <= 0) {
            return "stream id " + frame.getInt(1);
        }
        return null;
    }

    // What the mux writes

    private void onWire(Object msg) {
        if (msg instanceof CloseWebSocketFrame close) {
            check(close.statusCode() == 1002 && !failed, "close %d written", close.statusCode());
            failed = true;
            return;
        }
        check(msg instanceof BinaryWebSocketFrame, "wrote %s", msg);
        ByteBuf frame = ((BinaryWebSocketFrame) msg).content();
        check(malformed(frame) == null, "the mux wrote a malformed frame (%s)", malformed(frame));
        int kind = frame.getUnsignedByte(frame.readerIndex());
        int id = frame.getInt(frame.readerIndex() + 1);
        int payload = frame.readableBytes() - 5;
        check(!closedByUs || kind == 5, "frame %d for stream %d after the tunnel closed", kind, id);
        Side side = live.get(id);
        if (kind == 1) {
            check(broker && opening != null && side == null, "OPEN %d written", id);
            opening.id = id;
            live.put(id, opening);
            all.add(opening);
            opening = null;
            return;
        }
        if (kind == 5) {
            if (side != null) {
                side.end(); // its endpoint must hear of it too, unless it asked for it: checked at the end
            }
            return;
        }
        check(side != null, "frame %d for stream %d, which is not open", kind, id);
        check(!side.finOut || kind == 3, "frame %d on stream %d after its FIN", kind, id); // credit still flows the other way
        switch (kind) {
            case 2 -> {
                check(payload > 0 && payload <= TunnelFrame.MAX_DATA, "data frame of %d bytes", payload);
                check(payload <= side.credit(), "sent %d bytes on stream %d with %d credit", payload, id, side.credit());
                for (int i = 0; i < payload; i++) {
                    check(frame.getByte(frame.readerIndex() + 5 + i) == pattern(id, side.sentOnWire + i), "stream %d's bytes out of order", id);
                }
                side.sentOnWire += payload;
            }
            case 3 -> {
                int credit = frame.getInt(frame.readerIndex() + 5);
                side.returnedOut += credit;
                check(side.returnedOut <= side.consumedBytes, "stream %d returned %d credit for %d bytes written out", id,
                        side.returnedOut, side.consumedBytes);
            }
            case 4 -> {
                check(side.finishing && side.sentOnWire == side.sentLocal, "FIN on stream %d before its bytes", id);
                side.finOut = true;
                if (side.finIn) {
                    side.end();
                }
            }
            default -> throw new AssertionError("frame kind " + kind + " from the mux");
        }
    }

    // The local side

    private void consume() {
        Side side = pick();
        if (side == null || side.delivered.isEmpty()) {
            return;
        }
        ByteBuf data = side.delivered.poll();
        side.consumedBytes += data.readableBytes();
        data.release();
        side.consumers.poll().run();
    }

    private void send() {
        Side side = pick();
        if (side == null) {
            return;
        }
        int size = next() * 97;
        ByteBuf data = Unpooled.buffer(size);
        for (int i = 0; i < size; i++) {
            data.writeByte(pattern(side.id, side.sentLocal + i));
        }
        made.add(data);
        if (!side.ended && !side.finishing) {
            side.sentLocal += size;
        }
        side.stream.send(data);
    }

    private void finish() {
        Side side = pick();
        if (side != null) {
            if (!side.ended) {
                side.finishing = true;
            }
            side.stream.finish();
        }
    }

    private void reset() {
        Side side = pick();
        if (side != null) {
            if (!side.ended) {
                side.selfReset = true;
            }
            side.stream.reset("by the endpoint");
            check(side.ended, "reset did not end stream %d", side.id);
        }
    }

    private void open() {
        if (!broker) {
            return;
        }
        opening = new Side();
        int before = live.size();
        TunnelStream stream = mux.open(opening);
        if (closedByUs || failed || before >= MAX_STREAMS) {
            check(stream == null, "a stream opened past the limit or on a closed tunnel");
            opening = null;
            return;
        }
        check(stream != null && opening == null, "open() gave no stream with %d open", before);
        Side side = live.get(stream.id());
        side.stream = stream;
    }

    /** A stream the script names: any made so far, ended or not. */
    private Side pick() {
        return all.isEmpty() ? null : all.get(next() % all.size());
    }

    private void rethrow() {
        if (broken != null) {
            throw broken;
        }
        channel.checkException();
    }

    private void drain() {
        channel.runPendingTasks();
        for (Object out; (out = channel.readOutbound()) != null; ) {
            ReferenceCountUtil.release(out);
        }
    }

    /** After every step: the stream count matches, everything credit allows has gone, and pauses match what waits. */
    private void checkState() {
        if (closedByUs || failed) {
            check(mux.streams() == 0, "%d streams open after the tunnel closed", mux.streams());
            return;
        }
        check(mux.streams() == live.size(), "the mux counts %d streams, the peer sees %d", mux.streams(), live.size());
        for (Side side : live.values()) {
            if (channel.isWritable()) {
                long expected = Math.min(side.sentLocal, WINDOW + side.creditIn);
                check(side.sentOnWire == expected, "stream %d sent %d of %d bytes it had credit for", side.id, side.sentOnWire, expected);
                check(side.paused == (side.sentLocal > side.sentOnWire), "stream %d paused %s with %d bytes waiting", side.id, side.paused,
                        side.sentLocal - side.sentOnWire);
            }
            if (!side.finIn) {
                check(side.consumedBytes - side.returnedOut < WINDOW / 4, "stream %d holds back %d bytes of credit", side.id,
                        side.consumedBytes - side.returnedOut);
            }
        }
    }

    private static byte pattern(int id, long offset) {
        return (byte) (offset * 31 + id);
    }

    private int next() {
        return at < script.length ? script[at++] & 0xff : 0;
    }

    private int readInt() {
        return (next() << 24) | (next() << 16) | (next() << 8) | next();
    }

    /** Fails the script; kept, because a failure inside the pipeline would only fail a write's promise there. */
    private void check(boolean condition, String message, Object... values) {
        if (!condition) {
            AssertionError failure = new AssertionError(String.format(message, values));
            if (broken == null) {
                broken = failure;
            }
            throw failure;
        }
    }
}
