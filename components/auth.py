"""Curator accounts: salted argon2id password hashes in the corpus store, rate-limited sign-in,
session expiry and per-curator upload limits. No Streamlit here.

Reading is public; everything that writes (adding or removing documents, every review action)
needs a signed-in curator. Accounts live in the store file (``ATLAS_DB``), outside the
repository, and are created only from the shell (``python -m components curator add NAME``).
"""
from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .store import Store
from .words import plural

MAX_FAILURES = 5                 # failed sign-ins for one name from one client address ...
FAILURE_WINDOW_S = 15 * 60       # ... within this window lock that pair until the oldest one ages out
MAX_NAME_FAILURES = 50           # failures for one name from all addresses together in the window
MAX_SOURCE_FAILURES = 20         # failures from one address for all names together in the window
SSO_ONLY = "!sso"                # the password hash of an account that signs in only through st.login (never verifies)
MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 1024
NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._@-]{0,62}[A-Za-z0-9]|[A-Za-z0-9]")
DAY_S = 24 * 3600

_hasher = PasswordHasher()  # argon2id with the library's (RFC 9106 low-memory) defaults and a random salt
# Verified when the name is unknown, so that an unknown name takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


class AuthError(ValueError):
    """A curator cannot be added, removed or signed in; the message says why."""


def _now_iso(now: float) -> str:
    return dt.datetime.fromtimestamp(now, dt.UTC).replace(microsecond=0).isoformat()


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not NAME_RE.fullmatch(name):
        raise AuthError(f"curator name {name!r} is not valid: 1-64 letters, digits, spaces, '.', '_', '@' or '-', "
                        "starting and ending with a letter or digit")
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_CHARS:
        raise AuthError(f"password too short: at least {MIN_PASSWORD_CHARS} characters")
    if len(password) > MAX_PASSWORD_CHARS:
        raise AuthError(f"password too long: at most {MAX_PASSWORD_CHARS} characters")
    return password


def add_curator(store: Store, name: str, password: str | None, *, replace: bool = False,
                now: float | None = None) -> str:
    """Create (or, with ``replace``, reset the password of) a curator; returns the name.
    ``password=None`` makes an account that signs in only through single sign-on (``ATLAS_SIGNIN=oidc``):
    its stored hash is :data:`SSO_ONLY`, which no password verifies."""
    name = check_name(name)
    hashed = SSO_ONLY if password is None else _hasher.hash(check_password(password))
    with store.transaction() as conn:
        exists = conn.execute("SELECT 1 FROM curators WHERE name = ?", (name,)).fetchone()
        if exists and not replace:
            raise AuthError(f"curator {name!r} already exists (use --reset to set a new password)")
        conn.execute("INSERT INTO curators (name, password_hash, created_at) VALUES (?, ?, ?)"
                     " ON CONFLICT (name) DO UPDATE SET password_hash = excluded.password_hash",
                     (name, hashed, _now_iso(now or time.time())))
        conn.execute("DELETE FROM signin_failures WHERE name = ?", (name,))
    return name


def remove_curator(store: Store, name: str) -> None:
    """Delete an account (its review history stays: it names the curator); its sessions end at their next run."""
    with store.transaction() as conn:
        if conn.execute("DELETE FROM curators WHERE name = ?", ((name or "").strip(),)).rowcount == 0:
            raise AuthError(f"no curator named {name!r}")


def list_curators(store: Store) -> list[tuple[str, str]]:
    """(name, created at) of every curator, by name."""
    return [(r["name"], r["created_at"]) for r in store.query("SELECT name, created_at FROM curators ORDER BY name")]


