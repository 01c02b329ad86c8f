"""Add a document: a UTF-8 text file with its metadata, stored and queued for ingestion into the corpus
store (a duplicate is refused by its SHA-256); its progress, updated by itself; the documents added
here, with remove buttons.

The pipeline never runs in this script run: the upload is stored and recorded ``pending``, and the
ingest worker process takes it (:mod:`components.worker`, :mod:`components.store.queue`), so other
sessions' clicks are not slowed by it. The uploader's note polls the store (a fragment rerun every
:data:`PROGRESS_EVERY_S`, two indexed reads) until the document is done or failed."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from ..citeinfo import date_text
from ..documents import MAX_DOCUMENT_BYTES
from ..store import StoreError
from ..store.ingest import AddResult, StoreMeta, queue_upload, remove_document
from ..store.queries import document_summary, list_documents
from ..store.queue import UploadProgress, upload_progress
from ..words import plural
from ..worker import ensure_worker
from .corpus import page_number, paging_controls, store_read
from .data import AppData, note_own_upload
from .safe import esc, html_block, text_message
from .signin import curator_only, note_upload, still_signed_in, upload_refusal
from .upload_guard import upload_name_guard

UPLOAD_KEY = "atlas_upload"
RESULT_KEY = "atlas_upload_result"
FOUND_KEY = "atlas_upload_found"
PUBLISHER_KEY = "atlas_upload_publisher"
DATE_KEY = "atlas_upload_date"
URL_KEY = "atlas_upload_url"
LANGUAGE_KEY = "atlas_upload_language"
LIST_PAGE_KEY = "atlas_uploads_page"
CONFIRM_PREFIX = "atlas_remove_confirm_"
PENDING_UPLOAD_KEY = "atlas_upload_pending"   # (doc_id, file name) of this session's upload being ingested
LIST_PAGE_SIZE = 10
PROGRESS_EVERY_S = 0.25  # while this session's upload is pending: two indexed reads a run


def upload_meta() -> StoreMeta:
    """The form's metadata (every field optional)."""
    published = st.session_state.get(DATE_KEY)
    return StoreMeta().overridden(
        publisher=(st.session_state.get(PUBLISHER_KEY) or "").strip(),
        published=published if isinstance(published, dt.date) else None,
        url=(st.session_state.get(URL_KEY) or "").strip() or None,
        language=(st.session_state.get(LANGUAGE_KEY) or "").strip(),
    )


def found_summary(data: AppData, doc_id: str) -> str:
    """What ingestion found in a new document: places, zones, dates and figures (counts), and what the
    per-document limits dropped (components/ingest/limits.py)."""
    store = data.store
    found = document_summary(store, doc_id) if store is not None else None
    if found is None:
        return ""
    names = {z.id: z.name for z in data.atlas.zones.zones}
    places = found.places[:12]
    note = f" {found.note}" if found.note else ""
    return (f"Found {plural(found.mentions, 'place mention')} ({', '.join(places) or 'none'}"
            f"{', …' if len(found.places) > 12 else ''}); zones: {', '.join(names.get(z, z) for z in found.zones) or 'none'}; "
            f"{plural(found.dates, 'date')}; {plural(found.figures, 'figure')}. Passages: {found.passages:,}.{note}")


def _on_upload(data: AppData, curator: str) -> None:
    file = st.session_state.get(UPLOAD_KEY)
    if file is None:
        return
    if not still_signed_in(data, curator):
        st.session_state[RESULT_KEY] = ("error", "Not added: sign in as a curator to add documents.")
        return
    if data.store is None or data.uploads is None:
        st.session_state[RESULT_KEY] = ("error", "Not added: the corpus store is not available (see “Some data could not be used”).")
        return
    refusal = upload_refusal(data, curator, file.size)
    if refusal:
        st.session_state[RESULT_KEY] = ("error", refusal)
        return
    try:
        result: AddResult = queue_upload(data.store, file.getvalue(), file.name, data.uploads, upload_meta(), added_by=curator)
    except StoreError as exc:
        st.session_state[RESULT_KEY] = ("error", f"Not added: {exc}")
        return
    except OSError as exc:
        st.session_state[RESULT_KEY] = ("error", f"Not added: could not write to {data.uploads.name}: {exc.strerror}")
        return
    if result.status == "duplicate":
        st.session_state[RESULT_KEY] = ("warning", f"Not added: {result.message}")
    elif result.status == "failed":
        st.session_state[RESULT_KEY] = ("error", f"Not added: {result.message}")
    else:  # stored and recorded pending: the worker ingests it, the progress note follows it
        note_upload(data, curator, file.size)
        st.session_state[PENDING_UPLOAD_KEY] = (result.doc_id, file.name)
        note_own_upload(data)
        ensure_worker(data.store.location)


def progress_message(progress: UploadProgress, name: str) -> tuple[str, str]:
    """What the uploader reads at each stage (kind, text)."""
    if progress.stage == "queued":
        return "info", (f"“{name}” is stored as {progress.doc_id} and queued for ingestion. You can keep using the "
                        "atlas; this note updates by itself.")
    if progress.stage == "ingesting":
        return "info", (f"Ingesting “{name}” ({progress.doc_id}): finding places, zones, dates and figures… "
                        f"{progress.seconds:.0f} s so far; this note updates by itself.")
    if progress.stage == "done":
        return "info", f"Added “{name}” as {progress.doc_id}. It is now part of the corpus."
    if progress.stage == "failed":
        return "error", (f"“{name}” is stored as {progress.doc_id} but could not be ingested: {progress.failure}. "
                         "It is listed below as failed; remove it there.")
    return "warning", f"“{name}” ({progress.doc_id}) was removed before its ingestion finished."


