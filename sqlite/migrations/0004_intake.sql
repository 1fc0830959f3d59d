-- Intake: news articles taken in and the membership events they state,
-- proposed to the registrar. Dates and instants are stored as in 0001/0002:
-- a date at its precision with the precision beside it; instants as
-- fixed-width UTC text with nanoseconds. Optional text is NULL when absent.

-- One row per article taken in. The text itself is not kept (the proposals
-- quote it); its hash, with the publication date, recognises a second
-- intake of the same article.
CREATE TABLE intake_articles (
    id                         INTEGER PRIMARY KEY,
    source_title               TEXT,
    source_publisher           TEXT,
    source_url                 TEXT,
    source_published           TEXT,
    source_published_precision TEXT
        CHECK (source_published_precision IN ('year', 'month', 'day', 'instant')),
    headline                   TEXT NOT NULL,
    text_hash                  TEXT NOT NULL CHECK (length(text_hash) = 64),
    report_id                  TEXT NOT NULL,
    created                    TEXT NOT NULL
) STRICT;
-- '' stands for "no publication date" in the key: NULLs would not collide.
CREATE UNIQUE INDEX intake_articles_text ON intake_articles (text_hash, COALESCE(source_published, ''));

-- One row per proposed event. bloc and party are not foreign keys: an
-- article may name a bloc the record does not hold yet. A decided proposal
-- keeps what was proposed; record_id is the record an acceptance made.
CREATE TABLE intake_proposals (
    id             INTEGER PRIMARY KEY,
    article_id     INTEGER NOT NULL REFERENCES intake_articles (id),
    bloc           TEXT NOT NULL CHECK (bloc <> ''),
    party          TEXT,
    kind           TEXT NOT NULL CHECK (kind IN (
        'signed', 'acceded', 'suspended', 'resumed', 'withdrew', 'lapsed',
        'expelled', 'observer_from', 'observer_until', 'partner_from',
        'partner_until', 'statement', 'renamed', 'dissolved')),
    date           TEXT NOT NULL,
    date_precision TEXT NOT NULL CHECK (date_precision IN ('year', 'month', 'day', 'instant')),
    new_name       TEXT,
    quote          TEXT NOT NULL,
    confidence     REAL NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
    reason         TEXT,
    uncertain      INTEGER NOT NULL DEFAULT 0 CHECK (uncertain IN (0, 1)),
    status         TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'rejected')),
    decided_at     TEXT,
    decided_by     TEXT,
    note           TEXT,
    record_id      INTEGER REFERENCES records (id),
    CHECK ((status = 'pending') = (decided_at IS NULL)),
    CHECK (record_id IS NULL OR status = 'accepted')
) STRICT;
CREATE INDEX intake_proposals_article ON intake_proposals (article_id, id);
CREATE INDEX intake_proposals_status ON intake_proposals (status, id);
