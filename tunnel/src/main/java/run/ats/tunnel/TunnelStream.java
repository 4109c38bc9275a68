package run.ats.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.util.ArrayDeque;

/**
 * One stream of a {@link TunnelMux}: bytes its {@link Endpoint} produced go to the peer within
 * the peer's credit; bytes from the peer go to the endpoint, and credit returns once the
 * endpoint wrote them out. State lives on the tunnel's event loop; {@link #send}, {@link #finish}
 * and {@link #reset} may be called from any thread.
 */
public final class TunnelStream {

    private final TunnelMux mux;
    private final int id;
    private Endpoint endpoint;
    private final ArrayDeque<ByteBuf> pending = new ArrayDeque<>();
    private long pendingBytes;
    private int credit;
    private int unacknowledged;
    private int toReturn;
    private boolean paused;
    private boolean finishing;
    private boolean finSent;
    private boolean finReceived;
    private boolean over;

    TunnelStream(TunnelMux mux, int id) {
        this.mux = mux;
        this.id = id;
        this.credit = mux.window();
    }

    public int id() {
        return id;
    }

    void bind(Endpoint endpoint) {
        this.endpoint = endpoint;
    }

    /** Sends {@code data} (taking ownership) to the peer as credit allows. */
    public void send(ByteBuf data) {
        mux.onLoop(() -> {
            if (over || finishing || !data.isReadable()) {
                data.release(); // an empty buffer would go out as an empty DATA frame
                return;
            }
            pending.add(data);
            pendingBytes += data.readableBytes();
            flush();
        });
    }

    /** No more data from this side: FIN once what is queued has gone. */
    public void finish() {
        mux.onLoop(() -> {
            if (!over) {
                finishing = true;
                flush();
            }
        });
    }

    /** Ends the stream at once, both ways. */
    public void reset(String reason) {
        mux.onLoop(() -> {
            if (!over) {
                mux.write(TunnelFrame.reset(mux.alloc(), id, reason));
                mux.flushTunnel();
                end();
            }
        });
    }

    void flush() {
        if (over) {
            return;
        }
        boolean wrote = false;
        while (!pending.isEmpty() && credit > 0 && mux.writable()) {
            ByteBuf head = pending.peek();
            int size = Math.min(Math.min(TunnelFrame.MAX_DATA, credit), head.readableBytes());
            ByteBuf header = mux.alloc().buffer(TunnelFrame.HEADER).writeByte(TunnelFrame.Type.DATA.ordinal() + 1).writeInt(id);
            mux.write(Unpooled.wrappedBuffer(header, head.readRetainedSlice(size)));
            credit -= size;
            pendingBytes -= size;
            wrote = true;
            if (!head.isReadable()) {
                pending.poll().release();
            }
        }
        if (pending.isEmpty() && finishing && !finSent) {
            finSent = true;
            mux.write(TunnelFrame.encode(mux.alloc(), TunnelFrame.Type.FIN, id, null));
            wrote = true;
        }
        if (wrote) {
            mux.flushTunnel();
        }
        // Hold the source while anything waits for credit (or for the tunnel's socket).
        if (endpoint == null) {
            return; // still being made: flushed again once bound
        }
        if (pendingBytes > 0 && !paused) {
            paused = true;
            endpoint.pause();
        } else if (pendingBytes == 0 && paused) {
            paused = false;
            endpoint.resume();
        }
        if (finSent && finReceived) {
            end();
        }
    }

    void onData(ByteBuf payload) {
        if (over || finReceived) {
            return;
        }
        int size = payload.readableBytes();
        unacknowledged += size;
        // Bytes received and not yet credited back: what the peer may have in flight, at most a window.
        if (unacknowledged + toReturn > mux.window()) {
            brokenByPeer("flow control: more data than credit");
            return;
        }
        endpoint.data(payload.retainedSlice(), () -> mux.onLoop(() -> consumed(size)));
    }

    private void consumed(int size) {
        unacknowledged -= size;
        toReturn += size;
        if (!over && !finReceived && toReturn >= mux.window() / 4) {
            mux.write(TunnelFrame.window(mux.alloc(), id, toReturn));
            mux.flushTunnel();
            toReturn = 0;
        }
    }

    void onWindow(int more) {
        // A receiver returns credit only for bytes it was sent, so credit never exceeds the window.
        if (more <= 0 || (long) credit + more > mux.window()) {
            brokenByPeer("flow control: bad credit");
            return;
        }
        credit += more;
        flush();
    }

    void onFin() {
        if (over || finReceived) {
            return;
        }
        finReceived = true;
        endpoint.finished();
        if (finSent) {
            end();
        }
    }

    /** The peer broke the stream's rules: the stream is over both ways, and the endpoint is told, as on a reset. */
    void brokenByPeer(String reason) {
        if (!over) {
            mux.write(TunnelFrame.reset(mux.alloc(), id, reason));
            mux.flushTunnel();
            end();
            endpoint.reset(reason);
        }
    }

    void resetByPeer(String reason) {
        if (!over) {
            end();
            endpoint.reset(reason);
        }
    }

    private void end() {
        if (over) {
            return;
        }
        over = true;
        for (ByteBuf buffer : pending) {
            buffer.release();
        }
        pending.clear();
        pendingBytes = 0;
        mux.ended(this);
    }
}
