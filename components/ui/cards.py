"""Fact cards that answer "who said so": each citation with its speaker, publisher, date and link, the
sentence around the cited span (the span marked), "show passage" and "copy citation".

The two buttons work in the page with no server round trip and no network: one small script (ours,
no document text in it) listens for clicks on the page, so it works for every card drawn later too.
"""
from __future__ import annotations

import datetime as dt

import streamlit as st

from ..atlas import Atlas
from ..citeinfo import citation_info, fact_anchor, fact_permalink, formatted_reference
from ..facts import Citation, Fact
from ..panels import MARK_PREFIX, FactView, fact_label
from ..passages import Span, highlight_html
from .safe import esc, link_html
from .style import ARRIVE_JS

PERMALINK_PLACEHOLDER = "{permalink}"  # filled in the browser with this page's address + the fact's link

# Our own CSS and script: no data in them. ``scroll-margin-top`` keeps a passage below Streamlit's sticky
# header (3.75rem); "show passage" scrolls to it, flashes it and moves the keyboard focus to it; "copy
# citation" writes the reference (with the absolute permalink) to the clipboard, falling back to a hidden
# textarea where the Clipboard API is not allowed; a link to ``#fact-…`` scrolls to that card once drawn
# and laid out, and keeps it in view while the page finishes drawing (style.ARRIVE_JS).
CARD_SCRIPT = """<style>
.atlas-passage,.atlas-fact,.atlas-conflict{scroll-margin-top:5rem}
.atlas-passage:focus{outline:3px solid #0072B2;outline-offset:2px}
.atlas-flash{animation:atlas-flash 2.4s ease-out}
@keyframes atlas-flash{0%{background:#ffe08a}100%{background:transparent}}
.atlas-context mark.atlas-cited{font-weight:600}
.atlas-source{display:block;color:#333}
.atlas-actions{display:flex;flex-wrap:wrap;gap:0.6em;align-items:center;margin-top:0.2em}
.atlas-copy{font:inherit;font-size:0.85em;padding:0.1em 0.6em;border:1px solid #666;border-radius:4px;background:#fff;color:#222;cursor:pointer}
.atlas-copy:focus-visible{outline:3px solid #0072B2}
.atlas-measure-note{font-size:0.9em;color:#333;margin:-0.4em 0 0.6em 0}
</style>
<script>
(() => {
  if (window.__atlasCards) return;
  """ + ARRIVE_JS + """
  window.__atlasCards = true;
  const doc = window.document;
  const flash = (el) => {
    el.classList.remove("atlas-flash");
    void el.offsetWidth;
    el.classList.add("atlas-flash");
    setTimeout(() => el.classList.remove("atlas-flash"), 2500);
  };
  const goTo = (el) => {
    if (!el.hasAttribute("tabindex")) el.setAttribute("tabindex", "-1");
    el.scrollIntoView({block: "start"});
    el.focus({preventScroll: true});
    flash(el);
  };
  const copyText = async (text) => {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch (e) {
      const area = doc.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      doc.body.appendChild(area);
      area.select();
      let ok = false;
      try { ok = doc.execCommand("copy"); } catch (e2) { ok = false; }
      area.remove();
      return ok;
    }
  };
  doc.addEventListener("click", async (event) => {
    const show = event.target.closest && event.target.closest("a.atlas-show-passage");
    if (show) {
      const el = doc.getElementById(show.dataset.target || "");
      if (el) { event.preventDefault(); goTo(el); }
      return;
    }
    const button = event.target.closest && event.target.closest("button.atlas-copy");
    if (!button) return;
    const link = window.location.origin + window.location.pathname + (button.dataset.link || "");
    const text = (button.dataset.cite || "").split("{permalink}").join(link);
    const ok = await copyText(text);
    const status = button.parentElement.querySelector(".atlas-copied");
    if (status) status.textContent = ok ? "Citation copied" : "Copy failed: select the text and copy it";
    button.dataset.copied = ok ? "yes" : "no";
  });
  const id = decodeURIComponent((window.location.hash || "").slice(1));
  if (id.startsWith("fact-")) atlasArrive(() => doc.getElementById(id), goTo);
})();
</script>"""


def install_card_script() -> None:
    """The cards' behaviour (once per page; harmless when drawn again)."""
    st.html(CARD_SCRIPT, unsafe_allow_javascript=True)


def context_html(fact: Fact, citation: Citation, text: str, context: tuple[int, int]) -> str:
    """The sentence around the citation, escaped, with exactly the cited span marked."""
    a, b = context
    marked = highlight_html(text, a, b, [Span(citation.start, citation.end, (fact_label(fact),))], ' class="atlas-cited"',
                            title_prefix=MARK_PREFIX)
    return f'<p class="atlas-context">{"… " if a > 0 and text[a - 1] != chr(10) else ""}{marked}</p>'


def source_line_html(info_speaker: str, has_speaker: bool, title: str, publisher: str, published: str, url: str | None) -> str:
    """'Said by NAME, ROLE · in “TITLE”, PUBLISHER, DATE · link'."""
    who = (f'<span class="atlas-speaker">Said by <b>{esc(info_speaker)}</b></span>' if has_speaker
           else f'<span class="atlas-speaker">{esc(info_speaker[0].upper() + info_speaker[1:])}</span>')
    where = ", ".join(esc(p) for p in (publisher, published or "date not known") if p)
    link = " · " + link_html(url)
    return f'<span class="atlas-source">{who} · in “{esc(title)}”, {where}{link}</span>'


def citation_card_html(atlas: Atlas, view: FactView, citation: Citation, anchor: str | None, zone_id: str,
                       day: dt.date | None) -> str:
    """One citation of a fact: its sentence with the span marked, who said it and where, the offsets,
    "show passage" (when the passage is on the page) and "copy citation"."""
    fact = view.fact
    doc = atlas.corpus.get(citation.doc)
    if doc is None:
        return f'<blockquote class="atlas-quote">“{esc(citation.quote)}”</blockquote>'
    info = citation_info(citation, doc)
    reference = formatted_reference(fact, view.value_text, citation, info, PERMALINK_PLACEHOLDER)
    show = (f'<a class="atlas-show-passage" href="#{esc(anchor)}" data-target="{esc(anchor)}">Show passage</a>'
            if anchor else "")
    copy = (f'<button type="button" class="atlas-copy" data-cite="{esc(reference).replace(chr(10), "&#10;")}" '
            f'data-link="{esc(fact_permalink(zone_id, fact.id, day))}" aria-label="Copy citation for {esc(view.label)}">'
            'Copy citation</button><span class="atlas-copied" role="status" aria-live="polite"></span>')
    return (f'<blockquote class="atlas-quote" data-doc="{esc(citation.doc)}" data-start="{citation.start}" '
            f'data-end="{citation.end}">{context_html(fact, citation, doc.text, info.context)}'
            f"<small>{source_line_html(info.speaker, info.has_speaker, info.title, info.publisher, info.published, info.url)}"
            f'<span class="atlas-actions">characters {citation.start}–{citation.end} {show} {copy}</span></small></blockquote>')


def card_id(fact: Fact) -> str:
    return fact_anchor(fact.id)
