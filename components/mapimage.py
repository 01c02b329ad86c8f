"""A map image of the zones for a report (PNG or SVG), drawn offline with matplotlib from the zone
geometries and the bundled basemap: the zones as they were on a date (or one selected zone, framed),
status colours with hatching (colour is never the only cue), zone labels, a legend, a scale bar, the date
and a source line. No Streamlit here."""
from __future__ import annotations

import datetime as dt
import io
import math
from typing import Any

from shapely.geometry import box as shapely_box
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from .atlas import Atlas
from .zonetime import ZoneOnDate, zones_on

IMAGE_FORMATS = ("png", "svg")
LAND, SEA, BORDER = "#f4f1ea", "#dbe9f4", "#9a9a9a"
# the map's status colours (components/mapbuild.py), plus a hatch per colour group so print and
# colour-blind readers can tell statuses apart
HATCH_BY_COLOUR = {"#009E73": "", "#0072B2": "//", "#56B4E9": "..", "#E69F00": "\\\\", "#CC79A7": "xx",
                   "#999999": "--", "#D55E00": "++", "#444444": "||"}
PNG_DPI = 150
MIN_SPAN_DEG = 0.6
SOURCE_LINE = ("Zones: De-escalation Atlas, hand-curated and approximate (CC BY 4.0). Basemap: Natural Earth "
               "(public domain); places: GeoNames (CC BY 4.0).")


class MapImageError(ValueError):
    """A map image that cannot be drawn (unknown zone or format); the message says which."""


def default_day(atlas: Atlas) -> dt.date:
    """The day the curated lines describe (``zones.geojson`` metadata ``as_of``), else the memorandum's."""
    try:
        return dt.date.fromisoformat(str(atlas.zones.metadata.get("as_of")))
    except ValueError:
        return dt.date(2017, 7, 15)


def frame(geometries: list[BaseGeometry], pad: float = 0.15) -> tuple[float, float, float, float]:
    """The lon/lat box to show: the geometries' bounds, padded, at least :data:`MIN_SPAN_DEG` high and
    about as wide on the ground as high (room for the legend beside a tall group of zones)."""
    xs = [b for g in geometries for b in (g.bounds[0], g.bounds[2])]
    ys = [b for g in geometries for b in (g.bounds[1], g.bounds[3])]
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    half_h = max((max(ys) - min(ys)) * (1 + 2 * pad), MIN_SPAN_DEG) / 2
    half_w = max((max(xs) - min(xs)) * (1 + 2 * pad) / 2, half_h * 0.9 / math.cos(math.radians(cy)))
    return cx - half_w, cx + half_w, cy - half_h, cy + half_h


def nice_length_km(span_km: float) -> float:
    """A round scale-bar length (1, 2 or 5 × 10ⁿ km) of about a fifth of the map's width."""
    target = span_km / 5
    power = 10 ** math.floor(math.log10(target))
    return max(step * power for step in (1, 2, 5) if step * power <= target)


def _polygon_patches(geometry: BaseGeometry, **style: Any) -> list[Any]:
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MplPath

    patches = []
    for polygon in getattr(geometry, "geoms", [geometry]):
        if polygon.geom_type != "Polygon":
            continue
        rings = [polygon.exterior, *polygon.interiors]
        path = MplPath.make_compound_path(*(MplPath(list(ring.coords), closed=True) for ring in rings))
        patches.append(PathPatch(path, **style))
    return patches


def _draw_basemap(ax: Any, basemap: dict[str, Any] | None, box: tuple[float, float, float, float]) -> None:
    ax.set_facecolor(SEA)
    if not basemap:
        return
    x0, x1, y0, y1 = box
    for feature in basemap.get("features", []):
        props = feature.get("properties", {})
        if props.get("layer") == "country":
            for patch in _polygon_patches(shape(feature["geometry"]), facecolor=LAND, edgecolor=BORDER, linewidth=0.6, zorder=1):
                ax.add_patch(patch)
        elif props.get("layer") == "city":
            lon, lat = feature["geometry"]["coordinates"][:2]
            if x0 <= lon <= x1 and y0 <= lat <= y1:
                ax.plot(lon, lat, "o", color="#333333", markersize=2.5, zorder=4)
                ax.annotate(props.get("name", ""), (lon, lat), xytext=(3, 3), textcoords="offset points",
                            fontsize=7, color="#333333", zorder=4)


def _status_style(state: ZoneOnDate) -> dict[str, Any]:
    from .mapbuild import STATUS_STYLE

    style = STATUS_STYLE.get(state.status, STATUS_STYLE["declared"])
    colour = style["color"]
    return {"facecolor": colour, "edgecolor": colour, "hatch": HATCH_BY_COLOUR.get(colour, ""),
            "alpha": 0.25 if state.ended else 0.5, "linestyle": ":" if state.ended else "-", "linewidth": 1.2}


