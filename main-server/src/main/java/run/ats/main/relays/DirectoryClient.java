package run.ats.main.relays;

import jakarta.annotation.PreDestroy;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import run.ats.main.MainProperties;
import run.ats.main.keys.ServiceTokens;
import run.ats.protocol.directory.Directory;
import run.ats.protocol.directory.InvalidDirectoryException;
import run.ats.protocol.directory.SignedDirectory;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * The main server's calls to the directory (register a claimed relay, read the newest version)
 * and to the tunnel broker (the public URL of a name). The JDK's asynchronous HTTP client, so
 * that no request thread waits; it keeps its own threads apart from the server's event loops.
 */
@Component
final class DirectoryClient {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final String directory;
    private final String broker;
    private final ServiceTokens tokens;

    DirectoryClient(MainProperties properties, ServiceTokens tokens) {
        this.directory = properties.directoryUrl().toString().replaceAll("/+$", "");
        this.broker = properties.brokerUrl() == null ? null : properties.brokerUrl().toString().replaceAll("/+$", "");
        this.tokens = tokens;
    }

    /**
     * Where the broker serves {@code name} ({@code wss://name.domain/v1/ws}); {@code fallback}
     * when no broker is configured. Errors if the broker cannot be asked.
     */
    Mono<String> publicUrl(String name, String fallback) {
        if (broker == null) {
            return Mono.just(fallback);
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(broker + "/v1/names/" + name)).timeout(TIMEOUT).build();
        return send(request).flatMap(response -> response.statusCode() == 200
                ? Mono.fromCallable(() -> JSON.readTree(response.body()).get("publicUrl").asString())
                : Mono.error(new IllegalStateException("the broker answered " + response.statusCode() + ": " + response.body())));
    }

    /** Registers the relay (idempotent on the directory's side); errors if the directory refuses or cannot be reached. */
    Mono<Void> register(String publicKey, String url, String name) {
        return tokens.forAudience(ServiceTokens.DIRECTORY)
                .map(token -> HttpRequest.newBuilder(URI.create(directory + "/v1/relays"))
                        .timeout(TIMEOUT)
                        .header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("publicKey", publicKey, "url", url, "name", name))))
                        .build())
                .flatMap(request -> send(request))
                .flatMap(response -> response.statusCode() / 100 == 2 ? Mono.empty()
                        : Mono.error(new IllegalStateException("the directory answered " + response.statusCode() + ": " + response.body())));
    }

    /**
     * The newest version, for showing owners their relays' status. Not verified against the
     * directory key: it comes from the operator-configured directory and decides nothing.
     */
    Mono<Directory> newest() {
        HttpRequest request = HttpRequest.newBuilder(URI.create(directory + "/v1/directory")).timeout(TIMEOUT).build();
        return send(request)
                .flatMap(response -> response.statusCode() != 200 ? Mono.empty() : Mono.fromCallable(() -> parse(response.body())));
    }

    /** Started off the event loop: the JDK client may resolve the host name on the calling thread. */
    private Mono<HttpResponse<String>> send(HttpRequest request) {
        return Mono.fromFuture(() -> http.sendAsync(request, HttpResponse.BodyHandlers.ofString()))
                .subscribeOn(Schedulers.boundedElastic());
    }

    @PreDestroy
    void close() {
        http.close();
    }

    private static Directory parse(String json) {
        try {
            return SignedDirectory.parse(json).directory();
        } catch (InvalidDirectoryException e) {
            throw new IllegalStateException("the directory's version does not parse: " + e.getMessage(), e);
        }
    }
}
