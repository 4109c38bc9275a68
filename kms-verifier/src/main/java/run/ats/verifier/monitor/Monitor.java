package run.ats.verifier.monitor;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.Parameter;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Mono;
import run.ats.verifier.VerifierProperties;
import run.ats.verifier.deploy.Report;
import run.ats.verifier.deploy.Verifications;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Re-verifies every allow-listed origin on a jittered schedule, keeps the history, and makes a
 * mismatch loud: an ERROR log line, {@code ats_verifier_origin_match} 0, a counted check; and a
 * failure to check just as visible: -1, which the cannot-check alert watches.
 */
@Component
final class Monitor {

    private static final Logger log = LoggerFactory.getLogger(Monitor.class);
    /** Gauge values: 1 match, 0 mismatch, -1 could not check, -2 not checked yet. */
    private final Map<String, AtomicInteger> state = new ConcurrentHashMap<>();
    private final Verifications verifications;
    private final VerifierProperties.Monitor settings;
    private final Duration total;
    private final DatabaseClient db;
    private final JsonMapper json;
    private final MeterRegistry meters;
    private final Disposable.Composite loops = Disposables.composite();

    Monitor(Verifications verifications, VerifierProperties properties, DatabaseClient db, JsonMapper json, MeterRegistry meters) {
        this.verifications = verifications;
        this.settings = properties.monitor();
        this.total = properties.fetch().total();
        this.db = db;
        this.json = json;
        this.meters = meters;
        for (URI origin : verifications.origins()) {
            AtomicInteger value = new AtomicInteger(-2);
            state.put(origin.toString(), value);
            Gauge.builder("ats.verifier.origin.match", value, AtomicInteger::get)
                    .description("1: the origin serves a logged live release; 0: mismatch; -1: could not check; -2: not yet checked")
                    .tag("origin", origin.toString()).register(meters);
        }
    }

    @EventListener(ApplicationReadyEvent.class)
    void start() {
        if (!settings.enabled() || verifications.origins().isEmpty()) {
            log.info("Monitor off ({})", settings.enabled() ? "no ats.verifier.origins" : "ats.verifier.monitor.enabled=false");
            return;
        }
        log.info("Monitor verifies {} every {} (+/- {}%)", verifications.origins(), settings.interval(), Math.round(settings.jitter() * 100));
        for (URI origin : verifications.origins()) {
            // A first check soon after start, spread out, then one per jittered interval.
            Duration first = Duration.ofMillis(ThreadLocalRandom.current().nextLong(1, 2000));
            loops.add(Mono.delay(first)
                    .then(Mono.defer(() -> once(origin).then(Mono.delay(jittered()))).repeat().then())
                    .subscribe());
        }
    }

    /**
     * One check of {@code origin}. Whatever goes wrong, the gauge moves: a verification that fails or
     * hangs is a cannot-check (-1), so an origin cannot keep an old "match" by breaking the check, and
     * the history is written after the gauge, so a database error cannot hold it either.
     */
    Mono<Report> once(URI origin) {
        Duration bound = total.plusSeconds(30);
        return verifications.verifyNow(origin)
                .timeout(bound)
                .onErrorResume(e -> Mono.fromSupplier(() -> Report.cannotCheck(origin.toString(), Instant.now(),
                        "cannot check: " + e)))
                .doOnNext(this::announce)
                .flatMap(report -> record(report)
                        .onErrorResume(e -> {
                            log.warn("Monitor could not record its check of {}: {}", origin, e.toString());
                            return Mono.empty();
                        })
                        .thenReturn(report));
    }

    private void announce(Report report) {
        state.get(report.origin()).set(switch (report.verdict()) {
            case MATCH -> 1;
            case MISMATCH -> 0;
            case CANNOT_CHECK -> -1;
        });
        Counter.builder("ats.verifier.checks").description("Verifications the monitor ran, by origin and verdict")
                .tag("origin", report.origin()).tag("verdict", report.verdict().json()).register(meters).increment();
        switch (report.verdict()) {
            case MATCH -> log.info("KMS at {} matches release {}", report.origin(), report.release().version());
            case MISMATCH -> log.error("KMS MISMATCH at {}: release {}; files {}; problems {}", report.origin(),
                    report.release() == null ? "none" : report.release().version(),
                    report.files().stream().filter(file -> file.verdict() != Report.FileVerdict.MATCH)
                            .map(file -> file.path() + " " + file.verdict().json()).toList(),
                    report.problems());
            case CANNOT_CHECK -> log.warn("KMS at {} could not be checked: {}", report.origin(), report.problems());
        }
    }

    private Mono<Void> record(Report report) {
        return db.sql("INSERT INTO verifications (origin, checked_ms, verdict, version, report) "
                        + "VALUES (:origin, :at, :verdict, :version, :report)")
                .bind("origin", report.origin()).bind("at", report.checkedAt().toEpochMilli())
                .bind("verdict", report.verdict().json())
                .bind("version", Parameter.fromOrEmpty(report.release() == null ? null : report.release().version(), String.class))
                .bind("report", json.writeValueAsString(report))
                .then()
                .then(db.sql("DELETE FROM verifications WHERE origin = :origin AND id <= (SELECT id FROM verifications "
                                + "WHERE origin = :origin ORDER BY id DESC OFFSET :keep LIMIT 1)")
                        .bind("origin", report.origin()).bind("keep", settings.history()).then());
    }

    private Duration jittered() {
        double factor = 1 + settings.jitter() * (2 * ThreadLocalRandom.current().nextDouble() - 1);
        return Duration.ofMillis(Math.max(1000, Math.round(settings.interval().toMillis() * factor)));
    }

    @jakarta.annotation.PreDestroy
    void stop() {
        loops.dispose();
    }
}
