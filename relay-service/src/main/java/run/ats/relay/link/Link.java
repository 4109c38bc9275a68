package run.ats.relay.link;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import run.ats.protocol.wire.LinkCodec;
import run.ats.protocol.wire.LinkMessage;
import run.ats.relay.channel.ChannelKey;
import run.ats.relay.channel.Replay;
import run.ats.relay.channel.Subscriber;
import run.ats.relay.session.Outbox;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One authenticated connection to a peer relay. It carries every tree the two share: as a
 * {@link Subscriber} of a channel it receives the channel's event frames (the same bytes clients
 * get) and sends them to the peer.
 */
public final class Link implements Subscriber {

    private final String peerId;
    private final Channel channel;
    private final Outbox outbox;
    private final boolean dialed;
    private final long upSinceMs;
    private final Set<ChannelKey> trees = ConcurrentHashMap.newKeySet();

    Link(String peerId, Channel channel, Outbox outbox, boolean dialed, long upSinceMs) {
        this.peerId = peerId;
        this.channel = channel;
        this.outbox = outbox;
        this.dialed = dialed;
        this.upSinceMs = upSinceMs;
    }

    public String peerId() {
        return peerId;
    }

    /** True for a link this relay dialed (to a parent), false for one a child dialed to us. */
    boolean dialed() {
        return dialed;
    }

    long upSinceMs() {
        return upSinceMs;
    }

    boolean open() {
        return channel.isActive();
    }

    /** The trees this link carries. */
    Set<ChannelKey> trees() {
        return trees;
    }

    @Override
    public void deliver(byte[] frame) {
        outbox.offer(frame);
    }

    /** Sends a tree's stored events paced to what the socket takes, so one full tree never closes the link. */
    void replay(Replay replay) {
        outbox.replay(replay);
    }

    void send(LinkMessage message) {
        outbox.offer(LinkCodec.encode(message));
    }

    /** Closes with a close frame, after what is queued. */
    void close(int code, String reason) {
        channel.eventLoop().execute(() -> channel.writeAndFlush(new CloseWebSocketFrame(code, reason))
                .addListener(ChannelFutureListener.CLOSE));
    }

    @Override
    public String toString() {
        return "Link[" + peerId + (dialed ? ", to parent" : ", from child") + "]";
    }
}
