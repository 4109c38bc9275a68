package run.ats.relay.testsupport;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** A real WebSocket client (the JDK's) that speaks the relay protocol as text and can stop reading. */
public final class WsClient implements AutoCloseable {

    public record Closed(int code, String reason) {
    }

    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    private final CompletableFuture<Closed> closed = new CompletableFuture<>();
    private final AtomicBoolean reading = new AtomicBoolean(true);
    private final WebSocket socket;
    private volatile boolean pendingRequest;

    public WsClient(int port) {
        this(port, Map.of());
    }

    /** Connects with these extra request headers (say a made-up {@code X-Forwarded-For}). */
    public WsClient(int port, Map<String, String> headers) {
        StringBuilder partial = new StringBuilder();
        WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder();
        headers.forEach(builder::header);
        this.socket = builder
                .connectTimeout(Duration.ofSeconds(5))
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/v1/ws"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        partial.append(data);
                        if (last) {
                            received.add(partial.toString());
                            partial.setLength(0);
                        }
                        more(ws);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
                        closed.complete(new Closed(code, reason));
                        return null;
                    }

                    @Override
                    public void onError(WebSocket ws, Throwable error) {
                        closed.complete(new Closed(-1, error.toString()));
                    }
                }).join();
    }

    private void more(WebSocket ws) {
        if (reading.get()) {
            ws.request(1);
        } else {
            pendingRequest = true;
        }
    }

    public WsClient send(String text) {
        socket.sendText(text, true).join();
        return this;
    }

    public WsClient sendBinary(byte[] bytes) {
        socket.sendBinary(ByteBuffer.wrap(bytes), true).join();
        return this;
    }

    public WsClient sendPing(byte[] bytes) {
        socket.sendPing(ByteBuffer.wrap(bytes)).join();
        return this;
    }

    /** The next frame, waiting at most 5 s. */
    public String next() {
        try {
            String frame = received.poll(5, TimeUnit.SECONDS);
            if (frame == null) {
                throw new AssertionError("no frame within 5 s" + (closed.isDone() ? "; closed: " + closed.join() : ""));
            }
            return frame;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The next frame if one arrives within {@code wait}, else null. */
    public String poll(Duration wait) throws InterruptedException {
        return received.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    public Closed closed(Duration wait) {
        try {
            return closed.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("not closed within " + wait, e);
        }
    }

    /** Stops asking for frames: the server's writes pile up, as with a stalled phone. */
    public void stopReading() {
        reading.set(false);
    }

    public void resumeReading() {
        reading.set(true);
        if (pendingRequest) {
            pendingRequest = false;
            socket.request(1);
        }
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
        }
        socket.abort();
    }
}
