package run.ats.tunnel;

import io.netty.channel.Channel;
import io.netty.util.concurrent.FastThreadLocal;

import java.util.ArrayList;
import java.util.List;

/**
 * Flushes a channel once its event loop has handled every socket that was ready this turn, so
 * the writes that many streams make in one turn leave in one system call, not one each (ssh's
 * main loop does the same with its output buffer). Costs no wake-up: the flush is a task queued
 * on the loop that is already running.
 */
public final class Flushes {

    private static final FastThreadLocal<Flushes> PER_LOOP = new FastThreadLocal<>() {
        @Override
        protected Flushes initialValue() {
            return new Flushes();
        }
    };

    private final List<Channel> due = new ArrayList<>();
    private boolean scheduled;

    private Flushes() {
    }

    /** Flushes {@code channel} at the end of this turn of its event loop (at once when called from elsewhere). */
    public static void soon(Channel channel) {
        if (!channel.eventLoop().inEventLoop()) {
            channel.flush();
            return;
        }
        Flushes flushes = PER_LOOP.get();
        if (flushes.due.isEmpty() || flushes.due.getLast() != channel) {
            flushes.due.add(channel); // a channel listed twice is flushed twice: harmless
        }
        if (!flushes.scheduled) {
            flushes.scheduled = true;
            channel.eventLoop().execute(flushes::flushAll);
        }
    }

    private void flushAll() {
        scheduled = false;
        // A flush can make more writes (a writability change resumes a stream): those are listed
        // after the first n and flushed by the next task.
        int n = due.size();
        for (int i = 0; i < n; i++) {
            due.get(i).flush();
        }
        due.subList(0, n).clear();
    }
}
