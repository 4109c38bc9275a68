package run.ats.protocol.relay;

import org.junit.jupiter.api.Test;

import java.security.KeyPair;
import java.security.KeyPairGenerator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EnrollmentTest {

    @Test
    void anEnrollmentProvesTheKeyAndNamesItsRelay() throws Exception {
        KeyPair relay = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Enrollment enrollment = Enrollment.sign(relay.getPublic(), relay.getPrivate(), "wss://r.example/v1/ws", 1795300000000L);
        Enrollment parsed = Enrollment.parse(enrollment.toJson());
        assertThat(parsed).isEqualTo(enrollment);
        assertThat(parsed.verifiedRelayId()).isEqualTo(RelayId.of(relay.getPublic()));
    }

    @Test
    void aChangedOrBorrowedEnrollmentIsRefused() throws Exception {
        KeyPair relay = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        KeyPair other = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Enrollment enrollment = Enrollment.sign(relay.getPublic(), relay.getPrivate(), "wss://r.example/v1/ws", 1L);
        Enrollment redirected = new Enrollment(enrollment.publicKey(), "wss://evil.example/v1/ws", 1L, enrollment.signature());
        assertThatThrownBy(redirected::verifiedRelayId).hasMessageContaining("not signed");
        Enrollment someoneElsesKey = Enrollment.sign(relay.getPublic(), other.getPrivate(), "wss://r.example/v1/ws", 1L);
        assertThatThrownBy(someoneElsesKey::verifiedRelayId).hasMessageContaining("not signed");
        assertThatThrownBy(() -> new Enrollment("AAAA", "wss://x", 1L, "AAAA").verifiedRelayId()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Enrollment.parse("{\"publicKey\":1}")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Enrollment.parse("nope")).hasMessageContaining("not JSON");
    }
}
