package run.ats.relay.link;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * What one peer relay may cost this relay over a link ({@code ats.relay.link.*}; docs/operations.md).
 * Every listed relay may link, so these bound a malicious one.
 *
 * @param framesPerSecond   link frames (events, joins, leaves, announcements) read per second per link; a
 *                          peer sending faster is read more slowly (backpressure), nothing is dropped
 * @param joinsPerSecond    tree joins per second per link (each join replays the tree's stored events)
 * @param maxTrees          trees one link may carry; a join past it closes the link (1008)
 * @param gossipInterval    at most one directory fetch per peer per interval, and one at a time, however
 *                          many newer versions it announces; the newest announced is fetched at the end
 * @param allowPrivatePeers dial and fetch peers whose URL names a loopback, private, link-local or other
 *                          non-public address (a local run); off, such a listed URL is refused
 */
@Validated
@ConfigurationProperties("ats.relay.link")
record LinkSettings(
        @DefaultValue("5000") @Min(1) @Max(1_000_000) int framesPerSecond,
        @DefaultValue("200") @Min(1) @Max(1_000_000) int joinsPerSecond,
        @DefaultValue("4096") @Min(1) int maxTrees,
        @DefaultValue("5s") @NotNull Duration gossipInterval,
        @DefaultValue("false") boolean allowPrivatePeers) {
}
