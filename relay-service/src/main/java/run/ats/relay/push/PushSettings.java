package run.ats.relay.push;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;
import java.util.List;

/**
 * Web Push from this relay ({@code ats.relay.push.*}; docs/operations.md).
 *
 * @param allowedHosts     push services this relay will send to: host names, {@code *.} for any subdomain;
 *                         an endpoint elsewhere is refused at registration (no pushing to arbitrary URLs)
 * @param allowHttp        accept {@code http://} endpoints (tests and stand-ins only)
 * @param minInterval      a registration is woken at most once per this interval; events in between are coalesced
 * @param maxRegistrations registrations held at once; past it new ones are refused
 * @param maxPerConnection registrations one connection may hold (a device has one push subscription)
 * @param maxPerToken      registrations made under one relay token that may be held at once; together they follow
 *                         at most {@code ats.relay.max-subscriptions} channels, as one connection may
 * @param maxPerAddress    registrations made from one client address that may be held at once: each address's
 *                         share of {@code maxRegistrations}, so nobody fills the relay for everyone else
 * @param maxAttempts      tries per push when the service answers 429 or 5xx
 * @param retryBackoff     wait before the first retry, doubled each time (a Retry-After up to {@code maxRetryWait} wins)
 * @param maxRetryWait     the longest Retry-After honoured; a push service asking for more gets no retry
 * @param sendsPerSecondPerHost requests per second (retries included) to one push service (one allow-list entry)
 * @param maxSendWait      longest a push waits for its push service's rate; past it the wake is dropped (counted)
 * @param requestTimeout   longest wait for the push service's answer
 * @param ttl              the RFC 8030 {@code TTL}: how long the push service may hold an undelivered push
 */
@Validated
@ConfigurationProperties("ats.relay.push")
public record PushSettings(
        @DefaultValue({"fcm.googleapis.com", "updates.push.services.mozilla.com", "*.push.apple.com", "*.notify.windows.com"})
        List<String> allowedHosts,
        @DefaultValue("false") boolean allowHttp,
        @DefaultValue("60s") @NotNull Duration minInterval,
        @DefaultValue("10000") @Min(0) int maxRegistrations,
        @DefaultValue("2") @Min(1) int maxPerConnection,
        @DefaultValue("4") @Min(1) int maxPerToken,
        @DefaultValue("32") @Min(1) int maxPerAddress,
        @DefaultValue("3") @Min(1) @Max(10) int maxAttempts,
        @DefaultValue("1s") @NotNull Duration retryBackoff,
        @DefaultValue("60s") @NotNull Duration maxRetryWait,
        @DefaultValue("50") @Min(1) @Max(1_000_000) int sendsPerSecondPerHost,
        @DefaultValue("10s") @NotNull Duration maxSendWait,
        @DefaultValue("10s") @NotNull Duration requestTimeout,
        @DefaultValue("300s") @NotNull Duration ttl) {

    public PushSettings {
        allowedHosts = allowedHosts == null ? List.of()
                : allowedHosts.stream().map(String::trim).map(String::toLowerCase).filter(host -> !host.isEmpty()).toList();
    }

    /** Whether {@code host} is an allowed push service. */
    public boolean allows(String host) {
        return service(host) != null;
    }

    /**
     * The allow-list entry {@code host} falls under (say {@code *.notify.windows.com}), or null. Limits and
     * metrics are per entry, so endless subdomains of one push service share one budget and one label.
     */
    public String service(String host) {
        String name = host.toLowerCase();
        return allowedHosts.stream().filter(allowed -> allowed.startsWith("*.")
                ? name.endsWith(allowed.substring(1)) && name.length() > allowed.length() - 1
                : name.equals(allowed)).findFirst().orElse(null);
    }
}
