package run.ats.relay.session;

import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import run.ats.relay.RelayProperties;

import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;

/** Publishes per second per relay token, across all its connections. Keyed by the token's random subject. */
@Component
final class TokenRates {

    private record Window(long startMs, int count) {
    }

    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();
    private final int limit;
    private final Clock clock;

    TokenRates(RelayProperties properties, Clock clock) {
        this.limit = properties.publishesPerSecondPerToken();
        this.clock = clock;
    }

    boolean tryAcquire(String subject) {
        long now = clock.millis();
        Window w = windows.compute(subject, (k, old) ->
                old == null || now - old.startMs() >= 1000 ? new Window(now, 1) : new Window(old.startMs(), old.count() + 1));
        return w.count() <= limit;
    }

    @Scheduled(fixedDelay = 5000)
    void forgetOld() {
        long now = clock.millis();
        windows.values().removeIf(w -> now - w.startMs() >= 2000);
    }
}
