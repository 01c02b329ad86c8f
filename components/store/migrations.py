"""Forward-only schema migrations: numbered SQL steps, each applied in one transaction.

Why not Alembic or yoyo-migrations: they bring SQLAlchemy or a dependency tree
for what is here a list of a few SQL scripts against one embedded file; a
migration is never edited once released -- a change is a new, higher step.
"""
from __future__ import annotations

import sqlite3

V1_CORE = """
CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL UNIQUE,            -- the citation id (file stem): {"doc": doc_id, ...}
    sha256 TEXT NOT NULL UNIQUE,            -- of the file's bytes
    file_name TEXT NOT NULL,
    path TEXT,                              -- source file as given (seeds/, uploads/ or the CLI's path)
    n_bytes INTEGER NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    publisher TEXT NOT NULL DEFAULT '',
    author TEXT NOT NULL DEFAULT '',
    published TEXT,                         -- ISO date or NULL
    date_precision TEXT NOT NULL DEFAULT 'unknown',
    url TEXT,
    language TEXT NOT NULL DEFAULT '',
    licence TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    added_at TEXT NOT NULL,
    added_by TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL CHECK (source IN ('seed', 'upload', 'cli')),
    status TEXT NOT NULL CHECK (status IN ('pending', 'ok', 'failed')),
    failure TEXT,
    ingest_key TEXT,
    file_sig TEXT,                          -- size and mtime of the file (and sidecar) when last read
    text TEXT                               -- the decoded text citations index (NULL if it could not be decoded)
);
CREATE TABLE passages (
    id INTEGER PRIMARY KEY,
    doc INTEGER NOT NULL REFERENCES documents(id),
    idx INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    folded TEXT NOT NULL,                   -- search_fold(text[start:end]) padded with one space each side
    published_sort TEXT NOT NULL,           -- the document's date or '' (search orders by it without a join)
    UNIQUE (doc, idx)
);
CREATE TABLE mentions (
    id INTEGER PRIMARY KEY,
    doc INTEGER NOT NULL REFERENCES documents(id),
    passage INTEGER NOT NULL REFERENCES passages(id),
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    surface TEXT NOT NULL,                  -- the name as written: text[start:end]
    place_id TEXT NOT NULL,
    place_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    zone TEXT
);
CREATE TABLE place_stats (                 -- per place, kept up to date on every ingest and removal (map markers)
    place_id TEXT PRIMARY KEY,
    place_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    zone TEXT,
    mentions INTEGER NOT NULL,
    documents INTEGER NOT NULL
);
CREATE TABLE zone_links (
    zone TEXT NOT NULL,
    passage INTEGER NOT NULL REFERENCES passages(id),
    doc INTEGER NOT NULL REFERENCES documents(id),
    PRIMARY KEY (zone, passage)
) WITHOUT ROWID;
CREATE TABLE candidates (
    id INTEGER PRIMARY KEY,
    doc INTEGER NOT NULL REFERENCES documents(id),
    passage INTEGER NOT NULL REFERENCES passages(id),
    kind TEXT NOT NULL,
    value TEXT NOT NULL,                    -- JSON
    value_type TEXT NOT NULL,
    qualifier TEXT,
    date_precision TEXT,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    quote TEXT NOT NULL,
    citation TEXT NOT NULL                  -- JSON, as CandidateFact.as_dict()["citation"]
);
"""

V2_SEARCH = """
CREATE VIRTUAL TABLE passages_fts USING fts5(folded, content='passages', content_rowid='id', tokenize='trigram');
CREATE TRIGGER passages_fts_insert AFTER INSERT ON passages BEGIN
    INSERT INTO passages_fts(rowid, folded) VALUES (new.id, new.folded);
END;
CREATE TRIGGER passages_fts_delete AFTER DELETE ON passages BEGIN
    INSERT INTO passages_fts(passages_fts, rowid, folded) VALUES ('delete', old.id, old.folded);
END;
INSERT INTO passages_fts(passages_fts) VALUES ('rebuild');
"""

V3_INDEXES = """
CREATE INDEX documents_published ON documents(published);
CREATE INDEX documents_publisher ON documents(publisher COLLATE NOCASE);
CREATE INDEX documents_status ON documents(status);
CREATE INDEX mentions_doc ON mentions(doc, place_id);
CREATE INDEX mentions_place ON mentions(place_id, passage);
CREATE INDEX place_stats_order ON place_stats(kind, mentions DESC, place_id);
CREATE INDEX zone_links_doc ON zone_links(doc);
CREATE INDEX candidates_doc ON candidates(doc);
"""

V4_INGEST_NOTE = """
ALTER TABLE documents ADD COLUMN ingest_note TEXT;  -- what the per-document limits dropped (components/ingest/limits.py)
"""

