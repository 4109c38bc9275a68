package run.ats.protocol.relay;

import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Properties of public names over generated relay ids (a fixed seed: a failure names its case):
 * a candidate is a function of (id, k), is one DNS label the broker's pattern accepts, splits
 * back into exactly its three words, each from its own list, and is never reserved; and labels
 * that differ from a name by anything a hostile Host could try are refused by the pattern.
 */
class RelayNamesPropertiesTest {

    private static final int CASES = 500;

    record Case(String relayId, int k) {
    }

    static Stream<Named<Case>> relays() {
        Random random = new Random(0x4E4D);
        return IntStream.range(0, CASES).mapToObj(i -> {
            byte[] key = new byte[32];
            random.nextBytes(key);
            Case c = new Case(RelayId.of(key), random.nextInt(4) == 0 ? random.nextInt(1000) : random.nextInt(3));
            return Named.of("case " + i + ": " + c.relayId() + " k=" + c.k(), c);
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("relays")
    void aCandidateParsesBackIntoItsThreeListedWords(Case c) {
        String name = RelayNames.candidate(c.relayId(), c.k());

        assertThat(RelayNames.candidate(c.relayId(), c.k())).isEqualTo(name);
        assertThat(name).matches(RelayNames.PATTERN).hasSizeLessThanOrEqualTo(63);
        List<String> words = List.of(name.split("-", -1));
        assertThat(words).hasSize(3);
        assertThat(RelayNames.adjectives()).contains(words.get(0));
        assertThat(RelayNames.colors()).contains(words.get(1));
        assertThat(RelayNames.nouns()).contains(words.get(2));
        assertThat(RelayNames.isReserved(name)).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("relays")
    void labelsThatOnlyLookLikeANameAreRefused(Case c) {
        String name = RelayNames.candidate(c.relayId(), c.k());
        int firstHyphen = name.indexOf('-');
        List<String> lookalikes = List.of(
                name.toUpperCase(java.util.Locale.ROOT),                  // the broker lowercases Host first; the pattern itself does not
                name + "-x",                                              // a fourth word
                name.replace('-', '.'),                                   // labels, not words
                name.substring(0, firstHyphen),                           // one word
                "x." + name,                                              // a sub-label
                name + ".",                                               // a trailing dot
                name.replaceFirst("a", "\u0430"),                         // Cyrillic a
                name.replaceFirst("k", "\u212A"),                         // Kelvin sign, which lowercases to k
                name.replaceFirst("i", "\u0131"),                         // dotless i
                name + "\u0000",
                " " + name,
                name.replace("-", "--"));
        for (String lookalike : lookalikes) {
            if (!lookalike.equals(name)) {
                assertThat(RelayNames.PATTERN.matcher(lookalike).matches()).as(lookalike).isFalse();
            }
        }
    }
}
