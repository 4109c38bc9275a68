package run.ats.protocol.topic;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;
import run.ats.protocol.ContractVectors;
import run.ats.protocol.ContractVectors.TopicTagCase;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TopicTagTest {

    static List<TopicTagCase> contractVectors() {
        return ContractVectors.topicTags();
    }

    @ParameterizedTest
    @MethodSource("contractVectors")
    void matchesTheContractVectors(TopicTagCase vector) {
        assertThat(TopicTag.of(vector.name())).isEqualTo(vector.tag());
    }

    @Test
    void theVectorsIncludeTheEmptyName() {
        assertThat(contractVectors()).extracting(TopicTagCase::name).contains("");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ice_block", "lost_pet", "", "Glatteis auf der Brücke", "道路結冰", "🐕 lost dog", "a\0b"})
    void isThePrefixOfTheHashOfDomainNulAndUtf8Name(String name) throws Exception {
        // Spelled out independently of the implementation: bytes, hash, base64url, cut.
        byte[] domain = "ats-topic-v1".getBytes(StandardCharsets.US_ASCII);
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        byte[] input = new byte[domain.length + 1 + utf8.length];
        System.arraycopy(domain, 0, input, 0, domain.length);
        input[domain.length] = 0;
        System.arraycopy(utf8, 0, input, domain.length + 1, utf8.length);
        String full = Base64.getUrlEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(input));

        String tag = TopicTag.of(name);

        assertThat(tag).hasSize(TopicTag.LENGTH).isEqualTo(full.substring(0, 22));
        assertThat(TopicTag.isValid(tag)).isTrue();
    }

    @Test
    void differentNamesGiveDifferentTags() {
        assertThat(TopicTag.of("ice_block")).isNotEqualTo(TopicTag.of("ice_block "));
        assertThat(TopicTag.of("ice_block")).isNotEqualTo(TopicTag.of("Ice_block"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "tEitVHIzQk6ySa64HU4pR4", "A-z_09", "0123456789012345678901234567890123456789012345678901234567890123"})
    void acceptsTagsOfTheWirePattern(String tag) {
        assertThat(TopicTag.isValid(tag)).isTrue();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"tEitVHIzQk6ySa64HU4pR4=", "a+b", "a/b", "a b", "ä", "tag\n",
            "01234567890123456789012345678901234567890123456789012345678901234"})
    void refusesAnythingElse(String tag) {
        assertThat(TopicTag.isValid(tag)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"\uD83D", "ab\uDC15", "\uDC15\uD83D"})
    void refusesNamesWithUnpairedSurrogates(String name) {
        // Java and browsers encode these differently, so the tags would silently diverge.
        assertThatThrownBy(() -> TopicTag.of(name))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unpaired surrogate");
    }

    @Test
    void namesTheIndexOfAnUnpairedSurrogate() {
        assertThatThrownBy(() -> TopicTag.of("ab\uDC15"))
                .hasMessageContaining("U+DC15")
                .hasMessageContaining("index 2");
    }
}
