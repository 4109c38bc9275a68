package run.ats.verifier.release;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Signed statements as anyone may post them to {@code /v1/releases}, and log entries as a log
 * serves them: parsed and checked, or an {@link InvalidStatementException}; nothing else escapes.
 */
class StatementFuzzTest {

    @FuzzTest(maxDuration = "20s")
    void statementsParseOrAreRefused(byte[] input) {
        try {
            Statement statement = new SignedStatement(input, new byte[64]).parse();
            if (statement instanceof Statement.Release release) {
                assertThat(release.files()).containsKey(Statement.ENTRY_PAGE);
            }
        } catch (InvalidStatementException refused) {
            // the documented rejection
        }
    }

    @FuzzTest(maxDuration = "20s")
    void logEntriesParseOrAreRefused(byte[] input) {
        try {
            SignedStatement entry = SignedStatement.fromLeafData(input);
            // Read back, an entry is what was logged, byte for byte.
            assertThat(new String(entry.leafData(), StandardCharsets.US_ASCII)).isEqualTo(new String(input, StandardCharsets.US_ASCII));
        } catch (InvalidStatementException refused) {
            // the documented rejection
        }
    }
}
