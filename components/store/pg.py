"""The corpus store on PostgreSQL (``ATLAS_DATABASE_URL``): a thin adapter, not a second copy of the queries.

The store's SQL is written once, for SQLite. :class:`PgConnection` runs it on a psycopg 3
connection after a few mechanical translations (:func:`translate`, cached per statement):

* placeholders ``?`` and ``:name`` become ``%s`` and ``%(name)s`` (a literal ``%`` becomes ``%%``);
* the column ``end`` (a reserved word in PostgreSQL) is quoted where it is not qualified (``p.end`` is fine);
* ``INSERT OR IGNORE`` becomes ``ON CONFLICT DO NOTHING``; ``INSERT OR REPLACE`` an upsert on the table's key;
* ``group_concat(x)`` is ``string_agg(x, ',')`` and ``instr(a, b)`` is ``strpos(a, b)``;
* ``COLLATE NOCASE`` names the case-insensitive ICU collation ``nocase`` the first migration creates,
  and the two-argument ``min(a, b)`` is a SQL function it creates too.

``BEGIN IMMEDIATE`` (one writer at a time) is ``BEGIN`` plus a transaction-scoped advisory lock,
so writes are serialised across every process and replica sharing the database, as SQLite does for
one file; waiting longer than the busy timeout is the same "locked" :class:`StoreError`. The
schema is the same (:func:`components.store.migrations.pg_script` gives each step's PostgreSQL
dialect); search uses PostgreSQL's own indexes (:mod:`.search`): pg_trgm for substrings and a
``tsvector`` index for whole-word spelling variants. A connection the server dropped (a restart) is
replaced: a read, or a write transaction's ``BEGIN``, runs once more on a new connection; a server that
is down, or a connection lost inside a transaction (its outcome unknown), is a StoreError saying the
store is unavailable, and the next call connects again.
"""
from __future__ import annotations

import contextlib
import functools
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import psycopg
import psycopg.errors
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from .db import SCHEMA_VERSION, Store, StoreError
from .migrations import MIGRATIONS, PG_STEPS, PG_V1_PRELUDE

WRITE_LOCK_KEY = 0x41544C4153  # "ATLAS": the advisory lock every write transaction takes
_PRIMARY_KEYS = {"ingest_claims": "doc"}  # tables written with INSERT OR REPLACE, and their key


def redacted(url: str) -> str:
    """The URL without its password (for messages)."""
    try:
        params = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return re.sub(r"//[^@/]*@", "//…@", url)
    host, port, db, user = (str(params.get(k, "")) for k in ("host", "port", "dbname", "user"))
    if host.startswith("/"):  # a unix socket's folder
        return f"postgresql://{user + '@' if user else ''}/{db}?host={host}"
    return f"postgresql://{user + '@' if user else ''}{host}{':' + port if port else ''}/{db}"


# --------------------------------------------------------------------------- SQL translation

_TOKENS = re.compile(r"('(?:[^']|'')*'|\"[^\"]*\"|--[^\n]*)")
_END = re.compile(r"(?<![.\w\":])\bend\b(?![\w\"])", re.IGNORECASE)  # not p.end, not a :end parameter
_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")
_GROUP_CONCAT = re.compile(r"\bgroup_concat\(([^()]*)\)", re.IGNORECASE)
_INSTR = re.compile(r"\binstr\(", re.IGNORECASE)
_OR_IGNORE = re.compile(r"^\s*INSERT\s+OR\s+IGNORE\s+INTO\b", re.IGNORECASE)
_OR_REPLACE = re.compile(r"^\s*INSERT\s+OR\s+REPLACE\s+INTO\s+(\w+)\s*\(([^)]*)\)", re.IGNORECASE)


def _code(part: str, params: bool) -> str:
    """One piece of SQL outside strings and comments, translated."""
    part = _END.sub('"end"', part)
    if params:
        part = part.replace("%", "%%").replace("?", "%s")
        part = _NAMED.sub(r"%(\1)s", part)
    part = _GROUP_CONCAT.sub(r"string_agg(\1, ',')", part)
    return _INSTR.sub("strpos(", part)


