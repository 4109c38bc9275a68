package run.ats.broker.front;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.LastHttpContent;
import run.ats.broker.peers.PeerTunnels;

import java.net.InetSocketAddress;

/**
 * The mechanics of handing a public connection to the replica that holds the relay's tunnel:
 * dial its public port (TLS with the same SNI name when this broker serves TLS, trusting only its
 * own certificate) with the replica's bytes piped to the client, then send the request head on,
 * vouched for by the replicas' token. {@link FrontHandler} decides when, and turns the client's
 * side into a pipe.
 */
final class Handover {

    private Handover() {
    }

    /** Connects to {@code replica} on the client's event loop; what the replica answers goes to {@code client}. */
    static ChannelFuture dial(FrontContext context, Channel client, String host, InetSocketAddress replica) {
        return new Bootstrap().group(client.eventLoop())
                .channel(client instanceof EpollSocketChannel ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 3000)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel peer) {
                        if (context.peerTls() != null) {
                            peer.pipeline().addLast("tls", context.peerTls().newHandler(peer.alloc(),
                                    host.replaceAll(":\\d+$", ""), replica.getPort()));
                        }
                        peer.pipeline().addLast("pipe", new Pipe(client));
                    }
                })
                .connect(replica);
    }

    /** Writes the request head to the replica with who the client is and the token that vouches for it. */
    static void sendHead(FrontContext context, Channel replica, HttpRequest request, String clientAddress, String proto) {
        request.headers().set("X-Forwarded-For", clientAddress);
        request.headers().set("X-Forwarded-Proto", proto);
        request.headers().set(PeerTunnels.HEADER, context.peers().token());
        EmbeddedChannel encoder = new EmbeddedChannel(new HttpRequestEncoder());
        encoder.writeOutbound(request, LastHttpContent.EMPTY_LAST_CONTENT);
        for (Object out; (out = encoder.readOutbound()) != null; ) {
            replica.write(out);
        }
        replica.flush();
        encoder.finishAndReleaseAll();
    }
}
