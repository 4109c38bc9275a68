package run.ats.broker.front;

import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import run.ats.protocol.relay.RelayId;
import run.ats.protocol.relay.RelayNames;

import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The broker's reading of a Host header as a relay name ({@link Routes#name}), over generated
 * names, domains and ports (a fixed seed: a failure names its case). Every spelling a browser may
 * send for {@code name.domain} finds the name; and whatever a client puts in Host (one character
 * inserted, deleted or replaced anywhere, by any character Netty can decode from a header byte,
 * which is ISO-8859-1), the broker finds a name only when the Host is exactly
 * {@code name.domain}, ignoring ASCII case, a final dot and a port.
 */
class HostNamePropertiesTest {

    private static final int CASES = 300;
    private static final String LABEL_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789";

    record Case(String name, String domain, String host) {
    }

    static Stream<Named<Case>> hosts() {
        Random random = new Random(0x4057);
        return IntStream.range(0, CASES).mapToObj(i -> {
            byte[] key = new byte[32];
            random.nextBytes(key);
            String name = RelayNames.candidate(RelayId.of(key), random.nextInt(3));
            String domain = label(random) + (random.nextBoolean() ? "." + label(random) : "") + ".example";
            String host = name + "." + domain;
            if (random.nextInt(4) == 0) {
                host = host.toUpperCase(Locale.ROOT);
            } else if (random.nextInt(3) == 0) {
                host = mixedCase(random, host);
            }
            if (random.nextInt(5) == 0) {
                host += ".";
            }
            if (random.nextBoolean()) {
                host += ":" + random.nextInt(65536);
            }
            Case c = new Case(name, domain, host);
            return Named.of("case " + i + ": " + host, c);
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hosts")
    void everySpellingOfANamesHostFindsTheName(Case c) {
        assertThat(Routes.name(c.host(), c.domain())).contains(c.name());
        assertThat(Routes.name(c.host(), c.domain().toUpperCase(Locale.ROOT))).contains(c.name());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hosts")
    void aChangedHostFindsANameOnlyWhenItStillSaysExactlyThatName(Case c) {
        Random random = new Random(c.host().hashCode());
        for (int i = 0; i < 200; i++) {
            String changed = mutate(random, c.host());
            Optional<String> found = Routes.name(changed, c.domain());
            if (found.isPresent()) {
                assertThat(bare(changed)).as("Host %s gave %s", changed, found.get())
                        .isEqualToIgnoringCase(found.get() + "." + c.domain());
                assertThat(found.get()).matches(RelayNames.PATTERN);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hosts")
    void hostsThatOnlyContainTheNameAreRefused(Case c) {
        String exact = c.name() + "." + c.domain();
        for (String hostile : new String[] {
                exact + ".evil.example", "a." + exact, "user@" + exact, exact + ":", exact + ":123456", exact + ":-1",
                exact + ":+80", exact + ":80:80", exact + "..", "." + exact, " " + exact, exact + " ", exact + "\t",
                exact + "%2e", exact.replace(".", "%2e"), exact.replace('.', ','), "[" + exact + "]", "[::1]:443",
                c.name() + "-x." + c.domain(), c.name() + c.domain(), c.name() + ".evil" + c.domain(),
                exact + "/path", exact + "?q", exact + "#f", exact + "\u0000", exact + "\u00A0", "\u00E9" + exact}) {
            assertThat(Routes.name(hostile, c.domain())).as(hostile).isEmpty();
        }
    }

    /** The host without its port and final dot, as the broker compares it. */
    private static String bare(String host) {
        String bare = host.replaceFirst(":[0-9]{1,5}$", "");
        return bare.endsWith(".") ? bare.substring(0, bare.length() - 1) : bare;
    }

    /** One character inserted, deleted or replaced, by any ISO-8859-1 character (ASCII most often). */
    private static String mutate(Random random, String host) {
        int at = random.nextInt(host.length() + 1);
        char c = random.nextInt(3) == 0 ? (char) random.nextInt(256) : ".-:@[]%0aAzZ9".charAt(random.nextInt(13));
        return switch (random.nextInt(3)) {
            case 0 -> host.substring(0, at) + c + host.substring(at);
            case 1 -> at == host.length() ? host : host.substring(0, at) + host.substring(at + 1);
            default -> at == host.length() ? host + c : host.substring(0, at) + c + host.substring(at + 1);
        };
    }

    private static String mixedCase(Random random, String host) {
        StringBuilder mixed = new StringBuilder(host.length());
        for (char ch : host.toCharArray()) {
            mixed.append(random.nextBoolean() ? Character.toUpperCase(ch) : ch);
        }
        return mixed.toString();
    }

    private static String label(Random random) {
        StringBuilder label = new StringBuilder();
        int length = 1 + random.nextInt(12);
        for (int i = 0; i < length; i++) {
            label.append(LABEL_CHARS.charAt(random.nextInt(LABEL_CHARS.length())));
        }
        return label.toString();
    }
}