V10_CURATORS_AND_REVIEWS = """
CREATE TABLE curators (
    name TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,            -- argon2id, salted (argon2-cffi's PasswordHasher)
    created_at TEXT NOT NULL
);
CREATE TABLE signin_failures (             -- failed sign-ins, for rate limiting (per name)
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    at REAL NOT NULL                        -- seconds since the epoch
);
CREATE INDEX signin_failures_name ON signin_failures(name, at);
CREATE TABLE uploads_by (                  -- what each curator uploaded (per-curator limits)
    id INTEGER PRIMARY KEY,
    curator TEXT NOT NULL,
    n_bytes INTEGER NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX uploads_by_curator ON uploads_by(curator, at);
CREATE TABLE reviews (                     -- the audit trail: every review action, never updated or deleted
    id INTEGER PRIMARY KEY,
    target TEXT NOT NULL,                   -- 'fact|doc|start|end|kind' or 'place|doc|surface'
    doc_id TEXT NOT NULL,
    version INTEGER NOT NULL,               -- the target's review version this action created (1, 2, ...)
    action TEXT NOT NULL CHECK (action IN ('confirm', 'correct', 'reject', 'revert')),
    curator TEXT NOT NULL,
    at TEXT NOT NULL,
    before TEXT NOT NULL,                   -- JSON: the reading before the action
    after TEXT NOT NULL,                    -- JSON: the reading after it (null for reject and revert)
    reason TEXT NOT NULL DEFAULT '',
    UNIQUE (target, version)                -- optimistic locking: one action per version
);
CREATE INDEX reviews_doc ON reviews(doc_id);
CREATE TABLE review_state (                -- each target's current review (the latest action), for reads
    target TEXT PRIMARY KEY,
    kind TEXT NOT NULL,                     -- 'fact' or 'place'
    doc_id TEXT NOT NULL,
    start INTEGER,
    end INTEGER,
    fact_kind TEXT,
    surface TEXT,
    version INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('confirmed', 'corrected', 'rejected', 'unreviewed')),
    curator TEXT NOT NULL,
    at TEXT NOT NULL,
    original TEXT NOT NULL,                 -- JSON: the pipeline's reading
    reading TEXT                            -- JSON: the reviewed reading (NULL unless confirmed or corrected)
);
CREATE INDEX review_state_doc ON review_state(doc_id, start);
CREATE TABLE place_aliases (               -- corpus-wide corrections of a spelling, promoted by a curator
    surface TEXT PRIMARY KEY,               -- the spelling, folded
    place_id TEXT,                          -- NULL: not a place
    reading TEXT,                           -- JSON: the place (name, kind, lat, lon, zone); NULL: not a place
    curator TEXT NOT NULL,
    at TEXT NOT NULL
);
"""

V11_SIGNIN_SOURCE = """
ALTER TABLE signin_failures ADD COLUMN source TEXT NOT NULL DEFAULT '';  -- the client address the attempt came from
CREATE INDEX signin_failures_source ON signin_failures(source, at);
"""

V5_FTS_BULK = """
DROP TRIGGER passages_fts_insert;
"""
# The writer (components/store/ingest.py `_write_derived`) feeds the index itself, with one INSERT ... SELECT
# per batch of documents in ascending row id order: through the trigger every passage was its own statement,
# and FTS5 writes its pending index as a new segment at each statement's savepoint -- one segment per passage.

V13_PLACE_CANDIDATES_AND_LANGUAGE = """
ALTER TABLE mentions ADD COLUMN place_candidates INTEGER NOT NULL DEFAULT 1;  -- >1: the name is ambiguous, not placed (issue 16)
ALTER TABLE documents ADD COLUMN detected_language TEXT NOT NULL DEFAULT '';  -- from the text (components/ingest/language.py)
"""

V14_ZONE_LINKS_BY_PASSAGE = """
CREATE INDEX zone_links_passage ON zone_links(passage);  -- a passage's zones (the timeline's dated candidates)
"""
# Without it, zone_date_candidates scanned every zone link for each dated candidate: 114 s for the timeline tab
# on 1,000 documents, holding the store's lock (found by bench/load_protocol.py); 0.06 s with it.

V15_FTS_HASHSIZE = """
INSERT INTO passages_fts(passages_fts, rank) VALUES ('hashsize', 8388608);
"""
# FTS5 keeps the terms of the rows a transaction indexes in memory and writes them out as a new index
# segment when they exceed 'hashsize' (1 MB by default). A bulk ingest indexes ~1 MB of text per batch,
# whose trigrams are several MB: with 1 MB the index was written as several small segments per batch and
# merged again and again as the corpus grew. 8 MB writes about one segment per batch. Measured on the
# 5,000 generated articles (26 MB, each batch as the writer indexes it, 3 runs, bench/README.md): indexing
# 0.23-0.24 -> 0.16-0.17 CPU s per MB; search "ceasefire" / "zeolite" 5.9-6.1 / 1.6 ms -> 5.8-6.0 / 1.0 ms
# (one outlier 9.7). The setting is stored in the index (persistent): every later insert uses it.

