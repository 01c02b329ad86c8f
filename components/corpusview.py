"""The linked corpus for the app: place markers, passages per zone or place, full-text search.

Built on the ingestion pipeline's output (``components.ingest``); no Streamlit.
"""
from __future__ import annotations

from dataclasses import dataclass

from .documents import Corpus
from .ingest import IngestedDocument, IngestedPassage
from .passages import Span
from .textfold import fold_text, fold_with_offsets

MAX_QUERY_LENGTH = 200


@dataclass(frozen=True)
class PlaceMarker:
    place_id: str
    name: str
    lat: float
    lon: float
    zone: str | None
    mentions: int
    passages: tuple[tuple[str, int], ...]  # (doc id, passage index)


@dataclass(frozen=True)
class PassageHit:
    doc_id: str
    passage: IngestedPassage
    spans: tuple[Span, ...]


def place_markers(ingested: dict[str, IngestedDocument]) -> list[PlaceMarker]:
    """One marker per settlement mentioned anywhere, with its mention count.

    Aggregating mentions per place is how the map stays readable when many
    articles are loaded (a clustering plugin would need a CDN).
    """
    by_place: dict[str, dict] = {}
    for doc in ingested.values():
        for index, passage in enumerate(doc.passages):
            for linked in passage.places:
                place = linked.mention.place
                if place.kind != "settlement":  # regions and provinces are not points on the map
                    continue
                entry = by_place.setdefault(place.id, {"place": place, "zone": linked.zone, "mentions": 0, "passages": []})
                entry["mentions"] += 1
                if (doc.id, index) not in entry["passages"]:
                    entry["passages"].append((doc.id, index))
    return sorted(
        (PlaceMarker(place_id=pid, name=e["place"].name, lat=e["place"].lat, lon=e["place"].lon, zone=e["zone"],
                     mentions=e["mentions"], passages=tuple(e["passages"])) for pid, e in by_place.items()),
        key=lambda m: (-m.mentions, m.place_id),
    )


def newest_first_docs(corpus: Corpus, ingested: dict[str, IngestedDocument]) -> list[IngestedDocument]:
    return [ingested[d.id] for d in corpus.newest_first() if d.id in ingested]


def passages_for_zone(corpus: Corpus, ingested: dict[str, IngestedDocument], zone_id: str) -> list[tuple[str, IngestedPassage]]:
    """Passages from all documents that the pipeline links to a zone, newest document first."""
    return [(doc.id, p) for doc in newest_first_docs(corpus, ingested) for p in doc.passages if zone_id in p.zones]


def passages_for_place(corpus: Corpus, ingested: dict[str, IngestedDocument], place_id: str) -> list[PassageHit]:
    """Passages that mention a place, with each mention as a span to highlight."""
    hits = []
    for doc in newest_first_docs(corpus, ingested):
        for p in doc.passages:
            spans = tuple(Span(m.mention.start, m.mention.end, (m.mention.place.name,)) for m in p.places if m.mention.place.id == place_id)
            if spans:
                hits.append(PassageHit(doc_id=doc.id, passage=p, spans=spans))
    return hits


def fold_query(query: str) -> str:
    """The query folded like the gazetteer's names (components/textfold.py), without the article step."""
    return fold_text(query.strip()[:MAX_QUERY_LENGTH]).strip()


def find_spans(text: str, start: int, end: int, folded_query: str) -> list[Span]:
    """Matches of the folded query in ``text[start:end]`` (document offsets): case, accents, ayn/hamza
    marks, hyphens and doubled letters ignored ("Daraa" finds "Dar'a"). A span covers exactly the
    original characters that fold to the match."""
    if not folded_query:
        return []
    folded, starts, ends = fold_with_offsets(text[start:end])
    spans, pos = [], folded.find(folded_query)
    while pos >= 0:
        a = start + starts[pos]
        b = start + ends[pos + len(folded_query) - 1]
        spans.append(Span(a, b, ("search",)))
        pos = folded.find(folded_query, pos + len(folded_query))
    return spans


def search(corpus: Corpus, ingested: dict[str, IngestedDocument], query: str, zones: set[str] | None = None) -> list[PassageHit]:
    """Full-text search over every passage, optionally only passages linked to some zones."""
    folded_query = fold_query(query)
    if not folded_query:
        return []
    hits = []
    for doc in newest_first_docs(corpus, ingested):
        document = corpus.get(doc.id)
        if document is None:
            continue
        text = document.text
        for p in doc.passages:
            if zones and not zones & set(p.zones):
                continue
            spans = find_spans(text, p.start, p.end, folded_query)
            if spans:
                hits.append(PassageHit(doc_id=doc.id, passage=p, spans=tuple(spans)))
    return hits
