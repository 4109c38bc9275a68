package run.ats.main.web;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * A fixed-window counter per key, held in memory with a bounded number of keys. Limits are
 * per replica: N replicas allow up to N times the limit, which docs/operations.md states.
 */
public final class RateLimiter {

    private final int permits;
    private final Duration window;
    private final Clock clock;
    private final Cache<String, Window> windows;

    public RateLimiter(int permits, Duration window, Clock clock) {
        this.permits = permits;
        this.window = window;
        this.clock = clock;
        this.windows = Caffeine.newBuilder()
                .maximumSize(200_000)
                .expireAfterWrite(window)
                .build();
    }

    /** Takes one permit for {@code key}; empty when granted, else how long until the window ends. */
    public Optional<Duration> acquire(String key) {
        long now = clock.millis();
        Window w = windows.asMap().compute(key, (k, old) ->
                old == null || now - old.startMs >= window.toMillis() ? new Window(now, 1) : new Window(old.startMs, old.count + 1));
        if (w.count <= permits) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofMillis(w.startMs + window.toMillis() - now));
    }

    private record Window(long startMs, int count) {
    }
}
