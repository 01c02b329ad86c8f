"""The store's SQLite file: opening (WAL, foreign keys, busy timeout), migrations, clear errors.

Every failure to open, write or wait for the file becomes a :class:`StoreError`
whose message names the file and says what to do -- never a traceback. With
``ATLAS_DATABASE_URL`` set (or a ``postgresql://`` URL given), :func:`open_store`
opens the same store in PostgreSQL instead (:mod:`.pg`).
"""
from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

from components.settings import current_settings

from .migrations import MIGRATIONS, statements

SCHEMA_VERSION: int = MIGRATIONS[-1][0]
BUSY_TIMEOUT_S: float = 5.0
MIN_SQLITE = (3, 34, 0)  # FTS5 trigram tokenizer


class StoreError(RuntimeError):
    """The corpus store cannot be used; the message names the database file."""


def default_db_path() -> Path:
    """The store's file: env ``ATLAS_DB``, else ``atlas.db`` beside the uploads folder.

    Not under the data root, which may be read-only in deployment; the uploads
    folder's parent is where the app already writes.
    """
    settings = current_settings()
    return settings.db if settings.db is not None else settings.uploads.parent / "atlas.db"


def explain(exc: sqlite3.Error, path: Path, busy_timeout: float = BUSY_TIMEOUT_S) -> StoreError:
    """A one-line, actionable message for a SQLite error on ``path``."""
    message = str(exc)
    lowered = message.lower()
    if "locked" in lowered or "busy" in lowered:
        return StoreError(f"corpus store {path}: locked by another process (waited {busy_timeout:g} s); try again")
    if "readonly" in lowered or "read-only" in lowered or ("unable to open" in lowered and _read_only(path)):
        return StoreError(f"corpus store {path}: read-only ({message}); make it writable or set ATLAS_DB to a writable file")
    if "unable to open" in lowered or "disk i/o" in lowered:
        return StoreError(
            f"corpus store {path}: cannot open or write ({message}); check the folder exists and is writable, or set ATLAS_DB"
        )
    if "not a database" in lowered or "malformed" in lowered:
        return StoreError(f"corpus store {path}: not a valid database ({message}); move it away to start a new store")
    return StoreError(f"corpus store {path}: {message}")


def _read_only(path: Path) -> bool:
    """The file (or, for a new file, its folder) cannot be written: modes or a read-only file system."""
    target = path if path.exists() else path.parent
    return (target.exists() and not os.access(target, os.W_OK)) or (path.exists() and not os.access(path.parent, os.W_OK))


def check_sqlite_version() -> None:
    if sqlite3.sqlite_version_info < MIN_SQLITE:
        raise StoreError(
            f"SQLite {sqlite3.sqlite_version} is too old for the corpus store (needs "
            f"{'.'.join(map(str, MIN_SQLITE))}+ for the FTS5 trigram tokenizer)"
        )


