-- The membership registry: blocs, parties and the append-only record.
--
-- A date is stored as written at its precision: '1992', '1992-05',
-- '1992-05-15', or an RFC 3339 UTC instant with every nanosecond. It reads
-- as the record says it and round-trips exactly; its precision follows from
-- its form, and a generated column (*_precision) shows it. Optional text is
-- NULL when absent, never ''. Record times (recorded_at) are integer
-- nanoseconds since 1970-01-01 UTC: exact, and compared as numbers (read
-- them with datetime(recorded_at / 1000000000, 'unixepoch')).

-- The closed set of event kinds, as a table that records.kind references
-- (rather than a CHECK (kind IN (...)) constraint, which SQLite evaluates
-- with a lookup per row and which cost a bulk import a third of its time;
-- Append checks kinds in Go before inserting).
CREATE TABLE kinds (kind TEXT PRIMARY KEY) STRICT, WITHOUT ROWID;
INSERT INTO kinds (kind) VALUES
    ('signed'), ('acceded'), ('suspended'), ('resumed'), ('withdrew'), ('lapsed'),
    ('expelled'), ('observer_from'), ('observer_until'), ('partner_from'),
    ('partner_until'), ('statement'), ('renamed'), ('dissolved');

CREATE TABLE blocs (
    slug              TEXT PRIMARY KEY CHECK (slug <> ''),
    name              TEXT NOT NULL,
    founded           TEXT,
    founded_precision TEXT GENERATED ALWAYS AS (CASE
        WHEN founded IS NULL THEN NULL WHEN length(founded) = 4 THEN 'year'
        WHEN length(founded) = 7 THEN 'month' WHEN length(founded) = 10 THEN 'day'
        ELSE 'instant' END) VIRTUAL,
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
    date_precision             TEXT GENERATED ALWAYS AS (CASE
        WHEN length(date) = 4 THEN 'year' WHEN length(date) = 7 THEN 'month'
        WHEN length(date) = 10 THEN 'day' ELSE 'instant' END) VIRTUAL,
    new_name                   TEXT,
    -- a partner's topic labels as a JSON array of strings
    scope                      TEXT,
    source_title               TEXT,
    source_publisher           TEXT,
    source_url                 TEXT,
    source_published           TEXT,
    source_published_precision TEXT GENERATED ALWAYS AS (CASE
        WHEN source_published IS NULL THEN NULL WHEN length(source_published) = 4 THEN 'year'
        WHEN length(source_published) = 7 THEN 'month' WHEN length(source_published) = 10 THEN 'day'
        ELSE 'instant' END) VIRTUAL,
    quote                      TEXT,
    note                       TEXT,
    recorded_at                INTEGER NOT NULL,
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
