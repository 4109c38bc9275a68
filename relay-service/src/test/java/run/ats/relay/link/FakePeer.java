package run.ats.relay.link;

import com.sun.net.httpserver.HttpServer;
import run.ats.protocol.crypto.Ed25519;
import run.ats.protocol.directory.Directory;
import run.ats.protocol.directory.DirectoryEntry;
import run.ats.protocol.directory.SignedDirectory;
import run.ats.protocol.relay.RelayId;
import run.ats.protocol.wire.BadFrame;
import run.ats.protocol.wire.LinkCodec;
import run.ats.protocol.wire.LinkMessage;
import run.ats.relay.directory.DirectoryHolder;
import run.ats.relay.identity.RelayIdentity;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A listed relay that misbehaves, speaking the real link protocol to a real relay: it is put in
 * a directory version signed by the test's directory key (next to the relay under test), proves
 * its key in the link handshake, and then sends what a test tells it to. Its listed URL is a
 * local HTTP server that counts {@code GET /v1/directory} (what gossip fetches).
 */
final class FakePeer implements AutoCloseable {

    static final KeyPair DIRECTORY_KEY = ed25519();

    private final KeyPair key = ed25519();
    private final String id = RelayId.of(Ed25519.raw(key.getPublic()));
    private final HttpServer listed;
    private final AtomicInteger directoryFetches = new AtomicInteger();
    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    private final CompletableFuture<String> closed = new CompletableFuture<>();
    private WebSocket socket;
    /** While true the peer stops asking for frames, so the relay's socket backs up (a slow peer). */
    private volatile boolean paused;

    /** Lists this peer (weight 0: never a root) at {@code host} beside the relay, in directory {@code version}. */
    FakePeer(DirectoryHolder directory, RelayIdentity relay, String host, long version) throws IOException {
        listed = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        listed.createContext("/v1/directory", exchange -> {
            directoryFetches.incrementAndGet();
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        listed.start();
        String url = "ws://" + host + ":" + listed.getAddress().getPort() + "/v1/ws";
        Directory listing = new Directory(version, System.currentTimeMillis(), 1, List.of(
                DirectoryEntry.of(relay.keys().getPublic(), "ws://127.0.0.1:1/v1/ws", 1),
                DirectoryEntry.of(key.getPublic(), url, 0)));
        if (!directory.offer(SignedDirectory.sign(listing, DIRECTORY_KEY.getPrivate()))) {
            throw new IllegalStateException("the relay did not take the test's directory version");
        }
    }

    static String directoryKey() {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Ed25519.raw(DIRECTORY_KEY.getPublic()));
    }

    /** Opens a link to the relay at {@code port} and proves this peer's key. */
    FakePeer link(int port) throws Exception {
        socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/v1/link"), new WebSocket.Listener() {
                    private final StringBuilder partial = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        partial.append(data);
                        if (last) {
                            received.add(partial.toString());
                            partial.setLength(0);
                        }
                        if (!paused) {
                            ws.request(1);
                        }
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
                        closed.complete(code + " " + reason);
                        return null;
                    }

                    @Override
                    public void onError(WebSocket ws, Throwable error) {
                        closed.complete("error " + error);
                    }
                }).join();
        LinkMessage.Challenge challenge = (LinkMessage.Challenge) next();
        String nonce = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[24]);
        send(new LinkMessage.Hello(id, nonce, sign(key.getPrivate(), LinkCodec.proof(challenge.nonce(), challenge.relayId(), id))));
        if (!(next() instanceof LinkMessage.Welcome)) {
            throw new IllegalStateException("no welcome");
        }
        return this;
    }

    /** Stops reading: what the relay sends waits in its socket. */
    void pause() {
        paused = true;
    }

    void resume() {
        paused = false;
        socket.request(1);
    }

    void send(LinkMessage message) {
        socket.sendText(new String(LinkCodec.encode(message), StandardCharsets.UTF_8), true).join();
    }

    /** The next frame from the relay, waiting at most 5 s. */
    LinkMessage next() throws InterruptedException, BadFrame {
        String text = received.poll(5, TimeUnit.SECONDS);
        if (text == null) {
            throw new AssertionError("no link frame within 5 s");
        }
        return LinkCodec.decode(text);
    }

    /** How the relay closed the link ("code reason"), or null if it did not within {@code seconds}. */
    String closed(long seconds) {
        try {
            return closed.get(seconds, TimeUnit.SECONDS);
        } catch (Exception e) {
            return null;
        }
    }

    int directoryFetches() {
        return directoryFetches.get();
    }

    @Override
    public void close() {
        if (socket != null) {
            socket.abort();
        }
        listed.stop(0);
    }

    private static String sign(PrivateKey key, byte[] message) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Ed25519.sign(key, message));
    }

    private static KeyPair ed25519() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
