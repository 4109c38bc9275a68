package run.ats.support.web;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.codec.DecodingException;
import org.springframework.util.unit.DataSize;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.reactive.result.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.server.ContentTooLargeException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import reactor.core.publisher.Mono;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * Turns every framework error into RFC 9457 problem details, and names the two body errors
 * clients most need to fix precisely: too large (413) and an unknown field (400).
 */
@RestControllerAdvice
final class ApiExceptionHandler extends ResponseEntityExceptionHandler {

    private final DataSize maxBody;

    ApiExceptionHandler(@Value("${spring.http.codecs.max-in-memory-size:256KB}") DataSize maxBody) {
        this.maxBody = maxBody;
    }

    @ExceptionHandler(ContentTooLargeException.class)
    Mono<ResponseEntity<Object>> tooLarge(ContentTooLargeException ex, ServerWebExchange exchange) {
        return problem(HttpStatus.CONTENT_TOO_LARGE, "too-large", "Request body too large",
                "The body exceeds the " + maxBody.toKilobytes() + " KB this API accepts.", exchange);
    }

    @Override
    protected Mono<ResponseEntity<Object>> handleServerWebInputException(
            ServerWebInputException ex, HttpHeaders headers, HttpStatusCode status, ServerWebExchange exchange) {
        UnrecognizedPropertyException unknown = cause(ex, UnrecognizedPropertyException.class);
        if (unknown != null) {
            return problem(HttpStatus.BAD_REQUEST, "unknown-field", "Bad request",
                    "Unknown field '" + unknown.getPropertyName() + "'.", exchange);
        }
        if (cause(ex, DecodingException.class) != null) {
            return problem(HttpStatus.BAD_REQUEST, "malformed-body", "Bad request",
                    "The body is not the JSON this endpoint takes.", exchange);
        }
        return super.handleServerWebInputException(ex, headers, status, exchange);
    }

    private static <T extends Throwable> T cause(Throwable error, Class<T> type) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return type.cast(cause);
            }
        }
        return null;
    }

    private Mono<ResponseEntity<Object>> problem(HttpStatus status, String slug, String title, String detail,
                                                 ServerWebExchange exchange) {
        return handleExceptionInternal(ApiProblem.of(status, slug, title, detail), ApiProblem.problem(status, slug, title, detail),
                new HttpHeaders(), status, exchange);
    }
}
