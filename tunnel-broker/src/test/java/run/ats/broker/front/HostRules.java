package run.ats.broker.front;

import run.ats.protocol.relay.RelayNames;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What routing by Host must never do, written apart from {@link Routes} (which parses), so that a
 * test compares the two: a Host routes to a name only if, in ASCII lower case, it is exactly
 * {@code name.domain}, with at most one final dot and a port of one to five digits.
 */
final class HostRules {

    private HostRules() {
    }

    /** Throws {@link AssertionError} if {@code routed} is a name {@code host} does not spell. */
    static void check(String host, String domain, Optional<String> routed) {
        if (routed.isEmpty()) {
            return;
        }
        String name = routed.get();
        if (!RelayNames.PATTERN.matcher(name).matches()) {
            throw new AssertionError("routed to " + name + ", which is no relay name, from Host " + printable(host));
        }
        for (int i = 0; i < host.length(); i++) {
            if (host.charAt(i) <= ' ' || host.charAt(i) > '~') {
                throw new AssertionError("routed to " + name + " from a Host with character U+"
                        + Integer.toHexString(host.charAt(i)) + ": " + printable(host));
            }
        }
        String spelled = Pattern.quote(name + "." + domain.toLowerCase(Locale.ROOT)) + "\\.?(:[0-9]{1,5})?";
        if (!host.toLowerCase(Locale.ROOT).matches(spelled)) {
            throw new AssertionError("routed to " + name + " from Host " + printable(host));
        }
    }

    static String printable(String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().forEach(c -> out.append(c >= ' ' && c <= '~' ? Character.toString(c) : String.format("\\u{%x}", c)));
        return out.toString();
    }
}
