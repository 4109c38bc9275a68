package run.ats.broker.directory;

import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;
import reactor.util.retry.Retry;
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
 * The newest signed directory version, kept only if the directory key signed it and it is newer
 * than the one held: which relays are claimed, their keys and their names. It follows the
 * directory's stream ({@code /v1/directory/stream}: each new version as it is issued, so a claim is
 * served at once) and reconnects with backoff when the stream drops; reading {@code /v1/directory}
 * every {@code directory-poll} is only the backstop for a stream that is down or silently dead.
 * The broker keeps nothing else about relays, and nothing on disk.
 */
@Component
public final class DirectoryWatch {

    private static final Logger log = LoggerFactory.getLogger(DirectoryWatch.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** One version, indexed. */
    private record Held(Directory directory, Map<String, DirectoryEntry> byName) {
    }

    /** The largest version accepted from the stream (a directory of about 50,000 relays). */
    private static final int MAX_VERSION_BYTES = 16 * 1024 * 1024;

    private final BrokerProperties properties;
    private final HttpClient http;
    private final HttpClient streamClient;
    private volatile PublicKey key;
    private volatile Held held;
    /** The last version's text as served: the same text again is skipped without parsing or verifying. */
    private volatile String lastJson;
    private Disposable polling;
    private Disposable following;

    DirectoryWatch(BrokerProperties properties, MeterRegistry meters) {
        this.properties = properties;
        this.http = HttpClient.create().baseUrl(properties.directoryUrl().toString().replaceAll("/+$", ""))
                .responseTimeout(Duration.ofSeconds(5));
        // No response timeout on the stream: it is quiet between versions by design.
        this.streamClient = HttpClient.create().baseUrl(properties.directoryUrl().toString().replaceAll("/+$", ""));
        if (properties.directoryKey() != null && !properties.directoryKey().isBlank()) {
            key = Ed25519.publicKey(Base64.getUrlDecoder().decode(properties.directoryKey()));
        }
        meters.gauge("ats.broker.directory.version", this, watch -> watch.held == null ? 0 : watch.held.directory().version());
    }

    @EventListener(ApplicationReadyEvent.class)
    void start() {
        following = pinnedKey()
                .flatMap(directoryKey -> streamClient
                        .websocket(WebsocketClientSpec.builder().maxFramePayloadLength(MAX_VERSION_BYTES).build())
                        .uri("/v1/directory/stream")
                        .handle((in, out) -> in.aggregateFrames(MAX_VERSION_BYTES).receive().asString()
                                .doOnNext(json -> accept(json, directoryKey)))
                        .then())
                // The stream ending is a failure too: follow again.
                .then(Mono.<Void>error(new IllegalStateException("the directory stream ended")))
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofSeconds(1)).maxBackoff(Duration.ofSeconds(30))
                        .doBeforeRetry(signal -> log.debug("Directory stream: {}; following again", signal.failure().toString())))
                .subscribe();
        polling = Flux.interval(Duration.ZERO, properties.directoryPoll())
                .onBackpressureDrop()
                .concatMap(tick -> poll().onErrorResume(error -> {
                    log.debug("Directory not read: {}", error.toString());
                    return Mono.empty();
                }))
                .subscribe();
    }

    /** At the start of shutdown: later, Reactor Netty's shared event loops are gone and closing the stream fails. */
    @EventListener(ContextClosedEvent.class)
    void stop() {
        if (following != null) {
            following.dispose();
        }
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

    private Mono<PublicKey> pinnedKey() {
        return Mono.defer(() -> key != null ? Mono.just(key) : http.get().uri("/v1/directory/key")
                .responseSingle((response, body) -> response.status().code() == 200 ? body.asString()
                        : Mono.error(new IllegalStateException("directory key: HTTP " + response.status().code())))
                .map(json -> {
                    String served = JSON.readTree(json).get("publicKey").asString();
                    synchronized (this) {
                        if (key == null) {
                            log.warn("Trusting the directory key {} as {} served it; set ats.broker.directory-key to pin it",
                                    served, properties.directoryUrl());
                            key = Ed25519.publicKey(Base64.getUrlDecoder().decode(served));
                        }
                        return key;
                    }
                }));
    }

    private Mono<Void> poll() {
        return pinnedKey().flatMap(directoryKey -> http.get().uri("/v1/directory")
                .responseSingle((response, body) -> response.status().code() == 200 ? body.asString()
                        : Mono.error(new IllegalStateException("directory: HTTP " + response.status().code())))
                .doOnNext(json -> accept(json, directoryKey)))
                .then();
    }

    /** A version as the directory served it (the stream or the backstop): verified, then kept if newer. */
    private void accept(String json, PublicKey directoryKey) {
        if (json.equals(lastJson)) {
            return;
        }
        try {
            Directory verified = SignedDirectory.parse(json).verifiedWith(directoryKey);
            lastJson = json;
            offer(verified);
        } catch (InvalidDirectoryException e) {
            log.warn("Refused a directory version: {}", e.getMessage());
        }
    }

    private synchronized void offer(Directory directory) {
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
