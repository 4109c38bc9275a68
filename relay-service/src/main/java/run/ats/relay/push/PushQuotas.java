package run.ats.relay.push;

import run.ats.protocol.wire.ErrorCode;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What the held registrations use, per connection, per relay token and per client address, and
 * in all. A registration outlives its connection (that is its point), so what its token and its
 * address hold is counted until it is forgotten; one connection's count ends with it. Not
 * thread-safe: {@link PushRegistry} calls it under one lock.
 */
final class PushQuotas {

    /** One registration's use: who made it and how many channels it follows. */
    record Share(PushOwner owner, int channels) {
    }

    private final PushSettings settings;
    private final int channelsPerToken;
    private final Map<Object, Integer> perConnection = new IdentityHashMap<>();
    private final Map<String, Integer> perToken = new HashMap<>();
    private final Map<String, Integer> channelsOfToken = new HashMap<>();
    private final Map<String, Integer> perAddress = new HashMap<>();
    private int total;

    PushQuotas(PushSettings settings, int channelsPerToken) {
        this.settings = settings;
        this.channelsPerToken = channelsPerToken;
    }

    /**
     * Takes {@code share}, giving back {@code replacing} (the registration of the same endpoint, or
     * null) first; refuses, taking nothing, when any limit would be passed.
     */
    void take(Share share, Share replacing) throws PushRegistry.Refused {
        PushOwner owner = share.owner();
        PushOwner old = replacing == null ? null : replacing.owner();
        if (total - (old == null ? 0 : 1) >= settings.maxRegistrations()) {
            throw limit("this relay holds as many push registrations as it may (" + settings.maxRegistrations() + "); try another relay");
        }
        int ofConnection = perConnection.getOrDefault(owner.connection(), 0) - (old != null && old.connection() == owner.connection() ? 1 : 0);
        if (ofConnection >= settings.maxPerConnection()) {
            throw limit("at most " + settings.maxPerConnection() + " push registrations per connection");
        }
        boolean sameToken = old != null && old.token().equals(owner.token());
        if (perToken.getOrDefault(owner.token(), 0) - (sameToken ? 1 : 0) >= settings.maxPerToken()) {
            throw limit("at most " + settings.maxPerToken() + " push registrations per relay token");
        }
        int channels = channelsOfToken.getOrDefault(owner.token(), 0) - (sameToken ? replacing.channels() : 0) + share.channels();
        if (channels > channelsPerToken) {
            throw limit("push registrations under one relay token follow at most " + channelsPerToken
                    + " channels in all (the subscription limit); this one would make " + channels);
        }
        boolean sameAddress = old != null && old.address().equals(owner.address());
        if (perAddress.getOrDefault(owner.address(), 0) - (sameAddress ? 1 : 0) >= settings.maxPerAddress()) {
            throw limit("at most " + settings.maxPerAddress() + " push registrations from one address");
        }
        if (replacing != null) {
            give(replacing);
        }
        total++;
        perConnection.merge(owner.connection(), 1, Integer::sum);
        perToken.merge(owner.token(), 1, Integer::sum);
        channelsOfToken.merge(owner.token(), share.channels(), Integer::sum);
        perAddress.merge(owner.address(), 1, Integer::sum);
    }

    /** A registration was forgotten: its use is free again. */
    void give(Share share) {
        PushOwner owner = share.owner();
        total--;
        // Its connection may have closed already, and with it the connection's count.
        perConnection.computeIfPresent(owner.connection(), (k, n) -> less(n, 1));
        perToken.computeIfPresent(owner.token(), (k, n) -> less(n, 1));
        channelsOfToken.computeIfPresent(owner.token(), (k, n) -> less(n, share.channels()));
        perAddress.computeIfPresent(owner.address(), (k, n) -> less(n, 1));
    }

    /** The connection closed: its registrations stay (under their token and address), its count goes. */
    void connectionClosed(Object connection) {
        perConnection.remove(Objects.requireNonNull(connection));
    }

    /** Tokens and addresses with a count now (the maps forget a key at zero). */
    int keys() {
        return perToken.size() + perAddress.size() + perConnection.size();
    }

    private static Integer less(int n, int by) {
        return n - by <= 0 ? null : n - by;
    }

    private static PushRegistry.Refused limit(String message) {
        return new PushRegistry.Refused(ErrorCode.LIMIT_REACHED, message);
    }
}
