-- A relay waiting to be claimed: its key, URL and the hash of the claim code it shows its operator.
CREATE TABLE relay_enrollments (
    relay_id    VARCHAR(32)  PRIMARY KEY,
    public_key  VARCHAR(43)  NOT NULL,
    url         VARCHAR(512) NOT NULL,
    code_hash   VARCHAR(64)  NOT NULL UNIQUE,
    created_ms  BIGINT       NOT NULL,
    expires_ms  BIGINT       NOT NULL
);

-- Claimed relays and who claimed them: the only place that links a relay to a person.
CREATE TABLE relays (
    relay_id    VARCHAR(32)  PRIMARY KEY,
    owner_id    UUID         NOT NULL REFERENCES accounts (id),
    public_key  VARCHAR(43)  NOT NULL,
    url         VARCHAR(512) NOT NULL,
    claimed_ms  BIGINT       NOT NULL
);
CREATE INDEX relays_by_owner ON relays (owner_id, claimed_ms);
