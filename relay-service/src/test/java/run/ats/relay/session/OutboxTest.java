package run.ats.relay.session;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The outbound bound counts what the socket has not taken, not frames waiting for a busy event
 * loop. An embedded channel runs its loop's tasks only when told, which is exactly a loop busy
 * reading a burst of publishes from another connection.
 */
class OutboxTest {

    private static final int LIMIT = 64 * 1024;

    @Test
    void framesWaitingForTheEventLoopDoNotCloseAFastReader() {
        EmbeddedChannel channel = new EmbeddedChannel();
        AtomicInteger slow = new AtomicInteger();
        Outbox outbox = new Outbox(channel, LIMIT, slow::incrementAndGet);
        byte[] frame = new byte[1400];

        // 100 frames, 140 KB, more than the limit, offered while the loop is busy elsewhere.
        for (int i = 0; i < 100; i++) {
            outbox.offer(frame);
        }
        assertThat(slow).hasValue(0);

        channel.runPendingTasks();
        int written = 0;
        for (Object message = channel.readOutbound(); message != null; message = channel.readOutbound()) {
            assertThat(message).isInstanceOf(TextWebSocketFrame.class);
            ((TextWebSocketFrame) message).release();
            written++;
        }
        assertThat(written).as("every frame written, in one drain").isEqualTo(100);
        assertThat(slow).hasValue(0);
    }

    @Test
    void aLoopThatNeverGetsToDrainStillHasACap() {
        EmbeddedChannel channel = new EmbeddedChannel();
        AtomicInteger slow = new AtomicInteger();
        Outbox outbox = new Outbox(channel, LIMIT, slow::incrementAndGet);
        byte[] frame = new byte[4096];
        for (int i = 0; i < 16 * LIMIT / frame.length + 1; i++) {
            outbox.offer(frame);
        }
        assertThat(slow).hasValue(1);
    }
}
