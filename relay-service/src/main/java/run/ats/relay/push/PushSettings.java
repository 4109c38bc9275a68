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
 * @param maxAttempts      tries per push when the service answers 429 or 5xx
 * @param retryBackoff     wait before the first retry, doubled each time (a Retry-After up to a minute wins)
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
        @DefaultValue("3") @Min(1) @Max(10) int maxAttempts,
        @DefaultValue("1s") @NotNull Duration retryBackoff,
        @DefaultValue("10s") @NotNull Duration requestTimeout,
        @DefaultValue("300s") @NotNull Duration ttl) {

    public PushSettings {
        allowedHosts = allowedHosts == null ? List.of()
                : allowedHosts.stream().map(String::trim).map(String::toLowerCase).filter(host -> !host.isEmpty()).toList();
    }

    /** Whether {@code host} is an allowed push service. */
    public boolean allows(String host) {
        String name = host.toLowerCase();
        return allowedHosts.stream().anyMatch(allowed -> allowed.startsWith("*.")
                ? name.endsWith(allowed.substring(1)) && name.length() > allowed.length() - 1
                : name.equals(allowed));
    }
}