@functools.lru_cache(maxsize=1024)
def translate(sql: str, params: bool = True) -> str:
    """The PostgreSQL text of one of the store's SQLite statements (``params``: it is run with parameters)."""
    suffix = ""
    replace = _OR_REPLACE.match(sql)
    if replace:
        table, columns = replace.group(1), [c.strip() for c in replace.group(2).split(",")]
        key = _PRIMARY_KEYS[table]
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != key)
        sql = re.sub(r"^\s*INSERT\s+OR\s+REPLACE\s+INTO", "INSERT INTO", sql, flags=re.IGNORECASE)
        suffix = f" ON CONFLICT ({key}) DO UPDATE SET {updates}"
    elif _OR_IGNORE.match(sql):
        sql = _OR_IGNORE.sub("INSERT INTO", sql)
        suffix = " ON CONFLICT DO NOTHING"
    parts = _TOKENS.split(sql)
    out = "".join(p if i % 2 else _code(p, params) for i, p in enumerate(parts))
    return out.rstrip().rstrip(";") + suffix


# --------------------------------------------------------------------------- rows and cursors

class Row(tuple):
    """A result row read by position or by column name, like ``sqlite3.Row`` (``dict(row)`` works)."""

    _names: tuple[str, ...]

    def __new__(cls, values: Sequence[Any], names: tuple[str, ...]) -> Row:
        row = super().__new__(cls, values)
        row._names = names
        return row

    def keys(self) -> list[str]:
        return list(self._names)

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            try:
                return tuple.__getitem__(self, self._names.index(key))
            except ValueError:
                raise IndexError(f"no such column: {key}") from None
        return tuple.__getitem__(self, key)


def _row_factory(cursor: psycopg.Cursor) -> Any:
    names = tuple(c.name for c in cursor.description or ())
    return lambda values: Row(values, names)


class PgCursor:
    """What the store's code uses of a sqlite3 cursor: fetching, iterating, ``rowcount``, ``lastrowid``."""

    def __init__(self, cursor: psycopg.ClientCursor[Row], conn: psycopg.Connection) -> None:
        self._cursor = cursor
        self._conn = conn

    def fetchone(self) -> Row | None:
        return self._cursor.fetchone() if self._cursor.description else None

    def fetchall(self) -> list[Row]:
        return self._cursor.fetchall() if self._cursor.description else []

    def __iter__(self) -> Iterator[Row]:
        return iter(self.fetchall())

    @property
    def description(self) -> list[tuple[str]]:
        return [(c.name,) for c in self._cursor.description or ()]

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        """The id the last INSERT generated (its identity column's sequence value in this session)."""
        row = self._conn.execute("SELECT lastval()").fetchone()
        return int(row[0]) if row else None


class PgConnection:
    """A psycopg connection (autocommit: transactions are explicit) that runs the store's SQLite SQL."""

    dialect = "postgresql"

    def __init__(self, raw: psycopg.Connection) -> None:
        self.raw = raw

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> PgCursor:
        """One statement; its parameters are bound on the client (as SQLite binds them: a parameter's type
        comes from its value, so ``? IS NULL`` or ``substr(text, ?, ?)`` need no casts)."""
        cursor = psycopg.ClientCursor(self.raw, row_factory=_row_factory)
        if params is None:
            cursor.execute(translate(sql, False))
        else:
            cursor.execute(translate(sql, True), params)
        return PgCursor(cursor, self.raw)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Many rows into typed columns: bound on the server, sent in one pipeline."""
        rows = list(rows)
        if rows:
            with self.raw.cursor() as cursor:
                cursor.executemany(translate(sql, True), rows)

    def execute_script(self, script: str) -> None:
        """Every statement of a migration's PostgreSQL script (one simple-protocol call)."""
        if script.strip():
            self.raw.execute(script)

    def lock_for_write(self) -> None:
        self.raw.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK_KEY,))

    @property
    def closed(self) -> bool:
        return self.raw.closed or self.raw.broken

    def close(self) -> None:
        self.raw.close()


def connect(url: str, busy_timeout: float) -> PgConnection:
    """A connection in autocommit mode whose lock waits end after ``busy_timeout`` seconds."""
    options = f"-c lock_timeout={int(busy_timeout * 1000)} -c TimeZone=UTC"
    raw = psycopg.connect(make_conninfo(url, options=options, application_name="atlas"), autocommit=True,
                          connect_timeout=max(2, int(busy_timeout)))
    return PgConnection(raw)


