package run.ats.bench.fanout;

import io.netty.channel.Channel;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Publishes at a fixed rate from the publisher connection's own event loop: every millisecond
 * it writes the messages that are due by then and flushes once, so the rate holds whatever
 * the subscribers' loop is doing. Each message is stamped when it is written.
 */
final class Publisher {

    private Publisher() {
    }

    /** Sends {@code rate * seconds} messages; answers how many were written, when done. */
    static CompletableFuture<Long> run(BenchSocket socket, String topic, int step, int rate, int seconds) {
        Channel channel = socket.channel();
        long total = (long) rate * seconds;
        CompletableFuture<Long> done = new CompletableFuture<>();
        long start = System.nanoTime();
        long[] sent = {0};
        ScheduledFuture<?>[] ticker = {null};
        ticker[0] = channel.eventLoop().scheduleAtFixedRate(() -> {
            long due = Math.min(total, (System.nanoTime() - start) * rate / 1_000_000_000L);
            while (sent[0] < due) {
                channel.write(socket.wire().publish(topic, new Stamp(step, sent[0], System.nanoTime())));
                sent[0]++;
            }
            channel.flush();
            if (sent[0] >= total || !channel.isActive()) {
                ticker[0].cancel(false);
                done.complete(sent[0]);
            }
        }, 0, 1, TimeUnit.MILLISECONDS);
        return done;
    }
}
