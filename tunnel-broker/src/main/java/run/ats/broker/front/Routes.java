package run.ats.broker.front;

import io.netty.handler.codec.http.HttpMethod;
import run.ats.protocol.relay.RelayNames;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the broker forwards to a relay, in one place: only the relay's own endpoints, so that a
 * relay's name can never serve someone's web page (the reason other tunnels show interstitials;
 * this one needs none). Everything else gets 404 from the broker itself.
 */
final class Routes {

    /** Path (exact, before any query) to the methods allowed on it. */
    static final Map<String, Set<HttpMethod>> FORWARDED = Map.of(
            "/v1/ws", Set.of(HttpMethod.GET),          // the client WebSocket
            "/v1/link", Set.of(HttpMethod.GET),        // relay-to-relay links
            // The signed directory the relay holds (gossip); also how to check a relay through its name.
            "/v1/directory", Set.of(HttpMethod.GET, HttpMethod.HEAD));
    // No /actuator/**: a relay's health and metrics are on its management port, which no name reaches.

    /** Paths that must arrive as a WebSocket upgrade. */
    static final Set<String> WEBSOCKETS = Set.of("/v1/ws", "/v1/link");

    private Routes() {
    }

    static boolean forwarded(HttpMethod method, String path) {
        Set<HttpMethod> methods = FORWARDED.get(path);
        return methods != null && methods.contains(method);
    }

    /** The path of an origin-form request target, without its query; empty for any other form. */
    static Optional<String> path(String target) {
        if (target.isEmpty() || target.charAt(0) != '/') {
            return Optional.empty(); // absolute-form, authority-form or asterisk-form: never routed
        }
        int query = target.indexOf('?');
        return Optional.of(query < 0 ? target : target.substring(0, query));
    }

    /**
     * The relay name a Host header names under {@code domain}: exactly {@code name.domain} or
     * {@code name.domain:port}, one label, case-insensitive, printable ASCII only. Empty for
     * anything else ({@code name.domain.evil.example}, {@code a.name.domain}, user info, a bad
     * port, whitespace, any other character...).
     */
    static Optional<String> name(String host, String domain) {
        // A host is ASCII (IDNs travel as punycode); other characters could lower-case into it
        // (the Kelvin sign into k), so that a look-alike of a name would reach the name's relay.
        for (int i = 0; i < host.length(); i++) {
            if (host.charAt(i) <= ' ' || host.charAt(i) > '~') {
                return Optional.empty();
            }
        }
        String lower = host.toLowerCase(Locale.ROOT);
        int colon = lower.lastIndexOf(':');
        if (colon >= 0 && lower.indexOf(']') < 0) {
            String port = lower.substring(colon + 1);
            if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(Character::isDigit)) {
                return Optional.empty();
            }
            lower = lower.substring(0, colon);
        }
        if (lower.endsWith(".")) {
            lower = lower.substring(0, lower.length() - 1); // a fully qualified name
        }
        String suffix = "." + domain.toLowerCase(Locale.ROOT);
        if (!lower.endsWith(suffix)) {
            return Optional.empty();
        }
        String label = lower.substring(0, lower.length() - suffix.length());
        return RelayNames.PATTERN.matcher(label).matches() ? Optional.of(label) : Optional.empty();
    }
}
