"""Every citation as a W3C Web Annotation (https://www.w3.org/TR/annotation-model/), the JSON-LD that
annotation tools such as Recogito and Hypothesis exchange.

One annotation per fact and citation, in one ``AnnotationCollection``:

- ``target``: the cited document (its stable URI, ``{ATLAS_BASE_URI}document/ID``; ``via`` its original
  address when known) narrowed by a ``TextQuoteSelector`` (``exact``, and up to 32 characters of ``prefix``
  and ``suffix`` from the document's text) and a ``TextPositionSelector`` (``start``, ``end``). Offsets
  count Unicode code points of the document's text, as the model specifies.
- ``body``: the fact in words (a ``TextualBody`` whose id is the fact's URI) and, as semantic tags, the
  URI of every zone the fact concerns.

The context ``http://www.w3.org/ns/anno.jsonld`` is shipped as ``geodata/anno.jsonld`` (W3C, see
geodata/SOURCES.md), so the export expands offline with any JSON-LD processor given that file.
"""
from __future__ import annotations

from typing import Any

from .atlas import Atlas
from .facts import Citation, Fact, fact_zones
from .panels import format_value
from .paths import GEODATA
from .uris import atlas_uri, document_uri, fact_uri, zone_uri
from .zones import ZONE_IDS

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
ANNO_CONTEXT_FILE = GEODATA / "anno.jsonld"
AFFIX_CHARS = 32


def text_quote_selector(text: str, c: Citation) -> dict[str, Any]:
    """The quote with up to :data:`AFFIX_CHARS` code points of context on each side, from the document's text."""
    return {"type": "TextQuoteSelector", "exact": text[c.start:c.end],
            "prefix": text[max(0, c.start - AFFIX_CHARS):c.start], "suffix": text[c.end:c.end + AFFIX_CHARS]}


def annotation_target(atlas: Atlas, c: Citation) -> dict[str, Any]:
    """The cited span: the document (stable URI) with a quote selector and a code-point position selector."""
    doc = atlas.corpus.get(c.doc)
    quote = text_quote_selector(doc.text, c) if doc else {"type": "TextQuoteSelector", "exact": c.quote}
    source: dict[str, Any] = {"id": document_uri(c.doc), "type": "Text", "format": "text/plain"}
    if doc is not None and doc.meta.url:
        source["via"] = doc.meta.url
    return {"type": "SpecificResource", "source": source,
            "selector": [quote, {"type": "TextPositionSelector", "start": c.start, "end": c.end}]}


def fact_in_words(atlas: Atlas, fact: Fact) -> str:
    """``Northern Homs de-escalation zone — Settlements: 84 settlements`` and the like, for people."""
    from .export import zone_name

    words = f"{zone_name(atlas, fact.zone)} — {fact.title}: {format_value(fact)}"
    if fact.reviewed_by:
        words += f" (reviewed by {fact.reviewed_by} on {fact.reviewed_on})"
    return words


def annotation(atlas: Atlas, fact: Fact, index: int, c: Citation) -> dict[str, Any]:
    bodies: list[dict[str, Any]] = [{"id": fact_uri(fact.id), "type": "TextualBody", "purpose": "describing",
                                     "value": fact_in_words(atlas, fact), "format": "text/plain", "language": "en"}]
    bodies += [{"type": "SpecificResource", "purpose": "tagging", "source": zone_uri(z)} for z in fact_zones(fact, ZONE_IDS)]
    out: dict[str, Any] = {"id": atlas_uri("annotation", fact.id, index), "type": "Annotation",
                           "motivation": "describing", "body": bodies, "target": annotation_target(atlas, c)}
    if fact.reviewed_by:
        out["creator"] = {"type": "Person", "nickname": fact.reviewed_by}
        out["created"] = f"{fact.reviewed_on}T00:00:00Z"
    return out


def web_annotations(atlas: Atlas) -> dict[str, Any]:
    """Every fact's citations as one ``AnnotationCollection`` with a single page holding them all."""
    items = [annotation(atlas, fact, i, c) for fact in atlas.facts.facts for i, c in enumerate(fact.citations, 1)]
    collection = atlas_uri("annotations")
    return {"@context": ANNO_CONTEXT, "id": collection, "type": "AnnotationCollection",
            "label": "De-escalation Atlas: the cited span of every fact", "total": len(items),
            "first": {"id": f"{collection}/page1", "type": "AnnotationPage", "partOf": collection,
                      "startIndex": 0, "items": items}}
