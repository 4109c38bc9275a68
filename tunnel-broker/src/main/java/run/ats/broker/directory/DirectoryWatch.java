package run.ats.broker.directory;

import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import run.ats.broker.BrokerProperties;
import run.ats.protocol.crypto.Ed25519;
import run.ats.protocol.directory.Directory;
import run.ats.protocol.directory.DirectoryEntry;
import run.ats.protocol.directory.InvalidDirectoryException;
import run.ats.protocol.directory.SignedDirectory;
import tools.jackson.databind.json.JsonMapper;

import java.security.PublicKey;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The newest signed directory version, read every {@code directory-poll} and kept only if the
 * directory key signed it and it is newer than the one held: which relays are claimed, their
 * keys and their names. The broker keeps nothing else about relays, and nothing on disk.
 */
@Component
public final class DirectoryWatch {

    private static final Logger log = LoggerFactory.getLogger(DirectoryWatch.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** One version, indexed. */
    private record Held(Directory directory, Map<String, DirectoryEntry> byName) {
    }

    private final BrokerProperties properties;
    private final HttpClient http;
    private volatile PublicKey key;
    private volatile Held held;
    /** The last version's text as served: the same text again is skipped without parsing or verifying. */
    private volatile String lastJson;
    private Disposable polling;

    DirectoryWatch(BrokerProperties properties, MeterRegistry meters) {
        this.properties = properties;
        this.http = HttpClient.create().baseUrl(properties.directoryUrl().toString().replaceAll("/+$", ""))
                .responseTimeout(Duration.ofSeconds(5));
        if (properties.directoryKey() != null && !properties.directoryKey().isBlank()) {
            key = Ed25519.publicKey(Base64.getUrlDecoder().decode(properties.directoryKey()));
        }
        meters.gauge("ats.broker.directory.version", this, watch -> watch.held == null ? 0 : watch.held.directory().version());
    }

    @EventListener(ApplicationReadyEvent.class)
    void start() {
        polling = Flux.interval(Duration.ZERO, properties.directoryPoll())
                .onBackpressureDrop()
                .concatMap(tick -> poll().onErrorResume(error -> {
                    log.debug("Directory not read: {}", error.toString());
                    return Mono.empty();
                }))
                .subscribe();
    }

    @jakarta.annotation.PreDestroy
    void stop() {
        if (polling != null) {
            polling.dispose();
        }
    }

    /** The claimed relay holding {@code name}, as the newest version says. */
    public Optional<DirectoryEntry> byName(String name) {
        Held now = held;
        return now == null ? Optional.empty() : Optional.ofNullable(now.byName().get(name));
    }

    /** The claimed relay {@code relayId}, as the newest version says. */
    public Optional<DirectoryEntry> relay(String relayId) {
        Held now = held;
        return now == null ? Optional.empty() : now.directory().relay(relayId);
    }

    public boolean ready() {
        return held != null;
    }

    private Mono<Void> poll() {
        Mono<PublicKey> pinned = key != null ? Mono.just(key) : http.get().uri("/v1/directory/key")
                .responseSingle((response, body) -> response.status().code() == 200 ? body.asString()
                        : Mono.error(new IllegalStateException("directory key: HTTP " + response.status().code())))
                .map(json -> {
                    String served = JSON.readTree(json).get("publicKey").asString();
                    log.warn("Trusting the directory key {} as {} served it; set ats.broker.directory-key to pin it",
                            served, properties.directoryUrl());
                    key = Ed25519.publicKey(Base64.getUrlDecoder().decode(served));
                    return key;
                });
        return pinned.flatMap(directoryKey -> http.get().uri("/v1/directory")
                .responseSingle((response, body) -> response.status().code() == 200 ? body.asString()
                        : Mono.error(new IllegalStateException("directory: HTTP " + response.status().code())))
                .filter(json -> !json.equals(lastJson))
                .map(json -> {
                    try {
                        Directory verified = SignedDirectory.parse(json).verifiedWith(directoryKey);
                        lastJson = json;
                        return verified;
                    } catch (InvalidDirectoryException e) {
                        throw new IllegalStateException("refused a directory version: " + e.getMessage(), e);
                    }
                }))
                .doOnNext(this::offer)
                .then();
    }

    private void offer(Directory directory) {
        Held now = held;
        if (now != null && now.directory().version() >= directory.version()) {
            return;
        }
        Map<String, DirectoryEntry> byName = directory.relays().stream()
                .filter(entry -> entry.name() != null)
                .collect(Collectors.toUnmodifiableMap(DirectoryEntry::name, Function.identity(), (a, b) -> a));
        held = new Held(directory, byName);
        if (now == null) {
            log.info("Holding directory version {} ({} named relays)", directory.version(), byName.size());
        }
    }
}