def _draw_scale_bar(ax: Any, box: tuple[float, float, float, float]) -> None:
    x0, x1, y0, y1 = box
    km_per_deg = 111.32 * math.cos(math.radians((y0 + y1) / 2))
    length_km = nice_length_km((x1 - x0) * km_per_deg)
    left, bottom = x0 + (x1 - x0) * 0.05, y0 + (y1 - y0) * 0.05
    right = left + length_km / km_per_deg
    ax.plot([left, right], [bottom, bottom], color="black", linewidth=3, solid_capstyle="butt", zorder=6)
    ax.text((left + right) / 2, bottom + (y1 - y0) * 0.015, f"{length_km:g} km", ha="center", va="bottom", fontsize=8, zorder=6)


def map_image(atlas: Atlas, fmt: str, *, day: dt.date | None = None, zone_id: str | None = None,
              basemap: dict[str, Any] | None = None, made_on: dt.date | None = None) -> bytes:
    """The zones as they were on ``day`` (default: the curated lines' date) as a PNG or SVG; with
    ``zone_id``, framed on that zone and outlined. The same inputs give the same bytes."""
    from matplotlib import rc_context
    from matplotlib.figure import Figure
    from matplotlib.layout_engine import ConstrainedLayoutEngine
    from matplotlib.patches import Patch

    if fmt not in IMAGE_FORMATS:
        raise MapImageError(f"unknown map image format {fmt!r} (use png or svg)")
    if zone_id is not None and atlas.zone(zone_id) is None:
        raise MapImageError(f"no zone called {zone_id!r}; zones: {', '.join(z.id for z in atlas.zones.zones)}")
    day = day or default_day(atlas)
    states = zones_on(atlas, day)
    shown = [states[zone_id].geometry] if zone_id in states else [s.geometry for s in states.values()]
    box = frame(shown or [z.geometry for z in atlas.zones.zones])
    view = shapely_box(box[0], box[2], box[1], box[3])
    with rc_context({"svg.fonttype": "none", "svg.hashsalt": "deescalation-atlas", "font.family": "DejaVu Sans", "hatch.linewidth": 0.6}):
        fig = Figure(figsize=(8, 8), layout=ConstrainedLayoutEngine(rect=(0, 0.035, 1, 0.965)))  # room for the source line
        ax = fig.add_subplot()
        _draw_basemap(ax, basemap, box)
        legend: dict[str, Patch] = {}
        for zid, state in states.items():
            style = _status_style(state)
            for patch in _polygon_patches(state.geometry, zorder=2, **style):
                ax.add_patch(patch)
            if zid == zone_id:
                for patch in _polygon_patches(state.geometry, fill=False, edgecolor="black", linewidth=2.5, zorder=3):
                    ax.add_patch(patch)
            point = state.geometry.representative_point()
            zone = atlas.zone(zid)
            label = (zone.name if zone else zid).removesuffix(" de-escalation zone")
            ax.annotate(label, (point.x, point.y), ha="center", va="center", fontsize=9, fontweight="bold", zorder=5,
                        bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.8})
            if state.geometry.intersects(view):
                ended = state.ended and "ended" not in state.label.casefold()
                legend.setdefault(state.label + (" (ended)" if ended else ""), Patch(**style))
        x0, x1, y0, y1 = box
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect(1 / math.cos(math.radians((y0 + y1) / 2)))
        ax.tick_params(labelsize=7)
        _draw_scale_bar(ax, box)
        ax.legend(handles=list(legend.values()), labels=list(legend), title="Status", loc="upper right", fontsize=7, title_fontsize=8,
                  framealpha=0.9)
        selected = atlas.zone(zone_id) if zone_id else None
        title = f"{selected.name} as of {day:%-d %B %Y}" if selected else f"Syrian de-escalation zones as of {day:%-d %B %Y}"
        ax.set_title(title, fontsize=12)
        made = f" Made {made_on.isoformat()}." if made_on else ""
        fig.text(0.01, 0.005, f"{SOURCE_LINE}{made} Lines approximate; no position on sovereignty implied.",
                 fontsize=6, color="#444444", ha="left", va="bottom", wrap=True)
        buffer = io.BytesIO()
        metadata: dict[str, str | None] = {"Title": title, "Description": SOURCE_LINE}
        metadata |= {"Date": None} if fmt == "svg" else {"Software": None}
        fig.savefig(buffer, format=fmt, dpi=PNG_DPI, metadata=metadata)
    return buffer.getvalue()
