package run.ats.relay.channel;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A channel drops a duplicate id for as long as its event would live, evicted or not; a replay reads it as a cursor. */
class ChannelTest {

    @Test
    void anEvictedEventsIdIsStillADuplicateUntilItExpires() {
        Channel channel = new Channel();
        int[] dropped = {0};
        for (int i = 0; i < 5; i++) {
            assertThat(store(channel, event("id-" + i, 1_000), dropped)).isEqualTo(Channels.Published.DELIVERED);
        }
        assertThat(dropped[0]).as("two evicted to keep three").isEqualTo(2);
        assertThat(channel.unexpired(0)).hasSize(3);

        // A tree that moved pushes id-0 again: evicted here, but remembered.
        assertThat(store(channel, event("id-0", 1_000), dropped)).isEqualTo(Channels.Published.DUPLICATE);

        assertThat(channel.expire(1_000, (owner, bytes) -> { })).isEqualTo(3);
        assertThat(channel.idle()).isTrue();
        assertThat(channel.bytes()).as("nothing held once everything expired").isZero();
        assertThat(store(channel, event("id-0", 2_000), dropped)).as("forgotten after expiry").isEqualTo(Channels.Published.DELIVERED);
    }

    @Test
    void aReplayIsACursorThatSkipsWhatExpiredOrWasEvictedAndEndsWhereItStarted() {
        Channel channel = new Channel();
        int[] dropped = {0};
        store(channel, new StoredEvent("a", 1_000, new byte[]{1}, true), dropped);
        store(channel, new StoredEvent("b", 5_000, new byte[]{2}, true), dropped);
        store(channel, new StoredEvent("c", 5_000, new byte[]{3}, true), dropped);
        long[] last = {0};
        assertThat(channel.framesAfter(0, channel.lastSeq(), 2_000, 1, last)).as("a expired; one byte a batch")
                .containsExactly(new byte[]{2});
        // Stored after the replay began: not part of it (it is delivered live).
        long upTo = channel.lastSeq();
        store(channel, new StoredEvent("d", 5_000, new byte[]{4}, true), dropped);
        assertThat(channel.framesAfter(last[0], upTo, 2_000, 64, last)).containsExactly(new byte[]{3});
        assertThat(channel.framesAfter(last[0], upTo, 2_000, 64, last)).isEmpty();
        assertThat(last[0]).isEqualTo(upTo);
    }

    private static Channels.Published store(Channel channel, StoredEvent event, int[] dropped) {
        return channel.store(event, null, 3, dropped, cost -> Channels.Published.DELIVERED, (owner, bytes) -> { });
    }

    private static StoredEvent event(String id, long expiresAtMs) {
        return new StoredEvent(id, expiresAtMs, new byte[0], true);
    }
}
