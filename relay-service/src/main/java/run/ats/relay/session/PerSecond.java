package run.ats.relay.session;

/** Counts events in the current one-second window. Not thread-safe: one connection's frames arrive in order. */
final class PerSecond {

    private final int limit;
    private long windowStartMs;
    private int count;

    PerSecond(int limit) {
        this.limit = limit;
    }

    /** Counts one; true while within the limit. */
    boolean tryAcquire(long nowMs) {
        if (nowMs - windowStartMs >= 1000) {
            windowStartMs = nowMs;
            count = 0;
        }
        return ++count <= limit;
    }
}
