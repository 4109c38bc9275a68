package run.ats.e2e;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import jakarta.mail.BodyPart;
import jakarta.mail.Message;
import jakarta.mail.Multipart;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import run.ats.testkit.ServiceProcess;
import run.ats.testkit.Suite;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The PWA in Debian's Chromium, driven by Playwright (web-pwa/e2e/pwa.test.mjs, run with Node's
 * test runner), against the real suite: main server (serving the app and the enclave), directory,
 * broker and three claimed relays reached by their {@code *.relays.localhost} names, with sign-in
 * mail sent over SMTP to GreenMail. This class starts all that and a small harness the browser
 * test asks for mail, to stop a relay, and for a page on a foreign origin.
 */
class PwaBrowserTest {

    private static GreenMail smtp;
    private static Suite suite;
    private static HttpServer harness;
    private static run.ats.testkit.push.PushServiceStandIn push;

    @BeforeAll
    static void start() throws Exception {
        smtp = new GreenMail(new ServerSetup(ServiceProcess.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        suite = Suite.withBrokerAndMainSettings(List.of("--spring.mail.host=127.0.0.1", "--spring.mail.port=" + smtp.getSmtp().getPort()));
        suite.mailbox = PwaBrowserTest::lastMailTo;
        push = new run.ats.testkit.push.PushServiceStandIn();
        suite.relaySettings.addAll(List.of("--ats.relay.push.allowed-hosts=127.0.0.1", "--ats.relay.push.allow-http=true"));
        suite.claimedRelays(3);
        for (Suite.Relay relay : suite.relays) {
            suite.awaitTunnel(relay);
        }
        harness = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        harness.createContext("/mail", exchange -> answer(exchange, 200, "text/plain", lastMailTo(query(exchange, "to"))));
        harness.createContext("/relays/stop", PwaBrowserTest::stopRelay);
        harness.createContext("/foreign.html", exchange -> answer(exchange, 200, "text/html", FOREIGN_PAGE));
        // What the push service received for a subscription: one line per push, its status and any refusal.
        harness.createContext("/pushes", exchange -> answer(exchange, 200, "text/plain", push.received(query(exchange, "sub")).stream()
                .map(r -> r.status() + " " + (r.refusal() == null ? "ok" : r.refusal())).collect(java.util.stream.Collectors.joining("\n"))));
        harness.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (harness != null) {
            harness.stop(0);
        }
        if (suite != null) {
            suite.close();
        }
        if (smtp != null) {
            smtp.stop();
        }
        if (push != null) {
            push.close();
        }
    }

    @Test
    void thePwaInChromium() throws Exception {
        Path screenshots = Files.createDirectories(Path.of("target", "screenshots"));
        Path log = Path.of("target", "pwa-browser-test.log");
        List<String> names = new ArrayList<>();
        for (Suite.Relay relay : suite.relays) {
            names.add(suite.awaitTunnel(relay));
        }
        ProcessBuilder node = new ProcessBuilder("node", "--test", "--test-reporter=spec", "--test-concurrency=1", "e2e/")
                .directory(Path.of("..", "web-pwa").toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        node.environment().put("ATS_APP_URL", suite.main.url());
        node.environment().put("ATS_KMS_URL", "http://127.0.0.1:" + suite.kmsPort);
        node.environment().put("ATS_HARNESS_URL", "http://127.0.0.1:" + harness.getAddress().getPort());
        node.environment().put("ATS_RELAY_NAMES", String.join(",", names));
        node.environment().put("ATS_SCREENSHOTS", screenshots.toAbsolutePath().toString());
        node.environment().put("ATS_PUSH_URL", push.origin());
        Process run = node.start();
        boolean finished = run.waitFor(8, TimeUnit.MINUTES);
        if (!finished) {
            run.descendants().forEach(ProcessHandle::destroyForcibly);
            run.destroyForcibly();
        }
        String output = Files.readString(log);
        System.out.println(output);
        assertThat(finished).as("the browser test finished within 8 minutes").isTrue();
        assertThat(run.exitValue()).as("the browser test's exit code; its output:\n" + output).isZero();
        assertThat(output).contains("ℹ fail 0").doesNotContain("ℹ pass 0");
    }

    /** The text of the newest mail to {@code email} (its text parts, decoded), or empty. */
    private static String lastMailTo(String email) {
        try {
            Message[] all = smtp.getReceivedMessages();
            for (int i = all.length - 1; i >= 0; i--) {
                if (Arrays.stream(all[i].getAllRecipients()).anyMatch(to -> to.toString().contains(email))) {
                    return text(all[i].getContent());
                }
            }
            return "";
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String text(Object content) throws Exception {
        if (content instanceof String text) {
            return text;
        }
        StringBuilder out = new StringBuilder();
        if (content instanceof Multipart parts) {
            for (int i = 0; i < parts.getCount(); i++) {
                BodyPart part = parts.getBodyPart(i);
                out.append(text(part.getContent())).append('\n');
            }
        }
        return out.toString();
    }

    private static void stopRelay(HttpExchange exchange) throws IOException {
        String name = query(exchange, "name");
        try {
            Optional<Suite.Relay> found = Optional.empty();
            for (Suite.Relay relay : suite.relays) {
                if (relay.process != null && relay.process.output().contains("this relay is " + name + " at")) {
                    found = Optional.of(relay);
                }
            }
            if (found.isEmpty()) {
                answer(exchange, 404, "text/plain", "no relay named " + name);
                return;
            }
            suite.kill(found.get());
            answer(exchange, 200, "text/plain", "stopped " + name);
        } catch (Exception e) {
            answer(exchange, 500, "text/plain", e.toString());
        }
    }

    private static String query(HttpExchange exchange, String key) {
        String raw = exchange.getRequestURI().getRawQuery();
        for (String pair : raw == null ? new String[0] : raw.split("&")) {
            String[] parts = pair.split("=", 2);
            if (parts[0].equals(key) && parts.length == 2) {
                return URLDecoder.decode(parts[1], StandardCharsets.UTF_8);
            }
        }
        return "";
    }

    private static void answer(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }

    /**
     * A page on another origin that opens the enclave and asks it for the topic list, every way it
     * can: it must get no answer at all (the enclave answers its configured app origin only).
     */
    private static final String FOREIGN_PAGE = """
            <!doctype html><title>foreign</title>
            <script>
            window.answers = [];
            window.addEventListener('message', (event) => window.answers.push({ origin: event.origin, data: event.data }));
            window.probe = async (kms) => {
              const opened = window.open(kms + '/', 'kms');
              await new Promise((resolve) => setTimeout(resolve, 1500));
              for (let i = 0; i < 5; i++) {
                opened.postMessage({ id: i + 1, method: 'topic.list', params: {} }, '*');
                opened.postMessage({ ats: 'kms', id: i + 100, method: 'vapid.publicKey', params: {} }, '*');
                await new Promise((resolve) => setTimeout(resolve, 200));
              }
              await new Promise((resolve) => setTimeout(resolve, 1000));
              opened.close();
              return window.answers;
            };
            </script>
            """;
}