# --------------------------------------------------------------------------- errors

def explain(exc: psycopg.Error, where: str, busy_timeout: float) -> StoreError:
    """A one-line, actionable StoreError for a PostgreSQL error (the URL is shown without its password)."""
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, psycopg.errors.LockNotAvailable):
        return StoreError(f"corpus store {where}: locked by another process (waited {busy_timeout:g} s); try again")
    if isinstance(exc, psycopg.errors.UniqueViolation):
        diag = exc.diag
        table = diag.table_name or ""
        column = (diag.constraint_name or "").removeprefix(table + "_").removesuffix("_key")
        return StoreError(f"corpus store {where}: UNIQUE constraint failed: {table}.{column}")
    if isinstance(exc, (psycopg.errors.ReadOnlySqlTransaction, psycopg.errors.InsufficientPrivilege)):
        return StoreError(f"corpus store {where}: read-only ({message}); give the database user write access")
    if isinstance(exc, psycopg.OperationalError):
        return StoreError(f"corpus store {where}: unavailable ({message}); check the database server is running, "
                          "then try again")
    return StoreError(f"corpus store {where}: {message}")


# --------------------------------------------------------------------------- migrations

_DDL_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bid INTEGER PRIMARY KEY\b"), "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"),
    (re.compile(r"\b(doc|passage) INTEGER\b"), r"\1 BIGINT"),
    (re.compile(r"\bREAL\b"), "DOUBLE PRECISION"),
    (re.compile(r"\bTEXT\b"), 'TEXT COLLATE "C"'),
    (re.compile(r"\)\s*WITHOUT ROWID\s*;"), ");"),
)


def pg_script(number: int, script: str) -> str:
    """Migration step ``number`` in PostgreSQL's dialect (components/store/migrations.py says how)."""
    if number in PG_STEPS:
        return PG_STEPS[number]
    out = script
    for pattern, replacement in _DDL_RULES:
        out = pattern.sub(replacement, out)
    out = translate(out, False)
    return (PG_V1_PRELUDE if number == 1 else "") + out


def current_version(conn: PgConnection) -> int:
    if conn.execute("SELECT to_regclass('schema_version')").fetchone()[0] is None:  # type: ignore[index]
        return 0
    return int(conn.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0])  # type: ignore[index]


def _applied(conn: PgConnection) -> set[int]:
    if conn.execute("SELECT to_regclass('schema_version')").fetchone()[0] is None:  # type: ignore[index]
        return set()
    return {int(r[0]) for r in conn.execute("SELECT version FROM schema_version")}


def migrate(conn: PgConnection, target: int) -> list[int]:
    """As :func:`components.store.db.migrate`, with each step's PostgreSQL script, under the write lock."""
    version = current_version(conn)
    if version > SCHEMA_VERSION:
        raise StoreError(f"schema version {version} is newer than this program knows ({SCHEMA_VERSION}); upgrade the app")
    applied: list[int] = []
    done = _applied(conn)
    for number, _, script in MIGRATIONS:
        if number in done or number > target:
            continue
        conn.raw.execute("BEGIN")
        try:
            conn.lock_for_write()
            conn.raw.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            if number in _applied(conn):  # another process migrated meanwhile
                conn.raw.execute("ROLLBACK")
                continue
            conn.execute_script(pg_script(number, script))
            conn.raw.execute("INSERT INTO schema_version(version) VALUES (%s)", (number,))
            conn.raw.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(psycopg.Error):
                conn.raw.execute("ROLLBACK")
            raise
        applied.append(number)
    return applied


# --------------------------------------------------------------------------- the store

def open_pg_store(url: str, *, busy_timeout: float, migrate_to: int) -> PgStore:
    """Open and migrate the store in a PostgreSQL database; every failure is a StoreError naming it."""
    where = redacted(url)
    conn: PgConnection | None = None
    try:
        conn = connect(url, busy_timeout)
        migrate(conn, migrate_to)
    except psycopg.Error as exc:
        if conn is not None:
            conn.close()
        raise explain(exc, where, busy_timeout) from None
    except StoreError as exc:
        if conn is not None:
            conn.close()
        raise StoreError(f"corpus store {where}: {exc}") from None
    return PgStore(url, conn, busy_timeout)


