package run.ats.main.relays;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import run.ats.main.MainProperties;
import run.ats.support.web.ApiProblem;
import run.ats.main.web.ClientAddress;
import run.ats.main.web.RateLimiter;
import run.ats.protocol.relay.Enrollment;

import java.time.Clock;
import java.util.UUID;

/** The relay provisioning API: relays enroll, people claim them and list theirs. */
@RestController
final class RelaysController {

    record ClaimRequest(String claimCode) {
    }

    private final RelayClaims claims;
    private final RateLimiter enrollmentsPerIp;
    private final RateLimiter claimsPerAccount;

    RelaysController(RelayClaims claims, MainProperties properties, Clock clock) {
        this.claims = claims;
        this.enrollmentsPerIp = new RateLimiter(properties.relays().enrollmentsPerIp(), properties.relays().window(), clock);
        this.claimsPerAccount = new RateLimiter(properties.relays().claimsPerAccount(), properties.relays().window(), clock);
    }

    @Operation(summary = "A relay enrolls its key (signed) and gets a claim code to show its operator")
    @PostMapping("/v1/relays/enrollments")
    Mono<ResponseEntity<RelayClaims.Enrolled>> enroll(@RequestBody String body, ServerWebExchange exchange) {
        limit(enrollmentsPerIp, ClientAddress.of(exchange.getRequest()));
        Enrollment enrollment;
        try {
            enrollment = Enrollment.parse(body);
        } catch (IllegalArgumentException e) {
            return Mono.error(ApiProblem.badRequest("bad-enrollment", e.getMessage()));
        }
        return claims.enroll(enrollment).map(enrolled -> ResponseEntity
                .status(enrolled.claimed() ? HttpStatus.OK : HttpStatus.CREATED).body(enrolled));
    }

    @Operation(summary = "Claim a relay by the code it shows", security = @SecurityRequirement(name = "bearer"))
    @PostMapping("/v1/relays/claim")
    Mono<ResponseEntity<RelayClaims.Claimed>> claim(@AuthenticationPrincipal Jwt jwt, @RequestBody ClaimRequest request) {
        limit(claimsPerAccount, jwt.getSubject());
        return claims.claim(UUID.fromString(jwt.getSubject()), request.claimCode())
                .map(claimed -> ResponseEntity.status(HttpStatus.CREATED).body(claimed));
    }

    @Operation(summary = "The caller's relays, with what the directory says of each", security = @SecurityRequirement(name = "bearer"))
    @GetMapping("/v1/relays")
    Flux<RelayClaims.Owned> mine(@AuthenticationPrincipal Jwt jwt) {
        return claims.owned(UUID.fromString(jwt.getSubject()));
    }

    private static void limit(RateLimiter limiter, String key) {
        limiter.acquire(key).ifPresent(retryAfter -> {
            throw ApiProblem.rateLimited(retryAfter);
        });
    }
}
