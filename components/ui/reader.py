"""Read a whole document from the corpus store: curated citations and place names marked, the
pipeline's zones and extracted facts per passage; passages link back to zones."""
from __future__ import annotations

import streamlit as st

from ..panels import document_views
from ..passages import Span, highlight_html
from ..store.queries import ReaderData, list_documents, reader_data
from . import selection
from .corpus import AUTO_MARK, READER_DOC_KEY, READER_PASSAGE_KEY, extracted_items_html, store_read, stored_candidate_text
from .data import AppData
from .safe import esc, html_block

MAX_CHOICES = 100  # the newest documents offered in the list (search opens any other)

# Scrolls the passage a search hit opened into view (our own markup: an integer index).
SCROLL_JS = """<script>
setTimeout(() => {
  const el = window.parent.document.querySelector('[data-reader-passage="%d"]');
  if (el) el.scrollIntoView({block: "center"});
}, 300);
</script>"""


def reader_choices(data: AppData, current: str | None) -> tuple[list[str], dict[str, str]]:
    """The newest documents (bounded) plus the one asked for; id -> title."""
    found = store_read(data, lambda s: list_documents(s, limit=MAX_CHOICES), "Documents")
    titles = {d.doc_id: d.title or d.doc_id for d in (found[1] if found else [])}
    if current and current not in titles:
        titles = {current: current, **titles}
    return list(titles), titles


def passage_note(data: AppData, found: ReaderData, index: int, zones: tuple[str, ...]) -> str:
    names = {z.id: z.name for z in data.atlas.zones.zones}
    places = ", ".join(dict.fromkeys(m["place_name"] for m in found.mentions if m["passage"] == index))
    extracted = extracted_items_html((stored_candidate_text(c), c["quote"], c["start"], c["end"])
                                     for c in found.candidates if c["passage"] == index)
    return (f"<small>Zones (automatic): {esc(', '.join(names.get(z, z) for z in zones) or 'none')}"
            f"{' · places: ' + esc(places) if places else ''}</small>{extracted}")


def show_reader(data: AppData) -> None:
    current = st.session_state.get(READER_DOC_KEY)
    options, titles = reader_choices(data, current)
    if not options:
        st.info("No documents in the corpus store.")
        return
    doc_id = st.selectbox("Document", options, format_func=lambda i: titles.get(i, i),
                          key=READER_DOC_KEY, persist_state="page")  # kept while another tab is open
    found = store_read(data, lambda s: reader_data(s, doc_id), "Reader") if doc_id else None
    if found is None:
        return
    meta = found.document
    published = meta.published or "date unknown"
    html_block(f"<b>{esc(meta.title)}</b><br>{esc(meta.publisher or 'publisher unknown')} · {esc(published)} "
               f"({esc(meta.date_precision)})" + (f" · {esc(meta.url)}" if meta.url else ""), "atlas-docmeta")
    if found.text is None:
        html_block(f"Not readable: {esc(meta.failure or 'no text')}", "atlas-docmeta")
        return
    names = {z.id: z.name for z in data.atlas.zones.zones}
    zones = sorted({z for p in found.passages for z in p.zones})
    html_block(f"Linked to: {esc(', '.join(names.get(z, z) for z in zones) or 'no zone')}", "atlas-doczones")
    curated = {v.passage.index: v for v in document_views(data.atlas, doc_id)} if data.atlas.corpus.get(doc_id) else {}
    target = st.session_state.pop(READER_PASSAGE_KEY, None)  # a search hit's passage: marked and scrolled to once
    for p in found.passages:
        view = curated.get(p.index)
        if view is not None and view.passage.start == p.start and view.passage.end == p.end:
            body = view.html  # curated citations marked (verified against the same text)
        else:
            marks = [Span(m["start"], m["end"], (m["place_name"],)) for m in found.mentions if m["passage"] == p.index]
            body = highlight_html(found.text, p.start, p.end, marks, AUTO_MARK)
        css = "atlas-passage atlas-target" if target == p.index else "atlas-passage"
        html_block(f'<p class="{css}" data-passage="{p.index}" data-reader-passage="{p.index}">{body}</p>'
                   f"{passage_note(data, found, p.index, p.zones)}", "atlas-reader")
        if view is not None and view.zones:
            supported = ", ".join(names[z] for z in view.zones if z in names)
            st.button(f"Select the zones this passage supports: {supported}",
                      key=f"rz-{doc_id}-{p.index}", on_click=selection.select, args=(list(view.zones),))
    if isinstance(target, int):
        st.html(SCROLL_JS % target, unsafe_allow_javascript=True)
