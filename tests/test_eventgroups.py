"""Issue 14: curated and extracted events that tell the same thing are one timeline entry, every
source kept with its exact citation; where they disagree (date, kind of change) the entry says so."""
from __future__ import annotations

import html
import json
import re

import pytest

from components.atlas import DataPaths, load_atlas
from components.eventgroups import EventGroup, change_kind, group_events, when_text
from components.ingest import ingest_corpus
from components.timeline import events, extracted_events

ATLAS = load_atlas()


@pytest.fixture(scope="module")
def groups() -> list[EventGroup]:
    return group_events(events(ATLAS) + extracted_events(ingest_corpus(ATLAS.corpus)))


def by_lead(groups: list[EventGroup]) -> dict[str, EventGroup]:
    return {g.id: g for g in groups}


def test_every_event_is_in_exactly_one_group(groups) -> None:
    items = events(ATLAS) + extracted_events(ingest_corpus(ATLAS.corpus))
    members = [e.fact.id for g in groups for e in g.members]
    assert sorted(members) == sorted(e.fact.id for e in items)


def test_the_cairo_agreement_is_one_entry_with_its_three_sources(groups) -> None:
    group = by_lead(groups)["north-homs.agreement"]
    ids = [e.fact.id for e in group.members]
    # the event, the status it set (same day, same change), and the date the pipeline found ("on Monday")
    assert ids[:2] == ["north-homs.agreement", "north-homs.status"]
    assert len(ids) == 3 and ids[2].startswith("extracted:") and not group.members[2].reviewed
    assert group.zones == ("north-homs",) and group.disagreements == ()
    for citation in group.citations():  # every source keeps its exact citation
        assert ATLAS.corpus.get(citation.doc).text[citation.start:citation.end] == citation.quote
    assert "on\xa0Monday" in [c.quote for c in group.citations()]


def test_an_extracted_date_inside_a_quoted_sentence_joins_that_fact(groups) -> None:
    found = by_lead(groups)
    assert [e.reviewed for e in found["all.memorandum-signed"].members] == [True, False]  # "On May 4"
    assert [e.reviewed for e in found["idlib.lavrov"].members] == [True, False]          # "said Sunday"
    # both zones' "borders agreed in early July" (one sentence) and the extracted "in early July": one entry
    borders = found["eastern-ghouta.borders-agreed"]
    assert {e.fact.id for e in borders.members if e.reviewed} == {"eastern-ghouta.borders-agreed", "north-homs.borders-agreed"}
    assert set(borders.zones) == {"eastern-ghouta", "north-homs"}  # the curated zones, not the passage's third


def test_different_things_on_the_same_day_stay_apart(groups) -> None:
    found = by_lead(groups)
    # Idlib, 5 and 6 August: two statements a day apart, by different speakers: never merged
    assert "idlib.next-stage" in found and "idlib.lavrov" in found
    # 24 July: Idlib "under consultation" and the borders reported for two other zones
    assert "idlib.status" in found and "eastern-ghouta.borders-reported" in found
    # 6 August: the same sentence says two zones operate; each zone is its own entry
    assert {"eastern-ghouta.status", "south.status"} <= set(found)
    assert len(groups) < len(events(ATLAS)) + len(extracted_events(ingest_corpus(ATLAS.corpus)))


def test_each_group_is_one_mark_per_zone_on_the_chart(groups) -> None:
    from components.ui.timeview import event_rows
    rows = event_rows(ATLAS, groups)
    keys = [(r["zone"], r["start"], r["event"]) for r in rows]
    assert len(keys) == len(set(keys))  # no two marks for the same thing in one row
    cairo = [r for r in rows if r["fact_id"] == "north-homs.agreement"]
    assert len(cairo) == 1 and cairo[0]["reviewed"] == "curated, also found in documents" and cairo[0]["sources"] == "3 sources"


def add_document(data: DataPaths, name: str, text: str) -> None:
    (data.seeds[0] / f"{name}.txt").write_text(text, encoding="utf-8")


def add_fact(data: DataPaths, fact: dict) -> None:
    facts = json.loads(data.facts.read_text(encoding="utf-8"))
    facts["facts"].append(fact)
    data.facts.write_text(json.dumps(facts), encoding="utf-8")


def cite(doc: str, text: str, quote: str) -> dict:
    start = text.index(quote)
    return {"doc": doc, "start": start, "end": start + len(quote), "quote": quote}


def test_a_source_a_day_off_is_grouped_and_the_entry_says_they_disagree(data_copy: DataPaths) -> None:
    text = "An agreement on the zone north of Homs was reached in Cairo on 30 July 2017, officials said."
    add_document(data_copy, "001_cairo", text)
    add_fact(data_copy, {"id": "north-homs.agreement-other", "zone": "north-homs", "kind": "event", "event": "agreement-reached",
                         "title": "Agreement reached", "value_type": "date", "value": "2017-07-30", "date_precision": "day",
                         "citations": [cite("001_cairo", text, "30 July 2017")]})
    atlas = load_atlas(data_copy)
    assert not atlas.problems
    group = next(g for g in group_events(events(atlas)) if "north-homs.agreement-other" in {e.fact.id for e in g.members})
    assert {e.fact.id for e in group.members} >= {"north-homs.agreement", "north-homs.status", "north-homs.agreement-other"}
    dates = next(d for d in group.disagreements if d.aspect == "date")
    assert {value for value, _ in dates.told} == {"30 July 2017", "31 July 2017"}  # both kept, neither hidden
    from components.ui.timeview import group_html
    out = group_html(atlas, group)
    assert "disagree on the date" in out and "30 July 2017" in out and "31 July 2017" in out
    shown = re.findall(r'data-doc="([^"]+)" data-start="(\d+)" data-end="(\d+)"', out)
    assert {(c.doc, str(c.start), str(c.end)) for c in group.citations()} == set(shown)  # every source's citation
    marks = [html.unescape(m) for m in re.findall(r"<mark[^>]*>(.*?)</mark>", out)]
    assert "30 July 2017" in marks


def test_a_different_change_told_of_the_same_sentence_is_a_disagreement(data_copy: DataPaths) -> None:
    fact = ATLAS.facts.by_id()["north-homs.agreement"]
    c = fact.citations[0]
    add_fact(data_copy, {"id": "north-homs.status-other", "zone": "north-homs", "kind": "status", "title": "Status",
                         "value_type": "enum", "value": "operating", "as_of": "2017-07-31",
                         "citations": [{"doc": c.doc, "start": c.start, "end": c.end, "quote": c.quote}]})
    atlas = load_atlas(data_copy)
    group = next(g for g in group_events(events(atlas)) if "north-homs.status-other" in {e.fact.id for e in g.members})
    change = next(d for d in group.disagreements if d.aspect == "change")
    assert {value for value, _ in change.told} == {"agreement-reached", "operating"}


def test_change_kind_and_dates_as_people_write_them() -> None:
    found = {e.fact.id: e for e in events(ATLAS)}
    assert change_kind(found["north-homs.agreement"]) == change_kind(found["north-homs.status"]) == "agreement-reached"
    assert change_kind(found["idlib.lavrov"]) == "statement"
    assert when_text(found["north-homs.borders-agreed"]) == "1–10 July 2017"
    assert when_text(found["north-homs.agreement"]) == "31 July 2017"
