-- The membership registry: blocs, parties and the append-only record.
--
-- A date is stored as two columns: the date written at its precision
-- ('1992', '1992-05', '1992-05-15', or an RFC 3339 UTC instant with every
-- nanosecond) and the precision itself. It reads as the record says it and
-- round-trips exactly. Optional text is NULL when absent, never ''.
-- Record times (recorded_at) are fixed-width UTC text with nanoseconds
-- ('2024-03-01T10:00:00.000000005Z') so that they sort as they read.

-- The closed sets of event kinds and date precisions, as tables that
-- columns reference (rather than CHECK (x IN (...)) constraints, which
-- SQLite evaluates with a lookup per row and which cost a bulk import a
-- third of its time; Append checks both in Go before inserting).
CREATE TABLE kinds (kind TEXT PRIMARY KEY) STRICT, WITHOUT ROWID;
INSERT INTO kinds (kind) VALUES
    ('signed'), ('acceded'), ('suspended'), ('resumed'), ('withdrew'), ('lapsed'),
    ('expelled'), ('observer_from'), ('observer_until'), ('partner_from'),
    ('partner_until'), ('statement'), ('renamed'), ('dissolved');

CREATE TABLE precisions (precision TEXT PRIMARY KEY) STRICT, WITHOUT ROWID;
INSERT INTO precisions (precision) VALUES ('year'), ('month'), ('day'), ('instant');

CREATE TABLE blocs (
    slug              TEXT PRIMARY KEY CHECK (slug <> ''),
    name              TEXT NOT NULL,
    founded           TEXT,
    founded_precision TEXT REFERENCES precisions (precision),
    place             TEXT NOT NULL DEFAULT '',
    instrument        TEXT NOT NULL DEFAULT '',
    demo              INTEGER NOT NULL DEFAULT 0 CHECK (demo IN (0, 1))
) STRICT;

CREATE TABLE parties (
    code TEXT PRIMARY KEY CHECK (code <> ''),
    name TEXT NOT NULL
) STRICT;

-- Other names of a party ("Byelorussia", "Belarus"), in the order given.
CREATE TABLE party_aliases (
    party    TEXT NOT NULL REFERENCES parties (code),
    position INTEGER NOT NULL,
    alias    TEXT NOT NULL,
    PRIMARY KEY (party, position)
) STRICT, WITHOUT ROWID;

CREATE INDEX party_aliases_by_alias ON party_aliases (alias);

-- One row per bloc.Record. Rows are only ever inserted: a correction or a
-- retraction is a new row that names the row it supersedes.
CREATE TABLE records (
    id                         INTEGER PRIMARY KEY,
    -- the id of the event's first record (its own id when it starts one)
    event_id                   INTEGER NOT NULL REFERENCES records (id),
    bloc                       TEXT NOT NULL REFERENCES blocs (slug),
    -- NULL for bloc-level kinds (renamed, dissolved)
    party                      TEXT REFERENCES parties (code),
    kind                       TEXT NOT NULL REFERENCES kinds (kind),
    date                       TEXT NOT NULL,
    date_precision             TEXT NOT NULL REFERENCES precisions (precision),
    new_name                   TEXT,
    -- a partner's topic labels as a JSON array of strings
    scope                      TEXT,
    source_title               TEXT,
    source_publisher           TEXT,
    source_url                 TEXT,
    source_published           TEXT,
    source_published_precision TEXT REFERENCES precisions (precision),
    quote                      TEXT,
    note                       TEXT,
    recorded_at                TEXT NOT NULL,
    recorded_by                TEXT,
    supersedes                 INTEGER REFERENCES records (id),
    retracts                   INTEGER NOT NULL DEFAULT 0
        CHECK (retracts IN (0, 1) AND (retracts = 0 OR supersedes IS NOT NULL))
) STRICT;

-- Records(blocs...) reads WHERE bloc IN (...) ORDER BY id; index entries
-- carry the rowid (= id), so each bloc's rows come out already in id order.
CREATE INDEX records_by_bloc ON records (bloc);
-- PartyRecords reads WHERE party = ? ORDER BY id; bloc-level rows have no party.
CREATE INDEX records_by_party ON records (party) WHERE party IS NOT NULL;
