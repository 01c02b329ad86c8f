"""The review queue: a signed-in curator confirms, corrects or rejects what the pipeline extracted
from a document or for a zone (most important first), and can revert a review. Rendered only for a
curator (``signin.curator_only``); every callback checks the session again."""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import streamlit as st

from ..facts import ALL_ZONES, DATE_PRECISIONS, EVENT_TYPES, QUALIFIERS
from ..gazetteer import Place
from ..ingest import default_zone_linker
from ..review import QueueItem, ReviewError, history, review, review_queue, reviewed_items
from ..store import StoreError
from ..words import plural
from .corpus import page_number, paging_controls, store_read
from .data import AppData
from .reader import reader_choices
from .safe import esc, html_block, text_message
from .signin import still_signed_in

MODE_KEY = "atlas_review_mode"
DOC_KEY = "atlas_review_doc"
ZONE_KEY = "atlas_review_zone"
PAGE_KEY = "atlas_review_page"
MESSAGE_KEY = "atlas_review_message"
PAGE_SIZE = 20
FACT_FIELDS = ("value", "unit", "qualifier", "zone", "date", "date_precision", "speaker", "event")
MODES = ("By document", "By zone")


def item_key(target: str) -> str:
    """A short, stable widget key for a review target (targets hold document text)."""
    return hashlib.sha1(target.encode()).hexdigest()[:12]


def _zone_of() -> Callable[[Place], str | None]:
    return default_zone_linker().zone_of_place


def _changes(kind: str, key: str) -> dict[str, Any]:
    if kind == "place":
        return {"place": st.session_state.get(f"rv-place-{key}") or "",
                "not_a_place": bool(st.session_state.get(f"rv-notplace-{key}")),
                "promote": bool(st.session_state.get(f"rv-promote-{key}"))}
    values = {name: st.session_state.get(f"rv-{name}-{key}") for name in FACT_FIELDS}
    return {name: value for name, value in values.items() if value not in (None, "")}


def _act(data: AppData, curator: str, target: str, kind: str, action: str, version: int, key: str) -> None:
    """A review button's callback: nothing is written unless this session is still the curator's."""
    if data.store is None or not still_signed_in(data, curator):
        st.session_state[MESSAGE_KEY] = ("error", "Not saved: sign in as a curator to review.")
        return
    try:
        result = review(data.store, target, action, curator, version,
                        changes=_changes(kind, key) if action == "correct" else None,
                        reason=st.session_state.get(f"rv-reason-{key}") or "" if action == "reject" else "",
                        gazetteer=data.gazetteer, zone_of=_zone_of() if kind == "place" and action == "correct" else None)
    except (ReviewError, StoreError) as exc:
        st.session_state[MESSAGE_KEY] = ("error", f"Not saved: {exc}")
        return
    st.session_state[MESSAGE_KEY] = ("info", f"Saved: {result.message}")


def _correction_fields(item: QueueItem, key: str, zone_names: dict[str, str]) -> None:
    if item.kind == "place":
        st.text_input("Gazetteer entry (id or name)", key=f"rv-place-{key}", max_chars=200)
        st.checkbox("Not a place", key=f"rv-notplace-{key}")
        st.checkbox("Apply to this spelling in every document (corpus-wide alias)", key=f"rv-promote-{key}")
        return
    c1, c2, c3 = st.columns(3)
    c1.text_input("Value", key=f"rv-value-{key}", placeholder=str(item.reading.get("value", "")), max_chars=200)
    c2.text_input("Unit", key=f"rv-unit-{key}", max_chars=200)
    c3.selectbox("Qualifier", ["", *QUALIFIERS], key=f"rv-qualifier-{key}", disabled=item.reading["value_type"] != "integer")
    c4, c5, c6 = st.columns(3)
    c4.selectbox("Zone", ["", *zone_names, ALL_ZONES], key=f"rv-zone-{key}",
                 format_func=lambda z: "(as extracted)" if not z else zone_names.get(z, z))
    c5.text_input("Date (YYYY-MM-DD or YYYY-MM)", key=f"rv-date-{key}", max_chars=10)
    c6.selectbox("Date precision", ["", *DATE_PRECISIONS], key=f"rv-date_precision-{key}")
    c7, c8 = st.columns(2)
    c7.text_input("Speaker (who said it)", key=f"rv-speaker-{key}", max_chars=200)
    c8.selectbox("Event", ["", *EVENT_TYPES], key=f"rv-event-{key}", disabled=item.reading["value_type"] != "date")


def show_item(data: AppData, curator: str, item: QueueItem, zone_names: dict[str, str]) -> None:
    key = item_key(item.target)
    with st.container(key=f"rv-item-{key}"):  # one block per item (class st-key-rv-item-...)
        _show_item(data, curator, item, zone_names, key)


