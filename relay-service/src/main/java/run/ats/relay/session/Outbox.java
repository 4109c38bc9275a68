package run.ats.relay.session;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import org.springframework.web.reactive.socket.CloseStatus;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

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
 */
public final class Outbox {

    /** How many times the limit may wait in the queue for the event loop. */
    private static final int TRANSIT_FACTOR = 16;

    private final Channel channel;
    private final Queue<byte[]> queued = new ConcurrentLinkedQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drain = this::drain;
    private final Sinks.One<CloseStatus> close = Sinks.one();
    private final long limitBytes;
    private final Runnable onSlowConsumer;
    private volatile boolean closing;

    public Outbox(Channel channel, long limitBytes, Runnable onSlowConsumer) {
        this.channel = channel;
        this.limitBytes = limitBytes;
        this.onSlowConsumer = onSlowConsumer;
        int high = (int) Math.min(Integer.MAX_VALUE / TRANSIT_FACTOR, limitBytes);
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
        if (wrote) {
            channel.flush();
        }
    }
}
