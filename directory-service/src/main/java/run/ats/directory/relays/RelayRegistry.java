package run.ats.directory.relays;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import run.ats.directory.DirectoryProperties;
import run.ats.protocol.directory.DirectoryEntry;
import run.ats.protocol.directory.RelayHeartbeat;

import java.time.Clock;

/** The registered relays and their latest heartbeats, in the {@code relays} table. */
@Component
public final class RelayRegistry {

    /** What a heartbeat came to. */
    public enum HeartbeatOutcome { ACCEPTED, UNKNOWN_RELAY, BAD_SIGNATURE, STALE, REPLAYED }

    private final DatabaseClient db;
    private final Clock clock;
    private final DirectoryProperties properties;

    RelayRegistry(DatabaseClient db, Clock clock, DirectoryProperties properties) {
        this.db = db;
        this.clock = clock;
        this.properties = properties;
    }

    /** Registers the relay, or updates its URL and name if it is registered already (its id is its key). */
    public Mono<Void> register(DirectoryEntry relay) {
        return bindName(db.sql("UPDATE relays SET url = :url, name = :name WHERE relay_id = :id"), relay.name())
                .bind("url", relay.url())
                .bind("id", relay.relayId())
                .fetch().rowsUpdated()
                .flatMap(updated -> updated > 0 ? Mono.empty() : bindName(db.sql(
                                "INSERT INTO relays (relay_id, public_key, url, name, registered_ms) VALUES (:id, :key, :url, :name, :now)"),
                        relay.name())
                        .bind("id", relay.relayId())
                        .bind("key", relay.publicKey())
                        .bind("url", relay.url())
                        .bind("now", clock.millis())
                        .then());
    }

    private static DatabaseClient.GenericExecuteSpec bindName(DatabaseClient.GenericExecuteSpec spec, String name) {
        return name == null ? spec.bindNull("name", String.class) : spec.bind("name", name);
    }

    /**
     * Records a heartbeat signed by the relay's registered key, not older or newer than the
     * allowed skew, and newer than the last one (a replay changes nothing).
     */
    public Mono<HeartbeatOutcome> heartbeat(RelayHeartbeat heartbeat) {
        long now = clock.millis();
        if (Math.abs(now - heartbeat.sentAt()) > properties.heartbeatSkew().toMillis()) {
            return Mono.just(HeartbeatOutcome.STALE);
        }
        return db.sql("SELECT relay_id, public_key, url FROM relays WHERE relay_id = :id")
                .bind("id", heartbeat.relayId())
                .map((row, meta) -> new DirectoryEntry(row.get("relay_id", String.class), row.get("public_key", String.class),
                        row.get("url", String.class), 0))
                .one()
                .flatMap(relay -> !heartbeat.signedBy(relay.key())
                        ? Mono.just(HeartbeatOutcome.BAD_SIGNATURE)
                        : db.sql("UPDATE relays SET heartbeat_ms = :now, sent_at_ms = :sent, uptime_seconds = :uptime, "
                                        + "connections = :connections, load_percent = :load "
                                        + "WHERE relay_id = :id AND (sent_at_ms IS NULL OR sent_at_ms < :sent)")
                                .bind("now", now)
                                .bind("sent", heartbeat.sentAt())
                                .bind("uptime", heartbeat.uptimeSeconds())
                                .bind("connections", heartbeat.connections())
                                .bind("load", heartbeat.loadPercent())
                                .bind("id", heartbeat.relayId())
                                .fetch().rowsUpdated()
                                .map(updated -> updated > 0 ? HeartbeatOutcome.ACCEPTED : HeartbeatOutcome.REPLAYED))
                .defaultIfEmpty(HeartbeatOutcome.UNKNOWN_RELAY);
    }

    /** Every registered relay with its weight as of {@code nowMs}. */
    public Flux<DirectoryEntry> entries(long nowMs) {
        return db.sql("SELECT relay_id, public_key, url, name, heartbeat_ms, uptime_seconds, load_percent FROM relays")
                .map((row, meta) -> new DirectoryEntry(row.get("relay_id", String.class), row.get("public_key", String.class),
                        row.get("url", String.class),
                        new Health(row.get("heartbeat_ms", Long.class), row.get("uptime_seconds", Long.class),
                                row.get("load_percent", Integer.class)).weight(nowMs, properties.answeringWithin()),
                        row.get("name", String.class)))
                .all();
    }
}
