"""Quality of the ingestion pipeline on the hand-labelled evaluation set (tests/eval/).

Each ``NN_name.txt`` is a short article written for this set; ``NN_name.json``
beside it lists, for every passage in order, the zones it is about and the
gazetteer places it names (name as written + gazetteer id). See
tests/eval/README.md for the labelling rules.

Articles 01-16 were written first and the cues were tuned on them;
articles 17-20 (``"split": "holdout"``) were written and labelled before
the pipeline was run on them. Their first-run figures were zones P 1.00
R 0.63, places P 0.96 R 1.00; two general rules were added afterwards
(governorate of a place; "Western Ghouta" is not Eastern Ghouta), so they
are no longer strictly held out. Both splits are printed.

Thresholds: zone links P >= 0.85, R >= 0.80; places P >= 0.90, R >= 0.85.
Measured over all 20: zones P 1.00 R 0.93, places P 0.99 R 0.99. The
thresholds sit well below because the tuned split flatters the pipeline
(first-run held-out zone recall was 0.63): they catch a real regression (a
guard against English words removed, a zone cue broken) without failing on
a justified change to the gazetteer or the cues. Precision is held higher
than recall on purpose: a wrong zone or place on the map misleads, a missing
one is only incomplete, and some labelled links need knowledge the text does
not state (the Nassib crossing is in Daraa), which the pipeline does not have.
"""
from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from components.documents import Document, DocumentMeta, first_line_title
from components.ingest import ingest_document

EVAL_DIR = Path(__file__).resolve().parent / "eval"
ZONE_PRECISION_MIN = 0.85
ZONE_RECALL_MIN = 0.80
PLACE_PRECISION_MIN = 0.90
PLACE_RECALL_MIN = 0.85


@dataclass
class Score:
    true_positives: int = 0
    predicted: int = 0
    expected: int = 0

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.expected if self.expected else 1.0

    def add(self, predicted: Counter, expected: Counter) -> None:
        self.true_positives += sum((predicted & expected).values())
        self.predicted += sum(predicted.values())
        self.expected += sum(expected.values())


def eval_documents() -> list[tuple[Document, dict]]:
    out = []
    for path in sorted(EVAL_DIR.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        label = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        meta = DocumentMeta(title=first_line_title(text), published=dt.date.fromisoformat(label["published"]))
        out.append((Document(id=path.stem, path=path, text=text, meta=meta), label))
    return out


def score_eval_set(split: str | None = None) -> tuple[Score, Score, list[str]]:
    """Zone-link and place scores over the set (or one split: "tuned", "holdout")."""
    zones, places, misses = Score(), Score(), []
    for doc, label in eval_documents():
        if split is not None and label.get("split", "tuned") != split:
            continue
        result = ingest_document(doc)
        assert len(result.passages) == len(label["passages"]), f"{doc.id}: passage count differs from its label"
        for got, want in zip(result.passages, label["passages"], strict=True):
            assert got.passage.text.startswith(want["starts"]), f"{doc.id}: label out of step at {want['starts']!r}"
            got_zones, want_zones = Counter(got.zones), Counter(want["zones"])
            got_places = Counter((p.mention.name, p.mention.place.id) for p in got.places)
            want_places = Counter(tuple(p) for p in want["places"])
            zones.add(got_zones, want_zones)
            places.add(got_places, want_places)
            for kind, extra, missing in (("zone", got_zones - want_zones, want_zones - got_zones),
                                         ("place", got_places - want_places, want_places - got_places)):
                misses += [f"{doc.id} [{want['starts'][:25]}] extra {kind} {x}" for x in extra]
                misses += [f"{doc.id} [{want['starts'][:25]}] missed {kind} {x}" for x in missing]
    return zones, places, misses


@pytest.fixture(scope="module")
def scores() -> tuple[Score, Score, list[str]]:
    for split in ("tuned", "holdout"):
        z, p, _ = score_eval_set(split)
        print(f"\n[{split}] zone links P={z.precision:.3f} R={z.recall:.3f}; places P={p.precision:.3f} R={p.recall:.3f}", end="")
    zones, places, misses = score_eval_set()
    print(f"\nzone links: P={zones.precision:.3f} R={zones.recall:.3f} "
          f"(tp={zones.true_positives}, predicted={zones.predicted}, expected={zones.expected})")
    print(f"places:     P={places.precision:.3f} R={places.recall:.3f} "
          f"(tp={places.true_positives}, predicted={places.predicted}, expected={places.expected})")
    for miss in misses:
        print("  " + miss)
    return zones, places, misses


def test_eval_set_is_a_real_sample() -> None:
    docs = eval_documents()
    assert 12 <= len(docs) <= 20
    assert sum(len(label["passages"]) for _, label in docs) >= 80
    assert any(not p["zones"] for _, label in docs for p in label["passages"]), "needs passages about no zone"
    assert any(len(p["zones"]) > 1 for _, label in docs for p in label["passages"]), "needs multi-zone passages"


def test_zone_links_precision_and_recall(scores) -> None:
    zones, _, _ = scores
    assert zones.precision >= ZONE_PRECISION_MIN, f"zone precision {zones.precision:.3f}"
    assert zones.recall >= ZONE_RECALL_MIN, f"zone recall {zones.recall:.3f}"


def test_places_precision_and_recall(scores) -> None:
    _, places, _ = scores
    assert places.precision >= PLACE_PRECISION_MIN, f"place precision {places.precision:.3f}"
    assert places.recall >= PLACE_RECALL_MIN, f"place recall {places.recall:.3f}"
