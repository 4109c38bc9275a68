package run.ats.protocol.relay;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RelayNamesTest {

    @Test
    void candidatesMatchAnIndependentImplementation() throws Exception {
        JsonNode vectors;
        try (InputStream in = getClass().getResourceAsStream("/vectors/relay-names.json")) {
            vectors = JsonMapper.builder().build().readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        int checked = 0;
        for (JsonNode vector : vectors.get("vectors")) {
            String relayId = vector.get("relayId").asString();
            for (int k = 0; k < vector.get("candidates").size(); k++) {
                assertThat(RelayNames.candidate(relayId, k)).as(relayId + " k=" + k).isEqualTo(vector.get("candidates").get(k).asString());
                checked++;
            }
        }
        assertThat(checked).isEqualTo(24);
    }

    @Test
    void namesAreSingleDnsLabelsOfThreeWords() {
        for (int i = 0; i < 2000; i++) {
            String name = RelayNames.candidate(RelayId.of(raw(i)), i % 3);
            assertThat(name).matches(RelayNames.PATTERN).hasSizeLessThanOrEqualTo(63);
            assertThat(RelayNames.isReserved(name)).isFalse();
        }
    }

    @Test
    void wordListsAreSortedDistinctLowercaseAndFreeOfReservedWords() {
        Set<String> seen = new HashSet<>();
        for (List<String> list : List.of(RelayNames.adjectives(), RelayNames.colors(), RelayNames.nouns())) {
            assertThat(list).isSorted().doesNotHaveDuplicates();
            for (String word : list) {
                assertThat(word).matches("[a-z]{2,20}");
                assertThat(RelayNames.RESERVED).doesNotContain(word);
                assertThat(seen.add(word)).as(word + " is in two lists").isTrue();
            }
        }
        assertThat(RelayNames.adjectives()).hasSize(586);
        assertThat(RelayNames.colors()).hasSize(149);
        assertThat(RelayNames.nouns()).hasSize(914);
        assertThat(RelayNames.space()).isEqualTo(79_804_996L);
    }

    @Test
    void reservedLabelsAndWordsAreRecognised() {
        assertThat(RelayNames.isReserved("www")).isTrue();
        assertThat(RelayNames.isReserved("KMS")).isTrue();
        assertThat(RelayNames.isReserved("calm-api-harbor")).isTrue();
        assertThat(RelayNames.isReserved("calm-aqua-harbor")).isFalse();
    }

    @Test
    void candidatesDifferPerRelayAndPerIndex() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            names.add(RelayNames.candidate(RelayId.of(raw(i)), 0));
            names.add(RelayNames.candidate(RelayId.of(raw(i)), 1));
        }
        assertThat(new HashSet<>(names)).hasSizeGreaterThan(398);
        assertThatThrownBy(() -> RelayNames.candidate("x", -1)).isInstanceOf(IllegalArgumentException.class);
    }

    private static byte[] raw(int i) {
        byte[] key = new byte[32];
        key[0] = (byte) i;
        key[1] = (byte) (i >> 8);
        return key;
    }
}
