package run.ats.main.account;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import run.ats.support.web.ApiProblem;

import java.time.Instant;
import java.util.UUID;

@RestController
final class MeController {

    private final Accounts accounts;

    MeController(Accounts accounts) {
        this.accounts = accounts;
    }

    record Me(UUID id, String email, Instant createdAt) {
    }

    @Operation(summary = "The signed-in account", security = @SecurityRequirement(name = "bearer"))
    @GetMapping("/v1/me")
    Mono<Me> me(@AuthenticationPrincipal Jwt jwt) {
        return accounts.byId(UUID.fromString(jwt.getSubject()))
                .map(a -> new Me(a.id(), a.email(), Instant.ofEpochMilli(a.createdMs())))
                .switchIfEmpty(Mono.error(() -> ApiProblem.of(HttpStatus.NOT_FOUND, "no-account", "Not found",
                        "The account of this token no longer exists.")));
    }
}