class Store:
    """One connection to the store file, shared by threads under a lock.

    Use :func:`open_store`; ``with store.transaction():`` wraps writes.
    """

    dialect = "sqlite"

    def __init__(self, path: Path, conn: sqlite3.Connection, busy_timeout: float) -> None:
        self.path = path
        self.conn = conn
        self.busy_timeout = busy_timeout
        self.lock = threading.RLock()

    def close(self) -> None:
        with self.lock:
            self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT`` (rollback on any error); SQLite errors become StoreError."""
        with self.lock:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise explain(exc, self.path, self.busy_timeout) from None
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException as exc:
                with contextlib.suppress(sqlite3.Error):
                    self.conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise explain(exc, self.path, self.busy_timeout) from None
                raise

    def query(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        """Run a read query; SQLite errors become StoreError."""
        with self.lock:
            try:
                return self.conn.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise explain(exc, self.path, self.busy_timeout) from None

    def scalar(self, sql: str, params: tuple | dict = ()) -> object:
        rows = self.query(sql, params)
        return rows[0][0] if rows else None

    def count(self, sql: str, params: tuple | dict = ()) -> int:
        """The integer a ``SELECT count(...)`` returns (0 for no row or NULL)."""
        value = self.scalar(sql, params)
        return int(value) if isinstance(value, (int, float, str)) else 0

    def schema_version(self) -> int:
        return current_version(self.conn)

    @property
    def location(self) -> str:
        """What opens this store again (:func:`open_store`, the ingest worker's ``--db``): the file, or the URL."""
        return str(self.path)

    def change_stamp(self) -> tuple[int, int]:
        """Changes when any connection committed (SQLite's ``data_version``) or this one wrote (``total_changes``)."""
        with self.lock:
            return (self.count("PRAGMA data_version"), self.conn.total_changes)

    def refresh_statistics(self, tables: tuple[str, ...]) -> None:
        """Nothing on SQLite: its planner picks the same plans without statistics (the zone panel 0.27 ms on
        300 new documents with or without ``ANALYZE``), and with them search and the date list measured no
        faster, sometimes slower (search "ceasefire" 6-9 ms before, 14-18 ms after; load 7-13).
        PostgreSQL's does need them (:meth:`components.store.pg.PgStore.refresh_statistics`)."""

    def size_bytes(self) -> int:
        """The file and its WAL and shared-memory files."""
        return sum(p.stat().st_size for p in self.path.parent.glob(self.path.name + "*") if p.is_file())


def dialect(conn: object) -> str:
    """``sqlite`` or ``postgresql``: the kind of store, or of connection a transaction yields."""
    return str(getattr(conn, "dialect", "sqlite"))


def group_value(conn: object, column: str, order: str) -> str:
    """SQL for a column of a grouped query that is not grouped on: SQLite's bare column (its value from one
    row of the group -- the row of the query's ``min()`` when it has one) as written; on PostgreSQL, which has
    no bare columns, the value from the group's first row by ``order``."""
    return column if dialect(conn) == "sqlite" else f"(array_agg({column} ORDER BY {order}))[1]"


def current_version(conn: sqlite3.Connection) -> int:
    """The file's schema version (0 for a new file); only reads."""
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").fetchone():
        return 0
    row = conn.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def _applied_versions(conn: sqlite3.Connection) -> set[int]:
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").fetchone():
        return set()
    return {int(r[0]) for r in conn.execute("SELECT version FROM schema_version")}


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION) -> list[int]:
    """Apply every step above the file's version up to ``target``, each in its own transaction.

    Returns the versions applied. A file newer than this code is refused. An
    up-to-date file is only read, so opening works while another process writes.
    """
    version = current_version(conn)
    if version > SCHEMA_VERSION:
        raise StoreError(f"schema version {version} is newer than this program knows ({SCHEMA_VERSION}); upgrade the app")
    applied: list[int] = []
    done = _applied_versions(conn)
    for number, _, script in MIGRATIONS:
        if number in done or number > target:
            continue  # a step numbered below the file's version but never applied (steps merged from branches) runs
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            if number in _applied_versions(conn):  # another process migrated meanwhile
                conn.execute("ROLLBACK")
                continue
            for statement in statements(script):
                conn.execute(statement)
            conn.execute("INSERT INTO schema_version(version) VALUES (?)", (number,))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        applied.append(number)
    return applied


def connect(path: Path, busy_timeout: float = BUSY_TIMEOUT_S) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), WAL, foreign keys on."""
    conn = sqlite3.connect(str(path), timeout=busy_timeout, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
    conn.execute("PRAGMA foreign_keys = ON")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        conn.close()
        raise sqlite3.OperationalError(f"could not switch to WAL mode (journal mode is {mode}); is the file read-only?")
    conn.execute("PRAGMA synchronous = NORMAL")
    return conn


def is_database_url(location: object) -> bool:
    """A ``postgresql://`` (or ``postgres://``) URL rather than a file path."""
    return isinstance(location, str) and location.strip().lower().startswith(("postgresql://", "postgres://"))


def store_location(given: str | None) -> Path | str | None:
    """A ``--db`` argument as :func:`open_store` takes it: a URL stays a string, anything else is a file."""
    if not given:
        return None
    return given.strip() if is_database_url(given) else Path(given)


def default_location() -> Path | str:
    """``ATLAS_DATABASE_URL`` when set (PostgreSQL), else the SQLite file (:func:`default_db_path`)."""
    return current_settings().database_url or default_db_path()


def open_store(path: Path | str | None = None, *, busy_timeout: float = BUSY_TIMEOUT_S,
               migrate_to: int = SCHEMA_VERSION) -> Store:
    """Open (creating if needed) and migrate the store; every failure is a StoreError naming the file.

    ``path``: a SQLite file, or a ``postgresql://`` URL; None: :func:`default_location`."""
    location = default_location() if path is None else path
    if is_database_url(location):
        from .pg import open_pg_store

        return open_pg_store(str(location).strip(), busy_timeout=busy_timeout, migrate_to=migrate_to)
    check_sqlite_version()
    path = Path(location)
    if path.is_dir():
        raise StoreError(f"corpus store {path}: is a directory, not a database file; set ATLAS_DB to a file path")
    if not path.parent.is_dir():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"corpus store {path}: cannot create its folder ({exc.strerror}); set ATLAS_DB") from None
    conn: sqlite3.Connection | None = None
    try:
        conn = connect(path, busy_timeout)
        migrate(conn, migrate_to)
    except sqlite3.Error as exc:
        if conn is not None:
            conn.close()
        raise explain(exc, path, busy_timeout) from None
    except StoreError as exc:
        if conn is not None:
            conn.close()
        raise StoreError(f"corpus store {path}: {exc}") from None
    return Store(path, conn, busy_timeout)
