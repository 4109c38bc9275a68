package run.ats.main.mail;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import run.ats.main.MainProperties;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Sends mail off the event loop on a bounded scheduler: at most {@code send-threads} SMTP
 * conversations at once and {@code send-queue} waiting, with a circuit breaker so a dead SMTP
 * server fails sign-ins fast instead of piling them up. Send latency is the {@code ats.mail.send} timer.
 */
@Component
public final class Mailer implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(Mailer.class);

    private final MailTransport transport;
    private final Scheduler scheduler;
    private final CircuitBreaker breaker;
    private final Duration timeout;
    private final MeterRegistry meters;

    Mailer(MailTransport transport, MainProperties properties, MeterRegistry meters) {
        this.transport = transport;
        this.meters = meters;
        this.timeout = properties.mail().sendTimeout();
        this.scheduler = Schedulers.newBoundedElastic(properties.mail().sendThreads(), properties.mail().sendQueue(), "mail");
        this.breaker = CircuitBreaker.of("smtp", CircuitBreakerConfig.custom()
                .slidingWindowSize(20)
                .minimumNumberOfCalls(10)
                .failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofSeconds(15))
                .build());
    }

    /** Completes once the mail is handed over; errors with {@link MailNotSent} otherwise. */
    public Mono<Void> send(OutgoingMail mail) {
        Timer.Sample sample = Timer.start(meters);
        return Mono.fromRunnable(() -> transport.sendNow(mail))
                .subscribeOn(scheduler)
                .timeout(timeout)
                .transformDeferred(CircuitBreakerOperator.of(breaker))
                .doOnSuccess(done -> sample.stop(meters.timer("ats.mail.send", "outcome", "sent")))
                .doOnError(error -> sample.stop(meters.timer("ats.mail.send", "outcome", outcome(error))))
                .onErrorMap(error -> {
                    log.warn("Sign-in mail not sent: {}", outcome(error), error instanceof CallNotPermittedException ? null : error);
                    return new MailNotSent(outcome(error));
                })
                .then();
    }

    private static String outcome(Throwable error) {
        if (error instanceof CallNotPermittedException) {
            return "circuit-open";
        }
        if (error instanceof TimeoutException) {
            return "timeout";
        }
        if (error instanceof RejectedExecutionException) {
            return "queue-full";
        }
        return "failed";
    }

    @Override
    public void destroy() {
        scheduler.dispose();
    }
}