# (version, what it does, SQL). Append only; never edit a released step.
V12_INGEST_CLAIMS = """
CREATE TABLE ingest_claims (               -- a pending document taken by an ingest worker (issue 17): one per document
    doc INTEGER PRIMARY KEY,                -- documents.id (no foreign key: a claim outliving its row is ignored)
    worker TEXT NOT NULL,                   -- host:pid of the worker process
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    started REAL NOT NULL,                  -- epoch seconds
    until REAL NOT NULL,                    -- end of the lease; renewed while the worker is alive
    attempts INTEGER NOT NULL               -- how many times a worker took it (a document that kills workers fails)
);
"""

MIGRATIONS: tuple[tuple[int, str, str], ...] = (
    (1, "documents, passages, place mentions, zone links, candidate facts", V1_CORE),
    (2, "FTS5 trigram index over folded passage text", V2_SEARCH),
    (3, "indexes for filters and panels", V3_INDEXES),
    (4, "a document's ingestion note (per-document limits)", V4_INGEST_NOTE),
    (5, "passages are indexed for search by the writer, a batch at a time (no per-row trigger)", V5_FTS_BULK),
    # 6..9 unused
    (10, "curators, sign-in failures, per-curator uploads, review audit trail and state, place aliases",
     V10_CURATORS_AND_REVIEWS),
    (11, "sign-in failures keep their client address (rate limits per name and address)", V11_SIGNIN_SOURCE),
    (12, "ingest claims: the background worker's leases on pending documents", V12_INGEST_CLAIMS),
    (13, "a mention's number of candidate places (ambiguous names) and a document's detected language",
     V13_PLACE_CANDIDATES_AND_LANGUAGE),
    (14, "zone links by passage (the timeline's dated candidates)", V14_ZONE_LINKS_BY_PASSAGE),
    (15, "the search index buffers 8 MB of terms before writing a segment (bulk ingest merges less)", V15_FTS_HASHSIZE),
)


# --------------------------------------------------------------------------- PostgreSQL (ATLAS_DATABASE_URL)
# Each step above runs on PostgreSQL too, in its PostgreSQL dialect (components/store/pg.py `pg_script`):
# the same tables, columns, keys and indexes, with PostgreSQL's types -- ``id INTEGER PRIMARY KEY`` is
# ``BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY``, references to rows (``doc``, ``passage``: passage ids
# use 63 bits) are BIGINT, REAL is DOUBLE PRECISION (SQLite's REAL is 8 bytes), TEXT compares as in SQLite
# (``COLLATE "C"``: byte order), ``end`` is quoted, ``WITHOUT ROWID`` goes. Where the SQL itself differs, the
# step's PostgreSQL script is written out here (PG_STEPS) and used instead.

PG_V1_PRELUDE = """
CREATE COLLATION IF NOT EXISTS nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE OR REPLACE FUNCTION min(integer, integer) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS 'SELECT LEAST($1, $2)';
"""
# ``COLLATE NOCASE`` in the store's SQL names this collation (unquoted names fold to lower case); ``min(a, b)``
# is SQLite's two-argument scalar min, which the panels' ``substr`` calls use.

PG_LONG_PASSAGE = 200_000  # characters: longer folded passages are not in the word index (tsvector's 1 MB limit)

PG_V2_SEARCH = f"""
CREATE EXTENSION IF NOT EXISTS pg_trgm;
ALTER TABLE passages ADD COLUMN folded_words tsvector GENERATED ALWAYS AS
    (CASE WHEN length(folded) <= {PG_LONG_PASSAGE} THEN to_tsvector('simple', folded) END) STORED;
CREATE INDEX passages_folded_trgm ON passages USING gin (folded gin_trgm_ops);
CREATE INDEX passages_folded_words ON passages USING gin (folded_words);
CREATE INDEX passages_long ON passages (id) WHERE length(folded) > {PG_LONG_PASSAGE};
"""
# The same matches as FTS5's trigram index: a term is a substring of the folded text (``LIKE '%term%'``,
# served by the pg_trgm index); whole-word spelling variants (`` name ``) are also looked up in the word
# index (``tsvector`` phrases), the LIKE confirming each match (components/store/search.py). The words are
# a stored column (PostgreSQL computes it on insert), PostgreSQL's counterpart of SQLite's ``passages_fts``
# table: matching rows are rechecked without parsing their text again (an index on the expression
# ``to_tsvector(folded)`` made the planner parse every passage: 0.7 s a search on 300 documents).

PG_STEPS: dict[int, str] = {
    2: PG_V2_SEARCH,
    5: "",  # no per-row trigger to drop: PostgreSQL's indexes follow the passages table by themselves
    15: "",  # an FTS5 setting: PostgreSQL's search indexes have no such buffer to size
}


def statements(script: str) -> list[str]:
    """Split a SQL script into complete statements (triggers keep their inner ``;``)."""
    out: list[str] = []
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if pending.strip() and sqlite3.complete_statement(pending):
            out.append(pending.strip())
            pending = ""
    if pending.strip():
        raise ValueError(f"incomplete SQL statement in migration: {pending.strip()[:80]!r}")
    return out