def curator_exists(store: Store, name: str) -> bool:
    return bool(store.query("SELECT 1 FROM curators WHERE name = ?", (name,)))


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in: ``name`` and ``at`` (epoch seconds) when it succeeded, else the reason."""

    ok: bool
    name: str
    message: str
    at: float = 0.0


def _failure_counts(store: Store, name: str, source: str, now: float) -> tuple[list[float], int, int]:
    """Within the window: the times of failures for (name, source), and the failure counts for the name
    from every address and for the source with every name."""
    since = now - FAILURE_WINDOW_S
    pair = [r[0] for r in store.query("SELECT at FROM signin_failures WHERE name = ? AND source = ? AND at > ? ORDER BY at",
                                      (name, source, since))]
    by_name = int(store.query("SELECT count(*) FROM signin_failures WHERE name = ? AND at > ?", (name, since))[0][0])
    by_source = int(store.query("SELECT count(*) FROM signin_failures WHERE source = ? AND at > ?", (source, since))[0][0])
    return pair, by_name, by_source


def _minutes_until(oldest: float, now: float) -> str:
    return plural(int(oldest + FAILURE_WINDOW_S - now) // 60 + 1, "minute")


def refusal(store: Store, name: str, source: str, now: float) -> str | None:
    """Why a sign-in for ``name`` from ``source`` is refused before its password is checked, or None.

    Failures are counted per (name, client address): someone guessing from one address locks out only
    that address, not the curator signing in from elsewhere. Two ceilings bound what many addresses
    can do: :data:`MAX_SOURCE_FAILURES` per address over all names (spraying) and
    :data:`MAX_NAME_FAILURES` per name over all addresses (a distributed guess; that one does lock the
    name for the rest of the window -- the price of bounding guesses, each of which costs an argon2 check)."""
    pair, by_name, by_source = _failure_counts(store, name, source, now)
    if len(pair) >= MAX_FAILURES:
        return f"Too many failed sign-ins for this name from here: try again in {_minutes_until(pair[-MAX_FAILURES], now)}."
    if by_source >= MAX_SOURCE_FAILURES:
        return "Too many failed sign-ins from here: try again in 15 minutes."
    if by_name >= MAX_NAME_FAILURES:
        return "Too many failed sign-ins for this name: try again in 15 minutes."
    return None


def sign_in(store: Store, name: str, password: str, *, source: str = "", now: float | None = None) -> SignIn:
    """Check a name and password from the client address ``source`` (``""`` when unknown). Refused
    without checking the password while :func:`refusal` says so. Failures are stored in the store, so
    every server process and replica counts them."""
    now = time.time() if now is None else now
    name = (name or "").strip()
    refused = refusal(store, name, source, now)
    if refused:
        return SignIn(False, name, refused)
    rows = store.query("SELECT password_hash FROM curators WHERE name = ?", (name,)) if name else []
    usable = bool(rows) and rows[0][0] != SSO_ONLY     # an SSO-only account takes as long to refuse as a wrong password
    stored = rows[0][0] if usable else _DUMMY_HASH
    try:
        ok = _hasher.verify(stored, password or "") and usable
    except (VerificationError, InvalidHashError):
        ok = False
    with store.transaction() as conn:
        if not ok:
            conn.execute("INSERT INTO signin_failures (name, at, source) VALUES (?, ?, ?)", (name, now, source))
            conn.execute("DELETE FROM signin_failures WHERE at < ?", (now - FAILURE_WINDOW_S,))
            return SignIn(False, name, "Wrong name or password.")
        conn.execute("DELETE FROM signin_failures WHERE name = ? AND source = ?", (name, source))
        if _hasher.check_needs_rehash(stored):
            conn.execute("UPDATE curators SET password_hash = ? WHERE name = ?", (_hasher.hash(password), name))
    return SignIn(True, name, f"Signed in as {name}.", now)


def session_problem(store: Store | None, name: str, signed_in_at: float, hours: float, *, now: float | None = None) -> str | None:
    """Why a session may no longer write (expired, or the account was removed); None while it is valid.
    Without a store (it cannot be opened right now) only the expiry is checked: nothing can be written then anyway."""
    now = time.time() if now is None else now
    if now - signed_in_at > hours * 3600 or now < signed_in_at:
        return f"Your sign-in expired after {hours:g} hour{'' if hours == 1 else 's'}; sign in again."
    if store is not None and not curator_exists(store, name):
        return f"The curator account {name!r} no longer exists."
    return None


def upload_problem(store: Store, curator: str, n_bytes: int, *, max_count: int, max_mb: float,
                   now: float | None = None) -> str | None:
    """Why ``curator`` may not upload ``n_bytes`` more now (per-curator limits over the last 24 hours); None if allowed."""
    now = time.time() if now is None else now
    row = store.query("SELECT count(*), coalesce(sum(n_bytes), 0) FROM uploads_by WHERE curator = ? AND at > ?",
                      (curator, now - DAY_S))[0]
    count, total = int(row[0]), int(row[1])
    if count >= max_count:
        return (f"Not added: upload limit reached: {curator} has uploaded {plural(count, 'document')} in the last 24 hours "
                f"(limit {max_count}, ATLAS_CURATOR_UPLOADS).")
    if total + n_bytes > max_mb * 1e6:
        return (f"Not added: upload size limit: {curator} has uploaded {total / 1e6:.1f} MB in the last 24 hours and this "
                f"file is {n_bytes / 1e6:.1f} MB (limit {max_mb:g} MB, ATLAS_CURATOR_UPLOAD_MB).")
    return None


def record_upload(store: Store, curator: str, n_bytes: int, *, now: float | None = None) -> None:
    with store.transaction() as conn:
        conn.execute("INSERT INTO uploads_by (curator, n_bytes, at) VALUES (?, ?, ?)",
                     (curator, n_bytes, time.time() if now is None else now))
