package run.ats.relay.directory;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;
import run.ats.protocol.crypto.Ed25519;
import run.ats.protocol.directory.InvalidDirectoryException;
import run.ats.protocol.directory.SignedDirectory;
import run.ats.relay.RelayProperties;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Base64;

/**
 * Follows the directory's version stream ({@code /v1/directory/stream}) and hands every version
 * to the {@link DirectoryHolder}; reconnects (1 s doubling to 30 s) when the stream drops. The
 * directory key is {@code ats.relay.directory-key} if set, else read once from the directory.
 */
@Component
final class DirectoryFollower {

    private static final Logger log = LoggerFactory.getLogger(DirectoryFollower.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final RelayProperties properties;
    private final DirectoryHolder holder;
    private final WebClient.Builder web;
    private Disposable following;

    DirectoryFollower(RelayProperties properties, DirectoryHolder holder, WebClient.Builder web) {
        this.properties = properties;
        this.holder = holder;
        this.web = web;
        if (properties.directoryKey() != null && !properties.directoryKey().isBlank()) {
            holder.pin(decode(properties.directoryKey()));
        }
    }

    @EventListener(ApplicationReadyEvent.class)
    void follow() {
        URI directory = properties.directoryUrl();
        if (directory == null) {
            log.info("No ats.relay.directory-url: a standalone relay (no trees, no heartbeats)");
            return;
        }
        Mono<Void> pinned = properties.directoryKey() != null && !properties.directoryKey().isBlank() ? Mono.empty() : fetchKey(directory);
        URI stream = URI.create(directory.toString().replaceFirst("^http", "ws").replaceAll("/+$", "") + "/v1/directory/stream");
        following = pinned
                .then(new ReactorNettyWebSocketClient().execute(stream, session -> session.receive()
                        .map(WebSocketMessage::getPayloadAsText)
                        .doOnNext(this::offer)
                        .then()))
                // The stream ending is a failure too: follow again.
                .then(Mono.error(new IllegalStateException("the directory stream ended")))
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofSeconds(1)).maxBackoff(Duration.ofSeconds(30)))
                .subscribe();
    }

    @jakarta.annotation.PreDestroy
    void stop() {
        if (following != null) {
            following.dispose();
        }
    }

    private Mono<Void> fetchKey(URI directory) {
        return web.baseUrl(directory.toString()).build().get().uri("/v1/directory/key")
                .retrieve()
                .bodyToMono(String.class)
                .map(body -> decode(JSON.readTree(body).path("publicKey").asString()))
                .doOnNext(key -> {
                    holder.pin(key);
                    log.warn("Trusting the directory key {} as {} served it; set ats.relay.directory-key to pin it",
                            Base64.getUrlEncoder().withoutPadding().encodeToString(Ed25519.raw(key)), directory);
                })
                .then();
    }

    private void offer(String json) {
        try {
            holder.offer(SignedDirectory.parse(json));
        } catch (InvalidDirectoryException e) {
            log.warn("The directory sent a version that does not parse: {}", e.getMessage());
        }
    }

    private static PublicKey decode(String rawBase64Url) {
        try {
            return Ed25519.publicKey(Base64.getUrlDecoder().decode(rawBase64Url));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the directory key must be 32 raw bytes in base64url: " + e.getMessage(), e);
        }
    }
}