def _show_item(data: AppData, curator: str, item: QueueItem, zone_names: dict[str, str], key: str) -> None:
    args = (data, curator, item.target, item.kind)
    html_block(f'<div class="atlas-review-item" data-target="{esc(item.target)}"><b>{esc(item.text)}</b> — “{esc(item.quote)}”'
               f"<br><small>{esc(item.title)} · characters {item.start}–{item.end} · {esc(item.why)}</small></div>",
               "atlas-review-queue")
    c1, c2, c3 = st.columns([1, 3, 1])
    c1.button("Confirm", key=f"rv-confirm-{key}", on_click=_act, args=(*args, "confirm", item.version, key))
    c2.text_input("Reason to reject", key=f"rv-reason-{key}", max_chars=200, placeholder="e.g. a capital city, not a party",
                  label_visibility="collapsed")
    c3.button("Reject", key=f"rv-reject-{key}", on_click=_act, args=(*args, "reject", item.version, key))
    with st.expander("Correct"):
        _correction_fields(item, key, zone_names)
        st.button("Save correction", key=f"rv-correct-{key}", on_click=_act, args=(*args, "correct", item.version, key))


def show_reviewed(data: AppData, curator: str, doc_id: str) -> None:
    """What was reviewed in the document, each with a revert button, and the document's audit trail."""
    done = store_read(data, lambda s: reviewed_items(s, doc_id), "Reviewed") or []
    st.markdown(f"#### Reviewed in this document ({len(done)})")
    for item in done:
        key = item_key(item.target)
        html_block(f'<div class="atlas-reviewed-item" data-target="{esc(item.target)}" data-state="{esc(item.state)}">'
                   f"{esc(item.state)}: {esc(item.text)} <small>by {esc(item.curator)} at {esc(item.at)}</small></div>",
                   "atlas-reviewed-list")
        st.button("Revert", key=f"rv-revert-{key}", on_click=_act,
                  args=(data, curator, item.target, item.kind, "revert", item.version, key))
    rows = store_read(data, lambda s: history(s, doc_id=doc_id, limit=50), "History") or []
    if rows:
        with st.expander(f"History ({plural(len(rows), 'action')}, newest first)"):
            html_block("".join(f"<div>{esc(r.at)} · {esc(r.curator)} · {esc(r.action)} · v{r.version}"
                               f"{' · reason: ' + esc(r.reason) if r.reason else ''}<br><small>{esc(r.target)}</small></div>"
                               for r in rows), "atlas-review-history")


BUTTON_PREFIXES = ("rv-confirm-", "rv-reject-", "rv-correct-", "rv-revert-")  # a button's state cannot be set


def keep_review_inputs() -> None:
    """While the store is unavailable the queue is not drawn, and Streamlit forgets the state of widgets a run
    does not draw: set them again so that the curator finds the same document, zone and typed reasons when the
    store is back (a database restart must not lose the curator's place)."""
    for key in map(str, list(st.session_state.keys())):
        if key in (MODE_KEY, DOC_KEY, ZONE_KEY) or (key.startswith("rv-") and not key.startswith(BUTTON_PREFIXES)):
            st.session_state[key] = st.session_state[key]


def show_review(data: AppData, curator: str) -> None:
    """Rendered only for a signed-in curator (app.py)."""
    message = st.session_state.pop(MESSAGE_KEY, None)  # also when the store just went away: "Not saved: ... unavailable"
    if message:
        text_message(*message)
    if data.store is None:
        st.caption("Review needs the corpus store, which is not available (see “Some data could not be used”).")
        keep_review_inputs()
        return
    zone_names = {z.id: z.name for z in data.atlas.zones.zones}
    mode = st.radio("Review queue", MODES, horizontal=True, key=MODE_KEY)
    doc_id: str | None = None
    zone: str | None = None
    if mode == MODES[0]:
        options, titles = reader_choices(data, st.session_state.get(DOC_KEY))
        if not options:
            st.info("No documents in the corpus store.")
            return
        doc_id = st.selectbox("Document", options, format_func=lambda i: titles.get(i, i), key=DOC_KEY)
    else:
        zone = st.selectbox("Zone", list(zone_names), format_func=lambda z: zone_names[z], key=ZONE_KEY)
    curated = [f for f in data.atlas.facts.facts if not f.reviewed_by]
    offset = page_number(PAGE_KEY) * PAGE_SIZE
    found = store_read(data, lambda s: review_queue(s, doc_id=doc_id, zone=zone, curated=curated, limit=PAGE_SIZE,
                                                    offset=offset), "Review queue")
    if found is None:
        return
    total, items = found
    st.markdown(f"#### To review ({total:,}): what could change a zone's status or contradicts a curated fact first")
    for item in items:
        show_item(data, curator, item, zone_names)
    paging_controls(PAGE_KEY, total, offset, PAGE_SIZE, "items")
    if doc_id:
        show_reviewed(data, curator, doc_id)
