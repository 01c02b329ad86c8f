"""A digest of everything ingestion stores, to prove that a faster pipeline stores the same rows.

    python -m tests.pipeline_digest            # print the key and digest for the current code and data
    python -m tests.pipeline_digest --record   # add them to tests/data/pipeline_digests.json

The digest covers every derived row (passages with their folded search text, place mentions,
zone links, candidate facts with their citation JSON, per-place counts) and the summary line
that ``components.store.ingest.run_pipeline`` produces for the bundled seeds, the evaluation
articles (tests/eval) and a generated corpus (``bench/gen_corpus.py``, 150 articles, seed 2). It is recorded per pipeline version and
reference data (gazetteer + zones, ``gazetteer_version``): the store re-ingests a document only
when one of those changes, so the same key must always give the same rows. A change that alters
what ingestion stores must bump ``PIPELINE_VERSION`` (components/ingest/pipeline.py) and record
the new digest; a speed-up must not change the digest.
"""
from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from components.documents import document_paths  # noqa: E402
from components.ingest.pipeline import PIPELINE_VERSION  # noqa: E402
from components.store.ingest import IngestJob, gazetteer_version, read_meta, run_pipeline  # noqa: E402

DIGESTS_FILE = ROOT / "tests" / "data" / "pipeline_digests.json"
GENERATED_DOCUMENTS, GENERATED_SEED = 150, 2


def digest_key() -> str:
    """What the stored rows depend on besides the documents: the pipeline version and the reference data."""
    return f"pipeline {PIPELINE_VERSION} | reference data {gazetteer_version()}"


def folder_digest(folder: Path, h: hashlib._Hash) -> int:
    """Feed every document's derived rows (as the store would get them) into ``h``; the number of documents."""
    n = 0
    for row_id, path in enumerate(document_paths(folder), start=1):
        job = IngestJob(row_id, path.stem, path.name, path.read_text(encoding="utf-8"), read_meta(path))
        rows = run_pipeline(job)
        h.update(f"{path.name}\0{rows!r}\n".encode())
        n += 1
    return n


def pipeline_digest(seeds: Path | None = None) -> tuple[str, int]:
    """SHA-256 over the derived rows of the seeds, the evaluation articles and a generated corpus, and the number of documents."""
    from bench.gen_corpus import generate

    h = hashlib.sha256()
    n = folder_digest(seeds or ROOT / "seeds", h) + folder_digest(ROOT / "tests" / "eval", h)
    with tempfile.TemporaryDirectory(prefix="atlas-digest-") as tmp:
        generate(GENERATED_DOCUMENTS, Path(tmp), seed=GENERATED_SEED)
        n += folder_digest(Path(tmp), h)
    return h.hexdigest(), n


def recorded() -> dict[str, str]:
    return json.loads(DIGESTS_FILE.read_text(encoding="utf-8")) if DIGESTS_FILE.exists() else {}


def main(argv: list[str]) -> int:
    key, (digest, n) = digest_key(), pipeline_digest()
    print(f"{key}: {digest} ({n} documents)")
    if "--record" in argv:
        digests = recorded()
        if digests.get(key) not in (None, digest):
            print(f"refusing to overwrite the digest recorded for {key!r}: bump PIPELINE_VERSION", file=sys.stderr)
            return 1
        digests[key] = digest
        DIGESTS_FILE.parent.mkdir(parents=True, exist_ok=True)
        DIGESTS_FILE.write_text(json.dumps(digests, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        print(f"recorded in {DIGESTS_FILE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
