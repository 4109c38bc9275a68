package run.ats.relay.session;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import org.springframework.web.reactive.socket.CloseStatus;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import run.ats.relay.channel.Replay;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One connection's outbound frames. Any thread may offer a frame; the connection's event loop
 * writes everything queued in one task and flushes once.
 *
 * <p>A reader too slow to take its frames loses its own connection (1008 "slow consumer") and
 * publishers never wait for it. "Too slow" is judged on what the socket has not accepted: the
 * bytes in Netty's outbound buffer, whose high water mark is the limit. Frames still in this
 * queue are not the reader's fault: they wait for the event loop, which may be busy with a burst
 * of publishes from a connection it also serves. They have their own, larger cap, so that a
 * wedged loop cannot grow the queue without bound.
 *
 * <p>A replay (a new subscription's stored events, possibly megabytes) is paced instead of
 * queued: its frames are written only while the socket holds less than half the limit unsent,
 * and after the live frames queued before each drain. So a replay alone never makes its reader
 * look slow, however much the channel holds, and live frames keep the other half of the limit.
 * A reader that stops reading stalls its replay, holding one batch of it (see {@link Replay}),
 * and is closed as a slow consumer only if live frames then pass the limit.
 */
public final class Outbox {

    /** How many times the limit may wait in the queue for the event loop. */
    private static final int TRANSIT_FACTOR = 16;

    private final Channel channel;
    private final Queue<byte[]> queued = new ConcurrentLinkedQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drain = this::drain;
    private final Queue<Replay> replays = new ConcurrentLinkedQueue<>();
    private final Sinks.One<CloseStatus> close = Sinks.one();
    private final long limitBytes;
    /** Netty's high water mark: the limit, as the channel counts it. */
    private final int high;
    /** A write is queued whose completion will drain again (event loop only). */
    private boolean wakeArmed;
    private final Runnable onSlowConsumer;
    private volatile boolean closing;

    public Outbox(Channel channel, long limitBytes, Runnable onSlowConsumer) {
        this.channel = channel;
        this.limitBytes = limitBytes;
        this.onSlowConsumer = onSlowConsumer;
        this.high = (int) Math.min(Integer.MAX_VALUE / TRANSIT_FACTOR, limitBytes);
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(high / 2, high));
    }

    /** Queues a frame (the same array may go to many outboxes: it is wrapped, never copied). */
    public void offer(byte[] frame) {
        if (closing) {
            return;
        }
        long inTransit = queuedBytes.addAndGet(frame.length);
        if (!channel.isWritable() || inTransit > TRANSIT_FACTOR * limitBytes) {
            queuedBytes.addAndGet(-frame.length);
            if (close(new CloseStatus(1008, "slow consumer: more than " + limitBytes + " bytes waiting"))) {
                onSlowConsumer.run();
            }
            return;
        }
        queued.add(frame);
        scheduleDrain();
    }

    /** Queues a replay: its frames go out as the socket takes them (see the class doc), after what was offered before it. */
    public void replay(Replay replay) {
        if (closing) {
            return;
        }
        replays.add(replay);
        scheduleDrain();
    }

    private void scheduleDrain() {
        if (drainScheduled.compareAndSet(false, true)) {
            channel.eventLoop().execute(drain);
        }
    }

    /**
     * Answers a ping at once, beside the queue: a pong's order against other frames does not
     * matter, and the flood limit bounds how many a client can ask for.
     */
    public void pong(byte[] payload) {
        if (closing) {
            return;
        }
        channel.eventLoop().execute(() -> channel.writeAndFlush(new PongWebSocketFrame(Unpooled.wrappedBuffer(payload)), channel.voidPromise()));
    }

    /** Asks for the connection to close; true for the first request. Frames offered later are dropped. */
    public boolean close(CloseStatus status) {
        closing = true;
        return close.tryEmitValue(status).isSuccess();
    }

    public Mono<CloseStatus> closeRequested() {
        return close.asMono();
    }

    /** On the event loop: everything queued goes out with one flush. */
    private void drain() {
        // Cleared first: a frame offered while this runs schedules another drain, never gets stranded.
        drainScheduled.set(false);
        boolean wrote = false;
        for (byte[] frame = queued.poll(); frame != null; frame = queued.poll()) {
            queuedBytes.addAndGet(-frame.length);
            channel.write(new TextWebSocketFrame(Unpooled.wrappedBuffer(frame)), channel.voidPromise());
            wrote = true;
        }
        wrote |= pace();
        if (wrote) {
            channel.flush();
        }
    }

    /** On the event loop: replayed frames while the socket has room for them; true if anything was written. */
    private boolean pace() {
        if (closing) {
            replays.clear();
            return false;
        }
        boolean wrote = false;
        for (Replay replay = replays.peek(); replay != null; replay = replays.peek()) {
            byte[] frame = replay.peek();
            if (frame == null) {
                replays.poll();
                continue;
            }
            long unsent = high - channel.bytesBeforeUnwritable();
            if (unsent > 0 && unsent + frame.length > high / 2) {
                // Wait for the socket: an empty write queued behind everything written so far
                // completes once the socket has taken it all, and drains again.
                if (!wakeArmed) {
                    wakeArmed = true;
                    channel.write(Unpooled.EMPTY_BUFFER).addListener(written -> {
                        wakeArmed = false;
                        if (written.isSuccess()) {
                            scheduleDrain();
                        }
                    });
                    wrote = true;
                }
                return wrote;
            }
            replay.advance();
            channel.write(new TextWebSocketFrame(Unpooled.wrappedBuffer(frame)), channel.voidPromise());
            wrote = true;
        }
        return wrote;
    }
}
