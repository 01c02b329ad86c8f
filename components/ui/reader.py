"""Read a whole document from the corpus store: curated citations and place names marked, the
pipeline's zones and extracted facts per passage; passages link back to zones."""
from __future__ import annotations

import streamlit as st

from ..citeinfo import date_text
from ..panels import MARK_JOIN, MARK_PREFIX, citation_spans, document_views
from ..passages import Span, highlight_html
from ..store.queries import DocumentRow, ReaderWindow, list_documents, passage_start, reader_window
from . import selection
from .cards import install_card_script
from .corpus import AUTO_MARK, READER_DOC_KEY, READER_PASSAGE_KEY, extracted_items_html, store_read, stored_candidate_text
from .data import AppData
from .safe import esc, html_block, link_html
from .style import ARRIVE_JS

MAX_CHOICES = 100  # the newest documents offered in the list (search opens any other)
WINDOW_CHARS = 20_000  # the reader shows a document this many characters at a time…
WINDOW_PASSAGES = 60  # …and at most this many passages

# Scrolls the passage a search hit opened below the sticky header (scroll-margin-top, cards.CARD_SCRIPT's
# CSS) once the page is laid out, moves the keyboard focus to it and flashes it, and keeps it there while
# the page finishes drawing (style.ARRIVE_JS). Our own markup: an integer index.
SCROLL_JS = """<script>
(() => {""" + ARRIVE_JS + """
  atlasArrive(() => window.document.getElementById("reader-passage-%d"), (el) => {
    el.scrollIntoView({block: "start"});
    el.focus({preventScroll: true});
    el.classList.add("atlas-flash");
    setTimeout(() => el.classList.remove("atlas-flash"), 2500);
  });
})();
</script>"""


def reader_choices(data: AppData, current: str | None) -> tuple[list[str], dict[str, str]]:
    """The newest documents (bounded) plus the one asked for; id -> title."""
    found = store_read(data, lambda s: list_documents(s, limit=MAX_CHOICES), "Documents")
    titles = {d.doc_id: d.title or d.doc_id for d in (found[1] if found else [])}
    if current and current not in titles:
        titles = {current: current, **titles}
    return list(titles), titles


def mention_label(mention: dict) -> str:
    """The place a mark names, or "Saida: 2 candidates" for an ambiguous name (not placed; issue 16)."""
    count = int(mention.get("place_candidates") or 1)
    return f"{mention.get('surface') or mention['place_name']}: {count} candidates" if count > 1 else str(mention["place_name"])


def language_note(meta: DocumentRow) -> str:
    """"Language: ar (detected)" with the sidecar's language when it says one; "" when neither is known."""
    given = (meta.language or "").strip()
    detected = meta.detected_language
    if not detected:
        return f"Language: {given}" if given else ""
    return f"Language: {detected} (detected)" + (f", {given} (stated)" if given and given != detected else "")


def passage_note(data: AppData, window: ReaderWindow, index: int, zones: tuple[str, ...]) -> str:
    names = {z.id: z.name for z in data.atlas.zones.zones}
    places = ", ".join(dict.fromkeys(mention_label(m) for m in window.mentions if m["passage"] == index))
    extracted = extracted_items_html((stored_candidate_text(c), c["quote"], c["start"], c["end"])
                                     for c in window.candidates if c["passage"] == index)
    return (f"<small>Zones (automatic): {esc(', '.join(names.get(z, z) for z in zones) or 'none')}"
            f"{' · places: ' + esc(places) if places else ''}</small>{extracted}")


def window_html(data: AppData, window: ReaderWindow, curated: list[Span], target: int | None) -> str:
    """The window's passages, marked (curated citations, else place names), with the text between stored
    passages (past the per-document passage limit) shown plain. O(W + m log m) for W characters, m marks."""
    by_passage: dict[int, list[dict]] = {}
    for m in window.mentions:
        by_passage.setdefault(m["passage"], []).append(m)
    notes = {p.index: passage_note(data, window, p.index, p.zones) for p in window.passages} if window.passages else {}
    parts: list[str] = []
    at = window.start

    def plain(a: int, b: int) -> None:
        text = window.text[a - window.start:b - window.start]
        if text.strip():
            parts.append(f'<p class="atlas-passage atlas-unindexed" dir="auto">{esc(text.strip())}</p>')

    for p in window.passages:
        a, b = max(p.start, window.start), min(p.end, window.end)
        plain(at, a)
        marks = curated or [Span(m["start"], m["end"], (mention_label(m),)) for m in by_passage.get(p.index, [])]
        body = highlight_html(window.text, a - window.start, b - window.start,
                              [Span(s.start - window.start, s.end - window.start, s.labels) for s in marks],
                              "" if curated else AUTO_MARK, base=window.start,
                              title_prefix=MARK_PREFIX if curated else "Place named: ", title_join=MARK_JOIN)
        css = "atlas-passage atlas-target" if target == p.index else "atlas-passage"
        # dir="auto": each passage takes the direction of its first strong letter (Arabic right to left); offsets
        # and marks are unchanged, so a highlight stays on its characters.
        parts.append(f'<p class="{css}" dir="auto" id="reader-passage-{p.index}" tabindex="-1" data-passage="{p.index}" '
                     f'data-reader-passage="{p.index}">{body}</p>{notes[p.index]}')
        at = b
    plain(at, window.end)
    return "".join(parts)


