package run.ats.verifier.log;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import run.ats.support.web.ApiProblem;

import java.util.Base64;
import java.util.List;

@RestController
@Tag(name = "log", description = "The transparency log: checkpoints, proofs, entries")
final class LogController {

    static final int MAX_ENTRIES_PER_PAGE = 256;

    record InclusionProof(long leafIndex, long treeSize, List<String> hashes) {
    }

    record ConsistencyProof(long from, long to, List<String> hashes) {
    }

    record Entries(long start, List<String> entries) {
    }

    private final TransparencyLog log;
    private final Checkpoints checkpoints;

    LogController(TransparencyLog log, Checkpoints checkpoints) {
        this.log = log;
        this.checkpoints = checkpoints;
    }

    @Operation(summary = "The log's latest checkpoint, as a C2SP signed note")
    @GetMapping(path = "/v1/log/checkpoint", produces = MediaType.TEXT_PLAIN_VALUE)
    Mono<String> checkpoint() {
        return checkpoints.current();
    }

    @Operation(summary = "The verifier key that signs checkpoints (name+keyhash+base64 key); pin it out of band")
    @GetMapping(path = "/v1/log/key", produces = MediaType.TEXT_PLAIN_VALUE)
    Mono<String> key() {
        return checkpoints.verifierKey().map(key -> key + "\n");
    }

    @Operation(summary = "Inclusion proof of entry `index` in the tree of `size` entries (hashes standard base64, leaf to root)")
    @GetMapping("/v1/log/proof/inclusion")
    Mono<InclusionProof> inclusion(@RequestParam long index, @RequestParam long size) {
        return within(size).flatMap(head -> {
            if (index < 0 || index >= size) {
                return Mono.error(ApiProblem.badRequest("bad-range", "index must be at least 0 and below size."));
            }
            return log.inclusionProof(index, size).map(proof -> new InclusionProof(index, size, encode(proof)));
        });
    }

    @Operation(summary = "Consistency proof between the trees of `from` and `to` entries")
    @GetMapping("/v1/log/proof/consistency")
    Mono<ConsistencyProof> consistency(@RequestParam long from, @RequestParam long to) {
        return within(to).flatMap(head -> {
            if (from < 0 || from > to) {
                return Mono.error(ApiProblem.badRequest("bad-range", "from must be at least 0 and at most to."));
            }
            return log.consistencyProof(from, to).map(proof -> new ConsistencyProof(from, to, encode(proof)));
        });
    }

    @Operation(summary = "The exact bytes of entry `index` (its leaf hash is SHA-256(0x00 || bytes))")
    @GetMapping(path = "/v1/log/entries/{index}", produces = MediaType.APPLICATION_OCTET_STREAM_VALUE)
    Mono<byte[]> entry(@PathVariable long index) {
        return log.entry(index).switchIfEmpty(Mono.error(() -> ApiProblem.of(HttpStatus.NOT_FOUND, "no-such-entry",
                "No such entry", "The log has no entry " + index + ".")));
    }

    @Operation(summary = "Entries [start, end), at most 256, base64: for auditors who replay the whole log")
    @GetMapping("/v1/log/entries")
    Mono<Entries> entries(@RequestParam long start, @RequestParam long end) {
        if (start < 0 || end < start || end - start > MAX_ENTRIES_PER_PAGE) {
            return Mono.error(ApiProblem.badRequest("bad-range", "0 <= start <= end, and at most " + MAX_ENTRIES_PER_PAGE
                    + " entries a page."));
        }
        return log.entries(start, end).map(Base64.getEncoder()::encodeToString).collectList()
                .map(entries -> new Entries(start, entries));
    }

    private Mono<TransparencyLog.Head> within(long size) {
        return log.head().flatMap(head -> size < 0 || size > head.size()
                ? Mono.error(ApiProblem.badRequest("beyond-log", "The log has " + head.size() + " entries; size " + size
                        + " is not one of its trees."))
                : Mono.just(head));
    }

    private static List<String> encode(List<byte[]> hashes) {
        return hashes.stream().map(Base64.getEncoder()::encodeToString).toList();
    }
}
