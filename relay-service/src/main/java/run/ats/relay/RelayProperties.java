package run.ats.relay;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
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
 * Every {@code ats.relay.*} setting, with its safe default; docs/operations.md lists them.
 *
 * @param mainUrl        main server base URL; its JWKS at /.well-known/jwks.json verifies client tokens
 * @param jwksFile       optional JWKS file, used at start before (or instead of) the main server
 * @param keyFile        the relay's Ed25519 key file, created on first start (the only file a relay writes)
 * @param publicUrl      how clients reach this relay when no tunnel is used
 * @param maxFrame       largest WebSocket frame a client may send; more closes with 1009
 * @param maxEventTtl    longest an event lives, whatever the client asks
 * @param maxEventsPerChannel unexpired events kept per (tag, cell); the oldest goes first
 * @param maxChannels    channels (tag, cell) held at once; a client's subscribe or publish that would open
 *                       another is refused ({@code over_capacity})
 * @param maxStoredBytes bytes of events (their frames and remembered ids) held at once; a publish that would pass
 *                       it is refused ({@code over_capacity})
 * @param maxStoredBytesPerAddress the part of {@code maxStoredBytes} that the clients of one address may hold, so
 *                       that one address cannot fill the relay for everyone ({@code over_capacity})
 * @param maxSubscriptions subscriptions per connection
 * @param publishesPerSecond publishes per second per connection; over it, error frames
 * @param publishesPerSecondPerToken publishes per second per relay token (all its connections)
 * @param framesPerSecond frames of any kind per second per connection; over it, the connection closes (flood)
 * @param connectionsPerIp concurrent connections from one client IP
 * @param helloTimeout   how long a new connection may wait before its hello
 * @param idleTimeout    how long a connection may stay silent (send heartbeats)
 * @param outboundQueue  bytes a reader's socket may leave unsent; over it, that reader's connection closes
 * @param directoryUrl   directory service base URL; none: a standalone relay (no trees, no heartbeats)
 * @param directoryKey   the directory's Ed25519 public key (raw, base64url) that every version must be signed with;
 *                       none: taken from the directory at first start and logged (pin it for production)
 * @param heartbeatInterval how often the relay tells the directory it is up
 * @param enroll         ask the main server for a claim code at start (until the relay is claimed)
 * @param linkHoldDown   how long a higher root's link must stay up before trees move back to it; doubled for
 *                       each further time that root's link dropped within {@code linkFlapWindow} (at most 16x)
 * @param linkFlapWindow how long a dropped link counts against its peer's hold-down
 * @param linkKeepalive  a link silent this long gets a ping; silent three times as long, it is closed
 * @param linkRetry      how long to wait before dialing a root again after it failed
 * @param linkCheckInterval how often every tree's parent is checked
 * @param brokerUrls     tunnel brokers to hold a tunnel to ({@code wss://broker.example/v1/tunnel}); none: no tunnel
 */
@Validated
@ConfigurationProperties("ats.relay")
public record RelayProperties(
        @DefaultValue("http://localhost:8080") @NotNull URI mainUrl,
        Path jwksFile,
        @DefaultValue("relay.key") @NotNull Path keyFile,
        @DefaultValue("ws://localhost:8081/v1/ws") @NotNull URI publicUrl,
        @DefaultValue("16KB") @NotNull DataSize maxFrame,
        @DefaultValue("5m") @NotNull Duration maxEventTtl,
        @DefaultValue("1000") @Min(1) int maxEventsPerChannel,
        @DefaultValue("50000") @Min(1) int maxChannels,
        @DefaultValue("128MB") @NotNull DataSize maxStoredBytes,
        @DefaultValue("16MB") @NotNull DataSize maxStoredBytesPerAddress,
        @DefaultValue("64") @Min(1) @Max(10_000) int maxSubscriptions,
        @DefaultValue("10") @Min(1) int publishesPerSecond,
        @DefaultValue("20") @Min(1) int publishesPerSecondPerToken,
        @DefaultValue("100") @Min(1) int framesPerSecond,
        @DefaultValue("32") @Min(1) int connectionsPerIp,
        @DefaultValue("10s") @NotNull Duration helloTimeout,
        @DefaultValue("90s") @NotNull Duration idleTimeout,
        @DefaultValue("256KB") @NotNull DataSize outboundQueue,
        URI directoryUrl,
        String directoryKey,
        @DefaultValue("10s") @NotNull Duration heartbeatInterval,
        @DefaultValue("true") boolean enroll,
        @DefaultValue("2s") @NotNull Duration linkHoldDown,
        @DefaultValue("5m") @NotNull Duration linkFlapWindow,
        @DefaultValue("1s") @NotNull Duration linkKeepalive,
        @DefaultValue("1s") @NotNull Duration linkRetry,
        @DefaultValue("250ms") @NotNull Duration linkCheckInterval,
        List<URI> brokerUrls) {

    public RelayProperties {
        // Unset or empty: no tunnel (binding an empty string would give one empty URI).
        brokerUrls = brokerUrls == null ? List.of()
                : brokerUrls.stream().filter(url -> !url.toString().isBlank()).toList();
    }
}
