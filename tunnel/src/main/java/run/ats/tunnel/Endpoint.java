package run.ats.tunnel;

import io.netty.buffer.ByteBuf;

/**
 * Where a stream's bytes go on this side of the tunnel: a socket to the relay's own port, or
 * the broker's public connection. Called on the tunnel's event loop.
 */
public interface Endpoint {

    /** Bytes from the peer, owned by the callee; run {@code consumed} (any thread) once they are written out. */
    void data(ByteBuf data, Runnable consumed);

    /** The peer will send nothing more. */
    void finished();

    /** The stream is over at once (the peer reset it or broke its flow control, or the tunnel is gone). */
    void reset(String reason);

    /** The peer's window is full: stop reading the source until {@link #resume()}. */
    void pause();

    void resume();
}
