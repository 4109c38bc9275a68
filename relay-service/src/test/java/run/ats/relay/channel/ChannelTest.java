package run.ats.relay.channel;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A channel drops a duplicate id for as long as its event would live, evicted or not. */
class ChannelTest {

    @Test
    void anEvictedEventsIdIsStillADuplicateUntilItExpires() {
        Channel channel = new Channel();
        int[] dropped = {0};
        for (int i = 0; i < 5; i++) {
            assertThat(channel.store(event("id-" + i, 1_000), 3, dropped)).isTrue();
        }
        assertThat(dropped[0]).as("two evicted to keep three").isEqualTo(2);
        assertThat(channel.unexpired(0)).hasSize(3);

        // A tree that moved pushes id-0 again: evicted here, but remembered.
        assertThat(channel.store(event("id-0", 1_000), 3, dropped)).isFalse();

        assertThat(channel.expire(1_000)).isEqualTo(3);
        assertThat(channel.idle()).isTrue();
        assertThat(channel.store(event("id-0", 2_000), 3, dropped)).as("forgotten after expiry").isTrue();
    }

    private static StoredEvent event(String id, long expiresAtMs) {
        return new StoredEvent(id, expiresAtMs, new byte[0], true);
    }
}
