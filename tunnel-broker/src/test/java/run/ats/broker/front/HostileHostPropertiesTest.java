package run.ats.broker.front;

import org.junit.jupiter.api.Test;
import run.ats.protocol.relay.RelayNames;

import java.net.IDN;
import java.util.List;
import java.util.Optional;
import java.util.Random;


/**
 * Routing by Host over names drawn from a fixed seed (the same every run): every hostile change
 * of a relay's {@code name.domain} (other labels, ports, dots, user info, look-alike letters from
 * beyond ISO-8859-1 and their punycode, stray characters) reaches no relay, or, if it happens to
 * spell another valid name, exactly that one ({@link HostRules}). That every spelling of a name
 * reaches it, and one-character changes by ISO-8859-1 characters, are {@link HostNamePropertiesTest}'s.
 */
class HostileHostPropertiesTest {

    private static final List<String> DOMAINS = List.of("ats.run", "relays.localhost");
    /** Letters that look like ASCII ones: Cyrillic, the Kelvin sign, long s, dotless i, fullwidth, Latin-1. */
    private static final String LOOK_ALIKES = "\u0430\u0435\u043e\u0441\u0440\u0445\u0456\u212a\u017f\u0131\uff41\uff4b\u00e0\u00ff\u0130";
    private static final String STRAY = " \t\u0000@:/\\[]%?#.,;\"'\r\n";

    private final Random random = new Random(0xb70_0c3L);

    @Test
    void hostileChangesOfANameNeverRouteToAWrongRelay() {
        for (int i = 0; i < 5000; i++) {
            String name = name();
            String domain = DOMAINS.get(random.nextInt(DOMAINS.size()));
            String host = hostile(name + "." + domain);
            Optional<String> routed = Routes.name(host, domain);
            HostRules.check(host, domain, routed);
        }
    }

    /** One hostile change of {@code host}. */
    private String hostile(String host) {
        int at = random.nextInt(host.length() + 1);
        return switch (random.nextInt(9)) {
            case 0 -> host + "." + (random.nextBoolean() ? "evil.example" : ".");
            case 1 -> randomLabel() + "." + host;
            case 2 -> host + ":" + (random.nextBoolean() ? "" : random.nextBoolean() ? "+80" : random.nextInt(10) + ":" + random.nextInt(10))
                    + (random.nextBoolean() ? "" : "123456".substring(random.nextInt(6)));
            case 3 -> (random.nextBoolean() ? "user@" + host : host + "@evil.example");
            case 4 -> host.substring(0, at) + LOOK_ALIKES.charAt(random.nextInt(LOOK_ALIKES.length())) + host.substring(Math.min(host.length(), at + 1));
            case 5 -> punycode(host.substring(0, at) + LOOK_ALIKES.charAt(random.nextInt(LOOK_ALIKES.length()))
                    + host.substring(Math.min(host.length(), at + 1)));
            case 6 -> host.substring(0, at) + STRAY.charAt(random.nextInt(STRAY.length())) + host.substring(at);
            case 7 -> host.replaceFirst("\\.", random.nextBoolean() ? "-" : "%2e");
            default -> host.substring(0, at) + host.substring(Math.min(host.length(), at + 1 + random.nextInt(3)));
        };
    }

    /** The name as a browser sends it: IDNA's ASCII form (xn--), or unchanged if it cannot be converted. */
    private static String punycode(String host) {
        try {
            return IDN.toASCII(host, IDN.ALLOW_UNASSIGNED);
        } catch (IllegalArgumentException notAName) {
            return host;
        }
    }

    private String name() {
        return RelayNames.candidate("relay-" + random.nextLong(), random.nextInt(3));
    }

    private String randomLabel() {
        return random.nextBoolean() ? name() : "x" + random.nextInt(100);
    }
}
