package run.ats.verifier.deploy;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import run.ats.support.web.ApiProblem;

@RestController
@Tag(name = "verify", description = "Verify a deployed KMS origin against the log")
final class VerifyController {

    private final Verifications verifications;

    VerifyController(Verifications verifications) {
        this.verifications = verifications;
    }

    @Operation(summary = "Fetch the deployed KMS at an allow-listed origin and report, file by file, whether it is a logged, "
            + "live release; with the checkpoint and inclusion proof relied on")
    @GetMapping("/v1/verify")
    Mono<Report> verify(@RequestParam String origin) {
        return verifications.allowed(origin)
                .map(verifications::verify)
                .orElseGet(() -> Mono.error(ApiProblem.of(HttpStatus.FORBIDDEN, "origin-not-allowed", "Origin not allowed",
                        "This verifier checks only the origins it is configured for (ats.verifier.origins); give one as "
                                + "scheme://host[:port].")));
    }
}
