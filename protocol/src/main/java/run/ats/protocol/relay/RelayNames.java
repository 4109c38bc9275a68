package run.ats.protocol.relay;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A relay's public name, {@code adjective-color-noun}, as a pure function of its id.
 *
 * <p>Candidate {@code k} (0, 1, 2, ...) of relay {@code id}: {@code h = SHA-256("ats-name-v1\0" + id
 * + "\0" + k)} ({@code k} in decimal ASCII); the adjective is word {@code uint32(h[0..4]) mod A}
 * of the adjective list, the color {@code uint32(h[4..8]) mod C}, the noun {@code uint32(h[8..12])
 * mod N} (big-endian, unsigned). A relay's name is its first candidate that is not reserved and
 * not already someone's: the main server tries {@code k = 0, 1, ...} at claim time and keeps
 * the name for good, so a name is never given to a second relay.
 *
 * <p>The word lists ({@code names-v1-*.txt} beside this class, sorted, one word per line) are
 * part of the function and frozen: changing them would change every future relay's candidates.
 * A new list is a new version ({@code ats-name-v2}).
 */
public final class RelayNames {

    /** Labels never given to a relay, whole or as one of a name's words. */
    public static final Set<String> RESERVED = Set.of("www", "api", "kms", "admin", "mail", "smtp", "imap", "pop",
            "ftp", "ns", "ns1", "ns2", "mx", "app", "auth", "login", "account", "accounts", "broker", "tunnel",
            "directory", "relay", "relays", "verify", "verifier", "status", "docs", "help", "support", "static",
            "cdn", "assets", "root", "dev", "test", "staging", "localhost", "security", "abuse", "postmaster",
            "webmaster", "hostmaster", "billing", "ats");

    /** A well-formed name: three lowercase words, hyphen-joined, a single DNS label. */
    public static final Pattern PATTERN = Pattern.compile("[a-z]{2,20}-[a-z]{2,20}-[a-z]{2,20}");

    private static final List<String> ADJECTIVES = words("adjectives");
    private static final List<String> COLORS = words("colors");
    private static final List<String> NOUNS = words("nouns");

    private RelayNames() {
    }

    /** Candidate {@code k} for relay {@code relayId}, reserved or not. */
    public static String candidate(String relayId, int k) {
        Objects.requireNonNull(relayId, "relayId");
        if (k < 0) {
            throw new IllegalArgumentException("k must be 0 or more");
        }
        byte[] h = sha256().digest(("ats-name-v1\0" + relayId + "\0" + k).getBytes(StandardCharsets.UTF_8));
        return ADJECTIVES.get(pick(h, 0, ADJECTIVES.size())) + "-" + COLORS.get(pick(h, 4, COLORS.size())) + "-"
                + NOUNS.get(pick(h, 8, NOUNS.size()));
    }

    /** True when the label, or any of its hyphen-separated words, is reserved. */
    public static boolean isReserved(String label) {
        String lower = label.toLowerCase(Locale.ROOT);
        if (RESERVED.contains(lower)) {
            return true;
        }
        for (String word : lower.split("-")) {
            if (RESERVED.contains(word)) {
                return true;
            }
        }
        return false;
    }

    /** How many distinct names there are: the product of the list sizes. */
    public static long space() {
        return (long) ADJECTIVES.size() * COLORS.size() * NOUNS.size();
    }

    static List<String> adjectives() {
        return ADJECTIVES;
    }

    static List<String> colors() {
        return COLORS;
    }

    static List<String> nouns() {
        return NOUNS;
    }

    private static int pick(byte[] h, int offset, int size) {
        long value = ((h[offset] & 0xFFL) << 24) | ((h[offset + 1] & 0xFFL) << 16) | ((h[offset + 2] & 0xFFL) << 8)
                | (h[offset + 3] & 0xFFL);
        return (int) (value % size);
    }

    private static List<String> words(String list) {
        String resource = "names-v1-" + list + ".txt";
        try (InputStream in = RelayNames.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the protocol jar");
            }
            List<String> words = new ArrayList<>();
            new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines()
                    .map(String::strip)
                    .filter(line -> !line.isEmpty())
                    .forEach(words::add);
            return List.copyOf(words);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
