"""Read a whole document with every citation marked; passages link back to zones."""
from __future__ import annotations

import streamlit as st

from ..panels import document_views
from . import selection
from .data import AppData
from .safe import esc, html_block


def show_reader(data: AppData) -> None:
    atlas = data.atlas
    docs = atlas.corpus.newest_first()
    if not docs:
        st.info("No documents in seeds/.")
        return
    doc_id = st.selectbox("Document", [d.id for d in docs], format_func=lambda i: atlas.corpus.get(i).title, key="atlas_reader_doc")
    doc = atlas.corpus.get(doc_id)
    meta = doc.meta
    published = meta.published.isoformat() if meta.published else "date unknown"
    html_block(f"<b>{esc(meta.title)}</b><br>{esc(meta.publisher)} · {esc(published)} ({esc(meta.date_precision)})", "atlas-docmeta")
    for view in document_views(atlas, doc_id):
        html_block(f'<p class="atlas-passage" data-passage="{view.passage.index}">{view.html}</p>', "atlas-reader")
        if view.zones:
            names = ", ".join(atlas.zone(z).name for z in view.zones if atlas.zone(z))
            st.button(f"Select the zones this passage supports: {names}",
                      key=f"rz-{doc_id}-{view.passage.index}", on_click=selection.select, args=(list(view.zones),))
