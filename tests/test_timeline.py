"""Status over time (rules at the edges), events, disagreements, date parameter."""
from __future__ import annotations

import datetime as dt
import json
from itertools import pairwise
from typing import ClassVar

import pytest

from components.atlas import DataPaths, load_atlas
from components.timeline import date_range, disagreements, events, parse_date_param, status_on, status_periods

ATLAS = load_atlas()
D = dt.date


@pytest.mark.parametrize("zone, day, expected", [
    ("idlib", D(2017, 5, 3), "not-declared"),          # the day before the memorandum
    ("idlib", D(2017, 5, 4), "declared"),              # the memorandum is signed
    ("south", D(2017, 5, 4), "declared"),
    ("north-homs", D(2017, 7, 9), "declared"),         # "early July" is surely past only on 10 July
    ("north-homs", D(2017, 7, 10), "borders-agreed"),
    ("eastern-ghouta", D(2017, 7, 10), "borders-agreed"),
    ("north-homs", D(2017, 7, 30), "borders-agreed"),  # the day before the Cairo agreement
    ("north-homs", D(2017, 7, 31), "agreement-reached"),
    ("idlib", D(2017, 7, 23), "declared"),
    ("idlib", D(2017, 7, 24), "under-consultation"),   # Rudskoi: consultations continued
    ("south", D(2017, 8, 5), "ceasefire-in-force"),    # issue 14: the ceasefire of 9 July 2017 (zone_life.json)
    ("south", D(2017, 8, 6), "operating"),             # reported operating on 6 August
    ("eastern-ghouta", D(2017, 8, 5), "borders-agreed"),
    ("eastern-ghouta", D(2017, 8, 6), "operating"),
    ("north-homs", D(2017, 12, 31), "agreement-reached"),
])
def test_status_rules_at_the_edges(zone: str, day: dt.date, expected: str) -> None:
    status, transition = status_on(ATLAS, zone, day)
    assert status == expected
    if expected != "not-declared":
        assert transition is not None and (transition.fact.citations or transition.fact.references)  # quoted, or reported


def test_status_periods_are_contiguous() -> None:
    periods = status_periods(ATLAS, "north-homs")
    assert [p[0] for p in periods] == ["declared", "borders-agreed", "agreement-reached", "under-offensive", "evacuation-agreed",
                                      "retaken"]
    for (_, _, end), (_, start, _) in pairwise(periods):
        assert start - end == dt.timedelta(days=1)


@pytest.mark.parametrize("value, precision, expected", [
    ("2017-05-06", "day", (D(2017, 5, 6), D(2017, 5, 6))),
    ("2017-07", "early-month", (D(2017, 7, 1), D(2017, 7, 10))),
    ("2017-02", "month", (D(2017, 2, 1), D(2017, 2, 28))),
    ("2017-13", "month", None),
])
def test_date_range(value: str, precision: str, expected) -> None:
    assert date_range(value, precision) == expected


def test_events_include_every_dated_statement() -> None:
    ids = {e.fact.id for e in events(ATLAS)}
    assert {"all.memorandum-signed", "all.in-force", "north-homs.borders-agreed", "eastern-ghouta.borders-agreed",
            "north-homs.borders-reported", "north-homs.agreement", "north-homs.announced", "idlib.lavrov",
            "idlib.next-stage", "idlib.status"} <= ids
    assert [e.start for e in events(ATLAS)] == sorted(e.start for e in events(ATLAS))


def test_seed_disagreements_are_listed() -> None:
    ids = {d.facts[0].id for d in disagreements(ATLAS)}
    assert {"conflict.third-zone", "conflict.first-zone-provinces"} <= ids


def test_two_sources_with_different_counts_disagree(data_copy: DataPaths) -> None:
    other = data_copy.seeds[0] / "001_other.txt"
    text = "Officials said 85 settlements were in the zone north of Homs."
    other.write_text(text, encoding="utf-8")
    facts = json.loads(data_copy.facts.read_text(encoding="utf-8"))
    start = text.index("85 settlements")
    facts["facts"].append({"id": "north-homs.settlements-other", "zone": "north-homs", "kind": "settlements",
                           "title": "Settlements included", "value_type": "integer", "value": 85,
                           "citations": [{"doc": "001_other", "start": start, "end": start + 14, "quote": "85 settlements"}]})
    data_copy.facts.write_text(json.dumps(facts), encoding="utf-8")
    atlas = load_atlas(data_copy)
    assert not atlas.problems
    pairs = [d for d in disagreements(atlas) if d.kind == "settlements"]
    assert len(pairs) == 1
    assert {f.value for f in pairs[0].facts} == {84, 85}


@pytest.mark.parametrize("raw, day, has_message", [
    (None, None, False),
    ("2017-08-01", D(2017, 8, 1), False),
    ("2016-01-01", None, True),
    ("yesterday", None, True),
    ("", None, True),
    ("9" * 100, None, True),
])
def test_date_param(raw, day, has_message: bool) -> None:
    parsed, message = parse_date_param(raw)
    assert parsed == day and bool(message) == has_message


def test_extracted_dates_become_unreviewed_events_that_never_set_status() -> None:
    from components.ingest import ingest_corpus
    from components.timeline import extracted_events, transitions
    extracted = extracted_events(ingest_corpus(ATLAS.corpus))
    assert extracted and all(not e.reviewed for e in extracted)
    july31 = [e for e in extracted if e.start == D(2017, 7, 31)]
    assert july31 and "north-homs" in july31[0].zones
    for e in extracted:
        c = e.fact.citations[0]
        assert ATLAS.corpus.get(c.doc).text[c.start:c.end] == c.quote
    assert not any(t.fact.id.startswith("extracted:") for t in transitions(ATLAS))


def test_event_citation_excerpt_marks_exactly_the_quote() -> None:
    import html
    import re

    from components.ui.timeview import citation_excerpt_html, selected_fact_ids
    fact = ATLAS.facts.by_id()["north-homs.announced"]
    out = citation_excerpt_html(ATLAS, fact, fact.citations[0])
    marks = [html.unescape(m) for m in re.findall(r"<mark[^>]*>(.*?)</mark>", out)]
    assert "".join(marks) == fact.citations[0].quote

    class State:
        selection: ClassVar[dict] = {"event": [{"fact_id": "north-homs.announced"}]}
    assert selected_fact_ids(State()) == ["north-homs.announced"]
    assert selected_fact_ids(object()) == []
