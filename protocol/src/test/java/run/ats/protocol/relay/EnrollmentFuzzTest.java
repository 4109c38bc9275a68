package run.ats.protocol.relay;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Enrollment requests as anyone may post them to the main server: parsing and checking the
 * proof of key end in a value or an {@link IllegalArgumentException} (the documented refusal),
 * a parsed request survives its canonical form unchanged, and a request that verifies names the
 * relay id of the key it carries.
 */
class EnrollmentFuzzTest {

    @FuzzTest(maxDuration = "20s")
    void enrollments(byte[] input) {
        Enrollment parsed;
        try {
            parsed = Enrollment.parse(new String(input, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException refused) {
            assertThat(refused.getMessage()).isNotBlank();
            return;
        }
        String canonical = parsed.toJson();
        Enrollment again = Enrollment.parse(canonical);
        assertThat(again).isEqualTo(parsed);
        assertThat(again.toJson()).isEqualTo(canonical);

        String relayId;
        try {
            relayId = parsed.verifiedRelayId();
        } catch (IllegalArgumentException refused) {
            assertThat(refused.getMessage()).isNotBlank();
            return;
        }
        assertThat(RelayId.isValid(relayId)).isTrue();
        assertThat(again.verifiedRelayId()).isEqualTo(relayId);
    }
}
