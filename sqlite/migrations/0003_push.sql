-- Push: webhook subscriptions with their delivery log, and the token
-- version that lets the stream guard notice revocations with one cheap
-- read. Instants are fixed-width UTC text with nanoseconds, as in 0002.

-- One row per webhook subscription of an agency to a collection. The
-- secret is the HMAC key of the signatures: bloc must keep it to sign, so
-- it is stored as given. last_seq is the progress (every object version up
-- to it was delivered or passed over as unreadable); failures counts
-- consecutive failed attempts.
CREATE TABLE webhooks (
    id              TEXT PRIMARY KEY,
    agency          TEXT NOT NULL REFERENCES agencies (id),
    collection      TEXT NOT NULL REFERENCES collections (id),
    url             TEXT NOT NULL,
    secret          TEXT NOT NULL,
    max_failures    INTEGER NOT NULL CHECK (max_failures >= 1),
    created         TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
    last_seq        INTEGER NOT NULL DEFAULT 0,
    failures        INTEGER NOT NULL DEFAULT 0,
    delivered       INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    last_attempt    TEXT,
    last_success    TEXT,
    disabled_at     TEXT,
    disabled_reason TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX webhooks_collection ON webhooks (collection);

-- Every delivery attempt, successful or not.
CREATE TABLE webhook_deliveries (
    pk          INTEGER PRIMARY KEY,
    webhook     TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    object_id   TEXT NOT NULL,
    version     TEXT NOT NULL,
    attempt     INTEGER NOT NULL,
    at          TEXT NOT NULL,
    http_status INTEGER NOT NULL, -- 0: no HTTP response
    ok          INTEGER NOT NULL,
    error       TEXT NOT NULL DEFAULT '',
    duration_ns INTEGER NOT NULL
) STRICT;
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook, pk);

-- token_version grows whenever a token is revoked, changes expiry or is
-- removed, so that a node polls one row, not every open stream's token.
CREATE TABLE push_state (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    token_version INTEGER NOT NULL
) STRICT;
INSERT INTO push_state (id, token_version) VALUES (1, 0);

CREATE TRIGGER push_token_updated AFTER UPDATE OF revoked_at, expires_at ON tokens
BEGIN
    UPDATE push_state SET token_version = token_version + 1 WHERE id = 1;
END;

CREATE TRIGGER push_token_deleted AFTER DELETE ON tokens
BEGIN
    UPDATE push_state SET token_version = token_version + 1 WHERE id = 1;
END;
