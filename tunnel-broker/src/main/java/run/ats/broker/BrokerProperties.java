package run.ats.broker;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Every {@code ats.broker.*} setting, with its safe default; docs/operations.md lists them.
 *
 * @param domain          relay names are served as {@code {name}.{domain}}
 * @param directoryUrl    the directory service: which relays are claimed, their keys and names
 * @param directoryKey    the directory's Ed25519 public key (raw, base64url); none: read from the directory at start and logged
 * @param directoryPoll   how often the whole directory is read besides following its stream (the backstop)
 * @param publicPort      where {@code {name}.{domain}} and {@code /v1/tunnel} are served
 * @param publicAddress   the address the public port binds to
 * @param advertisedUrl   how people reach a name, {@code {name}} standing for it (e.g. {@code wss://{name}.ats.run});
 *                        none: {@code ws(s)://{name}.{domain}:{publicPort}} from this broker's own TLS setting
 * @param tls             the wildcard certificate for {@code *.{domain}}; none: plain, for local runs or behind a TLS ingress
 * @param window          bytes each stream may have in flight each way (its flow-control window)
 * @param maxStreams      concurrent streams per tunnel
 * @param keepalive       a tunnel silent this long gets a ping; silent three times as long, it is closed
 * @param headerTimeout   time a public connection has to send its first request head
 * @param maxHeaderSize   largest request head accepted on the public port
 * @param helloTimeout    time a relay has to prove its key once its tunnel's WebSocket is open
 * @param peers           the other replicas of this broker, so that any replica serves any name
 * @param maxConnectionsPerAddress open public connections one client address may hold; 0: no limit
 * @param trustedProxies  CIDR blocks of proxies (an ingress controller) whose X-Forwarded-For and
 *                        X-Forwarded-Proto are believed; none: every connection is its own client
 * @param eventLoops      threads serving the public port (tunnels and client connections); 0: one per core
 * @param tunnelUrls      the URLs relays dial to reach this broker's {@code /v1/tunnel} (what their
 *                        {@code ats.relay.broker-urls} say; replicas behind one name list the same): a relay's
 *                        proof names the one it dialed, and a proof for any other broker is refused; none:
 *                        {@code ws(s)://127.0.0.1}, {@code localhost} and {@code [::1]} at the public port, for a local run
 */
@Validated
@ConfigurationProperties("ats.broker")
public record BrokerProperties(
        @DefaultValue("relays.localhost") @NotBlank String domain,
        @DefaultValue("http://localhost:8082") @NotNull URI directoryUrl,
        String directoryKey,
        @DefaultValue("30s") @NotNull Duration directoryPoll,
        @DefaultValue("8443") @Min(0) @Max(65535) int publicPort,
        @DefaultValue("0.0.0.0") @NotBlank String publicAddress,
        String advertisedUrl,
        Tls tls,
        @DefaultValue("256KB") @NotNull DataSize window,
        @DefaultValue("1024") @Min(1) int maxStreams,
        @DefaultValue("2s") @NotNull Duration keepalive,
        @DefaultValue("10s") @NotNull Duration headerTimeout,
        @DefaultValue("16KB") @NotNull DataSize maxHeaderSize,
        @DefaultValue("10s") @NotNull Duration helloTimeout,
        @DefaultValue @Valid Peers peers,
        @DefaultValue("256") @Min(0) int maxConnectionsPerAddress,
        @DefaultValue("") List<String> trustedProxies,
        @DefaultValue("0") @Min(0) int eventLoops,
        @DefaultValue("") List<URI> tunnelUrls) {

    public BrokerProperties {
        tunnelUrls = tunnelUrls == null ? List.of() : tunnelUrls.stream().filter(url -> !url.toString().isBlank()).toList();
        for (URI url : tunnelUrls) {
            try {
                run.ats.tunnel.TunnelHandshake.brokerOrigin(url);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("ats.broker.tunnel-urls: " + e.getMessage());
            }
        }
        long bytes = window == null ? 0 : window.toBytes();
        if (bytes < run.ats.tunnel.TunnelHandshake.MIN_WINDOW || bytes > run.ats.tunnel.TunnelHandshake.MAX_WINDOW) {
            throw new IllegalArgumentException("ats.broker.window must be from 16KB to 16MB, not " + window);
        }
    }

    /**
     * The replicas that may hold a tunnel this one does not. Off unless both are set.
     *
     * @param urls          the replicas' API base URLs ({@code http://broker-headless:8083}); a host name with
     *                      several addresses (a headless Service) stands for every one of them
     * @param token         the secret replicas show each other (at least 32 characters), on lookups and on
     *                      connections handed over, so that only a replica can vouch for a client's address
     * @param lookupTimeout how long to wait for the replicas' answers before answering 503
     * @param cache         how long an answer (where a relay's tunnel is, or that none has it) is reused
     */
    public record Peers(@DefaultValue("") List<URI> urls, String token,
                        @DefaultValue("1s") @NotNull Duration lookupTimeout,
                        @DefaultValue("2s") @NotNull Duration cache) {

        public Peers {
            if (token != null && !token.isBlank() && token.length() < 32) {
                throw new IllegalArgumentException("ats.broker.peers.token must have at least 32 characters");
            }
        }

        public boolean enabled() {
            return token != null && !token.isBlank() && !urls.isEmpty();
        }
    }

    /** PEM files: the certificate chain and its private key (PKCS#8). */
    public record Tls(@NotNull Path certificate, @NotNull Path privateKey) {
    }

    public boolean tlsEnabled() {
        return tls != null;
    }

    /** Where clients reach relay {@code name}'s WebSocket. */
    public String publicUrl(String name) {
        String template = advertisedUrl != null && !advertisedUrl.isBlank() ? advertisedUrl
                : (tlsEnabled() ? "wss" : "ws") + "://{name}." + domain + ":" + publicPort;
        return template.replace("{name}", name).replaceAll("/+$", "") + "/v1/ws";
    }
}
