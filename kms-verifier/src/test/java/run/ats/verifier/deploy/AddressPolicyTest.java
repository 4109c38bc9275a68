package run.ats.verifier.deploy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The address guard against IPv4 carried inside IPv6: every transition form (mapped, compatible,
 * translated, NAT64, 6to4, Teredo) and every range that is not a host on the internet is refused,
 * whatever IPv4 address it carries; only the well-known NAT64 prefix carrying a public IPv4 passes.
 */
class AddressPolicyTest {

    private static final AddressPolicy POLICY = AddressPolicy.publicOnly(false);
    /** Loopback allowed, as in local runs: still never through an IPv6 form. */
    private static final AddressPolicy LOCAL = AddressPolicy.publicOnly(true);

    @ParameterizedTest(name = "{0} refused: {1}")
    @CsvSource(delimiter = '|', value = {
            "64:ff9b::7f00:1 | loopback", "64:ff9b::a00:1 | private", "64:ff9b::a9fe:a9fe | link-local",
            "64:ff9b::6440:1 | carrier-grade NAT", "64:ff9b::c000:201 | documentation",
            "64:ff9b:1::a00:1 | local-use NAT64", "64:ff9b:1:a00:1:: | local-use NAT64", "64:ff9b:1::808:808 | local-use NAT64",
            "2002:7f00:1:: | 6to4", "2002:a9fe:a9fe::1 | 6to4", "2002:808:808::1 | 6to4",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2 | Teredo", "2001::1 | Teredo",
            "::7f00:1 | IPv4-compatible", "::a00:1 | IPv4-compatible", "::808:808 | IPv4-compatible", ":: | IPv4-compatible",
            "::ffff:0:7f00:1 | IPv4-translated", "::ffff:0:a9fe:a9fe | IPv4-translated",
            "2001:db8::1 | documentation", "2001:db8:ffff::7f00:1 | documentation", "3fff::1 | documentation",
            "3fff:fff:ffff::1 | documentation", "2001:2::1 | IETF protocol assignments", "2001:10::1 | IETF protocol assignments",
            "100::1 | discard-only", "fec0::1 | site-local", "fe80::1 | link-local", "fd12:3456::1 | unique local",
            "ff02::1 | multicast", "5f00::1 | segment routing", "4000::1 | not global unicast", "::2 | IPv4-compatible",
            "192.0.2.1 | documentation", "198.51.100.7 | documentation", "203.0.113.9 | documentation", "192.88.99.1 | 6to4 relay"})
    void everyFormCarryingOrReachingAnInternalAddressIsRefused(String address, String why) throws Exception {
        for (AddressPolicy policy : List.of(POLICY, LOCAL)) {
            assertThatThrownBy(() -> policy.check(v6OrV4(address))).as(address)
                    .isInstanceOf(UnsafeFetchException.class).hasMessageContaining(why);
        }
    }

    @ParameterizedTest(name = "{0} passes")
    @CsvSource({"2606:4700:4700::1111", "2a00:1450:4001:82a::200e", "64:ff9b::808:808", "64:ff9b::5db8:d70e", "8.8.8.8"})
    void publicAddressesPass(String address) throws Exception {
        POLICY.check(v6OrV4(address));
    }

    /** Each way an IPv4 address can ride in IPv6. {@code rest} fills the bits the form leaves free. */
    private static final List<BiFunction<byte[], Long, byte[]>> FORMS = List.of(
            (v4, rest) -> with(v4, 12, "::ffff:0:0"),                          // IPv4-mapped
            (v4, rest) -> with(v4, 12, "::"),                                  // IPv4-compatible
            (v4, rest) -> with(v4, 12, "::ffff:0:0:0"),                        // IPv4-translated (SIIT)
            (v4, rest) -> with(v4, 12, "64:ff9b::"),                           // NAT64, well-known prefix
            (v4, rest) -> withRest(with(v4, 6, "64:ff9b:1::"), rest, 10),      // NAT64, local use, /48 prefix
            (v4, rest) -> withRest(with(v4, 12, "64:ff9b:1::"), rest, 6),      // NAT64, local use, /96 prefix
            (v4, rest) -> withRest(with(v4, 2, "2002::"), rest, 6),            // 6to4
            (v4, rest) -> withRest(with(invert(v4), 12, "2001::"), rest, 4),   // Teredo (client address, inverted)
            (v4, rest) -> withRest(with(v4, 4, "2001::"), rest, 8),            // Teredo (server address)
            (v4, rest) -> withRest(with(v4, 12, "2001:db8::"), rest, 4),       // documentation
            (v4, rest) -> withRest(with(v4, 12, "3fff::"), rest, 4));          // documentation

