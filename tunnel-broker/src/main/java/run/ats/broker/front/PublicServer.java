package run.ats.broker.front;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.timeout.ReadTimeoutHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import run.ats.broker.BrokerProperties;
import run.ats.broker.directory.DirectoryWatch;
import run.ats.broker.peers.PeerTunnels;
import run.ats.broker.tunnel.TunnelAcceptor;
import run.ats.broker.tunnel.Tunnels;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The public port: {@code {name}.{domain}} for clients and other relays, {@code /v1/tunnel} for
 * relays dialing in. Plain Netty (not the Spring server, which serves health, metrics and the
 * API on {@code server.port}) because a forwarded connection turns into a byte pipe.
 */
@Component
public final class PublicServer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(PublicServer.class);

    private final BrokerProperties properties;
    private final FrontContext context;
    private final SslContext tls;
    private EventLoopGroup workers;
    private Channel server;
    private volatile int port;

    PublicServer(BrokerProperties properties, DirectoryWatch directory, Tunnels tunnels, TunnelAcceptor acceptor,
                 PeerTunnels peers, MeterRegistry meters) throws Exception {
        this.properties = properties;
        AtomicInteger forwarding = new AtomicInteger();
        meters.gauge("ats.broker.connections.forwarding", forwarding);
        this.tls = properties.tlsEnabled()
                ? SslContextBuilder.forServer(properties.tls().certificate().toFile(), properties.tls().privateKey().toFile()).build()
                : null;
        // A connection handed to another replica goes over TLS too, trusting only this broker's own certificate.
        SslContext peerTls = properties.tlsEnabled() && peers.enabled()
                ? SslContextBuilder.forClient().trustManager(properties.tls().certificate().toFile()).endpointIdentificationAlgorithm("HTTPS").build()
                : null;
        this.context = new FrontContext(properties, directory, tunnels, meters.counter("ats.broker.requests.refused"),
                forwarding, meters.counter("ats.broker.bytes", "direction", "to-relay"),
                meters.counter("ats.broker.bytes", "direction", "to-client"), acceptor::newConnection,
                peers, meters.counter("ats.broker.peer.handovers"), peerTls, new AddressLimit(properties.maxConnectionsPerAddress()),
                TrustedProxies.of(properties.trustedProxies()));
    }

    @Override
    public void start() {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> type = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        // One loop per core, as a proxy wants: the broker never blocks, and every extra loop is one
        // more chance that a client's bytes cross threads to reach the loop holding its tunnel. The
        // same loops accept (as nginx's workers do): a separate acceptor thread would hand every new
        // connection across threads.
        int loops = properties.eventLoops() > 0 ? properties.eventLoops() : Runtime.getRuntime().availableProcessors();
        workers = new MultiThreadIoEventLoopGroup(loops, io);
        server = new ServerBootstrap()
                .group(workers)
                .channel(type)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        context.addresses().opened(channel);
                        if (tls != null) {
                            channel.pipeline().addLast("tls", tls.newHandler(channel.alloc()));
                        }
                        channel.pipeline()
                                .addLast("read-timeout", new ReadTimeoutHandler(properties.headerTimeout().toMillis(), TimeUnit.MILLISECONDS))
                                .addLast("http", new HttpServerCodec(4096, (int) properties.maxHeaderSize().toBytes(), 16 * 1024))
                                .addLast("front", new FrontHandler(context));
                    }
                })
                .bind(new InetSocketAddress(properties.publicAddress(), properties.publicPort()))
                .syncUninterruptibly()
                .channel();
        port = ((InetSocketAddress) server.localAddress()).getPort();
        log.info("ATS tunnel broker serving https://{name}.{} on {}:{} ({}); relays dial {}://<this host>:{}/v1/tunnel; "
                        + "clients reach a relay at {}", properties.domain(), properties.publicAddress(), port,
                tls != null ? "TLS" : "plain: TLS ends before this broker, or a local run",
                tls != null ? "wss" : "ws", port, properties.publicUrl("{name}"));
    }

    /** The bound public port (useful when {@code public-port} is 0). */
    public int port() {
        return port;
    }

    @Override
    public void stop() {
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        if (workers != null) {
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        }
        server = null;
    }

    @Override
    public boolean isRunning() {
        return server != null;
    }
}
