package run.ats.support.web;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

import java.net.URI;
import java.time.Duration;

/**
 * An RFC 9457 problem the API answers with. {@code type} is {@code https://ats.run/problems/<slug>};
 * docs/protocol.md lists the slugs.
 */
public final class ApiProblem extends ErrorResponseException {

    private static final String TYPE_BASE = "https://ats.run/problems/";

    private ApiProblem(HttpStatus status, String slug, String title, String detail) {
        super(status, problem(status, slug, title, detail), null);
    }

    public static ApiProblem of(HttpStatus status, String slug, String title, String detail) {
        return new ApiProblem(status, slug, title, detail);
    }

    public static ApiProblem badRequest(String slug, String detail) {
        return new ApiProblem(HttpStatus.BAD_REQUEST, slug, "Bad request", detail);
    }

    /** 429 with {@code Retry-After} in whole seconds, at least one. */
    public static ApiProblem rateLimited(Duration retryAfter) {
        long seconds = Math.max(1, (retryAfter.toMillis() + 999) / 1000);
        ApiProblem problem = new ApiProblem(HttpStatus.TOO_MANY_REQUESTS, "rate-limited", "Too many requests",
                "Try again in " + seconds + " s.");
        problem.getHeaders().set("Retry-After", Long.toString(seconds));
        return problem;
    }

    static ProblemDetail problem(HttpStatus status, String slug, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(URI.create(TYPE_BASE + slug));
        problem.setTitle(title);
        return problem;
    }
}
