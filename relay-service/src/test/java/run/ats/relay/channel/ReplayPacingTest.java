package run.ats.relay.channel;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import org.junit.jupiter.api.Test;
import run.ats.relay.session.Outbox;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A replay many times the outbound limit goes through an {@link Outbox} whole and in order,
 * never counting as a slow consumer; it waits for the socket (an embedded channel "sends" at
 * each flush) instead of piling up in it.
 */
class ReplayPacingTest {

    private static final int LIMIT = 64 * 1024;

    @Test
    void aReplayFarOverTheLimitIsPacedNotClosed() {
        Channels channels = new Channels(1_000, 10, 64L * 1024 * 1024, 64L * 1024 * 1024, Clock.systemUTC(), new SimpleMeterRegistry());
        ChannelKey key = new ChannelKey("tag", "dqcj");
        long expires = System.currentTimeMillis() + 60_000;
        for (int i = 0; i < 1_000; i++) {
            byte[] frame = ByteBuffer.allocate(4096).putInt(i).array();
            channels.publish(key, new StoredEvent("id-" + i, expires, frame, true), null);
        }
        EmbeddedChannel socket = new EmbeddedChannel();
        AtomicInteger slow = new AtomicInteger();
        Outbox outbox = new Outbox(socket, LIMIT, slow::incrementAndGet);
        Replay replay;
        try {
            replay = channels.subscribeWithReplay(key, outbox::offer);
        } catch (Channels.Full full) {
            throw new AssertionError(full);
        }

        outbox.offer(new byte[]{'s'});
        outbox.replay(replay);
        outbox.offer(new byte[]{'l'}); // a live frame offered after the replay began
        socket.runPendingTasks();

        List<Integer> replayed = new ArrayList<>();
        List<Byte> live = new ArrayList<>();
        for (Object message = socket.readOutbound(); message != null; message = socket.readOutbound()) {
            if (message instanceof TextWebSocketFrame text) {
                if (text.content().readableBytes() == 1) {
                    live.add(text.content().getByte(0));
                } else {
                    replayed.add(text.content().getInt(0));
                }
                text.release();
            }
        }
        assertThat(slow).as("never a slow consumer").hasValue(0);
        assertThat(live).as("live frames are not held behind the replay").containsExactly((byte) 's', (byte) 'l');
        assertThat(replayed).hasSize(1_000);
        for (int i = 0; i < 1_000; i++) {
            assertThat(replayed.get(i)).isEqualTo(i);
        }
    }
}