def _move(key: str, offset: int | None) -> None:
    if offset is not None:
        st.session_state[key] = offset


def window_controls(key: str, window: ReaderWindow) -> None:
    """Previous / next window and where this one is in the document (only for a document longer than a window)."""
    if window.start == 0 and window.end >= window.length:
        return
    left, mid, right = st.columns([1, 2, 1])
    left.button("← Previous", key=f"{key}-prev", disabled=window.previous is None, on_click=_move, args=(key, window.previous))
    mid.caption(f"characters {window.start + 1:,}–{window.end:,} of {window.length:,}")
    right.button("Next →", key=f"{key}-next", disabled=window.end >= window.length, on_click=_move, args=(key, window.end))


def show_reader(data: AppData) -> None:
    """The chosen document, one bounded window at a time (:func:`reader_window`): a 2 MB document of
    100,000 lines costs a run what a short article does."""
    current = st.session_state.get(READER_DOC_KEY)
    options, titles = reader_choices(data, current)
    if not options:
        st.info("No documents in the corpus store.")
        return
    doc_id = st.selectbox("Document", options, format_func=lambda i: titles.get(i, i),
                          key=READER_DOC_KEY, persist_state="page")  # kept while another tab is open
    if not doc_id:
        return
    key = f"atlas_reader_at_{doc_id}"
    target = st.session_state.pop(READER_PASSAGE_KEY, None)  # a search hit's passage: marked and scrolled to once
    if isinstance(target, int):
        found_start = store_read(data, lambda s: passage_start(s, doc_id, target), "Reader")
        st.session_state[key] = found_start or 0
    window = store_read(data, lambda s: reader_window(s, doc_id, int(st.session_state.get(key, 0) or 0),
                                                      max_chars=WINDOW_CHARS, max_passages=WINDOW_PASSAGES), "Reader")
    if window is None:
        return
    meta = window.document
    published = date_text(meta.published, meta.date_precision) or "date not known"
    html_block(f"<b>{esc(meta.title)}</b><br>{esc(meta.publisher or 'publisher not known')} · {esc(published)} · "
               + link_html(meta.url), "atlas-docmeta")
    if meta.status == "failed" or (meta.failure and not window.length):
        html_block(f"Not readable: {esc(meta.failure or 'no text')}", "atlas-docmeta")
        return
    if meta.ingest_note:
        html_block(esc(meta.ingest_note), "atlas-docmeta")
    if language_note(meta):
        html_block(esc(language_note(meta)), "atlas-docmeta")
    names = {z.id: z.name for z in data.atlas.zones.zones}
    zones = sorted({z for p in window.passages for z in p.zones})
    html_block(f"Linked to (this part): {esc(', '.join(names.get(z, z) for z in zones) or 'no zone')}", "atlas-doczones")
    atlas_doc = data.atlas.corpus.get(doc_id)
    curated_doc = atlas_doc is not None and len(atlas_doc.text) == window.length  # citations index this same text
    curated = citation_spans(data.atlas.facts.facts, doc_id) if curated_doc else []
    window_controls(key, window)
    html_block(window_html(data, window, curated, target if isinstance(target, int) else None), "atlas-reader")
    if curated_doc:
        shown = {p.index for p in window.passages}
        for view in document_views(data.atlas, doc_id):
            if view.passage.index in shown and view.zones:
                supported = ", ".join(names[z] for z in view.zones if z in names)
                st.button(f"Select the zones this passage supports: {supported}",
                          key=f"rz-{doc_id}-{view.passage.index}", on_click=selection.select, args=(list(view.zones),))
    if isinstance(target, int):
        install_card_script()  # the passage's scroll margin, focus outline and flash
        st.html(SCROLL_JS % target, unsafe_allow_javascript=True)