    /** 2,000 cases from a fixed seed: an internal IPv4 address, one of the forms, random free bits. */
    @ParameterizedTest
    @MethodSource("embedded")
    void everyInternalIpv4InEveryIpv6FormIsRefused(byte[] v6, int form) throws UnknownHostException {
        // Built as Inet6Address so the JDK cannot turn a mapped form into plain IPv4 first.
        InetAddress address = Inet6Address.getByAddress(null, v6, -1);
        assertThat(POLICY.refusal(address)).as(address.getHostAddress() + " in form " + form).isNotNull();
        // ::0.0.0.1 is ::1, IPv6's own loopback: a local run allows that one, and only that one.
        if (!address.isLoopbackAddress()) {
            assertThat(LOCAL.refusal(address)).as(address.getHostAddress() + " in form " + form + ", loopback allowed").isNotNull();
        }
    }

    /** Ranges not on the internet: {first address, prefix length}. */
    private static final long[][] INTERNAL_V4 = {
            {0x7f000000L, 8}, {0x0a000000L, 8}, {0xac100000L, 12}, {0xc0a80000L, 16}, {0xa9fe0000L, 16}, {0x64400000L, 10},
            {0x00000000L, 8}, {0xc0000000L, 24}, {0xc0000200L, 24}, {0xc6336400L, 24}, {0xcb007100L, 24}, {0xc6120000L, 15},
            {0xe0000000L, 4}, {0xf0000000L, 4}};

    static Stream<Arguments> embedded() {
        Random random = new Random(11);
        List<Arguments> cases = new ArrayList<>();
        // Every range's first and last address in every form, then random ones.
        for (long[] range : INTERNAL_V4) {
            long last = range[0] | ((1L << (32 - range[1])) - 1);
            for (int form = 0; form < FORMS.size(); form++) {
                cases.add(Arguments.of(FORMS.get(form).apply(v4(range[0]), random.nextLong()), form));
                cases.add(Arguments.of(FORMS.get(form).apply(v4(last), random.nextLong()), form));
            }
        }
        for (int i = 0; i < 2000; i++) {
            long[] range = INTERNAL_V4[random.nextInt(INTERNAL_V4.length)];
            long value = range[0] | (random.nextLong() & ((1L << (32 - range[1])) - 1));
            int form = random.nextInt(FORMS.size());
            cases.add(Arguments.of(FORMS.get(form).apply(v4(value), random.nextLong()), form));
        }
        return cases.stream();
    }

    private static byte[] v4(long value) {
        return new byte[]{(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
    }

    private static byte[] with(byte[] v4, int at, String prefix) {
        byte[] v6 = io.netty.util.NetUtil.createByteArrayFromIpAddressString(prefix);
        System.arraycopy(v4, 0, v6, at, 4);
        return v6;
    }

    /** Random bits in the four bytes from {@code from}, which the form leaves free. */
    private static byte[] withRest(byte[] v6, long rest, int from) {
        for (int i = 0; i < 4 && from + i < 16; i++) {
            v6[from + i] = (byte) (rest >>> (8 * i));
        }
        return v6;
    }

    private static byte[] invert(byte[] v4) {
        return new byte[]{(byte) ~v4[0], (byte) ~v4[1], (byte) ~v4[2], (byte) ~v4[3]};
    }

    private static InetAddress v6OrV4(String literal) throws UnknownHostException {
        byte[] bytes = io.netty.util.NetUtil.createByteArrayFromIpAddressString(literal);
        return bytes.length == 16 ? Inet6Address.getByAddress(null, bytes, -1) : InetAddress.getByAddress(bytes);
    }
}
