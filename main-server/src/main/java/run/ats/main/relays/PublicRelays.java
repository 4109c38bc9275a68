package run.ats.main.relays;

import io.swagger.v3.oas.annotations.Operation;
import org.springframework.http.CacheControl;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import run.ats.protocol.directory.Directory;
import run.ats.protocol.directory.DirectoryEntry;

import java.time.Duration;
import java.util.List;

/**
 * The relays a client may connect to, for the PWA's relay choice: id, name and WebSocket URL of
 * every relay in the newest directory version that counts as healthy (weight above 0; all of them
 * when none does). Read from the directory at most every few seconds, whatever the traffic.
 */
@RestController
final class PublicRelays {

    record PublicRelay(String relayId, String name, String url) {
    }

    private static final Duration FRESH = Duration.ofSeconds(5);
    private final Mono<List<PublicRelay>> cached;

    PublicRelays(DirectoryClient directory) {
        this.cached = directory.newest()
                .map(PublicRelays::listed)
                .cacheInvalidateWhen(list -> Mono.delay(FRESH).then(), list -> { });
    }

    @Operation(summary = "Relays clients may connect to (from the newest directory version; no sign-in needed)")
    @GetMapping("/v1/relays/public")
    Mono<ResponseEntity<List<PublicRelay>>> relays() {
        return cached.onErrorResume(unreachable -> Mono.empty()).defaultIfEmpty(List.of())
                .map(list -> ResponseEntity.ok().cacheControl(CacheControl.maxAge(FRESH)).body(list));
    }

    private static List<PublicRelay> listed(Directory directory) {
        List<DirectoryEntry> healthy = directory.relays().stream().filter(relay -> relay.weight() > 0).toList();
        return (healthy.isEmpty() ? directory.relays() : healthy).stream()
                .map(relay -> new PublicRelay(relay.relayId(), relay.name(), relay.url()))
                .toList();
    }
}
