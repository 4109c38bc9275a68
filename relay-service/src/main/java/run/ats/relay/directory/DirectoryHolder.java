package run.ats.relay.directory;

import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import run.ats.protocol.directory.InvalidDirectoryException;
import run.ats.protocol.directory.SignedDirectory;

import java.security.PublicKey;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The newest directory version this relay holds, whoever delivered it (the directory's stream or
 * a peer relay): accepted only if signed by the pinned directory key and newer than the one held.
 */
@Component
public final class DirectoryHolder {

    private static final Logger log = LoggerFactory.getLogger(DirectoryHolder.class);

    private final AtomicReference<PublicKey> pinnedKey = new AtomicReference<>();
    private final AtomicReference<SignedDirectory> newest = new AtomicReference<>();
    private final AtomicLong version = new AtomicLong();
    private final Sinks.Many<SignedDirectory> changes = Sinks.many().replay().latest();

    DirectoryHolder(MeterRegistry meters) {
        meters.gauge("ats.relay.directory.version", version);
    }

    /** Pins the directory key; versions offered before are refused. */
    void pin(PublicKey key) {
        pinnedKey.set(key);
    }

    public Optional<SignedDirectory> newest() {
        return Optional.ofNullable(newest.get());
    }

    /** The newest version, then each newer one. */
    public Flux<SignedDirectory> changes() {
        return changes.asFlux();
    }

    /** Takes the version if it is signed by the pinned key and newer; true if it was taken. */
    public synchronized boolean offer(SignedDirectory candidate) {
        PublicKey key = pinnedKey.get();
        if (key == null) {
            return false;
        }
        try {
            candidate.verifiedWith(key);
        } catch (InvalidDirectoryException e) {
            log.warn("Refused a directory version: {}", e.getMessage());
            return false;
        }
        SignedDirectory held = newest.get();
        if (held != null && candidate.directory().version() <= held.directory().version()) {
            return false;
        }
        newest.set(candidate);
        version.set(candidate.directory().version());
        changes.tryEmitNext(candidate);
        log.info("Holding directory version {} ({} relays, {} roots per tree)", candidate.directory().version(),
                candidate.directory().relays().size(), candidate.directory().rootsPerTree());
        return true;
    }
}
