-- Registered relays: public data only (no owner: the main server keeps who claimed what).
CREATE TABLE relays (
    relay_id          VARCHAR(32)  PRIMARY KEY,
    public_key        VARCHAR(43)  NOT NULL,
    url               VARCHAR(512) NOT NULL,
    registered_ms     BIGINT       NOT NULL,
    -- Health from the latest signed heartbeat; NULL until the first one.
    heartbeat_ms      BIGINT,
    sent_at_ms        BIGINT,
    uptime_seconds    BIGINT,
    connections       INTEGER,
    load_percent      INTEGER
);

-- Every directory version ever issued, signed; the newest is served.
CREATE TABLE directory_versions (
    version     BIGINT      PRIMARY KEY,
    issued_ms   BIGINT      NOT NULL,
    signed_json TEXT        NOT NULL
);

-- One row: the operator's N (roots per tree).
CREATE TABLE directory_settings (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    roots_per_tree  INTEGER NOT NULL
);

-- One row: the Ed25519 key that signs every version; relays pin its public half.
CREATE TABLE directory_key (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    private_key  TEXT NOT NULL,
    public_key   TEXT NOT NULL,
    created_ms   BIGINT NOT NULL
);
