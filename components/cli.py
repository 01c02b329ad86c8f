"""Command line: ``python -m components validate | export | cite | ingest | add | remove | documents | search | store |
worker | curator | review``."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .atlas import load_atlas
from .atomic import atomic_write_text
from .cliargs import OneLineParser, iso_date, output_file, positive_int
from .documents import DocumentError, read_document_text
from .export import render
from .ingest.cli import add_ingest_parser
from .review_cli import add_review_parsers
from .settings import SettingsError, current_settings
from .store.cli import add_store_parsers
from .validate import validate_all


def cmd_validate(args: argparse.Namespace) -> int:
    problems = validate_all()
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) found", file=sys.stderr)
        return 1
    print("all data files are valid")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    if args.as_of is not None and args.format != "geojson":
        print("export: --as-of applies to --format geojson only", file=sys.stderr)
        return 2
    atlas = load_atlas()
    if atlas.problems:
        for problem in atlas.problems:
            print(problem, file=sys.stderr)
        print("refusing to export: fix the problems above (python -m components validate)", file=sys.stderr)
        return 1
    output = render(atlas, args.format, args.as_of)
    if args.out:
        try:
            atomic_write_text(args.out, output)
        except OSError as exc:
            print(f"export: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
            return 1
        print(f"wrote {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(output)
    return 0


def cmd_cite(args: argparse.Namespace) -> int:
    """Curator's helper: print a citation for the n-th occurrence of a quote."""
    import json
    if not args.quote.strip():
        print("cite: the quote is empty; give the exact text to cite", file=sys.stderr)
        return 2
    path = Path(args.document)
    try:
        text = read_document_text(path)  # size checked before reading
    except FileNotFoundError:
        print(f"cite: {args.document}: file not found", file=sys.stderr)
        return 1
    except (DocumentError, OSError) as exc:
        print(f"cite: {args.document}: {str(exc).removeprefix(path.name + ': ')}", file=sys.stderr)
        return 1
    start = -1
    for _ in range(args.nth):
        start = text.find(args.quote, start + 1)
        if start < 0:
            print(f"{args.document}: quote not found (occurrence {args.nth})", file=sys.stderr)
            return 1
    citation = {"doc": Path(args.document).stem, "start": start, "end": start + len(args.quote), "quote": args.quote}
    print(json.dumps(citation, ensure_ascii=False))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="python -m components", description="De-escalation Atlas data tools")
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser("validate", help="check every data file; exit 0 only when all is well")
    v.set_defaults(func=cmd_validate)
    e = sub.add_parser("export", help="zones with facts (GeoJSON), zones over time (Linked Places, lpf), or facts (CSV)")
    e.add_argument("--format", choices=("geojson", "lpf", "csv"), required=True)
    e.add_argument("--out", type=output_file, help="write to this file (a file path, not a folder) atomically instead of stdout")
    e.add_argument("--as-of", type=iso_date, help="geojson: the zones as they were on this date (YYYY-MM-DD): extent, status, evidence")
    e.set_defaults(func=cmd_export)
    c = sub.add_parser("cite", help="print a citation (offsets and quote) for text in a document")
    c.add_argument("document", help="path of the .txt document")
    c.add_argument("quote", help="exact text to cite")
    c.add_argument("--nth", type=positive_int, default=1, help="which occurrence, 1 or more (default 1)")
    c.set_defaults(func=cmd_cite)
    add_ingest_parser(sub)
    add_store_parsers(sub)
    add_review_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        current_settings()
    except SettingsError as exc:
        print(f"configuration: {exc}", file=sys.stderr)
        return 2
    try:
        return int(args.func(args))
    except (OSError, DocumentError) as exc:  # never a traceback: one line naming the command
        print(f"{args.command}: {exc}", file=sys.stderr)
        return 1
