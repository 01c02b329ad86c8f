"""Command line: ``python -m components validate | export | cite | ingest | add | remove | documents | search | store |
worker | curator | review | serve``."""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from .atlas import DataPaths, load_atlas
from .atomic import atomic_write_bytes
from .basemap import read_basemap
from .cliargs import OneLineParser, iso_date, output_file, positive_float, positive_int
from .documents import DocumentError, read_document_text
from .export import FORMATS, IMAGE_FORMATS, render
from .gazetteer import GazetteerError, gazetteer_for
from .ingest.cli import add_ingest_parser
from .mapimage import map_image
from .problems import Problem
from .review_cli import add_review_parsers
from .settings import SettingsError, current_settings
from .store.cli import add_store_parsers
from .ui.serve import DRAIN_S
from .ui.serve import ROOT as REPO_ROOT
from .validate import validate_all
from .words import plural
from .zones import ZONE_IDS


def cmd_validate(args: argparse.Namespace) -> int:
    problems = validate_all()
    for problem in problems:
        print(problem)
    if problems:
        print(f"{plural(len(problems), 'problem')} found", file=sys.stderr)
        return 1
    print("all data files are valid")
    return 0


def export_bytes(args: argparse.Namespace) -> bytes:
    """The export's bytes: a map image, or a text export as UTF-8."""
    atlas = load_atlas()
    if atlas.problems:
        raise ExportRefused(atlas.problems)
    paths = DataPaths.default()
    if args.format in IMAGE_FORMATS:
        basemap, _problems = read_basemap(paths.basemap)  # a broken basemap: the zones on a plain ground
        return map_image(atlas, args.format, day=args.as_of, zone_id=args.zone, basemap=basemap, made_on=dt.date.today())
    gazetteer = gazetteer_for(paths.gazetteer, paths.gazetteer_extra) if args.format == "lpf" else None
    return render(atlas, args.format, args.as_of, gazetteer).encode("utf-8")


class ExportRefused(Exception):
    """The data has problems: nothing is exported."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("the data has problems")
        self.problems = problems


FORMAT_BY_SUFFIX = {".csv": "csv", ".geojson": "geojson", ".png": "png", ".svg": "svg"}


def export_format(args: argparse.Namespace) -> str | None:
    """``--format``, or the one ``--out``'s suffix names (``--out map.png``); None when neither says."""
    if args.format:
        return str(args.format)
    return FORMAT_BY_SUFFIX.get(args.out.suffix.lower()) if args.out else None


def cmd_export(args: argparse.Namespace) -> int:
    args.format = export_format(args)
    if args.format is None:
        print(f"export: give --format ({', '.join(FORMATS)}), or an --out file ending in {', '.join(FORMAT_BY_SUFFIX)}",
              file=sys.stderr)
        return 2
    if args.as_of is not None and args.format not in ("geojson", *IMAGE_FORMATS):
        print("export: --as-of applies to --format geojson, png and svg only", file=sys.stderr)
        return 2
    if args.zone is not None and args.format not in IMAGE_FORMATS:
        print("export: --zone applies to the map image (--format png or svg) only", file=sys.stderr)
        return 2
    try:
        output = export_bytes(args)
    except ExportRefused as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print("refusing to export: fix the problems above (python -m components validate)", file=sys.stderr)
        return 1
    except GazetteerError as exc:
        print(f"export: the gazetteer cannot be read: {exc}", file=sys.stderr)
        return 1
    if args.out:
        try:
            atomic_write_bytes(args.out, output)
        except OSError as exc:
            print(f"export: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
            return 1
        print(f"wrote {args.out}", file=sys.stderr)
    elif args.format == "png" and sys.stdout.isatty():
        print("export: a PNG is binary; give --out map.png (or redirect the output to a file)", file=sys.stderr)
        return 2
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(output)
        sys.stdout.buffer.flush()
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


def cmd_serve(args: argparse.Namespace) -> int:
    from .ui.serve import serve  # imports Streamlit: only for this command
    return serve(args.streamlit_args, app=args.app, drain_s=args.drain)


def parse_command_line(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """The arguments; ``serve`` passes the options it does not know to ``streamlit run``."""
    args, extra = parser.parse_known_args(argv)
    if extra and args.command != "serve":
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.streamlit_args = [a for a in extra if a != "--"]
    return args


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="python -m components", description="De-escalation Atlas data tools")
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser("validate", help="check every data file; exit 0 only when all is well")
    v.set_defaults(func=cmd_validate)
    e = sub.add_parser("export", help="zones (GeoJSON), facts with their sources (CSV), citations (W3C Web Annotations), "
                                      "zones over time (Linked Places, lpf), or a map image (png, svg)")
    e.add_argument("--format", "--as", dest="format", choices=FORMATS,
                   help="geojson, csv, annotations (W3C Web Annotation JSON-LD), lpf (Linked Places JSON-LD), png or svg "
                        "(map image); may be left out when --out ends in .csv, .geojson, .png or .svg")
    e.add_argument("--out", type=output_file, help="write to this file (a file path, not a folder) atomically instead of stdout")
    e.add_argument("--as-of", type=iso_date, help="geojson, png, svg: the zones as they were on this date (YYYY-MM-DD): extent, status, evidence")
    e.add_argument("--zone", choices=ZONE_IDS, help="png, svg: frame the map on this zone and outline it")
    e.set_defaults(func=cmd_export)
    c = sub.add_parser("cite", help="print a citation (offsets and quote) for text in a document")
    c.add_argument("document", help="path of the .txt document")
    c.add_argument("quote", help="exact text to cite")
    c.add_argument("--nth", type=positive_int, default=1, help="which occurrence, 1 or more (default 1)")
    c.set_defaults(func=cmd_cite)
    s = sub.add_parser("serve", help="run the app like `streamlit run app.py OPTIONS` (any of its options, e.g. --server.port 8501), "
                                     "but on SIGTERM let the runs in flight finish "
                                     "before stopping (for replicas and containers)")
    s.add_argument("--app", type=Path, default=REPO_ROOT / "app.py", help="the app's entry script (default: this repository's app.py)")
    s.add_argument("--drain", type=positive_float, default=DRAIN_S, help=f"seconds to wait for runs in flight (default {DRAIN_S:g})")
    s.set_defaults(func=cmd_serve)
    add_ingest_parser(sub)
    add_store_parsers(sub)
    add_review_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = parse_command_line(build_parser(), argv)
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
