-- The membership registry: blocs, parties and the append-only record.
--
-- Dates are stored as two columns: the window's first instant as fixed-width
-- UTC text with nanoseconds ('1992-05-15T00:00:00.000000000Z', which sorts
-- as it reads and round-trips an instant exactly) and the precision. The zero
-- date (no date) is stored as two empty strings.

CREATE TABLE blocs (
    slug              TEXT PRIMARY KEY CHECK (slug <> ''),
    name              TEXT NOT NULL,
    founded_start     TEXT NOT NULL DEFAULT '',
    founded_precision TEXT NOT NULL DEFAULT ''
        CHECK (founded_precision IN ('', 'year', 'month', 'day', 'instant')),
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
    kind                       TEXT NOT NULL CHECK (kind IN (
        'signed', 'acceded', 'suspended', 'resumed', 'withdrew', 'lapsed',
        'expelled', 'observer_from', 'observer_until', 'partner_from',
        'partner_until', 'statement', 'renamed', 'dissolved')),
    date_start                 TEXT NOT NULL CHECK (date_start <> ''),
    date_precision             TEXT NOT NULL
        CHECK (date_precision IN ('year', 'month', 'day', 'instant')),
    new_name                   TEXT NOT NULL DEFAULT '',
    -- a partner's topic labels as a JSON array of strings; '' for none
    scope                      TEXT NOT NULL DEFAULT '',
    source_title               TEXT NOT NULL DEFAULT '',
    source_publisher           TEXT NOT NULL DEFAULT '',
    source_url                 TEXT NOT NULL DEFAULT '',
    source_published_start     TEXT NOT NULL DEFAULT '',
    source_published_precision TEXT NOT NULL DEFAULT ''
        CHECK (source_published_precision IN ('', 'year', 'month', 'day', 'instant')),
    quote                      TEXT NOT NULL DEFAULT '',
    note                       TEXT NOT NULL DEFAULT '',
    recorded_at                TEXT NOT NULL,
    recorded_by                TEXT NOT NULL DEFAULT '',
    supersedes                 INTEGER REFERENCES records (id),
    retracts                   INTEGER NOT NULL DEFAULT 0
        CHECK (retracts IN (0, 1) AND (retracts = 0 OR supersedes IS NOT NULL))
) STRICT;

-- Records(blocs...) reads WHERE bloc IN (...) ORDER BY id; index entries
-- carry the rowid (= id), so each bloc's rows come out already in id order.
CREATE INDEX records_by_bloc ON records (bloc);
-- PartyRecords reads WHERE party = ? ORDER BY id; bloc-level rows have no party.
CREATE INDEX records_by_party ON records (party) WHERE party IS NOT NULL;
