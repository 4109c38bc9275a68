package run.ats.broker.peers;

import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;
import run.ats.broker.BrokerProperties;
import tools.jackson.databind.json.JsonMapper;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the replica that holds a relay's tunnel, when this one does not: asks every replica
 * ({@code GET /internal/v1/tunnels/{relayId}} on their API ports, with the shared token) and
 * takes the first that has it. Answers, found or not, are kept for {@code peers.cache}, so a
 * flood of connections for an offline relay costs one round of questions, not one per connection.
 */
@Component
public final class PeerTunnels {

    /** Where a connection for the relay goes instead: that replica's public port. */
    public record Holder(InetSocketAddress publicAddress) {
    }

    private record Answer(Optional<Holder> holder, long atNanos) {
    }

    private static final Logger log = LoggerFactory.getLogger(PeerTunnels.class);
    /** The header a replica shows its token in when it hands a connection over. */
    public static final String HEADER = "X-ATS-Peer";
    private final BrokerProperties.Peers settings;
    private final HttpClient http;
    private final JsonMapper json = JsonMapper.builder().build();
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private final MeterRegistry meters;

    PeerTunnels(BrokerProperties properties, MeterRegistry meters) {
        this.settings = properties.peers();
        this.meters = meters;
        this.http = HttpClient.create().responseTimeout(settings.lookupTimeout());
        if (settings.enabled()) {
            log.info("Replicas asked for tunnels this one does not hold: {}", settings.urls());
        }
    }

    public boolean enabled() {
        return settings.enabled();
    }

    /** Whether {@code presented} is the replicas' token (compared in constant time); a replica with a token answers lookups even if it asks none itself. */
    public boolean isPeerToken(String presented) {
        return settings.token() != null && !settings.token().isBlank() && presented != null && MessageDigest.isEqual(
                presented.getBytes(StandardCharsets.UTF_8), settings.token().getBytes(StandardCharsets.UTF_8));
    }

    public String token() {
        return settings.token();
    }

    /** The replica holding {@code relayId}'s tunnel, if one answers within the lookup timeout. */
    public Mono<Optional<Holder>> find(String relayId) {
        if (!settings.enabled()) {
            return Mono.just(Optional.empty());
        }
        Answer cached = answers.get(relayId);
        if (cached != null && System.nanoTime() - cached.atNanos() < settings.cache().toNanos()) {
            return Mono.just(cached.holder());
        }
        return replicas()
                .flatMap(replica -> ask(replica, relayId))
                .next()
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty())
                .timeout(settings.lookupTimeout(), Mono.just(Optional.empty()))
                .doOnNext(found -> {
                    answers.put(relayId, new Answer(found, System.nanoTime()));
                    meters.counter("ats.broker.peer.lookups", "result", found.isPresent() ? "found" : "not-found").increment();
                    if (answers.size() > 100_000) {
                        answers.clear(); // bounded: names are many, answers short-lived
                    }
                });
    }

    /** Every replica's API address: each URL's host resolved to all its addresses (DNS blocks: not on an event loop). */
    private Flux<URI> replicas() {
        return Flux.fromIterable(settings.urls())
                .flatMap(url -> Mono.fromCallable(() -> addresses(url)).subscribeOn(Schedulers.boundedElastic())
                        .onErrorResume(UnknownHostException.class, e -> Mono.just(List.of())))
                .flatMapIterable(list -> list);
    }

    private static List<URI> addresses(URI url) throws UnknownHostException {
        return Arrays.stream(InetAddress.getAllByName(url.getHost()))
                .map(address -> URI.create(url.getScheme() + "://" + hostLiteral(address) + ":" + port(url)))
                .toList();
    }

    private Mono<Holder> ask(URI replica, String relayId) {
        return http.headers(headers -> headers.set("Authorization", "Bearer " + settings.token()))
                .get().uri(replica.resolve("/internal/v1/tunnels/" + relayId))
                .responseSingle((response, body) -> response.status().code() == 200 ? body.asString() : Mono.empty())
                .map(text -> new Holder(new InetSocketAddress(replica.getHost().replaceAll("^\\[|\\]$", ""),
                        json.readTree(text).path("publicPort").asInt())))
                .onErrorResume(e -> {
                    log.debug("Replica {} did not answer for {}: {}", replica, relayId, e.toString());
                    return Mono.empty();
                });
    }

    private static String hostLiteral(InetAddress address) {
        String literal = address.getHostAddress();
        return literal.contains(":") ? "[" + literal + "]" : literal;
    }

    private static int port(URI url) {
        return url.getPort() >= 0 ? url.getPort() : "https".equals(url.getScheme()) ? 443 : 80;
    }
}
