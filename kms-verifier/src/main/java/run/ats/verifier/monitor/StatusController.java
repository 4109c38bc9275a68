package run.ats.verifier.monitor;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpStatus;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import run.ats.support.web.ApiProblem;
import run.ats.verifier.deploy.Verifications;

import java.net.URI;
import java.time.Instant;
import java.util.List;

@RestController
@Tag(name = "status", description = "What the monitor found: the latest verdicts, their history, a badge")
final class StatusController {

    record OriginStatus(String origin, String verdict, Instant checkedAt, String version) {
    }

    record Status(List<OriginStatus> origins) {
    }

    /** The shields.io endpoint-badge shape. */
    record Badge(int schemaVersion, String label, String message, String color) {
    }

    private final DatabaseClient db;
    private final Verifications verifications;

    StatusController(DatabaseClient db, Verifications verifications) {
        this.db = db;
        this.verifications = verifications;
    }

    @Operation(summary = "The latest verdict for every monitored origin (\"unchecked\" before the first check)")
    @GetMapping("/v1/status")
    Mono<Status> status() {
        return Flux.fromIterable(verifications.origins()).concatMap(this::latest).collectList().map(Status::new);
    }

    @Operation(summary = "The monitor's history for one origin, newest first (reports in full)")
    @GetMapping(path = "/v1/status/history", produces = "application/json")
    Mono<String> history(@RequestParam String origin, @RequestParam(defaultValue = "20") int limit) {
        URI allowed = verifications.allowed(origin).orElseThrow(StatusController::notMonitored);
        int bounded = Math.max(1, Math.min(limit, 100));
        return db.sql("SELECT report FROM verifications WHERE origin = :origin ORDER BY id DESC LIMIT :limit")
                .bind("origin", allowed.toString()).bind("limit", bounded)
                .map((row, meta) -> row.get("report", String.class))
                .all()
                .collectList()
                .map(reports -> "[" + String.join(",", reports) + "]");
    }

    @Operation(summary = "A badge for one origin, in the shields.io endpoint format")
    @GetMapping("/v1/status/badge")
    Mono<Badge> badge(@RequestParam String origin) {
        URI allowed = verifications.allowed(origin).orElseThrow(StatusController::notMonitored);
        return latest(allowed).map(status -> switch (status.verdict()) {
            case "match" -> new Badge(1, "KMS", "verified " + status.version(), "brightgreen");
            case "mismatch" -> new Badge(1, "KMS", "MISMATCH", "red");
            // "error": what rows written before "cannot-check" say.
            case "cannot-check", "error" -> new Badge(1, "KMS", "cannot check", "orange");
            default -> new Badge(1, "KMS", "unchecked", "lightgrey");
        });
    }

    private Mono<OriginStatus> latest(URI origin) {
        return db.sql("SELECT verdict, checked_ms, version FROM verifications WHERE origin = :origin ORDER BY id DESC LIMIT 1")
                .bind("origin", origin.toString())
                .map((row, meta) -> new OriginStatus(origin.toString(), row.get("verdict", String.class),
                        Instant.ofEpochMilli(row.get("checked_ms", Long.class)), row.get("version", String.class)))
                .one()
                .defaultIfEmpty(new OriginStatus(origin.toString(), "unchecked", null, null));
    }

    private static ApiProblem notMonitored() {
        return ApiProblem.of(HttpStatus.NOT_FOUND, "origin-not-monitored", "Origin not monitored",
                "This verifier monitors only the origins in ats.verifier.origins.");
    }
}
