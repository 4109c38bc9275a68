package run.ats.relay.push;

import io.netty.handler.codec.http.HttpHeaderNames;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * One RFC 8030 push request, empty or carrying an RFC 8291 marker: {@code TTL}, {@code Urgency}, a {@code Topic} so the
 * push service keeps only the newest wake for a device, and {@code Authorization: vapid t=JWT, k=KEY}
 * (RFC 8292). No redirect is followed.
 */
@Component
class WebPushSender {

    /** The push service's answer: its status and, for 429 and 503, how long it asked us to wait. */
    record Answer(int status, Duration retryAfter) {
    }

    /** Constant: tells the push service nothing but that wakes for one device may replace each other. */
    static final String TOPIC = "ats-wake";
    private final HttpClient http;
    private final PushSettings settings;

    WebPushSender(PushSettings settings) {
        this.settings = settings;
        this.http = HttpClient.create().responseTimeout(settings.requestTimeout()).followRedirect(false);
    }

    /** {@code body}: empty, or an {@code aes128gcm} message (RFC 8291). */
    Mono<Answer> send(URI endpoint, String jwt, String vapidKey, byte[] body) {
        return http.headers(headers -> {
                    headers.set("TTL", String.valueOf(settings.ttl().toSeconds()))
                            .set("Urgency", "normal")
                            .set("Topic", TOPIC)
                            .set(HttpHeaderNames.AUTHORIZATION, "vapid t=" + jwt + ", k=" + vapidKey)
                            .set(HttpHeaderNames.CONTENT_LENGTH, body.length);
                    if (body.length > 0) {
                        headers.set(HttpHeaderNames.CONTENT_ENCODING, "aes128gcm").set(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream");
                    }
                })
                .post()
                .uri(endpoint)
                .send(Mono.just(io.netty.buffer.Unpooled.wrappedBuffer(body)))
                .responseSingle((response, answer) -> answer.then(Mono.just(new Answer(response.status().code(),
                        retryAfter(response.responseHeaders().get("Retry-After"), Instant.now())))))
                .timeout(settings.requestTimeout().plusSeconds(1));
    }

    /** RFC 9110 section 10.2.3: seconds or an HTTP date; null when absent or unreadable (our own backoff then). */
    static Duration retryAfter(String value, Instant now) {
        if (value == null) {
            return null;
        }
        String trimmed = value.trim();
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(trimmed)));
        } catch (NumberFormatException notSeconds) {
            try {
                Duration until = Duration.between(now, ZonedDateTime.parse(trimmed, DateTimeFormatter.RFC_1123_DATE_TIME));
                return until.isNegative() ? Duration.ZERO : until;
            } catch (DateTimeParseException | ArithmeticException notADate) {
                return null;
            }
        }
    }
}
