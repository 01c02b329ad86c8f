"""Per-document limits applied to the pipeline's output before it is stored.

A hostile or unusual upload (100,000 one-line paragraphs, one 1 MB line naming
a place 50,000 times) must not make every later request pay for it. The
document itself is always stored whole and stays readable (the reader shows
its text in bounded windows); only what is *derived* from it is capped:

* at most :data:`MAX_PASSAGES` passages (later passages are not indexed:
  no search hit, no zone link, no place marker from them);
* at most :data:`MAX_MARKS_PER_PASSAGE` place mentions in one passage;
* at most :data:`MAX_MENTIONS` place mentions and :data:`MAX_FACTS` candidate
  facts in the whole document (the first ones, in text order).

The limits are constants, not settings: they are far above what a news
article holds (the bundled seed has 25 passages and 60 mentions) and exist
only to bound cost. :func:`apply_limits` says what was dropped in one
sentence, shown to the uploader and stored with the document.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from .pipeline import IngestedDocument, IngestedPassage, union_zones

MAX_PASSAGES = 10_000
MAX_MARKS_PER_PASSAGE = 200
MAX_MENTIONS = 10_000
MAX_FACTS = 2_000


@dataclass(frozen=True)
class Trimmed:
    """What :func:`apply_limits` kept of what the pipeline found."""

    document: IngestedDocument
    note: str | None  # None when nothing was dropped


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'s' * (n != 1)}"


def apply_limits(ingested: IngestedDocument, zone_order: tuple[str, ...] | None = None) -> Trimmed:
    """The document with passages, marks per passage, mentions and facts capped, and a note naming
    each limit that was hit ("… kept the first 10,000 of 57,144 place mentions"). O(output of the pipeline)."""
    all_passages = ingested.passages
    passages = all_passages[:MAX_PASSAGES]
    crowded = sum(1 for p in passages if len(p.places) > MAX_MARKS_PER_PASSAGE)
    total_mentions = sum(len(p.places) for p in all_passages)
    total_facts = sum(len(p.facts) for p in all_passages)
    kept: list[IngestedPassage] = []
    mentions_left, facts_left = MAX_MENTIONS, MAX_FACTS
    for p in passages:
        places = p.places[:min(MAX_MARKS_PER_PASSAGE, mentions_left)]
        facts = p.facts[:facts_left]
        mentions_left -= len(places)
        facts_left -= len(facts)
        kept.append(p if (len(places), len(facts)) == (len(p.places), len(p.facts)) else replace(p, places=places, facts=facts))
    kept_mentions = MAX_MENTIONS - mentions_left
    kept_facts = MAX_FACTS - facts_left
    notes: list[str] = []
    if len(all_passages) > MAX_PASSAGES:
        notes.append(f"kept the first {MAX_PASSAGES:,} of {_plural(len(all_passages), 'passage')}"
                     " (the rest is stored and readable, but not searched or linked)")
    if crowded:
        notes.append(f"{_plural(crowded, 'passage')} named more than {MAX_MARKS_PER_PASSAGE:,} places:"
                     f" kept the first {MAX_MARKS_PER_PASSAGE:,} in each")
    if kept_mentions < total_mentions:
        notes.append(f"kept the first {kept_mentions:,} of {_plural(total_mentions, 'place mention')}")
    if kept_facts < total_facts:
        notes.append(f"kept the first {kept_facts:,} of {_plural(total_facts, 'extracted date and figure')}")
    if not notes:
        return Trimmed(ingested, None)
    order = zone_order if zone_order is not None else ingested.zones
    document = replace(ingested, passages=tuple(kept), zones=union_zones(kept, order))
    return Trimmed(document, "Over the per-document limits: " + "; ".join(notes) + ".")
