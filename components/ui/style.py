"""The app's few CSS rules (classes used by our own escaped markup)."""
import streamlit as st

CSS = """
<style>
.atlas-extracted{border:1px dashed #888;padding:0.2em 0.6em;margin:0.3em 0;background:#fafafa}
.atlas-conflict{border-left:4px solid #E69F00;padding-left:0.5em}
.atlas-linked{border-left:3px solid #56B4E9;padding-left:0.5em;margin:0.4em 0}
mark.atlas-auto{background:#d6ecfa}
.atlas-zone-table table{border-collapse:collapse;width:100%}
.atlas-zone-table th,.atlas-zone-table td{border-bottom:1px solid #ddd;padding:0.3em 0.6em;text-align:left}
.atlas-quote{margin:0.2em 0 0.6em 0.5em;padding-left:0.6em;border-left:3px solid #ccc;color:#444}
</style>
"""


def apply_style() -> None:
    # st.markdown, not st.html: the page then needs no HTML-element code before the map's
    st.markdown(CSS, unsafe_allow_html=True)
