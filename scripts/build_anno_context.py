"""Store the W3C Web Annotation JSON-LD context (``http://www.w3.org/ns/anno.jsonld``) as
``geodata/anno.jsonld``, so the atlas's annotation export expands offline (tests, users without internet).

No PyPI package ships this context, and the build machine cannot reach w3.org, so the file is taken
from the W3C Web Annotation Working Group's repository (github.com/w3c/web-annotation, file
``jsonld/anno.jsonld``, the source of the published context; W3C Software and Document License)::

    python scripts/build_anno_context.py PATH/TO/web-annotation/jsonld/anno.jsonld [--out PATH]

The script checks that the file is the Web Annotation context (the terms the export uses are defined
as the model's IRIs), then writes its bytes unchanged (atomically) and prints their SHA-256, which
geodata/SOURCES.md records.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from components.annotations import ANNO_CONTEXT_FILE
from components.atomic import atomic_write_bytes

OA = "http://www.w3.org/ns/oa#"
# terms the export writes, and the IRIs the W3C model gives them (compact form as in the context)
REQUIRED_TERMS = {
    "Annotation": "oa:Annotation", "TextualBody": "oa:TextualBody", "SpecificResource": "oa:SpecificResource",
    "TextQuoteSelector": "oa:TextQuoteSelector", "TextPositionSelector": "oa:TextPositionSelector",
    "AnnotationCollection": "as:OrderedCollection", "AnnotationPage": "as:OrderedCollectionPage",
}


def context_problems(raw: bytes) -> list[str]:
    """What makes these bytes not the Web Annotation context (empty when they are)."""
    try:
        context = json.loads(raw.decode("utf-8"))["@context"]
    except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        return [f"not a JSON-LD context document: {exc}"]
    problems = [] if context.get("oa") == OA else [f"prefix oa is {context.get('oa')!r}, not {OA}"]
    for term, iri in REQUIRED_TERMS.items():
        got = context.get(term)
        got = got.get("@id") if isinstance(got, dict) else got
        if got != iri:
            problems.append(f"term {term} is {got!r}, not {iri}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="anno.jsonld from the w3c/web-annotation repository")
    parser.add_argument("--out", type=Path, default=ANNO_CONTEXT_FILE)
    args = parser.parse_args(argv)
    raw = args.source.read_bytes()
    problems = context_problems(raw)
    for problem in problems:
        print(f"{args.source}: {problem}", file=sys.stderr)
    if problems:
        return 1
    atomic_write_bytes(args.out, raw)
    print(f"wrote {args.out} ({len(raw)} bytes, sha256 {hashlib.sha256(raw).hexdigest()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
