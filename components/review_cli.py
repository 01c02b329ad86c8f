"""``python -m components curator add|list|remove`` and ``python -m components review export|history``.

A password is read from the terminal (no echo) or, when stdin is not a terminal, from its first
line; it is never a command-line argument (those are visible to every user of the machine).
"""
from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from .atomic import atomic_write_text
from .auth import AuthError, add_curator, list_curators, remove_curator
from .review import export_reviewed, history, reviewed_facts
from .store import StoreError, open_store
from .store.db import store_location
from .words import plural


def read_password(prompt: str = "Password: ") -> str:
    if sys.stdin.isatty():
        first = getpass.getpass(prompt)
        if getpass.getpass("Again: ") != first:
            raise AuthError("the two passwords differ")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def _db(args: argparse.Namespace) -> Path | str | None:
    return store_location(args.db)


def cmd_curator(args: argparse.Namespace) -> int:
    with open_store(_db(args)) as store:
        if args.action == "list":
            for name, created in list_curators(store):
                print(f"{name}\t{created}")
            return 0
        if not args.name:
            raise AuthError(f"curator {args.action}: give the curator's NAME")
        if args.action == "remove":
            remove_curator(store, args.name)
            print(f"removed curator {args.name}")
            return 0
        name = add_curator(store, args.name, None if args.sso else read_password(), replace=args.reset)
        how = " (signs in only through single sign-on, ATLAS_SIGNIN=oidc)" if args.sso else ""
        print(f"{'password reset for' if args.reset else 'added'} curator {name} in {store.path}{how}")
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    with open_store(_db(args)) as store:
        if args.action == "history":
            for row in history(store, doc_id=args.document, limit=args.limit):
                print(f"{row.at}\t{row.curator}\t{row.action}\tv{row.version}\t{row.target}"
                      + (f"\treason: {row.reason}" if row.reason else ""))
            return 0
        found = reviewed_facts(store)
        output = export_reviewed(store)
    for problem in found.problems:
        print(f"review export: {problem}", file=sys.stderr)
    if args.out:
        atomic_write_text(Path(args.out), output)
        print(f"wrote {plural(len(found.facts), 'reviewed fact')} to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(output)
    return 0


def _guard(func):
    def run(args: argparse.Namespace) -> int:
        try:
            return func(args)
        except (StoreError, AuthError, OSError) as exc:
            print(f"{args.command}: {exc}", file=sys.stderr)
            return 1
    return run


def add_review_parsers(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser("curator", help="curator accounts (in the corpus store): add NAME, list, remove NAME")
    c.add_argument("action", choices=("add", "list", "remove"))
    c.add_argument("name", nargs="?", metavar="NAME")
    c.add_argument("--reset", action="store_true", help="with add: set a new password for an existing curator")
    c.add_argument("--sso", action="store_true",
                   help="with add: no password; NAME is the e-mail address the identity provider vouches for "
                        "(ATLAS_SIGNIN=oidc)")
    c.add_argument("--db", help="the store's file or PostgreSQL URL (default: ATLAS_DATABASE_URL, else ATLAS_DB, else atlas.db by the uploads)")
    c.set_defaults(func=_guard(cmd_curator))
    r = sub.add_parser("review", help="reviewed facts: export them as a facts.json file, or list the review history")
    r.add_argument("action", choices=("export", "history"))
    r.add_argument("--out", help="with export: write to this file atomically instead of stdout")
    r.add_argument("--document", help="with history: only this document's reviews")
    r.add_argument("--limit", type=int, default=200)
    r.add_argument("--db", help="the store's file or PostgreSQL URL (default: ATLAS_DATABASE_URL, else ATLAS_DB, else atlas.db by the uploads)")
    r.set_defaults(func=_guard(cmd_review))
