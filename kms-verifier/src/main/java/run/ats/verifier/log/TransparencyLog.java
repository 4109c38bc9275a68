package run.ats.verifier.log;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Statement;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.LongFunction;

/**
 * The append-only Merkle log in PostgreSQL. Appends are serialised by a row lock on the log's
 * head, so replicas may append concurrently and every entry gets the next index exactly once;
 * each append stores the entries and the perfect subtrees they complete, never changing a row
 * (the database refuses updates and deletes as well). Proofs for any sizes read at most about
 * 2 log2(n) stored subtree hashes in one query.
 */
@Component
public final class TransparencyLog {

    /** The log after an append: the first new entry's index, and the new size and root. */
    public record Appended(long firstIndex, Head head) {
    }

    public record Head(long size, byte[] root) {
    }

    private record NodeId(int level, long index) {
    }

    private static final byte[] PLACEHOLDER = new byte[Merkle.HASH_LENGTH];
    private final DatabaseClient db;
    private final TransactionalOperator transactions;
    private final Clock clock;

    TransparencyLog(DatabaseClient db, TransactionalOperator transactions, Clock clock) {
        this.db = db;
        this.transactions = transactions;
        this.clock = clock;
    }

    public Mono<Appended> append(byte[] entry) {
        return append(List.of(entry), first -> Mono.empty());
    }

    /**
     * Appends {@code entries} in order, and runs {@code alsoInTransaction} (given the first new
     * index) in the same transaction: if it fails, nothing is appended.
     */
    public Mono<Appended> append(List<byte[]> entries, LongFunction<Mono<Void>> alsoInTransaction) {
        if (entries.isEmpty()) {
            return Mono.error(new IllegalArgumentException("nothing to append"));
        }
        Mono<Appended> append = db.sql("SELECT size FROM log_head WHERE id = 1 FOR UPDATE")
                .map((row, meta) -> row.get("size", Long.class))
                .one()
                .flatMap(size -> nodes(idsOf(Merkle.compactRange(size)))
                        .flatMap(edge -> write(size, entries, edge))
                        .flatMap(appended -> alsoInTransaction.apply(appended.firstIndex()).thenReturn(appended)));
        return transactions.transactional(append);
    }

    private Mono<Appended> write(long size, List<byte[]> entries, Map<NodeId, byte[]> known) {
        Map<NodeId, byte[]> added = new HashMap<>();
        Merkle.Nodes nodes = (level, index) -> {
            NodeId id = new NodeId(level, index);
            byte[] hash = added.containsKey(id) ? added.get(id) : known.get(id);
            if (hash == null) {
                throw new IllegalStateException("the log lacks node " + id);
            }
            return hash;
        };
        for (int i = 0; i < entries.size(); i++) {
            long index = size + i;
            byte[] hash = Merkle.leafHash(entries.get(i));
            added.put(new NodeId(0, index), hash);
            // A right child completes its parent: hash upwards while the node is one.
            int level = 0;
            long at = index;
            while ((at & 1) == 1) {
                hash = Merkle.nodeHash(nodes.node(level, at - 1), hash);
                level++;
                at >>= 1;
                added.put(new NodeId(level, at), hash);
            }
        }
        long newSize = size + entries.size();
        byte[] root = Merkle.root(newSize, nodes);
        long now = clock.millis();
        return db.inConnection(connection -> {
                    Statement insertEntries = connection.createStatement(
                            "INSERT INTO log_entries (idx, data, appended_ms) VALUES ($1, $2, $3)");
                    for (int i = 0; i < entries.size(); i++) {
                        if (i > 0) {
                            insertEntries.add();
                        }
                        insertEntries.bind(0, size + i).bind(1, ByteBuffer.wrap(entries.get(i))).bind(2, now);
                    }
                    Statement insertNodes = connection.createStatement("INSERT INTO log_nodes (level, idx, hash) VALUES ($1, $2, $3)");
                    boolean first = true;
                    for (Map.Entry<NodeId, byte[]> node : added.entrySet()) {
                        if (!first) {
                            insertNodes.add();
                        }
                        first = false;
                        insertNodes.bind(0, node.getKey().level()).bind(1, node.getKey().index()).bind(2, ByteBuffer.wrap(node.getValue()));
                    }
                    return run(insertEntries).then(run(insertNodes));
                })
                .then(db.sql("UPDATE log_head SET size = :size, root = :root WHERE id = 1 AND size = :old")
                        .bind("size", newSize).bind("root", ByteBuffer.wrap(root)).bind("old", size)
                        .fetch().rowsUpdated())
                .map(updated -> {
                    if (updated != 1) {
                        throw new IllegalStateException("the log head moved during an append");
                    }
                    return new Appended(size, new Head(newSize, root));
                });
    }