@st.fragment(run_every=PROGRESS_EVERY_S)
def show_progress(data: AppData) -> None:
    """This session's upload while the worker ingests it; at the end, one full rerun shows it everywhere."""
    pending = st.session_state.get(PENDING_UPLOAD_KEY)
    if pending is None or data.store is None:
        return
    doc_id, name = pending
    try:
        progress = upload_progress(data.store, doc_id)
    except StoreError as exc:
        text_message("warning", f"Progress of “{name}” unknown for now: {exc}")
        return
    if progress.stage == "queued" and not progress.live_worker:
        ensure_worker(data.store.location)  # none running (it exited, crashed or was killed): start one
    if progress.stage in ("queued", "ingesting"):
        text_message(*progress_message(progress, name))
        return
    st.session_state.pop(PENDING_UPLOAD_KEY, None)
    st.session_state[RESULT_KEY] = progress_message(progress, name)
    text_message(*st.session_state[RESULT_KEY])  # shown now; the full rerun below (the map, the lists) repeats it
    if progress.stage == "done":
        st.session_state[FOUND_KEY] = found_summary(data, doc_id)
        note_own_upload(data)  # the worker changed only the store's rows: no folder sync needed for it
    st.rerun()


def _on_remove(data: AppData, doc_id: str, curator: str) -> None:
    if data.store is None or not still_signed_in(data, curator):
        return
    try:
        st.session_state[RESULT_KEY] = ("info", f"Removed: {remove_document(data.store, doc_id)}")
    except StoreError as exc:
        st.session_state[RESULT_KEY] = ("error", f"Not removed: {exc}")
    st.session_state.pop(CONFIRM_PREFIX + doc_id, None)


def show_metadata_form() -> None:
    c1, c2 = st.columns(2)
    c1.text_input("Publisher", key=PUBLISHER_KEY, max_chars=200, persist_state="page")
    c2.date_input("Publication date", value=None, min_value=dt.date(1990, 1, 1), key=DATE_KEY, persist_state="page",
                  help="Strongly encouraged: relative dates in the text (“on Thursday”, “yesterday”) are resolved "
                       "against it; without it they cannot be dated.")
    c3, c4 = st.columns(2)
    c3.text_input("URL", key=URL_KEY, max_chars=2000, persist_state="page")
    c4.text_input("Language", key=LANGUAGE_KEY, max_chars=20, persist_state="page", placeholder="en")
    st.caption("All optional. Give the publication date if you know it: without it, relative dates such as "
               "“Thursday” cannot be resolved. Fill these in before choosing the file.")


def show_uploaded_documents(data: AppData, curator: str) -> None:
    """The documents added through the app, newest first, paged; removing one needs a confirmation."""
    found = store_read(data, lambda s: list_documents(s, limit=LIST_PAGE_SIZE, offset=page_number(LIST_PAGE_KEY) * LIST_PAGE_SIZE,
                                                      source="upload"), "Your documents")
    if found is None:
        return
    total, rows = found
    st.markdown(f"#### Documents added here ({total:,})")
    for row in rows:
        state = f" · failed: {row.failure}" if row.status == "failed" else " · being ingested" if row.status == "pending" else ""
        html_block(f'<span class="atlas-upload-row" data-doc="{esc(row.doc_id)}"><b>{esc(row.title)}</b> '
                   f"<small>document {esc(row.doc_id)} · {esc(row.publisher or 'publisher not known')} · "
                   f"{esc(date_text(row.published, row.date_precision) or 'date not known')}{esc(state)}</small></span>",
                   "atlas-uploads")
        c1, c2 = st.columns([2, 1])
        confirmed = c1.checkbox("Yes, remove this document and its file", key=CONFIRM_PREFIX + row.doc_id)
        c2.button("Remove", key=f"atlas_remove_{row.doc_id}", disabled=not confirmed, on_click=_on_remove,
                  args=(data, row.doc_id, curator))
    paging_controls(LIST_PAGE_KEY, total, page_number(LIST_PAGE_KEY) * LIST_PAGE_SIZE, LIST_PAGE_SIZE, "documents")


def show_add_tab(data: AppData) -> None:
    """The "Add a document" tab: the upload form for a signed-in curator, the sign-in form for anyone else.

    The ingest worker starts when the tab opens, signed in or not (one per server process, at the lowest CPU
    priority): it loads its gazetteer index and language model (~1 CPU s) while the curator signs in and
    chooses the file, so the upload is ingested at once rather than after that (`bench/bench_scale.py`)."""
    if data.store is not None:
        ensure_worker(data.store.location)
    curator_only(data, "add or remove documents", lambda name: show_upload(data, name))


def show_upload(data: AppData, curator: str) -> None:
    """Rendered only for a signed-in curator (:func:`show_add_tab`)."""
    show_metadata_form()
    upload_name_guard()  # a file name too long for the upload endpoint: a clear message, not its HTTP 400
    st.file_uploader(
        f"Add an article (plain UTF-8 text, up to {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB)", type=["txt"],
        key=UPLOAD_KEY, on_change=_on_upload, args=(data, curator),
        help="Stored under a safe name in the uploads folder and ingested once, in the background; the same file "
             "twice is recognised.",
    )
    result = st.session_state.pop(RESULT_KEY, None)
    if result:
        text_message(*result)
    found = st.session_state.pop(FOUND_KEY, None)
    if found:
        text_message("info", found)
    if PENDING_UPLOAD_KEY in st.session_state:
        show_progress(data)
    show_uploaded_documents(data, curator)
