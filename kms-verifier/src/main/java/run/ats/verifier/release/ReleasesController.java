package run.ats.verifier.release;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.NotNull;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import run.ats.support.web.ApiProblem;
import run.ats.verifier.log.Evidence;
import run.ats.verifier.log.Evidences;
import run.ats.verifier.sri.Sri;

import java.util.List;
import java.util.Map;

@RestController
@Tag(name = "releases", description = "Signed KMS releases and deprecations, logged and looked up")
final class ReleasesController {

    /** A statement as posted: its exact bytes and a release key's signature, both standard base64. */
    record SignedBody(@NotNull String statement, @NotNull String signature) {
    }

    record Deprecation(long leafIndex, String reason) {
    }

    /** A release as answered: the manifest, its deprecation if any, and the evidence it is logged. */
    record ReleaseView(String version, String sourceCommit, Map<String, String> files, Deprecation deprecated,
                       Evidence evidence) {
    }

    record Found(List<ReleaseView> releases) {
    }

    private final Releases releases;
    private final Evidences evidences;

    ReleasesController(Releases releases, Evidences evidences) {
        this.releases = releases;
        this.evidences = evidences;
    }

    @Operation(summary = "Log a release manifest signed by a release key; answers its leaf, inclusion proof and checkpoint")
    @PostMapping("/v1/releases")
    @ResponseStatus(HttpStatus.CREATED)
    Mono<Evidence> register(@RequestBody SignedBody body) {
        return Mono.fromCallable(() -> SignedStatement.fromBase64(body.statement(), body.signature()))
                .onErrorMap(InvalidStatementException.class, e -> ApiProblem.badRequest("bad-statement", e.getMessage()))
                .flatMap(releases::register)
                .flatMap(logged -> evidences.of(logged.leafIndex(), logged.head()));
    }

    @Operation(summary = "Log the deprecation of a release, signed by a release key")
    @PostMapping("/v1/releases/{version}/deprecation")
    @ResponseStatus(HttpStatus.CREATED)
    Mono<Evidence> deprecate(@PathVariable String version, @RequestBody SignedBody body) {
        return Mono.fromCallable(() -> SignedStatement.fromBase64(body.statement(), body.signature()))
                .onErrorMap(InvalidStatementException.class, e -> ApiProblem.badRequest("bad-statement", e.getMessage()))
                .flatMap(signed -> releases.deprecate(version, signed))
                .flatMap(logged -> evidences.of(logged.leafIndex(), logged.head()));
    }

    @Operation(summary = "A release by version, with the evidence that it is logged")
    @GetMapping("/v1/releases/{version}")
    Mono<ReleaseView> byVersion(@PathVariable String version) {
        return releases.byVersion(version)
                .switchIfEmpty(Mono.error(() -> ApiProblem.of(HttpStatus.NOT_FOUND, "unknown-release", "Unknown release",
                        "No release " + version + " is logged.")))
                .flatMap(this::view);
    }

    @Operation(summary = "The releases that list a file with this SRI value (optionally at this path)")
    @GetMapping("/v1/releases")
    Mono<Found> byFile(@RequestParam String file, @RequestParam(required = false) String path) {
        if (!Sri.isSingleValue(file)) {
            return Mono.error(ApiProblem.badRequest("bad-integrity", "file is one SRI value, such as sha384-..."));
        }
        return releases.byFile(file, path).concatMap(this::view).collectList().map(Found::new);
    }

    private Mono<ReleaseView> view(ReleaseRecord release) {
        return evidences.of(release.leafIndex()).map(evidence -> new ReleaseView(release.version(), release.sourceCommit(),
                release.files(), release.deprecated() ? new Deprecation(release.deprecatedIndex(), release.deprecatedReason()) : null,
                evidence));
    }
}