    private static Mono<Void> run(Statement statement) {
        return Flux.from(statement.execute()).flatMap(result -> result.getRowsUpdated()).then();
    }

    public Mono<Head> head() {
        return db.sql("SELECT size, root FROM log_head WHERE id = 1")
                .map((row, meta) -> new Head(row.get("size", Long.class), bytes(row.get("root"))))
                .one();
    }

    /** The exact bytes of entry {@code index}; empty if the log is not that long. */
    public Mono<byte[]> entry(long index) {
        return db.sql("SELECT data FROM log_entries WHERE idx = :idx").bind("idx", index)
                .map((row, meta) -> bytes(row.get("data")))
                .one();
    }

    /** Entries [start, end) that exist, in order. */
    public Flux<byte[]> entries(long start, long end) {
        return db.sql("SELECT data FROM log_entries WHERE idx >= :start AND idx < :end ORDER BY idx")
                .bind("start", start).bind("end", end)
                .map((row, meta) -> bytes(row.get("data")))
                .all();
    }

    public Mono<byte[]> root(long size) {
        return withNodes(nodes -> Merkle.root(size, nodes));
    }

    public Mono<List<byte[]>> inclusionProof(long index, long size) {
        return withNodes(nodes -> Merkle.inclusionProof(index, size, nodes));
    }

    public Mono<List<byte[]>> consistencyProof(long from, long to) {
        return withNodes(nodes -> Merkle.consistencyProof(from, to, nodes));
    }

    /**
     * Runs a computation over stored nodes in two passes: the first records which nodes it
     * reads (which nodes a proof needs does not depend on their hashes), one query fetches
     * them, the second computes. The caller makes sure the sizes are within the log.
     */
    private <T> Mono<T> withNodes(Function<Merkle.Nodes, T> computation) {
        Set<NodeId> wanted = new LinkedHashSet<>();
        computation.apply((level, index) -> {
            wanted.add(new NodeId(level, index));
            return PLACEHOLDER;
        });
        return nodes(wanted).map(found -> computation.apply((level, index) -> {
            byte[] hash = found.get(new NodeId(level, index));
            if (hash == null) {
                throw new IllegalStateException("the log lacks node " + level + "/" + index);
            }
            return hash;
        }));
    }

    private Mono<Map<NodeId, byte[]>> nodes(Set<NodeId> ids) {
        if (ids.isEmpty()) {
            return Mono.just(Map.of());
        }
        Integer[] levels = ids.stream().map(NodeId::level).toArray(Integer[]::new);
        Long[] indexes = ids.stream().map(NodeId::index).toArray(Long[]::new);
        return db.sql("SELECT n.level, n.idx, n.hash FROM log_nodes n "
                        + "JOIN unnest(:levels::integer[], :indexes::bigint[]) AS w(level, idx) ON n.level = w.level AND n.idx = w.idx")
                .bind("levels", levels).bind("indexes", indexes)
                .map((row, meta) -> Map.entry(new NodeId(row.get("level", Integer.class), row.get("idx", Long.class)), bytes(row.get("hash"))))
                .all()
                .collectMap(Map.Entry::getKey, Map.Entry::getValue);
    }

    private static Set<NodeId> idsOf(List<long[]> range) {
        Set<NodeId> ids = new LinkedHashSet<>();
        range.forEach(node -> ids.add(new NodeId((int) node[0], node[1])));
        return ids;
    }

    private static byte[] bytes(Object value) {
        if (value instanceof ByteBuffer buffer) {
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        }
        if (value instanceof byte[] bytes) {
            return bytes;
        }
        throw new IllegalStateException("expected bytea, got " + (value == null ? "null" : value.getClass().getName()));
    }
}
