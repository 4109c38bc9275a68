package run.ats.protocol.relay;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

class Base32Test {

    @ParameterizedTest(name = "\"{0}\" -> \"{1}\"")
    @CsvSource(delimiter = '|', textBlock = """
            ''     | ''
            f      | my
            fo     | mzxq
            foo    | mzxw6
            foob   | mzxw6yq
            fooba  | mzxw6ytb
            foobar | mzxw6ytboi
            """)
    void encodesTheRfc4648VectorsInLowercaseWithoutPadding(String input, String expected) {
        // RFC 4648 section 10, with the padding '=' removed and lowercased
        assertThat(Base32.encode(input.getBytes(StandardCharsets.US_ASCII))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            00                                       | aa
            ff                                       | 74
            ffffffffff                               | 77777777
            0000000000                               | aaaaaaaa
            0842108421                               | bbbbbbbb
            ffffffffffffffffffffffffffffffffffffffff | 77777777777777777777777777777777
            """)
    void encodesBitPatterns(String hex, String expected) {
        // 0x0842108421 is 00001 repeated: every character is 'b'.
        assertThat(Base32.encode(HexFormat.of().parseHex(hex))).isEqualTo(expected);
    }
}
