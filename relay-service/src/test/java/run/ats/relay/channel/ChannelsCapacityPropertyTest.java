package run.ats.relay.channel;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Under any sequence of publishes (duplicates, evictions, any size, TTL and owner), time passing
 * and sweeps: the relay never holds more than its stored-bytes cap, an owner more than its share,
 * or the relay more channels than its cap; it refuses only what would not fit, and gives every
 * byte, share and channel back once everything has expired.
 */
class ChannelsCapacityPropertyTest {

    sealed interface Op permits Publish, Tick {
    }

    /** {@code owner} -1: an event from a link, with no owner. */
    record Publish(int key, int idIndex, int size, int ttlMs, int owner) implements Op {
    }

    record Tick(int ms) implements Op {
    }

    @Property(tries = 300)
    void storedBytesAndChannelsStayWithinTheirCaps(@ForAll("operations") List<Op> ops,
                                                   @ForAll @IntRange(min = 200, max = 20_000) int maxStoredBytes,
                                                   @ForAll @IntRange(min = 1, max = 4) int maxChannels,
                                                   @ForAll @IntRange(min = 1, max = 5) int maxEventsPerChannel,
                                                   @ForAll @IntRange(min = 200, max = 20_000) int maxPerOwner) {
        MutableClock clock = new MutableClock();
        Channels channels = new Channels(maxEventsPerChannel, maxChannels, maxStoredBytes, maxPerOwner, clock, new SimpleMeterRegistry());
        long longestTtl = 0;
        for (Op op : ops) {
            switch (op) {
                case Publish p -> {
                    StoredEvent event = new StoredEvent("id-" + p.idIndex(), clock.millis() + p.ttlMs(), new byte[p.size()], true);
                    String owner = p.owner() < 0 ? null : "203.0.113." + p.owner();
                    long before = channels.storedBytes();
                    long ownerBefore = owner == null ? 0 : channels.storedBytes(owner);
                    Channels.Published outcome = channels.publish(new ChannelKey("t" + p.key(), "dqcj"), event, null, owner);
                    if (outcome == Channels.Published.NO_ROOM_FOR_EVENT) {
                        assertThat(before + Channel.cost(event)).as("refused only when it would not fit").isGreaterThan(maxStoredBytes);
                    }
                    if (outcome == Channels.Published.NO_ROOM_FOR_OWNER) {
                        assertThat(ownerBefore + Channel.cost(event)).as("refused only when its owner's share is full").isGreaterThan(maxPerOwner);
                        assertThat(channels.storedBytes()).as("nothing kept from a refused reservation").isEqualTo(before);
                    }
                    longestTtl = Math.max(longestTtl, p.ttlMs());
                }
                case Tick t -> {
                    clock.advance(t.ms());
                    channels.sweep();
                }
            }
            assertThat(channels.storedBytes()).isBetween(0L, (long) maxStoredBytes);
            for (int owner = 0; owner < 3; owner++) {
                assertThat(channels.storedBytes("203.0.113." + owner)).isBetween(0L, (long) maxPerOwner);
            }
            assertThat(channels.channelCount()).isBetween(0, maxChannels);
        }
        clock.advance(longestTtl + 1);
        channels.sweep();
        assertThat(channels.storedBytes()).as("every byte given back").isZero();
        assertThat(channels.channelCount()).as("every channel given back").isZero();
        assertThat(channels.owners()).as("every share given back").isZero();
        assertThat(channels.keys()).isEmpty();
    }

    @Example
    void linksAreCountedButNeverRefusedAndClientsAreRefusedPastTheCap() throws Exception {
        MutableClock clock = new MutableClock();
        Channels channels = new Channels(10, 1, 1_000_000, 1_000_000, clock, new SimpleMeterRegistry());
        channels.subscribeWithReplay(new ChannelKey("a", "dqcj"), frame -> { });
        Subscriber link = frame -> { };
        Replay linkReplay = channels.subscribeLinkWithReplay(new ChannelKey("b", "dqcj"), link);
        assertThat(linkReplay.peek()).as("an empty tree: nothing to replay").isNull();
        assertThat(channels.channelCount()).isEqualTo(2);
        assertThatThrownBy(() -> channels.subscribeWithReplay(new ChannelKey("c", "dqcj"), frame -> { }))
                .isInstanceOf(Channels.Full.class).hasMessageContaining("1 channels");
        assertThat(channels.publish(new ChannelKey("b", "dqcj"), new StoredEvent("id-1", clock.millis() + 10, new byte[]{1}, false), null))
                .as("an existing channel takes events").isEqualTo(Channels.Published.DELIVERED);
    }

    @Provide
    Arbitrary<List<Op>> operations() {
        Arbitrary<Op> publish = Combinators.combine(
                Arbitraries.integers().between(0, 6),
                Arbitraries.integers().between(0, 12),
                Arbitraries.integers().between(0, 6_000),
                Arbitraries.integers().between(1, 5_000),
                Arbitraries.integers().between(-1, 2)).as(Publish::new);
        Arbitrary<Op> tick = Arbitraries.integers().between(1, 3_000).map(Tick::new);
        return Arbitraries.frequencyOf(
                Tuple.of(4, publish),
                Tuple.of(1, tick)).list().ofMaxSize(60);
    }

    /** A clock the property moves by hand. */
    static final class MutableClock extends Clock {
        private long millis = 1_000_000;

        void advance(long ms) {
            millis += ms;
        }

        @Override
        public long millis() {
            return millis;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
