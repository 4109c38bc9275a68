-- Times are epoch milliseconds (BIGINT) so the same schema runs on PostgreSQL and on the
-- embedded H2 store of the local run. Secrets are stored only as SHA-256 hex hashes.

CREATE TABLE accounts (
    id         UUID         PRIMARY KEY,
    email      VARCHAR(254) NOT NULL UNIQUE,
    created_ms BIGINT       NOT NULL
);

-- One row per sign-in request. ended_reason: used, superseded, attempts.
CREATE TABLE sign_in_flows (
    id            UUID         PRIMARY KEY,
    email         VARCHAR(254) NOT NULL,
    code_hash     VARCHAR(64)  NOT NULL,
    token_hash    VARCHAR(64)  NOT NULL UNIQUE,
    browser_hash  VARCHAR(64)  NOT NULL,
    attempts      INT          NOT NULL,
    created_ms    BIGINT       NOT NULL,
    expires_ms    BIGINT       NOT NULL,
    ended_ms      BIGINT,
    ended_reason  VARCHAR(16)
);
CREATE INDEX sign_in_flows_by_email ON sign_in_flows (email, created_ms);
CREATE INDEX sign_in_flows_by_expiry ON sign_in_flows (expires_ms);

-- Refresh tokens: each use spends one and issues the next in the same family.
CREATE TABLE refresh_tokens (
    token_hash  VARCHAR(64) PRIMARY KEY,
    family_id   UUID        NOT NULL,
    account_id  UUID        NOT NULL REFERENCES accounts (id),
    created_ms  BIGINT      NOT NULL,
    expires_ms  BIGINT      NOT NULL,
    spent_ms    BIGINT,
    revoked_ms  BIGINT
);
CREATE INDEX refresh_tokens_by_family ON refresh_tokens (family_id);

-- ES256 signing keys as JWKs (private part included). The newest signs; the two newest verify.
CREATE TABLE signing_keys (
    kid        VARCHAR(64)   PRIMARY KEY,
    jwk        VARCHAR(2048) NOT NULL,
    created_ms BIGINT        NOT NULL
);
