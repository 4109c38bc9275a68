package run.ats.tunnel;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of what a tunnel's peer controls: one frame's bytes, and whole
 * sequences of frames interleaved with the local side's sends, acknowledgements, half-closes,
 * resets and back-pressure, run through a real {@link TunnelMux} ({@link MuxScript} says what
 * must hold). Seeds in {@code TunnelMuxFuzzTestInputs/}; findings became the named tests in
 * {@link TunnelMuxRulesTest}.
 */
class TunnelMuxFuzzTest {

    /** Any bytes: a frame, read as the table in docs/tunnel.md says, or {@link IllegalArgumentException}; never anything else. */
    @FuzzTest(maxDuration = "20s")
    void oneFrame(byte[] bytes) {
        ByteBuf input = Unpooled.wrappedBuffer(bytes);
        TunnelFrame frame;
        try {
            frame = TunnelFrame.decode(input);
        } catch (IllegalArgumentException malformed) {
            return;
        }
        assertThat(frame.streamId()).isPositive();
        assertThat(frame.payload().readableBytes()).isEqualTo(bytes.length - TunnelFrame.HEADER);
        if (frame.type() == TunnelFrame.Type.DATA) {
            assertThat(frame.payload().readableBytes()).isLessThanOrEqualTo(TunnelFrame.MAX_DATA);
        }
        // One encoding per frame: encoding what was read gives the same bytes back.
        ByteBuf again = TunnelFrame.encode(Unpooled.buffer().alloc(), frame.type(), frame.streamId(), frame.payload());
        try {
            assertThat(ByteBufUtil.getBytes(again)).isEqualTo(bytes);
        } finally {
            again.release();
        }
    }

    /** A script of peer frames and local events against one mux; see {@link MuxScript} for the rules it checks. */
    @FuzzTest(maxDuration = "20s")
    void streamsOfATunnel(byte[] script) {
        MuxScript.run(script);
    }
}
