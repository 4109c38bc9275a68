package run.ats.relay.channel;

import org.jspecify.annotations.Nullable;

import java.time.Clock;
import java.util.ArrayDeque;

/**
 * A new subscriber's replay: the channel's events stored before it subscribed, oldest first,
 * read from the channel a batch at a time as the subscriber's socket takes them. It is a cursor,
 * not a copy: an event that expires or is evicted before its turn is skipped, and a reader that
 * stalls holds at most one batch of frames. Events stored after the subscription are not part
 * of it: they reach the subscriber live.
 *
 * <p>{@link #peek} and {@link #advance} are for one thread (the subscriber's event loop);
 * {@link #cancel} may come from any.
 */
public final class Replay {

    /** Frames fetched from the channel at a time (the last one may pass it). */
    static final long BATCH_BYTES = 64 * 1024;

    private final Channel channel;
    private final long upTo;
    private final Clock clock;
    private final ArrayDeque<byte[]> batch = new ArrayDeque<>();
    private long after;
    private volatile boolean cancelled;

    Replay(Channel channel, long upTo, Clock clock) {
        this.channel = channel;
        this.upTo = upTo;
        this.clock = clock;
    }

    /** The next frame to send (the same one until {@link #advance}), or null once the replay is over or cancelled. */
    public byte @Nullable [] peek() {
        if (cancelled) {
            return null;
        }
        if (batch.isEmpty() && after < upTo) {
            long[] last = {after};
            batch.addAll(channel.framesAfter(after, upTo, clock.millis(), BATCH_BYTES, last));
            after = last[0];
        }
        return batch.peek();
    }

    /** The frame {@link #peek} answered was sent. */
    public void advance() {
        batch.poll();
    }

    /** The subscriber left the channel (or subscribed again, with a replay of its own): nothing more. */
    public void cancel() {
        cancelled = true;
    }
}
