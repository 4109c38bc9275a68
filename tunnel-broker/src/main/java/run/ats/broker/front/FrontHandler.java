package run.ats.broker.front;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.ReferenceCountUtil;
import run.ats.broker.peers.PeerTunnels;
import run.ats.broker.tunnel.Tunnels;
import run.ats.protocol.directory.DirectoryEntry;
import run.ats.tunnel.Endpoint;
import run.ats.tunnel.Flushes;
import run.ats.tunnel.TunnelStream;

import java.util.List;
import java.util.Optional;

/**
 * One public connection. Each request head is checked (origin-form target, exactly one Host,
 * {@code name.domain} of a claimed relay, a path on the {@link Routes} allow-list) and then
 * forwarded, re-encoded, over one tunnel stream for the whole connection; responses come back
 * decoded and re-encoded, so every request on a kept-alive connection is checked, not only the
 * first. After a 101 answer the connection is a WebSocket and bytes pass through untouched.
 * Bodies stream both ways within the stream's window; nothing is buffered whole.
 *
 * <p>{@code /v1/tunnel} (on any host) is where relays dial in; it becomes a {@code TunnelConnection}.
 */
final class FrontHandler extends ChannelInboundHandlerAdapter implements Endpoint {

    private final FrontContext context;
    private Channel client;
    private String name;
    private TunnelStream stream;
    /** Encodes requests for the relay and decodes its responses (pairing HEAD with its empty body). */
    private final EmbeddedChannel codec = new EmbeddedChannel(new HttpClientCodec(4096, 16 * 1024, 16 * 1024));
    private boolean discarding;
    private boolean upgraded;
    private boolean responding;
    /** Forwarded requests whose responses have not ended yet. */
    private int awaiting;
    /** A refusal that waits for the responses before it, so answers keep their order. */
    private FullHttpResponse deferred;
    private ClientOrigin origin;

