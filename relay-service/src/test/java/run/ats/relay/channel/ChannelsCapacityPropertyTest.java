package run.ats.relay.channel;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Under any sequence of publishes (duplicates, evictions, any size, TTL and owner), time passing
 * and sweeps: the relay never holds more than its stored-bytes cap, an owner more than its share,
 * or the relay more channels than its cap; it refuses only what would not fit, and gives every
 * byte, share and channel back once everything has expired. 300 cases from fixed seeds (as the
 * other modules' property tests: a failure names its seed and repeats).
 */
class ChannelsCapacityPropertyTest {

    sealed interface Op permits Publish, Tick {
    }

    /** {@code owner} -1: an event from a link, with no owner. */
    record Publish(int key, int idIndex, int size, int ttlMs, int owner) implements Op {
    }

    record Tick(int ms) implements Op {
    }

    static IntStream seeds() {
        return IntStream.range(0, 300);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void storedBytesAndChannelsStayWithinTheirCaps(int seed) {
        Random random = new Random(seed);
        int maxStoredBytes = between(random, 200, 20_000);
        int maxChannels = between(random, 1, 4);
        int maxEventsPerChannel = between(random, 1, 5);
        int maxPerOwner = between(random, 200, 20_000);
        List<Op> ops = operations(random);
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

    @Test
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

    /** Up to 60 operations, four publishes (any key, id, size, TTL, owner or none) to one tick. */
    private static List<Op> operations(Random random) {
        List<Op> ops = new ArrayList<>();
        int count = random.nextInt(61);
        for (int i = 0; i < count; i++) {
            ops.add(random.nextInt(5) < 4
                    ? new Publish(between(random, 0, 6), between(random, 0, 12), between(random, 0, 6_000),
                            between(random, 1, 5_000), between(random, -1, 2))
                    : new Tick(between(random, 1, 3_000)));
        }
        return ops;
    }

    /** Inclusive bounds. */
    private static int between(Random random, int min, int max) {
        return min + random.nextInt(max - min + 1);
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
