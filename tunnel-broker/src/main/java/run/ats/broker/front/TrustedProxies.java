package run.ats.broker.front;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The proxies (an ingress controller) whose {@code X-Forwarded-For} and {@code X-Forwarded-Proto}
 * the broker believes, as CIDR blocks ({@code ats.broker.trusted-proxies}). A connection from
 * anywhere else is its own client, whatever it sends.
 */
public final class TrustedProxies {

    private static final Pattern LITERAL = Pattern.compile("[0-9a-fA-F:.]+");

    private record Block(byte[] network, int bits) {
        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            for (int i = 0; i < bits; i++) {
                int mask = 0x80 >>> (i % 8);
                if ((address[i / 8] & mask) != (network[i / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }

    private final List<Block> blocks;

    private TrustedProxies(List<Block> blocks) {
        this.blocks = blocks;
    }

    /** Parses {@code 10.0.0.0/8}-style blocks; a malformed one is an error naming it. */
    public static TrustedProxies of(List<String> cidrs) {
        return new TrustedProxies(cidrs.stream().map(String::strip).filter(c -> !c.isEmpty()).map(TrustedProxies::block).toList());
    }

    private static Block block(String cidr) {
        int slash = cidr.indexOf('/');
        byte[] network = slash < 0 ? null : literal(cidr.substring(0, slash)).orElse(null);
        int bits = -1;
        if (network != null) {
            try {
                bits = Integer.parseInt(cidr.substring(slash + 1));
            } catch (NumberFormatException e) {
                bits = -1;
            }
        }
        if (network == null || bits < 0 || bits > network.length * 8) {
            throw new IllegalArgumentException("ats.broker.trusted-proxies: not a CIDR block: " + cidr);
        }
        return new Block(network, bits);
    }

    /** An IP address literal's bytes; never a DNS lookup. */
    private static Optional<byte[]> literal(String text) {
        if (text.isEmpty() || !LITERAL.matcher(text).matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(text).getAddress());
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    public boolean isEmpty() {
        return blocks.isEmpty();
    }

    public boolean contains(InetAddress address) {
        byte[] bytes = address.getAddress();
        return blocks.stream().anyMatch(b -> b.contains(bytes));
    }

    /**
     * The client a trusted proxy speaks for: walking {@code X-Forwarded-For} from the right (the
     * entries the proxies appended), the first address that is not itself a trusted proxy. Empty
     * when the header is missing or an entry is not an address, so the caller keeps the peer's.
     */
    public Optional<String> client(String forwardedFor) {
        if (forwardedFor == null || forwardedFor.isBlank()) {
            return Optional.empty();
        }
        String[] entries = forwardedFor.split(",", -1);
        String leftmost = null;
        for (int i = entries.length - 1; i >= 0; i--) {
            Optional<byte[]> address = literal(entries[i].strip());
            if (address.isEmpty()) {
                return Optional.empty();
            }
            try {
                InetAddress parsed = InetAddress.getByAddress(address.get());
                leftmost = parsed.getHostAddress();
                if (!contains(parsed)) {
                    return Optional.of(leftmost);
                }
            } catch (UnknownHostException e) {
                return Optional.empty();
            }
        }
        return Optional.ofNullable(leftmost);
    }
}
