"""Rendering helpers: every string from a document or data file is escaped here."""
from __future__ import annotations

import html

import streamlit as st


def esc(text: object) -> str:
    """HTML-escape any value for use inside our own markup."""
    return html.escape(str(text), quote=True)


def link_html(url: str | None, text: str = "source link") -> str:
    """A link that opens in a new tab (escaped); only http(s) addresses become links (an uploader's
    ``javascript:`` or ``data:`` URL is shown as text); "no link recorded" when there is none."""
    if not url or not url.strip():
        return "no link recorded"
    url = url.strip()
    if not url.lower().startswith(("https://", "http://")):
        return f"address (not a web link): {esc(url)}"
    return f'<a href="{esc(url)}" target="_blank" rel="noopener noreferrer">{esc(text)}</a>'


def html_block(inner_html: str, css_class: str = "atlas") -> None:
    """Render our own markup (already escaped) as one HTML block.

    ``st.html`` puts it in the page as it is (after DOMPurify, a second line of
    defence behind our escaping): no Markdown is applied to document text, and
    the browser skips the Markdown parser, the slowest part of drawing a panel.
    Newlines become ``<br>``.
    """
    body = inner_html.replace("\r\n", "\n").replace("\n", "<br>")
    st.html(f'<div class="{css_class}">{body}</div>')


def text_message(kind: str, text: str) -> None:
    """A warning/info/error box whose text is shown literally (no Markdown, no HTML)."""
    box = {"warning": st.warning, "info": st.info, "error": st.error}[kind]
    box(markdown_literal(text))


def markdown_literal(text: str) -> str:
    """Backslash-escape Markdown so user text is shown exactly as written."""
    specials = "\\`*_{}[]()#+-.!|<>~$&:"
    return "".join("\\" + ch if ch in specials else ch for ch in text)
