package run.ats.relay.link;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import run.ats.protocol.wire.LinkMessage;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Paces what a peer sends over a link: every frame takes a permit of the link's frame rate, a
 * join also one of its join rate. A frame without a permit waits for it before it is handled;
 * since a link's frames are handled one at a time, the wait stops reading from the peer's socket
 * (TCP backpressure), so a flooding peer only slows itself, and nothing is dropped or queued
 * without bound. Permits are spaced evenly (one per 1/rate s): no burst of a second's worth.
 */
@Component
final class LinkLimits {

    private record Budget(RateLimiter frames, RateLimiter joins) {
    }

    private final LinkSettings settings;
    private final Map<Link, Budget> budgets = new ConcurrentHashMap<>();
    private final Counter paced;

    LinkLimits(LinkSettings settings, MeterRegistry meters) {
        this.settings = settings;
        this.paced = meters.counter("ats.relay.links.paced");
    }

    /** Completes when {@code message} may be handled: at once, or after its link's rate allows it. */
    Mono<Void> admit(Link link, LinkMessage message) {
        Budget budget = budgets.computeIfAbsent(link, this::budget);
        long waitNanos = budget.frames().reservePermission();
        if (message instanceof LinkMessage.Join) {
            waitNanos = Math.max(waitNanos, budget.joins().reservePermission());
        }
        if (waitNanos == 0) {
            return Mono.empty();
        }
        if (waitNanos < 0) {
            waitNanos = Duration.ofSeconds(1).toNanos(); // no permit within the timeout: cannot happen one frame at a time
        }
        paced.increment();
        return Mono.delay(Duration.ofNanos(waitNanos)).then();
    }

    /** The link closed: forget its budget. */
    void closed(Link link) {
        budgets.remove(link);
    }

    private Budget budget(Link link) {
        return new Budget(limiter(link + " frames", settings.framesPerSecond()), limiter(link + " joins", settings.joinsPerSecond()));
    }

    private static RateLimiter limiter(String name, int perSecond) {
        // A reservation never waits longer than a frame's own slot (frames are handled one at a
        // time), so the timeout only needs to exceed one period.
        return RateLimiter.of(name, RateLimiterConfig.custom()
                .limitForPeriod(1)
                .limitRefreshPeriod(Duration.ofNanos(1_000_000_000L / perSecond))
                .timeoutDuration(Duration.ofSeconds(2))
                .writableStackTraceEnabled(false)
                .build());
    }
}
