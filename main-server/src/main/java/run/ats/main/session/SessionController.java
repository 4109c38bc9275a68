package run.ats.main.session;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import run.ats.support.web.ApiProblem;

@RestController
final class SessionController {

    private final SessionTokens tokens;

    SessionController(SessionTokens tokens) {
        this.tokens = tokens;
    }

    record RefreshRequest(String refreshToken) {
    }

    @Operation(summary = "Spend a refresh token for a new token pair; a reused one revokes its whole session")
    @ApiResponse(responseCode = "200", description = "the next token pair")
    @ApiResponse(responseCode = "401", description = "unknown, expired, revoked or reused refresh token")
    @PostMapping("/v1/auth/refresh")
    Mono<TokenPair> refresh(@RequestBody RefreshRequest request) {
        return tokens.refresh(required(request))
                .onErrorMap(RefreshRejected.class, rejected -> ApiProblem.of(HttpStatus.UNAUTHORIZED,
                        "refresh-" + rejected.reason(), "Refresh refused", rejected.getMessage()));
    }

    @Operation(summary = "End the session of a refresh token (its whole family)")
    @ApiResponse(responseCode = "204", description = "the session is over (also for unknown tokens)")
    @PostMapping("/v1/auth/logout")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    Mono<Void> logout(@RequestBody RefreshRequest request) {
        return tokens.logout(required(request));
    }

    private static String required(RefreshRequest request) {
        String token = request.refreshToken();
        if (token == null || token.isBlank() || token.length() > 200) {
            throw ApiProblem.badRequest("malformed-token", "refreshToken is required.");
        }
        return token;
    }
}
