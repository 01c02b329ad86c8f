"""A file name too long to upload is refused in the browser, with a clear message, before it is sent.

Streamlit's upload endpoint parses the request with python-multipart, which rejects a part header over
4,224 bytes: a file name of ~4,100 characters or more never reaches the app, and the uploader showed only
"AxiosError: Request failed with status code 400". No real file system allows names over 255 characters,
so a longer name (a crafted one) is refused here, in the page, with a message naming its length.
"""
from __future__ import annotations

import streamlit as st

MAX_UPLOAD_NAME_CHARS = 255  # NAME_MAX of Linux, macOS and Windows file systems
NOTE_CLASS = "atlas-upload-name-error"

# Capture-phase listeners on the document run before React's (on its root), so a refused file never
# reaches the uploader; the message is text (textContent), never HTML.
GUARD_JS = """
(() => {
  if (window.__atlasUploadNameGuard) return;
  window.__atlasUploadNameGuard = true;
  const MAX = %d, NOTE = "%s";
  const tooLong = (files) => Array.from(files || []).find((f) => f.name.length > MAX);
  const note = (target, text) => {
    const box = (target.closest && target.closest('[data-testid="stFileUploader"]'))
      || document.querySelector('[data-testid="stFileUploader"]');
    if (!box) return;
    let el = box.querySelector("." + NOTE);
    if (!text) { if (el) el.remove(); return; }
    if (!el) { el = document.createElement("div"); el.className = NOTE; el.setAttribute("role", "alert"); box.appendChild(el); }
    el.textContent = text;
  };
  const message = (file) => "Not added: the file name is " + file.name.length.toLocaleString("en")
    + " characters long; at most " + MAX + " are accepted. Rename the file and choose it again.";
  const onFiles = (event, files, target) => {
    if (!files || !files.length) return;  // e.g. the change event after a refused input event cleared the input
    const bad = tooLong(files);
    note(target, bad ? message(bad) : "");
    if (!bad) return;
    event.stopImmediatePropagation();
    event.preventDefault();
    if (target instanceof HTMLInputElement) target.value = "";
  };
  for (const type of ["change", "input"]) {
    document.addEventListener(type, (e) => {
      if (e.target instanceof HTMLInputElement && e.target.type === "file") onFiles(e, e.target.files, e.target);
    }, true);
  }
  document.addEventListener("drop", (e) => onFiles(e, e.dataTransfer && e.dataTransfer.files, e.target), true);
})();
"""


def upload_name_guard() -> None:
    """Put the guard in the page (once per page; it stays for the page's life)."""
    st.html("<script>" + GUARD_JS % (MAX_UPLOAD_NAME_CHARS, NOTE_CLASS) + "</script>", unsafe_allow_javascript=True)
