package run.ats.main.testsupport;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/** The main server's own reviewed blocking call, beside testkit's {@code ReviewedBlockingCalls}. */
public final class RateLimiterBackOff implements BlockHoundIntegration {

    @Override
    public void applyTo(BlockHound.Builder builder) {
        // When two requests race for one key's permits, resilience4j's lock-free limiter backs off
        // with parkNanos(1) between compare-and-set tries: a spin of a nanosecond, not a wait for
        // anything (acquirePermission never waits: the limiters' timeout is zero).
        builder.allowBlockingCallsInside("io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter", "compareAndSet");
    }
}
