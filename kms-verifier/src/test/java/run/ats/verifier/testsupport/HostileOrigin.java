package run.ats.verifier.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An origin that answers with whatever bytes a test gives it, per path, on a real socket at
 * 127.0.0.1: malformed headers, broken bodies, garbage instead of HTTP, a reset. It keeps the
 * head of every request, so a test can see how the verifier presented itself.
 */
public final class HostileOrigin implements AutoCloseable {

    /** What to do with a request for a path. */
    public sealed interface Answer {
    }

    /** Write these bytes and close. */
    public record Raw(byte[] bytes) implements Answer {
        public static Raw of(String text) {
            return new Raw(text.getBytes(StandardCharsets.ISO_8859_1));
        }
    }

    /** Close the connection at once, with a reset. */
    public record Reset() implements Answer {
    }

    private final ServerSocket server;
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    public HostileOrigin() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = Thread.ofVirtual().start(this::accept);
    }

    public URI origin() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    public void answer(String path, Answer answer) {
        answers.put(path, answer);
    }

    /** A 200 with this body and these extra header lines. */
    public static Raw ok(String body, String... headerLines) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return Raw.of("HTTP/1.1 200 OK\r\nContent-Length: " + bytes.length + "\r\nConnection: close\r\n"
                + String.join("", java.util.Arrays.stream(headerLines).map(line -> line + "\r\n").toList()) + "\r\n" + body);
    }

    /** The heads of the requests received so far, oldest first. */
    public List<String> requests() {
        return List.copyOf(requests);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                Thread.ofVirtual().start(() -> serve(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            String head = readHead(socket.getInputStream());
            if (head == null) {
                return;
            }
            requests.add(head);
            String path = head.split(" ", 3)[1];
            Answer answer = answers.getOrDefault(path, Raw.of("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
            switch (answer) {
                case Raw raw -> {
                    OutputStream out = socket.getOutputStream();
                    out.write(raw.bytes());
                    out.flush();
                    socket.shutdownOutput();
                    // Let the client read it all before the close.
                    socket.getInputStream().transferTo(OutputStream.nullOutputStream());
                }
                case Reset reset -> socket.setSoLinger(true, 0);
            }
        } catch (IOException e) {
            // The client went away: nothing to answer.
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            String text = head.toString(StandardCharsets.ISO_8859_1);
            if (text.endsWith("\r\n\r\n")) {
                return text;
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        server.close();
        acceptor.interrupt();
    }
}
