package run.ats.relay.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;
import run.ats.protocol.token.InvalidRelayTokenException;
import run.ats.protocol.token.RelayAccessTokens;
import run.ats.relay.RelayProperties;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Verifies relay-access tokens offline against the main server's JWKS: fetched at start,
 * kept, fetched again when a token names an unknown {@code kid} (at most every 10 s), and
 * optionally loaded from a file, so clients keep getting in while the main server is down.
 * ES256 only, whatever the token's header claims.
 */
@Component
public final class RelayTokenVerifier {

    /** A token that passed: its random subject (for per-token limits) and its expiry. */
    public record Verified(String subject, long expiresAtMs) {
    }

    private static final Logger log = LoggerFactory.getLogger(RelayTokenVerifier.class);
    private static final Duration REFETCH_GAP = Duration.ofSeconds(10);
    private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(5);

    private final AtomicReference<JWKSet> keys = new AtomicReference<>(new JWKSet());
    private final AtomicLong lastFetchMs = new AtomicLong(Long.MIN_VALUE / 2);
    private final WebClient main;
    private final Clock clock;

    RelayTokenVerifier(RelayProperties properties, WebClient.Builder web, Clock clock) {
        this.main = web.baseUrl(properties.mainUrl().toString()).build();
        this.clock = clock;
        if (properties.jwksFile() != null) {
            keys.set(readFile(properties));
        }
    }

    /**
     * Fetches in the background once the relay is up, retrying (1 s doubling to 30 s) until the
     * main server answers: in a local run the relay may start first.
     */
    @EventListener(ApplicationReadyEvent.class)
    void fetchAtStart() {
        download()
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofSeconds(1)).maxBackoff(Duration.ofSeconds(30)))
                .subscribe(set -> lastFetchMs.set(clock.millis()));
    }

    /** Errors with {@link InvalidRelayTokenException} saying which rule the token broke. */
    public Mono<Verified> verify(String token) {
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(token);
        } catch (ParseException e) {
            return Mono.error(new InvalidRelayTokenException("not a signed JWT"));
        }
        if (!JWSAlgorithm.ES256.equals(jwt.getHeader().getAlgorithm())) {
            return Mono.error(new InvalidRelayTokenException("algorithm " + jwt.getHeader().getAlgorithm() + " is not accepted"));
        }
        String kid = jwt.getHeader().getKeyID();
        if (kid == null) {
            return Mono.error(new InvalidRelayTokenException("no kid"));
        }
        return key(kid)
                .switchIfEmpty(Mono.error(() -> new InvalidRelayTokenException("unknown signing key")))
                .flatMap(key -> check(jwt, key));
    }

    private Mono<Verified> check(SignedJWT jwt, ECKey key) {
        try {
            if (!jwt.verify(new ECDSAVerifier(key))) {
                return Mono.error(new InvalidRelayTokenException("bad signature"));
            }
            var claims = jwt.getJWTClaimsSet();
            RelayAccessTokens.check(claims, clock.instant());
            return Mono.just(new Verified(claims.getSubject(), claims.getExpirationTime().getTime()));
        } catch (JOSEException | ParseException e) {
            return Mono.error(new InvalidRelayTokenException("unreadable token: " + e.getMessage()));
        } catch (InvalidRelayTokenException e) {
            return Mono.error(e);
        }
    }

    private Mono<ECKey> key(String kid) {
        ECKey known = find(keys.get(), kid);
        if (known != null) {
            return Mono.just(known);
        }
        long now = clock.millis();
        long last = lastFetchMs.get();
        if (now - last < REFETCH_GAP.toMillis() || !lastFetchMs.compareAndSet(last, now)) {
            return Mono.empty();
        }
        return fetch().mapNotNull(set -> find(set, kid));
    }

    /** Fetches the JWKS; on failure keeps (and answers) the keys it had. */
    private Mono<JWKSet> fetch() {
        lastFetchMs.set(clock.millis());
        return download()
                .onErrorResume(error -> {
                    log.warn("Main server JWKS unreachable ({}); keeping {} known keys", error.toString(), keys.get().getKeys().size());
                    return Mono.just(keys.get());
                });
    }

    private Mono<JWKSet> download() {
        return main.get().uri("/.well-known/jwks.json")
                .retrieve()
                .bodyToMono(String.class)
                .timeout(FETCH_TIMEOUT)
                .map(RelayTokenVerifier::parse)
                .doOnNext(set -> {
                    keys.set(set);
                    log.info("Loaded {} token signing keys from the main server", set.getKeys().size());
                });
    }

    private static ECKey find(JWKSet set, String kid) {
        JWK key = set.getKeyByKeyId(kid);
        return key instanceof ECKey ec ? ec : null;
    }

    private static JWKSet parse(String json) {
        try {
            return JWKSet.parse(json);
        } catch (ParseException e) {
            throw new IllegalStateException("the main server's JWKS is not a JWK set: " + e.getMessage(), e);
        }
    }

    private static JWKSet readFile(RelayProperties properties) {
        try {
            JWKSet set = parse(Files.readString(properties.jwksFile()));
            log.info("Loaded {} token signing keys from {}", set.getKeys().size(), properties.jwksFile());
            return set;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read ats.relay.jwks-file " + properties.jwksFile(), e);
        }
    }
}
