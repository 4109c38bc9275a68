package run.ats.broker.front;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrustedProxiesTest {

    private final TrustedProxies proxies = TrustedProxies.of(List.of("10.0.0.0/8", " 192.168.1.0/24", "fd00::/8", ""));

    @Test
    void blocksContainTheirAddressesOnly() throws Exception {
        assertThat(proxies.contains(InetAddress.getByName("10.200.3.4"))).isTrue();
        assertThat(proxies.contains(InetAddress.getByName("11.0.0.1"))).isFalse();
        assertThat(proxies.contains(InetAddress.getByName("192.168.1.255"))).isTrue();
        assertThat(proxies.contains(InetAddress.getByName("192.168.2.1"))).isFalse();
        assertThat(proxies.contains(InetAddress.getByName("fd12::1"))).isTrue();
        assertThat(proxies.contains(InetAddress.getByName("fe80::1"))).isFalse();
        assertThat(TrustedProxies.of(List.of("0.0.0.0/0")).contains(InetAddress.getByName("203.0.113.1"))).isTrue();
        assertThat(TrustedProxies.of(List.of()).isEmpty()).isTrue();
    }

    @Test
    void theClientIsTheRightmostAddressNoProxyAppended() {
        assertThat(proxies.client("198.51.100.7")).contains("198.51.100.7");
        // What the client claimed comes first; the proxies' entries come after it.
        assertThat(proxies.client("203.0.113.9, 198.51.100.7")).contains("198.51.100.7");
        assertThat(proxies.client("198.51.100.7, 10.1.1.1")).contains("198.51.100.7");
        assertThat(proxies.client("10.2.2.2, 10.1.1.1")).as("all proxies: the leftmost").contains("10.2.2.2");
        assertThat(proxies.client(" 2001:db8::1 ")).contains("2001:db8:0:0:0:0:0:1");
    }

    @Test
    void aHeaderThatIsNotAddressesNamesNobody() {
        assertThat(proxies.client(null)).isEmpty();
        assertThat(proxies.client("")).isEmpty();
        assertThat(proxies.client("unknown")).isEmpty();
        assertThat(proxies.client("198.51.100.7, evil.example")).isEmpty();
        assertThat(proxies.client("198.51.100.7,,")).isEmpty();
    }

    @Test
    void malformedBlocksAreRefusedByName() {
        for (String bad : List.of("10.0.0.0", "10.0.0.0/33", "fd00::/129", "example.com/8", "10.0.0.0/x")) {
            assertThatThrownBy(() -> TrustedProxies.of(List.of(bad))).hasMessageContaining(bad);
        }
    }
}