    FrontHandler(FrontContext context) {
        this.context = context;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        client = ctx.channel();
        origin = new ClientOrigin(client, context.proxies(), context.properties().tlsEnabled());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (upgraded) {
            if (msg instanceof ByteBuf bytes && stream != null) {
                context.bytesToRelays().increment(bytes.readableBytes());
                stream.send(bytes);
            } else {
                ReferenceCountUtil.release(msg);
            }
            return;
        }
        if (msg instanceof HttpRequest request) {
            onRequest(ctx, request);
        } else if (msg instanceof HttpContent content) {
            if (discarding || stream == null) {
                content.release();
                discarding = !(content instanceof LastHttpContent) && discarding;
            } else {
                toRelay(content);
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onRequest(ChannelHandlerContext ctx, HttpRequest request) {
        if (request.decoderResult().isFailure()) {
            refuse(ctx, request, Problems.of(HttpResponseStatus.BAD_REQUEST, "bad-request", "Bad request",
                    "The request head could not be parsed."));
            return;
        }
        Optional<String> path = Routes.path(request.uri());
        if (path.isEmpty()) {
            refuse(ctx, request, Problems.of(HttpResponseStatus.BAD_REQUEST, "bad-request-target", "Bad request target",
                    "Only origin-form request targets (a path) are accepted."));
            return;
        }
        List<String> hosts = request.headers().getAll(HttpHeaderNames.HOST);
        if (hosts.size() != 1) {
            refuse(ctx, request, Problems.of(HttpResponseStatus.BAD_REQUEST, "bad-host", "Bad Host",
                    "A request carries exactly one Host header."));
            return;
        }
        if (name == null && stream == null) {
            // A connection's first request: a replica's handover is not a client; anyone else counts.
            if (context.peers().isPeerToken(request.headers().get(PeerTunnels.HEADER))) {
                context.addresses().release(client);
            } else if (context.addresses().over(client)) {
                context.refused().increment();
                refuse(ctx, request, Problems.of(HttpResponseStatus.TOO_MANY_REQUESTS, "too-many-connections", "Too many connections",
                        "This address has more than " + context.addresses().max() + " connections open; close some first."));
                return;
            }
        }
        if (path.get().equals("/v1/tunnel") && stream == null) {
            acceptTunnel(ctx, request);
            return;
        }
        // Only a replica (its token shown) may say who the client is, and only on a connection's first request.
        String vouch = request.headers().get(PeerTunnels.HEADER);
        request.headers().remove(PeerTunnels.HEADER);
        if (vouch != null && name == null && stream == null && context.peers().isPeerToken(vouch)) {
            origin.vouchedBy(request);
        }
        if (!context.directory().ready()) {
            // Just started and the directory not read yet: no name is known, and none is unknown either.
            refuse(ctx, request, Problems.of(HttpResponseStatus.SERVICE_UNAVAILABLE, "directory-not-loaded", "Directory not loaded",
                    "This broker has not read the relay directory yet; try again shortly."));
            return;
        }
        Optional<String> named = Routes.name(hosts.getFirst(), context.properties().domain());
        Optional<DirectoryEntry> relay = named.flatMap(context.directory()::byName);
        if (relay.isEmpty()) {
            refuse(ctx, request, Problems.of(HttpResponseStatus.NOT_FOUND, "unknown-name", "No such relay",
                    "No claimed relay has this name."));
            return;
        }
        if (name != null && !name.equals(named.get())) {
            refuse(ctx, request, Problems.of(HttpResponseStatus.MISDIRECTED_REQUEST, "misdirected", "Misdirected request",
                    "One connection serves one relay name."));
            return;
        }
        if (!Routes.forwarded(request.method(), path.get())) {
            context.refused().increment();
            refuse(ctx, request, Problems.of(HttpResponseStatus.NOT_FOUND, "not-a-relay-endpoint", "Not found",
                    "Relay names serve the relay's own endpoints only."));
            return;
        }
        if (stream == null) {
            Optional<Tunnels.Tunnel> tunnel = context.tunnels().of(relay.get().relayId());
            stream = tunnel.map(t -> t.mux().open(this)).orElse(null);
            if (tunnel.isEmpty() && !origin.handedOver() && context.peers().enabled() && !hasBody(request)) {
                handOver(ctx, request, relay.get());
                return;
            }
            if (stream == null) {
                refuse(ctx, request, Problems.of(HttpResponseStatus.SERVICE_UNAVAILABLE, "relay-offline", "Relay offline",
                        tunnel.isEmpty() ? "The relay has no tunnel to this broker right now; try again shortly."
                                : "The relay's tunnel is at its stream limit; try again shortly."));
                return;
            }
            name = named.get();
            // From here on the connection lives as long as its stream.
            if (ctx.pipeline().get(ReadTimeoutHandler.class) != null) {
                ctx.pipeline().remove(ReadTimeoutHandler.class);
            }
            context.forwarding().incrementAndGet();
        }
        // Who the client is, for the relay's per-address limits: set here, never taken from the client.
        request.headers().set("X-Forwarded-Proto", origin.forwardedProto(request));
        request.headers().set("X-Forwarded-For", origin.forwardedFor(request));
        awaiting++;
        toRelay(request);
    }

    private static boolean hasBody(HttpRequest request) {
        return request.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)
                || !request.headers().get(HttpHeaderNames.CONTENT_LENGTH, "0").equals("0");
    }

    /**
     * No tunnel here: ask the other replicas which holds it and hand the connection to that one,
     * which serves it as any connection (same checks, same allow-list) and learns the client's
     * address from this replica alone. Reading stops while the replicas answer.
     */
    private void handOver(ChannelHandlerContext ctx, HttpRequest request, DirectoryEntry relay) {
        client.config().setAutoRead(false);
        discarding = true; // the request's empty end, if the decoder already made it
        String address = origin.forwardedFor(request);
        String proto = origin.forwardedProto(request);
        String host = request.headers().get(HttpHeaderNames.HOST);
        context.peers().find(relay.relayId()).subscribe(found -> client.eventLoop().execute(() -> {
            if (!client.isActive()) {
                return;
            }
            if (found.isEmpty()) {
                refuse(ctx, request, Problems.of(HttpResponseStatus.SERVICE_UNAVAILABLE, "relay-offline", "Relay offline",
                        "No replica of this broker holds the relay's tunnel right now; try again shortly."));
                return;
            }
            Handover.dial(context, client, host, found.get().publicAddress())
                    .addListener((ChannelFuture connected) -> {
                        if (!connected.isSuccess()) {
                            refuse(ctx, request, Problems.of(HttpResponseStatus.BAD_GATEWAY, "relay-gone", "Relay gone",
                                    "The replica holding the relay's tunnel did not answer."));
                            return;
                        }
                        pipeTo(ctx, connected.channel(), request, address, proto);
                    });
        }));
    }

    /** Sends the request on to the replica and turns this connection into a byte pipe to it. */
    private void pipeTo(ChannelHandlerContext ctx, Channel replica, HttpRequest request, String address, String proto) {
        Handover.sendHead(context, replica, request, address, proto);
        codec.finishAndReleaseAll();
        if (ctx.pipeline().get(ReadTimeoutHandler.class) != null) {
            ctx.pipeline().remove(ReadTimeoutHandler.class);
        }
        ChannelPipeline pipeline = ctx.pipeline();
        pipeline.replace(this, "pipe", new Pipe(replica));
        // Whatever the decoder still holds goes to the pipe as bytes.
        pipeline.remove("http");
        context.handedOver().increment();
        client.config().setAutoRead(true);
    }

    private void toRelay(HttpObject object) {
        codec.writeOutbound(object);
        for (Object out; (out = codec.readOutbound()) != null; ) {
            context.bytesToRelays().increment(((ByteBuf) out).readableBytes());
            stream.send((ByteBuf) out);
        }
    }

    private void acceptTunnel(ChannelHandlerContext ctx, HttpRequest request) {
        if (!request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
            refuse(ctx, request, Problems.of(HttpResponseStatus.BAD_REQUEST, "websocket-required", "WebSocket required",
                    "/v1/tunnel is a WebSocket."));
            return;
        }
        WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(null, null,
                WebSocketDecoderConfig.newBuilder().maxFramePayloadLength(64 * 1024).allowExtensions(false).build())
                .newHandshaker(request);
        if (handshaker == null) {
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
            return;
        }
        DefaultFullHttpRequest full = new DefaultFullHttpRequest(request.protocolVersion(), request.method(), request.uri());
        full.headers().set(request.headers());
        discarding = true; // a GET upgrade's (empty) last content follows
        if (ctx.pipeline().get(ReadTimeoutHandler.class) != null) {
            ctx.pipeline().remove(ReadTimeoutHandler.class);
        }
        ctx.pipeline().replace(this, "tunnel", context.newTunnelConnection());
        Channel channel = ctx.channel();
        handshaker.handshake(channel, full).addListener(done -> {
            if (done.isSuccess()) {
                channel.pipeline().fireUserEventTriggered(run.ats.broker.tunnel.TunnelConnection.OPEN);
            } else {
                channel.close();
            }
        });
        codec.finishAndReleaseAll();
    }

    private void refuse(ChannelHandlerContext ctx, HttpRequest request, FullHttpResponse problem) {
        ReferenceCountUtil.release(request);
        discarding = true;
        if (request.method().name().equals("HEAD")) {
            problem.content().clear();
        }
        if (stream != null && awaiting > 0) {
            // Answer after the responses already on their way; read nothing more meanwhile.
            deferred = problem;
            ctx.channel().config().setAutoRead(false);
            return;
        }
        ChannelFuture written = ctx.writeAndFlush(problem);
        written.addListener(ChannelFutureListener.CLOSE);
        if (stream != null) {
            stream.reset("refused");
            stream = null;
        }
    }

    // Stream side, called on the tunnel's event loop: hop to this connection's own.

    @Override
    public void data(ByteBuf data, Runnable consumed) {
        if (client.eventLoop().inEventLoop()) {
            toClient(data, consumed);
        } else {
            client.eventLoop().execute(() -> toClient(data, consumed));
        }
    }

    /** The relay's bytes, decoded, go to the client; after a 101, raw. */
    private void toClient(ByteBuf data, Runnable consumed) {
        if (!client.isActive()) {
            data.release();
            consumed.run();
            return;
        }
        context.bytesToClients().increment(data.readableBytes());
        if (upgraded) {
            // A WebSocket now: bytes go straight through (the decoder held nothing back after the 101).
            client.write(data).addListener(done -> consumed.run());
            Flushes.soon(client);
            return;
        }
        codec.writeInbound(data);
        ChannelFuture last = null;
        for (Object in; (in = codec.readInbound()) != null; ) {
            if (in instanceof HttpResponse response) {
                responding = true;
                if (response.status().code() == 101 && !upgraded) {
                    last = client.write(response);
                    // Raw bytes both ways from here on.
                    upgraded = true;
                    client.pipeline().remove("http");
                    continue;
                }
                if (origin.viaProxy()) {
                    // A proxy reuses its connections for other clients and other names, and here one
                    // connection serves one relay: each answer ends it, so the proxy opens another.
                    HttpUtil.setKeepAlive(response, false);
                }
            }
            boolean ended = in instanceof LastHttpContent;
            if (ended) {
                awaiting--;
            }
            last = client.write(in);
            if (ended && origin.viaProxy() && !upgraded && awaiting <= 0) {
                last.addListener(ChannelFutureListener.CLOSE);
            }
        }
        if (awaiting <= 0 && deferred != null) {
            last = client.write(deferred);
            deferred = null;
            last.addListener(ChannelFutureListener.CLOSE);
            stream.reset("refused");
        }
        Flushes.soon(client);
        if (last == null) {
            consumed.run();
        } else {
            last.addListener(done -> consumed.run());
        }
    }

    @Override
    public void finished() {
        client.eventLoop().execute(() -> client.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE));
    }

    @Override
    public void reset(String reason) {
        client.eventLoop().execute(() -> {
            if (!responding && client.isActive() && !upgraded) {
                client.writeAndFlush(Problems.of(HttpResponseStatus.BAD_GATEWAY, "relay-gone", "Relay gone",
                        "The relay's tunnel ended before it answered.")).addListener(ChannelFutureListener.CLOSE);
            } else {
                client.close();
            }
        });
    }

    @Override
    public void pause() {
        client.config().setAutoRead(false);
    }

    @Override
    public void resume() {
        if (deferred == null) {
            client.config().setAutoRead(true);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (stream != null) {
            stream.reset("client closed");
            stream = null;
        }
        if (name != null) {
            context.forwarding().decrementAndGet();
        }
        codec.finishAndReleaseAll();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
