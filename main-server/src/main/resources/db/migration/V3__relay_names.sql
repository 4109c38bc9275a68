-- Every public name ever given, and to which relay. Rows are never deleted, so a name that was
-- once someone's is never given to anyone else (no takeover of a name people know).
CREATE TABLE relay_names (
    name        VARCHAR(63)  PRIMARY KEY,
    relay_id    VARCHAR(32)  NOT NULL UNIQUE,
    given_ms    BIGINT       NOT NULL
);
ALTER TABLE relays ADD COLUMN name VARCHAR(63);
