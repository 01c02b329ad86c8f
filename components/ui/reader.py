"""Read a whole document with every citation marked; passages link back to zones."""
from __future__ import annotations

import streamlit as st

from ..panels import document_views
from . import selection
from .corpus import extracted_facts_html
from .data import AppData
from .safe import esc, html_block


def show_reader(data: AppData) -> None:
    atlas = data.atlas
    docs = atlas.corpus.newest_first()
    if not docs:
        st.info("No documents in seeds/.")
        return
    by_id = {d.id: d for d in docs}
    doc_id = st.selectbox("Document", list(by_id), format_func=lambda i: by_id[i].title,
                          key="atlas_reader_doc", persist_state="page")  # kept while another tab is open
    doc = by_id.get(doc_id)
    if doc is None:
        return
    meta = doc.meta
    published = meta.published.isoformat() if meta.published else "date unknown"
    html_block(f"<b>{esc(meta.title)}</b><br>{esc(meta.publisher)} · {esc(published)} ({esc(meta.date_precision)})", "atlas-docmeta")
    ingested = data.ingested.get(doc_id)
    linked = {p.passage.index: p for p in ingested.passages} if ingested else {}
    names = {z.id: z.name for z in atlas.zones.zones}
    if ingested:
        html_block(f"Linked to: {esc(', '.join(names.get(z, z) for z in ingested.zones) or 'no zone')}", "atlas-doczones")
    for view in document_views(atlas, doc_id):
        auto = linked.get(view.passage.index)
        note = ""
        if auto is not None:
            places = ", ".join(dict.fromkeys(p.mention.place.name for p in auto.places))
            note = (f"<small>Zones (automatic): {esc(', '.join(names.get(z, z) for z in auto.zones) or 'none')}"
                    f"{' · places: ' + esc(places) if places else ''}</small>{extracted_facts_html(auto.facts)}")
        html_block(f'<p class="atlas-passage" data-passage="{view.passage.index}">{view.html}</p>{note}', "atlas-reader")
        if view.zones:
            supported = ", ".join(names[z] for z in view.zones if z in names)
            st.button(f"Select the zones this passage supports: {supported}",
                      key=f"rz-{doc_id}-{view.passage.index}", on_click=selection.select, args=(list(view.zones),))
