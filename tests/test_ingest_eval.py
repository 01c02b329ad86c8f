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


def eval_documents(folder: Path = EVAL_DIR) -> list[tuple[Document, dict]]:
    out = []
    for path in sorted(folder.glob("*.txt")):
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


# ---------------------------------------------------------------------------
# Place spellings and languages (issue 16): tests/eval/places/
# ---------------------------------------------------------------------------
# Each NN.txt there has a label {"language", "published", "mentions": [{"surface", "start", "end",
# "place" (an id, or null for a name the text leaves ambiguous), "candidates" (then), "class"}]}.
# A mention counts when the pipeline gives the same span and the same place (or, for an ambiguous
# one, leaves it unplaced with the same number of candidates); every other output is a false positive.
PLACES_DIR = EVAL_DIR / "places"
VARIANT_PRECISION_MIN = {"en": 0.95, "ar": 0.95, "ru": 0.9}
VARIANT_RECALL_MIN = {"en": 0.95, "ar": 0.9, "ru": 0.9}


def place_eval_documents() -> list[tuple[Document, dict]]:
    return eval_documents(PLACES_DIR)


def _outputs(doc: Document) -> dict[tuple[int, int], str]:
    """Span -> the place id, or "ambiguous:N" for a mention left unplaced."""
    result = ingest_document(doc)
    return {(p.mention.start, p.mention.end): (p.mention.place.id if p.candidates == 1 else f"ambiguous:{p.candidates}")
            for passage in result.passages for p in passage.places}


def score_place_spellings() -> tuple[dict[str, Score], dict[tuple[str, str], Score], list[str]]:
    """Scores per language and per (language, spelling class), and one line per error."""
    by_language: dict[str, Score] = {}
    by_class: dict[tuple[str, str], Score] = {}
    errors: list[str] = []
    for doc, label in place_eval_documents():
        language = label["language"]
        got = _outputs(doc)
        expected: dict[tuple[int, int], tuple[str, str]] = {}
        for m in label["mentions"]:
            assert doc.text[m["start"]:m["end"]] == m["surface"], f"{doc.id}: label offsets do not slice {m['surface']!r}"
            want = m["place"] if m["place"] is not None else f"ambiguous:{m['candidates']}"
            expected[(m["start"], m["end"])] = (want, m["class"])
        for span, (want, cls) in expected.items():
            hit = got.get(span) == want
            for score in (by_language.setdefault(language, Score()), by_class.setdefault((language, cls), Score())):
                score.expected += 1
                score.true_positives += hit
                score.predicted += span in got
            if not hit:
                errors.append(f"{doc.id} {cls}: {doc.text[span[0]:span[1]]!r} expected {want}, got {got.get(span, 'nothing')}")
        for span, place in got.items():
            if span not in expected:
                by_language.setdefault(language, Score()).predicted += 1
                by_class.setdefault((language, "unlabelled"), Score()).predicted += 1
                errors.append(f"{doc.id} extra: {doc.text[span[0]:span[1]]!r} -> {place}")
    return by_language, by_class, errors


@pytest.fixture(scope="module")
def spelling_scores() -> tuple[dict[str, Score], dict[tuple[str, str], Score], list[str]]:
    by_language, by_class, errors = score_place_spellings()
    for language, s in sorted(by_language.items()):
        print(f"\n[{language}] places P={s.precision:.3f} R={s.recall:.3f} (tp={s.true_positives}, predicted={s.predicted}, expected={s.expected})", end="")
        for (lang, cls), c in sorted(by_class.items()):
            if lang == language:
                print(f"\n    {cls:<14} P={c.precision:.3f} R={c.recall:.3f} (tp={c.true_positives}, predicted={c.predicted}, expected={c.expected})", end="")
    for error in errors:
        print("\n  " + error, end="")
    print()
    return by_language, by_class, errors


def test_place_spelling_set_covers_languages_and_classes() -> None:
    docs = place_eval_documents()
    languages = {label["language"] for _, label in docs}
    classes = {m["class"] for _, label in docs for m in label["mentions"]}
    assert languages == {"en", "ar", "ru"}
    assert {"vowels", "elided", "common-word", "french", "article", "ambiguous", "clitic", "inflected"} <= classes
    assert sum(len(label["mentions"]) for _, label in docs) >= 120


@pytest.mark.parametrize("language", ["en", "ar", "ru"])
def test_place_spellings_precision_and_recall(spelling_scores, language: str) -> None:
    s = spelling_scores[0][language]
    assert s.precision >= VARIANT_PRECISION_MIN[language], f"{language} place precision {s.precision:.3f}"
    assert s.recall >= VARIANT_RECALL_MIN[language], f"{language} place recall {s.recall:.3f}"
