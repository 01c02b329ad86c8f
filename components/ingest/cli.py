"""``python -m components ingest PATH [PATH ...] --json``."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from components.documents import DocumentError, load_document

from .pipeline import IngestedDocument, ingest_document


def ingest_paths(paths: list[str]) -> tuple[list[IngestedDocument], list[str]]:
    """Ingest each file; a bad file gives an error message naming it, the others go on."""
    documents: list[IngestedDocument] = []
    errors: list[str] = []
    for raw in paths:
        path = Path(raw)
        try:
            if path.is_dir():
                raise DocumentError(f"{raw}: is a directory, not a text file")
            documents.append(ingest_document(load_document(path)))
        except FileNotFoundError:
            errors.append(f"{raw}: file not found")
        except (DocumentError, OSError) as exc:
            message = str(exc).removeprefix(f"{path.name}: ")
            errors.append(f"{raw}: {message}")
    return documents, errors


def summary_line(doc: IngestedDocument) -> str:
    places = sum(len(p.places) for p in doc.passages)
    facts = sum(len(p.facts) for p in doc.passages)
    zones = ", ".join(doc.zones) or "no zone"
    return f"{doc.id}: {len(doc.passages)} passages, {places} places, {facts} candidate facts; zones: {zones}"


def cmd_ingest(args: argparse.Namespace) -> int:
    documents, errors = ingest_paths(args.paths)
    for error in errors:
        print(f"ingest: {error}", file=sys.stderr)
    if args.json:
        json.dump({"documents": [d.as_dict() for d in documents]}, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        for doc in documents:
            print(summary_line(doc))
    return 1 if errors else 0


def add_ingest_parser(sub: argparse._SubParsersAction) -> None:
    i = sub.add_parser("ingest", help="recognise places, zones and candidate facts in text documents")
    i.add_argument("paths", nargs="+", metavar="PATH", help=".txt documents (UTF-8)")
    i.add_argument("--json", action="store_true", help="print one JSON object with every document")
    i.set_defaults(func=cmd_ingest)
