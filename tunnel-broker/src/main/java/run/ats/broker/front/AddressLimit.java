package run.ats.broker.front;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Open public connections per client address, so one address cannot take every socket the broker
 * has. Counted from accept to close; a connection another replica handed over (its token shown)
 * is released at once, since its address is the replica's, not a client's.
 */
final class AddressLimit {

    private static final AttributeKey<String> COUNTED = AttributeKey.valueOf("ats.broker.counted-address");
    private final ConcurrentHashMap<String, AtomicInteger> open = new ConcurrentHashMap<>();
    private final int max;

    /** {@code max} 0: no limit. */
    AddressLimit(int max) {
        this.max = max;
    }

    int max() {
        return max;
    }

    void opened(Channel channel) {
        if (max == 0 || !(channel.remoteAddress() instanceof InetSocketAddress remote)) {
            return;
        }
        String address = remote.getAddress().getHostAddress();
        open.computeIfAbsent(address, a -> new AtomicInteger()).incrementAndGet();
        channel.attr(COUNTED).set(address);
        channel.closeFuture().addListener(closed -> release(channel));
    }

    /** Stops counting the connection (idempotent). */
    void release(Channel channel) {
        String address = channel.attr(COUNTED).getAndSet(null);
        if (address != null) {
            open.computeIfPresent(address, (a, count) -> count.decrementAndGet() <= 0 ? null : count);
        }
    }

    /** Whether the connection's address has more open connections than allowed (this one included). */
    boolean over(Channel channel) {
        String address = channel.attr(COUNTED).get();
        AtomicInteger count = address == null ? null : open.get(address);
        return count != null && count.get() > max;
    }
}
