package run.ats.main.signin;

import io.micrometer.core.instrument.MeterRegistry;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseCookie;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import run.ats.main.MainProperties;
import run.ats.main.mail.MailNotSent;
import run.ats.main.session.TokenPair;
import run.ats.support.web.ApiProblem;
import run.ats.main.web.ClientAddress;
import run.ats.main.web.RateLimiter;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/** HTTP for email sign-in: rate limits, the browser-verifier cookie, and problem details. */
@RestController
final class SignInController {

    static final String COOKIE = "ats_signin";
    private static final String COOKIE_PATH = "/v1/auth/email";

    private final EmailSignIn signIn;
    private final MainProperties properties;
    private final MeterRegistry meters;
    private final RateLimiter mailsPerAddress;
    private final RateLimiter startPerIp;
    private final RateLimiter verifyPerIp;

    SignInController(EmailSignIn signIn, MainProperties properties, MeterRegistry meters, Clock clock) {
        this.signIn = signIn;
        this.properties = properties;
        this.meters = meters;
        MainProperties.RateLimits limits = properties.rateLimits();
        this.mailsPerAddress = new RateLimiter(limits.startPerAddress(), limits.window(), clock);
        this.startPerIp = new RateLimiter(limits.startPerIp(), limits.window(), clock);
        // No limit on verifies per address: anyone could spend it and lock the owner out. Each
        // code takes max-attempts guesses, and an address gets at most startPerAddress codes a window.
        this.verifyPerIp = new RateLimiter(limits.verifyPerIp(), limits.window(), clock);
    }

    record StartRequest(String email) {
    }

    record StartResponse(long expiresIn) {
    }

    /** Either {@code email} and {@code code}, or {@code token} from the mail's link. */
    record VerifyRequest(String email, String code, String token) {
    }

    @Operation(summary = "Mail a sign-in code and link to an address",
            description = "Answers 202 for every well-formed address, registered or not. Sets the HttpOnly "
                    + "cookie that lets this browser, and only this one, use the link.")
    @ApiResponse(responseCode = "202", description = "mail sent; the code lives expiresIn seconds")
    @ApiResponse(responseCode = "400", description = "not an email address")
    @ApiResponse(responseCode = "429", description = "enough mails went to this address for now (those sent still work), or too many requests from this IP")
    @ApiResponse(responseCode = "503", description = "mail could not be sent now")
    @PostMapping("/v1/auth/email/start")
    Mono<ResponseEntity<StartResponse>> start(@RequestBody StartRequest request, ServerWebExchange exchange) {
        String email = EmailAddress.normalize(request.email()).orElse(null);
        if (email == null) {
            return reject(new SignInRejected(SignInRejected.Reason.INVALID_EMAIL));
        }
        limit(startPerIp, ClientAddress.of(exchange.getRequest()));
        mailsPerAddress.acquire(email).ifPresent(retryAfter -> {
            meters.counter("ats.signin.failed", "reason", "rate_limited").increment();
            ApiProblem enough = ApiProblem.rateLimited(retryAfter);
            enough.getBody().setDetail("Enough sign-in mails went to this address for now; the codes and links in them "
                    + "still work. " + enough.getBody().getDetail());
            throw enough;
        });
        Duration ttl = properties.signIn().codeTtl();
        return signIn.start(email)
                .map(started -> ResponseEntity.status(HttpStatus.ACCEPTED)
                        .header("Set-Cookie", verifierCookie(started.browserVerifier(), ttl).toString())
                        .body(new StartResponse(ttl.toSeconds())))
                .onErrorMap(MailNotSent.class, e -> {
                    meters.counter("ats.signin.failed", "reason", "mail_not_sent").increment();
                    return ApiProblem.of(HttpStatus.SERVICE_UNAVAILABLE, "mail-unavailable", "Mail unavailable",
                            "The sign-in mail could not be sent just now; try again in a minute.");
                });
    }

    @Operation(summary = "Exchange the mailed code (with the address) or the link token for tokens")
    @ApiResponse(responseCode = "200", description = "signed in")
    @ApiResponse(responseCode = "400", description = "wrong, expired, used or malformed code or link")
    @ApiResponse(responseCode = "403", description = "the link was opened in a browser that did not ask for it")
    @ApiResponse(responseCode = "429", description = "too many attempts from this IP")
    @PostMapping("/v1/auth/email/verify")
    Mono<ResponseEntity<TokenPair>> verify(@RequestBody VerifyRequest request, ServerWebExchange exchange) {
        limit(verifyPerIp, ClientAddress.of(exchange.getRequest()));
        Mono<TokenPair> tokens;
        if (request.token() != null && request.email() == null && request.code() == null) {
            if (request.token().isEmpty() || request.token().length() > 100) {
                return reject(new SignInRejected(SignInRejected.Reason.LINK_INVALID));
            }
            String verifier = Optional.ofNullable(exchange.getRequest().getCookies().getFirst(COOKIE))
                    .map(HttpCookie::getValue).orElse(null);
            tokens = signIn.verifyLink(request.token(), verifier);
        } else if (request.token() == null && request.email() != null && request.code() != null) {
            String email = EmailAddress.normalize(request.email()).orElse(null);
            if (email == null) {
                return reject(new SignInRejected(SignInRejected.Reason.INVALID_EMAIL));
            }
            tokens = signIn.verifyCode(email, request.code());
        } else {
            throw ApiProblem.badRequest("malformed-body", "Send either {email, code} or {token}.");
        }
        return tokens
                .map(pair -> ResponseEntity.ok()
                        .header("Set-Cookie", verifierCookie("", Duration.ZERO).toString())
                        .body(pair))
                .onErrorMap(SignInRejected.class, this::problem);
    }

    private <T> Mono<T> reject(SignInRejected rejected) {
        return Mono.error(problem(rejected));
    }

    private ApiProblem problem(SignInRejected rejected) {
        meters.counter("ats.signin.failed", "reason", rejected.reason.tag()).increment();
        return ApiProblem.of(rejected.reason.status, rejected.reason.slug,
                rejected.reason.status == HttpStatus.FORBIDDEN ? "Wrong browser" : "Sign-in refused", rejected.detail);
    }

    private void limit(RateLimiter limiter, String key) {
        limiter.acquire(key).ifPresent(retryAfter -> {
            meters.counter("ats.signin.failed", "reason", "rate_limited").increment();
            throw ApiProblem.rateLimited(retryAfter);
        });
    }

    private ResponseCookie verifierCookie(String value, Duration maxAge) {
        return ResponseCookie.from(COOKIE, value)
                .httpOnly(true)
                .secure("https".equals(properties.publicUrl().getScheme()))
                .sameSite("Strict")
                .path(COOKIE_PATH)
                .maxAge(maxAge)
                .build();
    }
}
