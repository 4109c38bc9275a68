package run.ats.relay.push;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.github.resilience4j.ratelimiter.RequestNotPermitted;
import io.github.resilience4j.reactor.ratelimiter.operator.RateLimiterOperator;
import io.github.resilience4j.reactor.retry.RetryOperator;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

import java.net.URI;
import java.time.Duration;

/**
 * Delivers one wake with bounded cost to the push service: at most {@code max-attempts} requests
 * (a retry only after 429 or 5xx, waiting the service's {@code Retry-After} when it asks for no
 * more than {@code max-retry-wait}, else our doubling backoff; asking for more gets no retry), and
 * every request, first or retry, takes a permit from its push service's rate limiter
 * ({@code sends-per-second-per-host}, one limiter per allow-list entry). A request that cannot get
 * a permit within {@code max-send-wait} is dropped, not queued without end: one publish to many
 * sleeping devices, or a push service answering 503 to all of them, costs that service at most
 * its rate, and the relay at most {@code max-attempts} requests per registration.
 */
@Component
final class PushDelivery {

    /** How a wake ended: the push service's last answer, or {@code status} 0 when none came or it was dropped here. */
    record Outcome(int status, String reason) {
    }

    private final WebPushSender sender;
    private final PushSettings settings;
    private final RateLimiterRegistry limiters;
    private final Retry retry;
    private final MeterRegistry meters;

    PushDelivery(PushSettings settings, WebPushSender sender, MeterRegistry meters) {
        this.settings = settings;
        this.sender = sender;
        this.meters = meters;
        // One permit per slot, so the rate is smooth: no burst of a whole second's permits at once.
        this.limiters = RateLimiterRegistry.of(RateLimiterConfig.custom()
                .limitForPeriod(1)
                .limitRefreshPeriod(Duration.ofNanos(1_000_000_000L / settings.sendsPerSecondPerHost()))
                .timeoutDuration(settings.maxSendWait())
                .writableStackTraceEnabled(false)
                .build());
        this.retry = Retry.of("push", RetryConfig.<WebPushSender.Answer>custom()
                .maxAttempts(settings.maxAttempts())
                .retryOnResult(this::retryable)
                .retryOnException(error -> false) // unreachable or dropped by the limiter: a retry would only add load
                .intervalBiFunction((attempt, result) -> wait(attempt, result.isRight() ? result.get() : null).toMillis())
                .failAfterMaxAttempts(false)
                .build());
        retry.getEventPublisher().onRetry(event -> meters.counter("ats.relay.push.retries").increment());
    }

    /** Sends the wake; never errors. */
    Mono<Outcome> deliver(URI endpoint, String jwt, String vapidKey, byte[] body) {
        String service = settings.service(endpoint.getHost());
        RateLimiter limiter = limiters.rateLimiter(service == null ? endpoint.getHost() : service);
        Mono<WebPushSender.Answer> oneRequest = Mono.defer(() -> {
                    meters.counter("ats.relay.push.requests", "service", limiter.getName()).increment();
                    return sender.send(endpoint, jwt, vapidKey, body);
                })
                .transformDeferred(RateLimiterOperator.of(limiter));
        return oneRequest
                .transformDeferred(RetryOperator.of(retry))
                .map(answer -> new Outcome(answer.status(), String.valueOf(answer.status())))
                .onErrorResume(RequestNotPermitted.class, throttled -> Mono.just(new Outcome(0, "throttled")))
                .onErrorResume(error -> Mono.just(new Outcome(0, "unreachable")));
    }

    private boolean retryable(WebPushSender.Answer answer) {
        boolean busy = answer.status() == 429 || answer.status() >= 500;
        return busy && (answer.retryAfter() == null || answer.retryAfter().compareTo(settings.maxRetryWait()) <= 0);
    }

    private Duration wait(int attempt, WebPushSender.Answer answer) {
        if (answer != null && answer.retryAfter() != null) {
            return answer.retryAfter();
        }
        return settings.retryBackoff().multipliedBy(1L << Math.min(attempt - 1, 16));
    }
}