class PgStore(Store):
    """:class:`components.store.db.Store` on PostgreSQL: the same methods, the same one-connection-under-a-lock use."""

    dialect = "postgresql"

    def __init__(self, url: str, conn: PgConnection, busy_timeout: float) -> None:
        self.url = url
        self.where = redacted(url)  # what messages show (no password)
        self.path = self.where  # type: ignore[assignment]  # Store.path: shown by the CLI and in messages
        self.pg = conn
        self.conn = conn  # type: ignore[assignment]  # the same connection, as Store's callers use it
        self.busy_timeout = busy_timeout
        self.lock = threading.RLock()

    @property
    def location(self) -> str:
        return self.url

    def _live(self) -> PgConnection:
        """The connection, opened again if the server dropped it (a restart)."""
        if self.pg.closed:
            with contextlib.suppress(psycopg.Error):
                self.pg.close()
            try:
                self.pg = connect(self.url, self.busy_timeout)
            except psycopg.Error as exc:
                raise explain(exc, self.where, self.busy_timeout) from None
            self.conn = self.pg  # type: ignore[assignment]
        return self.pg

    def close(self) -> None:
        with self.lock, contextlib.suppress(psycopg.Error):
            self.pg.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[PgConnection]:  # type: ignore[override]
        """``BEGIN`` and the write lock ... ``COMMIT`` (rollback on any error); errors become StoreError."""
        with self.lock:
            for attempt in (0, 1):  # BEGIN on a connection the server dropped: once more on a new one
                conn = self._live()
                try:
                    conn.raw.execute("BEGIN")
                    conn.lock_for_write()
                    break
                except psycopg.Error as exc:
                    with contextlib.suppress(psycopg.Error):
                        conn.raw.execute("ROLLBACK")
                    if not self._retry_on_new_connection(exc, attempt):
                        raise explain(exc, self.where, self.busy_timeout) from None
            try:
                yield conn
                conn.raw.execute("COMMIT")
            except BaseException as exc:
                with contextlib.suppress(psycopg.Error):
                    conn.raw.execute("ROLLBACK")
                if isinstance(exc, psycopg.Error):
                    raise explain(exc, self.where, self.busy_timeout) from None
                raise

    def _retry_on_new_connection(self, exc: psycopg.Error, attempt: int) -> bool:
        """After an error before anything was written: True if it came from a connection the server dropped
        (a restart or failover) and this is the first attempt -- the call is then run again on a new connection,
        so the first action after the server is back works instead of failing once more."""
        return attempt == 0 and isinstance(exc, psycopg.OperationalError) and self.pg.closed

    def query(self, sql: str, params: tuple | dict = ()) -> list[Row]:  # type: ignore[override]
        """A read (run again once on a new connection if the server dropped the old one)."""
        with self.lock:
            for attempt in (0, 1):
                try:
                    return self._live().execute(sql, params).fetchall()
                except psycopg.Error as exc:
                    if not self._retry_on_new_connection(exc, attempt):
                        raise explain(exc, self.where, self.busy_timeout) from None
            raise AssertionError("unreachable")

    def schema_version(self) -> int:
        with self.lock:
            return current_version(self._live())

    def change_stamp(self) -> tuple[int, int]:
        """Moves whenever any write transaction started since (the next transaction id to be assigned)."""
        return (self.count("SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint"), 0)

    def size_bytes(self) -> int:
        return self.count("SELECT pg_database_size(current_database())")

    def refresh_statistics(self, tables: tuple[str, ...]) -> None:
        """``ANALYZE`` the tables a bulk write changed. Autovacuum analyses a table only once 10 % of it
        changed and its next round comes (a minute by default), and until then the planner guesses from
        an empty table: the zone panel took 90-117 ms on 300 new documents, 3-4 ms once analysed
        (ANALYZE itself took 0.3-0.6 s there, on a busy machine). A database user who does not own the tables gets a
        warning from the server, not an error (the tables then wait for autovacuum)."""
        if not tables:
            return
        with self.lock:
            try:
                self._live().raw.execute("ANALYZE " + ", ".join(tables))
            except psycopg.Error as exc:
                raise explain(exc, self.where, self.busy_timeout) from None
