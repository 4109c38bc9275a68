package run.ats.main.web;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * {@code permits} per {@code window} for each key (a client IP, an address, an account): one
 * resilience4j limiter per key, its windows counted from the key's first use, held in memory with
 * a bounded number of keys (an idle key is forgotten after a window). Limits are per replica: N
 * replicas allow up to N times the limit, which docs/operations.md states.
 */
public final class RateLimiter {

    private final RateLimiterConfig config;
    private final Supplier<Long> nanoTime;
    private final Cache<String, AtomicRateLimiter> limiters;

    public RateLimiter(int permits, Duration window, Clock clock) {
        this.config = RateLimiterConfig.custom()
                .limitForPeriod(permits)
                .limitRefreshPeriod(window)
                .timeoutDuration(Duration.ZERO) // refuse at once, never wait for a permit
                .writableStackTraceEnabled(false)
                .build();
        // The service's clock (tests move it), never going back: a limiter whose time went back
        // (the wall clock set back) would refuse until it caught up.
        AtomicLong latest = new AtomicLong(Long.MIN_VALUE);
        this.nanoTime = () -> latest.accumulateAndGet(TimeUnit.MILLISECONDS.toNanos(clock.millis()), Math::max);
        this.limiters = Caffeine.newBuilder()
                .maximumSize(200_000)
                .expireAfterAccess(window)
                .build();
    }

    /** Takes one permit for {@code key}; empty when granted, else how long until the key's window ends. */
    public Optional<Duration> acquire(String key) {
        // The limiter's name shows in its events only, which nobody reads: never the key (it may be an address).
        AtomicRateLimiter limiter = limiters.get(key, k -> new AtomicRateLimiter("per-key", config, nanoTime));
        if (limiter.acquirePermission()) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofNanos(Math.max(1, limiter.getDetailedMetrics().getNanosToWait())));
    }
}
