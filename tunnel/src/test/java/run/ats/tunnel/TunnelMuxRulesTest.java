package run.ats.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stream rules a peer can break, one case each: what fuzzing {@link TunnelMux} found
 * ({@link TunnelMuxFuzzTest}, {@link TunnelMuxPropertiesTest}), on an embedded channel.
 */
class TunnelMuxRulesTest {

    private static final int WINDOW = 2 * TunnelFrame.MAX_DATA;

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final List<Recorded> endpoints = new ArrayList<>();
    private TunnelMux mux;

    /** An endpoint that keeps what it was told. */
    private static final class Recorded implements Endpoint {
        final List<Runnable> consumers = new ArrayList<>();
        String reset;

        @Override
        public void data(ByteBuf data, Runnable consumed) {
            data.release();
            consumers.add(consumed);
        }

        @Override
        public void finished() {
        }

        @Override
        public void reset(String reason) {
            reset = reason;
        }

        @Override
        public void pause() {
        }

        @Override
        public void resume() {
        }
    }

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    @Test
    void creditThatWouldLiftAStreamAboveItsWindowEndsTheStreamBothWays() {
        TunnelMux broker = mux = new TunnelMux(channel, WINDOW, 4, null);
        Recorded endpoint = new Recorded();
        TunnelStream stream = broker.open(endpoint);
        stream.send(Unpooled.wrappedBuffer(new byte[100]));
        wire();
        // 100 bytes out, so at most 100 may come back; 101 would give the sender more than a window.
        peer(TunnelFrame.window(channel.alloc(), stream.id(), 101));
        assertThat(wire()).containsExactly("RESET " + stream.id() + " flow control: bad credit");
        assertThat(endpoint.reset).isEqualTo("flow control: bad credit");
        assertThat(broker.streams()).isZero();
    }

    @Test
    void creditForBytesSentIsTaken() {
        TunnelMux broker = mux = new TunnelMux(channel, WINDOW, 4, null);
        Recorded endpoint = new Recorded();
        TunnelStream stream = broker.open(endpoint);
        stream.send(Unpooled.wrappedBuffer(new byte[WINDOW + 10]));
        assertThat(wire()).containsExactly("OPEN 1", "DATA 1 16384", "DATA 1 16384");
        peer(TunnelFrame.window(channel.alloc(), stream.id(), WINDOW));
        assertThat(wire()).containsExactly("DATA 1 10");
        assertThat(endpoint.reset).isNull();
    }

    @Test
    void aPeerThatSendsPastItsCreditLosesTheStreamAndItsEndpointIsTold() {
        TunnelMux relay = mux = new TunnelMux(channel, WINDOW, 4, this::accept);
        peer(frame(TunnelFrame.Type.OPEN, 7, 0));
        peer(frame(TunnelFrame.Type.DATA, 7, 4096));
        // Written out, but less than a quarter window: no credit goes back yet.
        endpoints.getFirst().consumers.getFirst().run();
        peer(frame(TunnelFrame.Type.DATA, 7, TunnelFrame.MAX_DATA));
        peer(frame(TunnelFrame.Type.DATA, 7, WINDOW - TunnelFrame.MAX_DATA - 4096));
        assertThat(wire()).isEmpty();
        // The whole window is spent: one byte more is past the credit, however much was written out.
        peer(frame(TunnelFrame.Type.DATA, 7, 1));
        assertThat(wire()).containsExactly("RESET 7 flow control: more data than credit");
        assertThat(endpoints.getFirst().reset).isEqualTo("flow control: more data than credit");
        assertThat(relay.streams()).isZero();
    }

    @Test
    void anOpenForAStreamAlreadyOpenEndsThatStreamBothWays() {
        TunnelMux relay = mux = new TunnelMux(channel, WINDOW, 4, this::accept);
        peer(frame(TunnelFrame.Type.OPEN, 3, 0));
        peer(frame(TunnelFrame.Type.OPEN, 3, 0));
        assertThat(endpoints).hasSize(1);
        assertThat(wire()).containsExactly("RESET 3 refused: stream already open");
        assertThat(endpoints.getFirst().reset).isEqualTo("refused: stream already open");
        assertThat(relay.streams()).isZero();
    }

    @Test
    void framesAfterTheTunnelClosedOpenNoStream() {
        // A bad frame closes the tunnel; frames read in the same batch come after it.
        TunnelMux relay = mux = new TunnelMux(channel, WINDOW, 4, this::accept);
        peer(frame(TunnelFrame.Type.OPEN, 1, 0));
        peer(Unpooled.wrappedBuffer(new byte[] {9, 9}));
        peer(frame(TunnelFrame.Type.OPEN, 2, 0));
        assertThat(endpoints).hasSize(1);
        assertThat(endpoints.getFirst().reset).isEqualTo("the tunnel closed");
        assertThat(relay.streams()).isZero();
    }

    @Test
    void openingOnAClosedTunnelLeavesTheStreamCountAlone() {
        TunnelMux broker = mux = new TunnelMux(channel, WINDOW, 4, null);
        broker.close();
        channel.runPendingTasks();
        assertThat(broker.open(new Recorded())).isNull();
        assertThat(broker.streams()).isZero();
    }

    @Test
    void anEmptySendMakesNoFrame() {
        TunnelMux broker = mux = new TunnelMux(channel, WINDOW, 4, null);
        TunnelStream stream = broker.open(new Recorded());
        wire();
        ByteBuf empty = Unpooled.buffer(0);
        stream.send(empty);
        assertThat(wire()).isEmpty();
        assertThat(empty.refCnt()).isZero();
    }

    private Endpoint accept(TunnelStream stream) {
        Recorded endpoint = new Recorded();
        endpoints.add(endpoint);
        return endpoint;
    }

    private ByteBuf frame(TunnelFrame.Type type, int id, int payload) {
        return TunnelFrame.encode(channel.alloc(), type, id, Unpooled.wrappedBuffer(new byte[payload]));
    }

    /** A frame from the peer, released after, as the tunnel's reader does. */
    private void peer(ByteBuf frame) {
        try {
            mux.onFrame(frame);
        } finally {
            frame.release();
        }
    }

    /** What the mux wrote since the last look, one line a frame ({@code TYPE id size} or {@code RESET id reason}). */
    private List<String> wire() {
        channel.runPendingTasks();
        List<String> frames = new ArrayList<>();
        for (Object out; (out = channel.readOutbound()) != null; ) {
            ByteBuf content = ((BinaryWebSocketFrame) out).content();
            TunnelFrame frame = TunnelFrame.decode(content);
            frames.add(frame.type() == TunnelFrame.Type.RESET
                    ? "RESET " + frame.streamId() + " " + frame.payload().toString(StandardCharsets.UTF_8)
                    : frame.type() + " " + frame.streamId() + (frame.type() == TunnelFrame.Type.DATA ? " " + frame.payload().readableBytes() : ""));
            ((BinaryWebSocketFrame) out).release();
        }
        return frames;
    }
}
