"""``python -m components add | remove | documents | search | store`` -- the corpus store from the shell.

Every problem is one line on stderr naming the file or document, and a non-zero exit.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from components.cliargs import iso_date, positive_int

from ..words import plural
from .db import StoreError, open_store, store_location
from .ingest import add_file, failed, remove_document, unfinished
from .queries import list_documents, store_status
from .search import SearchFilters, search

PAGE_SIZE = 20


def _db(args: argparse.Namespace) -> Path | str | None:
    return store_location(args.db)


def cmd_add(args: argparse.Namespace) -> int:
    overrides = {"publisher": args.publisher, "published": args.date, "url": args.url, "title": args.title,
                 "language": args.language, "author": args.author}
    status = 0
    with open_store(_db(args)) as store:
        for raw in args.files:
            result = add_file(store, Path(raw), source="cli", overrides=overrides)
            if result.status == "added":
                print(f"added {result.message}")
            else:
                print(f"add: {result.message}", file=sys.stderr)
                status = 1
    return status


def cmd_remove(args: argparse.Namespace) -> int:
    if not args.yes:
        print(f"remove: pass --yes to confirm removing {args.document} and everything derived from it", file=sys.stderr)
        return 2
    with open_store(_db(args)) as store:
        print(remove_document(store, args.document))
    return 0


def cmd_documents(args: argparse.Namespace) -> int:
    with open_store(_db(args)) as store:
        total, rows = list_documents(store, limit=PAGE_SIZE, offset=(args.page - 1) * PAGE_SIZE)
    for row in rows:
        state = "" if row.status == "ok" else f"  [{row.status}: {row.failure or 'ingestion not finished'}]"
        print(f"{row.doc_id}\t{row.published or '----------'}\t{row.publisher or '-'}\t{row.title}{state}")
    pages = max(1, -(-total // PAGE_SIZE))
    print(f"{plural(total, 'document')}; page {args.page} of {pages}", file=sys.stderr)
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    filters = SearchFilters(zone=args.zone, publisher=args.publisher, date_from=args.date_from, date_to=args.date_to)
    with open_store(_db(args)) as store:
        page = search(store, args.query, filters, limit=PAGE_SIZE, offset=(args.page - 1) * PAGE_SIZE)
    if page.message:
        print(f"search: {page.message}", file=sys.stderr)
        return 1
    for hit in page.hits:
        marked, last = [], hit.start
        for a, b in hit.spans:
            marked += [hit.text[last - hit.start:a - hit.start], "[", hit.text[a - hit.start:b - hit.start], "]"]
            last = b
        marked.append(hit.text[last - hit.start:])
        print(f"{hit.doc_id} #{hit.passage_index} [{hit.start}:{hit.end}] {hit.published or ''}\n    {''.join(marked)}")
    verb = "matches" if page.total == 1 else "match"
    print(f"{plural(page.total, 'passage')} {verb}; page {args.page} of {max(1, -(-page.total // PAGE_SIZE))}", file=sys.stderr)
    return 0


def cmd_store(args: argparse.Namespace) -> int:
    with open_store(_db(args)) as store:  # opening migrates
        status = store_status(store)
        pending, bad = unfinished(store), failed(store)
    if args.action == "migrate":
        print(f"{status.path}: schema version {status.schema_version} (up to date)")
        return 0
    print(f"{status.path}: schema version {status.schema_version}, {status.size_bytes / 1e6:.1f} MB")
    print(f"{status.documents} documents ({status.ok} ok, {status.failed} failed, {status.pending} unfinished), "
          f"{status.passages} passages, {status.mentions} place mentions, {status.candidates} candidate facts")
    for doc_id in pending:
        print(f"unfinished: {doc_id} (queued or interrupted: the app's ingest worker takes it, or run "
              "`python -m components worker`)")
    for doc_id, reason in bad:
        print(f"failed: {doc_id}: {reason}")
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    """Ingest pending documents (uploads queued by the app, interrupted ingestions) until idle."""
    from components.store.db import default_location
    from components.worker import run

    done = run(_db(args) or default_location(), idle_exit_s=args.idle_exit, lease_s=args.lease, parent=args.parent)
    print(f"worker: {done} document(s) ingested", file=sys.stderr)
    return 0


def _guard(func):
    def run(args: argparse.Namespace) -> int:
        try:
            return func(args)
        except StoreError as exc:
            print(f"{args.command}: {exc}", file=sys.stderr)
            return 1
    return run


def add_store_parsers(sub: argparse._SubParsersAction) -> None:
    def parser(name: str, help: str, func) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help)
        p.add_argument("--db", help="the store's file or PostgreSQL URL (default: ATLAS_DATABASE_URL, else ATLAS_DB, else atlas.db by the uploads)")
        p.set_defaults(func=_guard(func))
        return p

    a = parser("add", "add documents to the corpus store (ingested once)", cmd_add)
    a.add_argument("files", nargs="+", metavar="FILE", help=".txt documents (UTF-8); a .meta.json sidecar is read too")
    a.add_argument("--publisher")
    a.add_argument("--date", type=iso_date, help="publication date YYYY-MM-DD (resolves relative dates such as 'Thursday')")
    a.add_argument("--url")
    a.add_argument("--title")
    a.add_argument("--language", help="e.g. en")
    a.add_argument("--author", help="author or speaker")
    r = parser("remove", "remove a document and everything derived from it", cmd_remove)
    r.add_argument("document", metavar="DOC_ID|SHA", help="document id or SHA-256 (8+ leading hex digits)")
    r.add_argument("--yes", action="store_true", help="confirm the removal")
    d = parser("documents", "list the documents in the store", cmd_documents)
    d.add_argument("--page", type=positive_int, default=1)
    s = parser("search", "search passages (case, accents and ayn/hamza marks ignored)", cmd_search)
    s.add_argument("query")
    s.add_argument("--zone")
    s.add_argument("--publisher")
    s.add_argument("--from", dest="date_from", type=iso_date, help="published on or after YYYY-MM-DD")
    s.add_argument("--to", dest="date_to", type=iso_date, help="published on or before YYYY-MM-DD")
    s.add_argument("--page", type=positive_int, default=1)
    w = parser("worker", "ingest pending documents (the app starts this itself when a document is added)", cmd_worker)
    w.add_argument("--idle-exit", type=float, default=60.0, help="exit after this many seconds with nothing to do")
    w.add_argument("--lease", type=float, default=15.0, help="seconds a claim on a document holds without renewal")
    w.add_argument("--parent", type=int, help="exit when this process (the server that started the worker) is gone")
    st = parser("store", "migrate the store's schema or show its status", cmd_store)
    st.add_argument("action", choices=("migrate", "status"))
