"""Any article in, linked to the map: passages, places, zones and candidate facts.

``ingest_document`` is pure (given the compiled gazetteer index and zone
linker; by default those of the configured dataset, built once per content of
its files) and never imports streamlit; the app caches ``ingest_corpus`` with
its dataset's own index and linker.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from components.documents import Corpus, Document
from components.passages import Passage, split_passages

from .extract import CandidateFact, extract_candidates
from .geocode import CachedGeocoder, geocoder_from_env, unknown_place_names
from .language import detect_language
from .numwords import extract_word_counts
from .places import PhraseIndex, PlaceMention, default_place_index, distinct_candidates, find_places, resolve_ambiguous
from .zonelink import ZoneEvidence, ZoneLinker, default_zone_linker

# Part of every dataset version (components/version.py) and of the corpus store's ingest key:
# bump it when a change here or in segment/places/zonelink/extract changes what ingestion
# produces, so no cache serves results of the old code and the store re-ingests each document once.
# 4: transliteration, Arabic and Russian place variants, ambiguous names, detected language (issue 16);
# 5: "Дума"/"Duma" with parliament words in its sentence is no place
PIPELINE_VERSION: str = "5"


@dataclass(frozen=True)
class LinkedPlace:
    mention: PlaceMention
    zone: str | None

    @property
    def candidates(self) -> int:
        """1 when the mention is placed; the number of distinct places it can be when context did not decide."""
        return len(distinct_candidates(self.mention.candidates)) if self.mention.ambiguous else 1

    def as_dict(self) -> dict[str, Any]:
        place = self.mention.place
        return {
            "name": self.mention.name, "lat": place.lat, "lon": place.lon,
            "start": self.mention.start, "end": self.mention.end, "zone": self.zone,
            "place_id": place.id, "place_name": place.name, "candidates": self.candidates,
        }


@dataclass(frozen=True)
class IngestedPassage:
    passage: Passage
    zones: tuple[str, ...]
    places: tuple[LinkedPlace, ...]
    facts: tuple[CandidateFact, ...]
    evidence: tuple[ZoneEvidence, ...] = ()

    @property
    def start(self) -> int:
        return self.passage.start

    @property
    def end(self) -> int:
        return self.passage.end

    def as_dict(self) -> dict[str, Any]:
        return {
            "start": self.start, "end": self.end, "zones": list(self.zones),
            "places": [p.as_dict() for p in self.places],
            "facts": [f.as_dict() for f in self.facts],
        }


@dataclass(frozen=True)
class IngestedDocument:
    id: str
    title: str
    zones: tuple[str, ...]
    passages: tuple[IngestedPassage, ...] = field(default_factory=tuple)
    language: str = ""  # detected from the text (components/ingest/language.py); "" when unknown

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "title": self.title, "zones": list(self.zones), "language": self.language,
            "passages": [p.as_dict() for p in self.passages],
        }

    def facts(self) -> list[CandidateFact]:
        return [fact for passage in self.passages for fact in passage.facts]


def _geocoded_mentions(text: str, base: int, known: list[PlaceMention], geocoder: CachedGeocoder) -> list[PlaceMention]:
    spans = [(m.start - base, m.end - base) for m in known]
    out: list[PlaceMention] = []
    for name, start, end in unknown_place_names(text, spans):
        result = geocoder.lookup(name)
        if result is not None:
            out.append(PlaceMention(name=name, start=base + start, end=base + end, place=result.as_place()))
    return out


def passage_mentions(passage: Passage, index: PhraseIndex, linker: ZoneLinker,
                     geocoder: CachedGeocoder | None = None) -> list[PlaceMention]:
    """The place mentions of one passage (ambiguous names resolved by the passage's other places)."""
    mentions = linker.unmasked(passage.text, passage.start, find_places(passage.text, passage.start, index))
    if geocoder is not None:
        mentions = sorted(mentions + _geocoded_mentions(passage.text, passage.start, mentions, geocoder), key=lambda m: m.start)
    return mentions


def resolved_in_document(per_passage: list[list[PlaceMention]]) -> list[list[PlaceMention]]:
    """Mentions still ambiguous in their passage, resolved by the places the whole document names."""
    if not any(m.ambiguous for mentions in per_passage for m in mentions):
        return per_passage
    settled = [m.place for mentions in per_passage for m in mentions if not m.ambiguous and len(distinct_candidates(m.candidates)) <= 1]
    return [resolve_ambiguous(mentions, settled) if any(m.ambiguous for m in mentions) else mentions for mentions in per_passage]


def ingest_passage(
    doc: Document, passage: Passage, index: PhraseIndex, linker: ZoneLinker,
    geocoder: CachedGeocoder | None = None, previous_zones: tuple[str, ...] = (),
    mentions: list[PlaceMention] | None = None,
) -> IngestedPassage:
    """Places, zones and candidate facts of one passage.

    ``previous_zones`` are the zones of the nearest earlier passage that has
    any; they are inherited only through an explicit reference ("the zone").
    ``mentions`` (default: :func:`passage_mentions`) may come resolved by the
    document; an ambiguous one gives no zone evidence (it is not placed).
    """
    if mentions is None:
        mentions = passage_mentions(passage, index, linker, geocoder)
    placed = [m for m in mentions if not m.ambiguous]
    evidence = linker.evidence(passage.text, passage.start, placed)
    if not evidence:
        evidence = linker.inherited_zones(passage.text, passage.start, placed, previous_zones)
    return IngestedPassage(
        passage=passage,
        zones=linker.zones_of(evidence),
        places=tuple(LinkedPlace(m, None if m.ambiguous else linker.zone_of_place(m.place)) for m in mentions),
        facts=tuple(sorted(extract_candidates(doc.id, passage.text, passage.start, doc.meta.published)
                           + extract_word_counts(doc.id, passage.text, passage.start), key=lambda f: (f.start, f.kind))),
        evidence=tuple(evidence),
    )


def union_zones(passages: Iterable[IngestedPassage], order: Iterable[str]) -> tuple[str, ...]:
    linked = {z for p in passages for z in p.zones}
    return tuple(z for z in order if z in linked)


def _no_pause() -> None:
    return None


def ingest_document(
    doc: Document,
    index: PhraseIndex | None = None,
    linker: ZoneLinker | None = None,
    geocoder: CachedGeocoder | None = None,
    pause: Callable[[], None] | None = None,
) -> IngestedDocument:
    """Segment, recognise places and zones, and extract candidate facts for one document.

    ``pause`` is called before each passage's two steps (the ingest worker's yield to the server's
    script runs, :class:`components.runsignal.YieldToServer`); it changes nothing in the result.

    The online geocoder is used only when passed in or enabled by
    ``ATLAS_GEOCODER=nominatim`` (see :mod:`components.ingest.geocode`).
    """
    index = default_place_index() if index is None else index
    linker = default_zone_linker() if linker is None else linker
    geocoder = geocoder if geocoder is not None else geocoder_from_env()
    passages: list[IngestedPassage] = []
    previous: tuple[str, ...] = ()
    split = split_passages(doc.id, doc.text)
    pause = pause or _no_pause
    found = []
    for p in split:
        pause()
        found.append(passage_mentions(p, index, linker, geocoder))
    per_passage = resolved_in_document(found)
    for passage, mentions in zip(split, per_passage, strict=True):
        pause()
        ingested = ingest_passage(doc, passage, index, linker, geocoder, previous, mentions)
        passages.append(ingested)
        previous = ingested.zones or previous
    return IngestedDocument(id=doc.id, title=doc.title, zones=union_zones(passages, linker.zone_ids), passages=tuple(passages),
                            language=detect_language(doc.text))


def ingest_corpus(corpus: Corpus, index: PhraseIndex | None = None,
                  linker: ZoneLinker | None = None) -> dict[str, IngestedDocument]:
    """Every document of a corpus, keyed by document id (corpus order); ``index`` and ``linker``
    default to the configured dataset's (see :func:`ingest_document`)."""
    index = default_place_index() if index is None else index
    linker = default_zone_linker() if linker is None else linker
    return {doc_id: ingest_document(doc, index, linker) for doc_id, doc in corpus.documents.items()}
