"""The app's CSS: classes used by our own escaped markup, and the page layout (map in view,
side panel scrolling on its own on a wide screen, a shorter map and no sideways scroll on a phone)."""
import streamlit as st

MAP_COLUMN = "atlas-map-column"  # st.container keys: Streamlit gives each the class st-key-<key>
SIDE_PANEL = "atlas-side-panel"
MAP_FRAME = 'iframe[src*="streamlit_folium"]'
WIDE = "(min-width: 900px)"  # side by side; below it Streamlit stacks the columns (under 640 px) or they are too narrow

LAYOUT_MARK = "--atlas-layout"  # set on :root by CSS below: the page's layout rules are in effect

CSS = f"""
<style>
:root{{{LAYOUT_MARK}:1}}
.atlas-extracted{{border:1px dashed #888;padding:0.2em 0.6em;margin:0.3em 0;background:#fafafa}}
.atlas-conflict{{border-left:4px solid #E69F00;padding-left:0.5em}}
.atlas-linked{{border-left:3px solid #56B4E9;padding-left:0.5em;margin:0.4em 0}}
mark.atlas-auto{{background:#d6ecfa}}
.atlas-zone-table table{{border-collapse:collapse;width:100%}}
.atlas-zone-table th,.atlas-zone-table td{{border-bottom:1px solid #ddd;padding:0.3em 0.6em;text-align:left}}
.atlas-quote{{margin:0.2em 0 0.6em 0.5em;padding-left:0.6em;border-left:3px solid #ccc;color:#444}}
.atlas-sr-only{{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0}}
.atlas-legend p{{margin:0 0 0.3em 0}}
.atlas-legend-item{{display:inline-block;margin-right:0.9em;white-space:nowrap}}
.atlas-swatch{{vertical-align:middle}}
.atlas-selected-swatch{{display:inline-block;width:1.6em;height:0.9em;border:3px solid #000;vertical-align:middle}}
.atlas-map-table table,.atlas-events table,.atlas-periods table{{border-collapse:collapse;font-size:0.9em}}
.atlas-map-table th,.atlas-map-table td,.atlas-events th,.atlas-events td,.atlas-periods th,.atlas-periods td
{{border-bottom:1px solid #ddd;padding:0.2em 0.5em;text-align:left;vertical-align:top}}
.atlas-sources{{padding-left:1.2em;margin:0.3em 0}}
.atlas-event-disagrees{{border-left:4px solid #E69F00;padding-left:0.5em}}
/* visible keyboard focus on the timeline's keyboard path (the event list, its buttons, the table) */
summary:focus-visible,.stButton button:focus-visible,.stSelectbox .react-aria-ComboBox:focus-within
{{outline:3px solid #0072B2 !important;outline-offset:2px;border-radius:0.5rem}}
.atlas-map-table caption{{text-align:left;font-size:0.9em;color:#333}}
/* Streamlit's captions are #828180 on white (3.9:1); this grey reads 6.4:1 */
[data-testid="stCaptionContainer"],[data-testid="stCaptionContainer"] p{{color:#5c5b59 !important;opacity:1 !important}}
/* Streamlit's tabs lay out wider than a phone (the open tab's underline, the closed panels): clipped
   to the page's width, so the page never pans sideways; the tab list itself still scrolls */
[data-testid="stTabs"]{{overflow-x:clip;scroll-margin-top:3.75rem}}
/* the map's frame follows the window's height (the map inside fills it, see mapbuild.MAP_CSS) */
{MAP_FRAME}{{height:clamp(320px, 62vh, 600px) !important}}
@media {WIDE} {{
  .block-container{{padding-top:3.5rem}}
  .st-key-{SIDE_PANEL}{{max-height:calc(100vh - 5rem);overflow-y:auto;overscroll-behavior:contain;padding-right:0.6rem}}
  .st-key-{MAP_COLUMN}{{position:sticky;top:3.5rem}}
}}
@media (max-width: 640px) {{
  /* a phone: a map shorter than the screen, so a finger can always scroll the page past it */
  {MAP_FRAME}{{height:46vh !important}}
  .block-container{{padding-left:0.8rem;padding-right:0.8rem;padding-top:3rem}}
  h1{{font-size:2rem !important}}
  .atlas-zone-table table,.atlas-map-table table,.atlas-events table,.atlas-periods table{{display:block;max-width:100%}}
  .atlas-zone-table td,.atlas-zone-table th,.atlas-map-table td,.atlas-events td,.atlas-periods td{{overflow-wrap:anywhere}}
}}
</style>
"""


# A JS function for our page scripts: ``atlasArrive(find, go)`` waits until ``find()`` returns an element
# that is displayed (a tab's new content can be drawn before the tab is shown: it cannot take the focus)
# and this file's CSS is in effect (Streamlit can draw a later element before the <style> above: a scroll
# made then is undone when the side panel becomes its own scroll box), calls ``go(el)``, then keeps the
# element where ``go`` put it while the rest of the page is still drawn (the map, the legend, a
# follow-up run) until it has not moved for 1 s, 8 s have passed, or the reader scrolls, types or clicks.
ARRIVE_JS = """
const atlasArrive = (find, go) => {
  const laidOut = () => getComputedStyle(document.documentElement).getPropertyValue("LAYOUT_MARK").trim() === "1";
  /* drawn, displayed (not in a tab not shown yet) and our CSS in effect */
  const ready = (el) => !!el && el.getClientRects().length > 0 && laidOut();
  let tries = 0;
  const start = () => {
    let el = find();
    if (!ready(el)) {
      if (++tries < 150) setTimeout(start, 100);
      return;
    }
    go(el);
    let stopped = false, quiet = 0, rounds = 0, last = el.getBoundingClientRect().top;
    const stop = () => { stopped = true; };
    for (const type of ["wheel", "touchstart", "keydown", "pointerdown"]) {
      window.addEventListener(type, stop, {once: true, passive: true, capture: true});
    }
    const hold = () => {
      if (stopped || ++rounds > 64) return;
      if (!el.isConnected) {  /* a run drew it again: go to the new one once it is shown */
        const again = find();
        if (!again) return;
        if (ready(again)) { el = again; go(el); last = el.getBoundingClientRect().top; quiet = 0; }
      } else if (Math.abs(el.getBoundingClientRect().top - last) > 1) {
        el.scrollIntoView({block: "start"}); last = el.getBoundingClientRect().top; quiet = 0;
      } else if (++quiet >= 8) return;
      setTimeout(hold, 125);
    };
    setTimeout(hold, 125);
  };
  start();
};
""".replace("LAYOUT_MARK", LAYOUT_MARK)


def apply_style() -> None:
    # st.markdown, not st.html: the page then needs no HTML-element code before the map's
    st.markdown(CSS, unsafe_allow_html=True)


def visually_hidden_heading(text: str, level: int = 2) -> None:
    """A heading for screen readers and the page outline (h1 → h2 → h3), not drawn."""
    st.html(f'<h{level} class="atlas-sr-only">{text}</h{level}>')
