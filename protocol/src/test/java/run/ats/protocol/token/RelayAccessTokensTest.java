package run.ats.protocol.token;

import com.nimbusds.jwt.JWTClaimsSet;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RelayAccessTokensTest {

    private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
    private final SecureRandom random = new SecureRandom();

    @Test
    void mintedClaimsPassTheCheckAndCarryNothingPersonal() throws Exception {
        JWTClaimsSet claims = RelayAccessTokens.claims("https://main.example", NOW, Duration.ofMinutes(30), random);

        RelayAccessTokens.check(claims, NOW.plusSeconds(60));
        assertThat(claims.getClaims().keySet()).isSubsetOf(RelayAccessTokens.ALLOWED_CLAIMS);
        assertThat(claims.getAudience()).containsExactly("ats-relay");
        assertThat(claims.getSubject()).hasSize(22);
    }

    @Test
    void everyTokenHasItsOwnSubject() {
        JWTClaimsSet a = RelayAccessTokens.claims("i", NOW, Duration.ofMinutes(5), random);
        JWTClaimsSet b = RelayAccessTokens.claims("i", NOW, Duration.ofMinutes(5), random);
        assertThat(a.getSubject()).isNotEqualTo(b.getSubject());
        assertThat(a.getJWTID()).isNotEqualTo(b.getJWTID());
    }

    @Test
    void refusesToMintLongerThanAnHour() {
        assertThatThrownBy(() -> RelayAccessTokens.claims("i", NOW, Duration.ofMinutes(61), random))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PT1H1M");
        assertThatCode(() -> RelayAccessTokens.claims("i", NOW, Duration.ofHours(1), random)).doesNotThrowAnyException();
    }

    @Test
    void wrongAudienceIsRefused() {
        JWTClaimsSet claims = base().audience("ats-main").build();
        assertThatThrownBy(() -> RelayAccessTokens.check(claims, NOW))
                .isInstanceOf(InvalidRelayTokenException.class).hasMessageContaining("wrong audience");
    }

    @Test
    void expiredIsRefusedAfterTheSkew() throws Exception {
        JWTClaimsSet claims = base().build();
        RelayAccessTokens.check(claims, NOW.plus(Duration.ofMinutes(10)).plusSeconds(59));
        assertThatThrownBy(() -> RelayAccessTokens.check(claims, NOW.plus(Duration.ofMinutes(11))))
                .isInstanceOf(InvalidRelayTokenException.class).hasMessageContaining("expired");
    }

    @Test
    void overlongLifetimeIsRefused() {
        JWTClaimsSet claims = base().expirationTime(Date.from(NOW.plus(Duration.ofHours(2)))).build();
        assertThatThrownBy(() -> RelayAccessTokens.check(claims, NOW))
                .isInstanceOf(InvalidRelayTokenException.class).hasMessageContaining("exceeds");
    }

    @Test
    void personalClaimIsRefused() {
        JWTClaimsSet claims = base().claim("email", "a@b.c").build();
        assertThatThrownBy(() -> RelayAccessTokens.check(claims, NOW))
                .isInstanceOf(InvalidRelayTokenException.class).hasMessageContaining("'email'");
    }

    @Test
    void missingSubjectOrTimesAreRefused() {
        assertThatThrownBy(() -> RelayAccessTokens.check(base().subject(null).build(), NOW))
                .hasMessageContaining("sub");
        assertThatThrownBy(() -> RelayAccessTokens.check(base().issueTime(null).build(), NOW))
                .hasMessageContaining("iat");
    }

    private static JWTClaimsSet.Builder base() {
        return new JWTClaimsSet.Builder()
                .issuer("i")
                .audience("ats-relay")
                .subject("abc")
                .jwtID("j")
                .issueTime(Date.from(NOW))
                .expirationTime(Date.from(NOW.plus(Duration.ofMinutes(10))));
    }
}
