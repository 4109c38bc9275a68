-- The transparency log: entries and the hashes of their perfect subtrees, never rewritten.
CREATE TABLE log_entries (
    idx         BIGINT PRIMARY KEY CHECK (idx >= 0),
    data        BYTEA NOT NULL,
    appended_ms BIGINT NOT NULL
);

-- level 0 is the leaf hash of entry idx; level l covers entries [idx * 2^l, (idx + 1) * 2^l).
CREATE TABLE log_nodes (
    level INTEGER NOT NULL CHECK (level BETWEEN 0 AND 63),
    idx   BIGINT NOT NULL CHECK (idx >= 0),
    hash  BYTEA NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (level, idx)
);

-- One row: the size and root every append moves forward under a row lock.
CREATE TABLE log_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    size BIGINT NOT NULL CHECK (size >= 0),
    root BYTEA NOT NULL CHECK (length(root) = 32)
);
INSERT INTO log_head (id, size, root)
VALUES (1, 0, decode('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'hex'));

-- Append-only, enforced by the database as well as the code: no entry or node changes or goes.
CREATE FUNCTION refuse_log_rewrite() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the transparency log is append-only: % on % refused', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER log_entries_append_only BEFORE UPDATE OR DELETE ON log_entries
    FOR EACH ROW EXECUTE FUNCTION refuse_log_rewrite();
CREATE TRIGGER log_nodes_append_only BEFORE UPDATE OR DELETE ON log_nodes
    FOR EACH ROW EXECUTE FUNCTION refuse_log_rewrite();
CREATE TRIGGER log_truncate_refused BEFORE TRUNCATE ON log_entries
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_log_rewrite();
CREATE TRIGGER log_nodes_truncate_refused BEFORE TRUNCATE ON log_nodes
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_log_rewrite();

-- The checkpoint signing key, made by the first replica to start (as the directory's key).
CREATE TABLE log_key (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    private_key TEXT NOT NULL,
    public_key  TEXT NOT NULL,
    created_ms  BIGINT NOT NULL
);

-- Releases and deprecations as looked up; the log entries are the record.
CREATE TABLE releases (
    version           TEXT PRIMARY KEY,
    leaf_index        BIGINT NOT NULL UNIQUE REFERENCES log_entries (idx),
    source_commit     TEXT NOT NULL,
    deprecated_index  BIGINT UNIQUE REFERENCES log_entries (idx),
    deprecated_reason TEXT
);

CREATE TABLE release_files (
    version   TEXT NOT NULL REFERENCES releases (version),
    path      TEXT NOT NULL,
    integrity TEXT NOT NULL,
    PRIMARY KEY (version, path)
);
CREATE INDEX release_files_by_integrity ON release_files (integrity);

-- What the monitor found, newest last; pruned to the last ats.verifier.monitor.history per origin.
CREATE TABLE verifications (
    id         BIGSERIAL PRIMARY KEY,
    origin     TEXT NOT NULL,
    checked_ms BIGINT NOT NULL,
    verdict    TEXT NOT NULL,
    version    TEXT,
    report     TEXT NOT NULL
);
CREATE INDEX verifications_by_origin ON verifications (origin, id);
