package run.ats.directory.versions;

import io.swagger.v3.oas.annotations.Operation;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import run.ats.support.web.ApiProblem;
import run.ats.protocol.topic.TopicTag;

import java.util.List;
import java.util.regex.Pattern;

/** The public read side: the newest signed version, the key that signs it, and tree roots. */
@RestController
final class DirectoryController {

    private static final Pattern CELL = Pattern.compile("[0-9bcdefghjkmnpqrstuvwxyz]{4}");

    /** The roots of one tree, highest priority first, in the version they come from. */
    record Roots(long version, List<String> roots) {
    }

    /** The public half of the directory key, which relays pin. */
    record Key(String algorithm, String publicKey) {
    }

    private final Versions versions;
    private final DirectoryKey key;

    DirectoryController(Versions versions, DirectoryKey key) {
        this.versions = versions;
        this.key = key;
    }

    @Operation(summary = "The newest signed directory version")
    @GetMapping(path = "/v1/directory", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<String> directory() {
        return versions.newest()
                .map(signed -> signed.toJson())
                .switchIfEmpty(Mono.error(DirectoryController::noVersionYet));
    }

    @Operation(summary = "The Ed25519 public key that signs every version (raw 32 bytes, base64url)")
    @GetMapping("/v1/directory/key")
    Mono<Key> key() {
        return key.publicKey().map(publicKey -> new Key("Ed25519", publicKey));
    }

    @Operation(summary = "The roots of the tree of (tag, cell), highest priority first")
    @GetMapping("/v1/trees/{tag}/{cell}/roots")
    Mono<Roots> roots(@PathVariable String tag, @PathVariable String cell) {
        if (!TopicTag.isValid(tag)) {
            return Mono.error(ApiProblem.badRequest("bad-tag", "A topic tag is 1-64 of [A-Za-z0-9_-]."));
        }
        if (!CELL.matcher(cell).matches()) {
            return Mono.error(ApiProblem.badRequest("bad-cell", "A cell is a geohash of exactly 4 characters."));
        }
        return versions.newest()
                .map(signed -> new Roots(signed.directory().version(), signed.directory().roots(tag, cell)))
                .switchIfEmpty(Mono.error(DirectoryController::noVersionYet));
    }

    private static ApiProblem noVersionYet() {
        return ApiProblem.of(HttpStatus.SERVICE_UNAVAILABLE, "no-version-yet", "No directory version yet",
                "The directory has not issued its first version; try again in a second.");
    }
}
