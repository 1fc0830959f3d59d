-- The exchange: agencies, their credentials, TAXII collections, STIX object
-- versions and TAXII status resources. Instants of the exchange's own
-- metadata are fixed-width UTC text with nanoseconds, which sorts as it
-- reads (as in 0001); the ordering columns of objects
-- (date_added, version_us) are integer microseconds since the epoch so that
-- comparisons, ordering and cursors are exact.

CREATE TABLE agencies (
    id       TEXT PRIMARY KEY,
    party    TEXT NOT NULL REFERENCES parties (code),
    name     TEXT NOT NULL,
    identity TEXT NOT NULL UNIQUE, -- identity--<uuid>
    created  TEXT NOT NULL,
    demo     INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX agencies_party ON agencies (party);

-- Only a hash of a token's secret is ever stored.
CREATE TABLE tokens (
    id         TEXT PRIMARY KEY,
    agency     TEXT NOT NULL REFERENCES agencies (id),
    role       TEXT NOT NULL CHECK (role IN ('read', 'write', 'registrar')),
    hash       BLOB NOT NULL,
    created    TEXT NOT NULL,
    expires_at TEXT, -- NULL: never
    revoked_at TEXT, -- NULL: live
    demo       INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX tokens_agency ON tokens (agency);

-- num is a compact internal key so that the object indexes do not repeat a
-- 36-byte UUID per row. last_seq and last_added are the collection's
-- high-water marks: kept here, not derived from objects, so that deleting the
-- newest object never lets a later write reuse its seq or date_added (a
-- client's cursor would then skip the new object).
CREATE TABLE collections (
    num         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE, -- UUID, as TAXII requires
    bloc        TEXT NOT NULL REFERENCES blocs (slug),
    title       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    alias       TEXT NOT NULL DEFAULT '',
    audience    TEXT NOT NULL CHECK (audience IN ('members', 'members+observers', 'public')),
    created     TEXT NOT NULL,
    demo        INTEGER NOT NULL DEFAULT 0,
    last_seq    INTEGER NOT NULL DEFAULT 0,
    last_added  INTEGER NOT NULL DEFAULT 0 -- µs since the epoch
) STRICT;
CREATE INDEX collections_bloc ON collections (bloc);
-- TAXII aliases name a collection within its API root (the bloc).
CREATE UNIQUE INDEX collections_alias ON collections (bloc, alias) WHERE alias <> '';

-- Every object id ever written, in any collection, numbered in order of
-- first write. The party that first wrote an id owns it, for good (deleting
-- its versions does not release it). Objects refer to an id by num: new ids
-- get increasing numbers, so the objects_version index grows at its end
-- instead of taking a random key per insert.
--
-- The one index keyed by the random STIX id holds a 64-bit hash of it
-- (FNV-1a, computed by the store) rather than the id's ~47 bytes: a quarter
-- of the size, so that at a million ids it stays in the writer's page cache
-- and a write's lookups do not read from disk. Lookups compare stix_id too,
-- so a collision costs a row read, never a wrong answer; stix_id is unique
-- because the one writer looks an id up before it adds it.
CREATE TABLE object_ids (
    num         INTEGER PRIMARY KEY,
    id_hash     INTEGER NOT NULL,
    stix_id     TEXT NOT NULL,
    owner_party TEXT NOT NULL REFERENCES parties (code)
) STRICT;
CREATE INDEX object_ids_hash ON object_ids (id_hash);

-- One row per stored version of a STIX object in a collection.
CREATE TABLE objects (
    pk           INTEGER PRIMARY KEY,
    coll         INTEGER NOT NULL REFERENCES collections (num),
    seq          INTEGER NOT NULL,
    id_num       INTEGER NOT NULL REFERENCES object_ids (num),
    stix_id      TEXT NOT NULL,
    type         TEXT NOT NULL,
    version      TEXT NOT NULL,    -- as written (RFC 3339)
    version_us   INTEGER NOT NULL, -- the same instant, for ordering and matching
    spec_version TEXT NOT NULL,
    date_added   INTEGER NOT NULL, -- µs since the epoch; strictly increasing with seq
    producer     TEXT NOT NULL REFERENCES agencies (id),
    owner_party  TEXT NOT NULL REFERENCES parties (code),
    tlp          INTEGER NOT NULL,
    recipients   TEXT, -- JSON bloc.Recipients; NULL when none
    labels       TEXT, -- JSON array; NULL when none
    is_first     INTEGER NOT NULL,
    is_last      INTEGER NOT NULL,
    raw          BLOB NOT NULL
) STRICT;
-- Paging: a page is a range scan from any seq.
CREATE UNIQUE INDEX objects_seq ON objects (coll, seq);
-- match[id], version lookups, duplicate detection and first/last upkeep.
CREATE UNIQUE INDEX objects_version ON objects (coll, id_num, version_us);
-- match[type], paged in seq order. The flags make it covering for the
-- per-type branches of a query on several types (see Objects).
CREATE INDEX objects_type ON objects (coll, type, seq, is_first, is_last);
-- added_after: find where to start.
CREATE INDEX objects_added ON objects (coll, date_added);

CREATE TABLE statuses (
    id         TEXT PRIMARY KEY,
    collection TEXT NOT NULL REFERENCES collections (id),
    agency     TEXT NOT NULL REFERENCES agencies (id),
    party      TEXT NOT NULL REFERENCES parties (code),
    status     TEXT NOT NULL,
    request_at TEXT NOT NULL,
    successes  TEXT, -- JSON []bloc.StatusDetail; NULL when none
    failures   TEXT,
    pendings   TEXT
) STRICT;
