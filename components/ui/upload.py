"""Add a document: upload a UTF-8 text file; it is checked, stored atomically and linked."""
from __future__ import annotations

import streamlit as st

from ..documents import MAX_DOCUMENT_BYTES, DocumentError
from ..uploads import store_upload
from .data import AppData
from .safe import text_message

UPLOAD_KEY = "atlas_upload"
RESULT_KEY = "atlas_upload_result"


def _on_upload(data: AppData) -> None:
    file = st.session_state.get(UPLOAD_KEY)
    if file is None:
        return
    folder = data.paths.seeds[-1]
    try:
        path = store_upload(file.getvalue(), file.name, folder)
    except DocumentError as exc:
        st.session_state[RESULT_KEY] = ("error", f"Not added: {exc}")
        return
    except OSError as exc:
        st.session_state[RESULT_KEY] = ("error", f"Not added: could not write to {folder.name}: {exc.strerror}")
        return
    # the new file changes the dataset version: the next run loads it (components/ui/data.py)
    st.session_state[RESULT_KEY] = ("info", f"Added “{file.name}” as {path.name}. It is now part of the corpus.")


def show_upload(data: AppData) -> None:
    st.file_uploader(
        f"Add an article (plain UTF-8 text, up to {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB)", type=["txt"],
        key=UPLOAD_KEY, on_change=_on_upload, args=(data,),
        help="Stored under a safe name beside the bundled sources; an existing document is never replaced.",
    )
    result = st.session_state.pop(RESULT_KEY, None)
    if result:
        text_message(*result)
