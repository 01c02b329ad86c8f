"""Ingestion stores the same rows for the same pipeline version and reference data (tests/pipeline_digest.py).

The store re-ingests a document only when its bytes, its date, the reference data or
``PIPELINE_VERSION`` change, so code that changes what ingestion produces without bumping the
version would leave old and new rows side by side in one store. Speed-ups must keep the digest.
"""
from __future__ import annotations

from .pipeline_digest import DIGESTS_FILE, digest_key, pipeline_digest, recorded


def test_derived_rows_match_the_digest_recorded_for_this_pipeline_version_and_reference_data() -> None:
    key = digest_key()
    digest, n = pipeline_digest()
    assert n > 150  # seeds, evaluation articles and the generated corpus were all ingested
    known = recorded()
    assert key in known, (
        f"no digest recorded for {key!r} in {DIGESTS_FILE.name}: the reference data or PIPELINE_VERSION changed; "
        "record it with `python -m tests.pipeline_digest --record` once the new output is intended")
    assert digest == known[key], (
        f"ingestion output changed for {key!r} ({n} documents): bump PIPELINE_VERSION "
        "(components/ingest/pipeline.py) and record the new digest if intended; a speed-up must not change it")
