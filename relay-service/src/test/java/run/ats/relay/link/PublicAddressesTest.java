package run.ats.relay.link;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;

/** Which addresses a listed relay's URL may name outside a local run: a table, one row per kind. */
class PublicAddressesTest {

    @ParameterizedTest(name = "{0} ({2}): public {1}")
    @CsvSource(delimiter = '|', textBlock = """
            8.8.8.8                  | true  | public IPv4
            93.184.216.34            | true  | public IPv4
            0.0.0.0                  | false | unspecified
            0.1.2.3                  | false | this network
            10.0.0.1                 | false | private 10/8
            100.64.0.1               | false | shared CGNAT 100.64/10
            100.127.255.254          | false | shared CGNAT, last
            100.128.0.1              | true  | just past CGNAT
            127.0.0.1                | false | loopback
            127.255.255.254          | false | loopback, last
            169.254.169.254          | false | link-local (cloud metadata)
            172.16.0.1               | false | private 172.16/12
            172.31.255.255           | false | private 172.16/12, last
            172.32.0.1               | true  | just past 172.16/12
            192.0.0.8                | false | IETF protocol assignments
            192.0.2.1                | false | documentation TEST-NET-1
            192.88.99.1              | false | 6to4 relay anycast
            192.168.1.1              | false | private 192.168/16
            198.18.0.1               | false | benchmarking
            198.19.255.255           | false | benchmarking, last
            198.51.100.1             | false | documentation TEST-NET-2
            203.0.113.1              | false | documentation TEST-NET-3
            224.0.0.1                | false | multicast
            240.0.0.1                | false | reserved
            255.255.255.255          | false | broadcast
            2606:4700:4700::1111     | true  | public IPv6
            ::                       | false | unspecified IPv6
            ::1                      | false | loopback IPv6
            fc00::1                  | false | unique local
            fd12:3456:789a::1        | false | unique local
            fe80::1                  | false | link-local IPv6
            fec0::1                  | false | site-local IPv6
            ff02::1                  | false | multicast IPv6
            2001:db8::1              | false | documentation IPv6
            ::ffff:127.0.0.1         | false | IPv4-mapped loopback
            ::ffff:10.0.0.1          | false | IPv4-mapped private
            ::ffff:8.8.8.8           | true  | IPv4-mapped public
            ::127.0.0.1              | false | IPv4-compatible loopback
            ::8.8.8.8                | false | IPv4-compatible (deprecated)
            64:ff9b::7f00:1          | false | NAT64 of loopback
            64:ff9b::808:808         | false | NAT64 (cannot be judged)
            64:ff9b:1::a00:1         | false | local-use NAT64
            2002:7f00:1::1           | false | 6to4 of loopback
            2002:a00:1::1            | false | 6to4 of 10.0.0.1
            2002:808:808::1          | true  | 6to4 of a public IPv4
            2001:0:4136:e378::1      | false | Teredo
            """)
    void classifies(String address, boolean expected, String kind) throws Exception {
        assertThat(PublicAddresses.isPublic(InetAddress.getByName(address))).as(kind).isEqualTo(expected);
        assertThat(PublicAddresses.literal(address)).as("a literal, parsed without DNS").isNotNull();
    }

    @ParameterizedTest
    @CsvSource({"relay.example.com", "localhost", "1.example.com", "[::1", "0x7f.1"})
    void namesAreNotLiterals(String host) {
        assertThat(PublicAddresses.literal(host)).isNull();
    }
}
