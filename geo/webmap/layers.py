"""Map building for the dashboard: pure functions from event tables to Folium objects.

Nothing here imports Streamlit, so every function can be tested on small DataFrames.

Layout of a dashboard map
-------------------------
* :func:`build_base_map` - the part that does not depend on the filters: no tiles (``tiles=None``,
  ``maxZoom=18``), country outlines and governorate borders from the gazetteer's admin-1 layer,
  labelled towns, a legend, and an OpenStreetMap layer that is off unless asked for. It is the
  same for every rerun, so streamlit-folium keeps the Leaflet map (and its assets) mounted.
* :func:`build_event_layers` - the filtered part, as ``folium.FeatureGroup`` objects that
  streamlit-folium swaps in place (``feature_group_to_add``): a choropleth of event counts per
  governorate, the events, the province-precision roll-up and the selected event.

Payload
-------
Events travel as compact arrays ``[lat, lon, type_index, event_idx]`` and the browser builds
``L.circleMarker`` objects inside one ``L.markerClusterGroup`` (``addLayers``, chunked): one Folium
element for all events, never one per event. Popup HTML is sent for at most
``MapOptions.detail_limit`` events (the most recent); beyond ``MapOptions.max_points`` located
events, points are aggregated per place (rounded to ``aggregate_decimals``) and type, and the
rows become ``[lat, lon, type_index, count]``.

Province-precision events (``geo_precision`` 3: "somewhere in the governorate") are never drawn as
if they happened at a town: they are rolled up into one dashed, hollow circle per governorate,
placed at the governorate's representative point.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import folium
import folium.plugins
import numpy as np
import pandas as pd
from branca.element import Element, MacroElement

from folium.template import Template

from geo.webmap import assets as offline_assets
from geo.models import EVENT_FIELDS, EVENT_TYPES, SYRIA_GOVERNORATES

TYPE_NAMES: tuple[str, ...] = tuple(EVENT_TYPES)
# Okabe-Ito palette (colour-blind safe), one colour per ACLED event type.
TYPE_COLORS: dict[str, str] = {
    "Battles": "#D55E00",
    "Explosions/Remote violence": "#E69F00",
    "Violence against civilians": "#CC79A7",
    "Protests": "#009E73",
    "Riots": "#56B4E9",
    "Strategic developments": "#0072B2",
}
SYRIA_CENTER: tuple[float, float] = (35.0, 38.6)
SYRIA_BOUNDS: tuple[tuple[float, float], tuple[float, float]] = ((32.3, 35.6), (37.4, 42.4))
GEO_PRECISION_LABELS = {1: "at the town", 2: "near the town / part of a region", 3: "governorate only"}
TIME_PRECISION_LABELS = {1: "day", 2: "within a week", 3: "within a month"}
CHOROPLETH_COLORS = ("#ffffcc", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026")
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'


@dataclass(frozen=True)
class MapOptions:
    """Limits that keep the page small whatever the store holds."""

    max_points: int = 20_000  # located events sent one by one; beyond, aggregate per place
    detail_limit: int = 500  # events whose popup (sentence, actors, link) is sent
    aggregate_decimals: int = 2  # rounding of lat/lon when aggregating (0.01 deg ~ 1 km)
    cluster_radius: int = 40  # pixels; small so distinct towns stay apart at zoom 7
    province_list_limit: int = 8  # events listed in a governorate roll-up popup
    notes_limit: int = 700  # characters of the supporting sentence shown in a popup


@dataclass(frozen=True)
class BasemapData:
    """The offline basemap, as small GeoJSON dicts and lists (built once, cached by the app)."""

    countries: dict
    governorates: dict
    towns: tuple[tuple[float, float, str, int], ...]  # (lat, lon, name, tier 0..2)
    centroids: Mapping[str, tuple[float, float]] = field(default_factory=dict)  # admin1 -> (lat, lon)


@dataclass(frozen=True)
class EventLayersInfo:
    """What build_event_layers did, for the UI to say so."""

    n_events: int = 0
    n_points: int = 0  # located events (geo_precision 1-2)
    n_markers: int = 0  # markers sent (== n_points unless aggregated)
    n_province: int = 0  # geo_precision 3 events, rolled up
    n_detailed: int = 0  # events sent with their popup
    aggregated: bool = False


# --------------------------------------------------------------------------------------------
# Text helpers (everything that reaches HTML goes through html.escape)


def esc(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return html.escape(str(value), quote=True)


def _int_or_none(value: Any) -> int | None:
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def iso_date(value: Any) -> str | None:
    """'YYYY-MM-DD' from a date, datetime, Timestamp or ISO string; None when missing."""
    if value is None:
        return None
    if isinstance(value, str):
        return value[:10] or None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)[:10]


def place_span_in_notes(
    notes: str,
    location: str | None,
    place_start: Any = None,
    place_end: Any = None,
    sentence_start: Any = None,
) -> tuple[int, int] | None:
    """Where the place name sits inside ``notes`` (the supporting sentence).

    Uses the article offsets ``place_start``/``place_end`` relative to ``sentence_start`` when they
    fall inside the sentence, else a case-insensitive search for ``location``.
    """
    if not notes:
        return None
    ps, pe, ss = _int_or_none(place_start), _int_or_none(place_end), _int_or_none(sentence_start)
    if ps is not None and pe is not None and ss is not None:
        a, b = ps - ss, pe - ss
        if 0 <= a < b <= len(notes) and _word_bounded(notes, a, b):
            return a, b
    if location:
        i = notes.lower().find(str(location).lower())
        if i >= 0:
            return i, i + len(str(location))
    return None


def _word_bounded(text: str, a: int, b: int) -> bool:
    """True when text[a:b] does not cut a word at either end."""
    left_ok = a == 0 or not (text[a - 1].isalnum() and text[a].isalnum())
    right_ok = b == len(text) or not (text[b - 1].isalnum() and text[b].isalnum())
    return left_ok and right_ok


def highlight_notes(
    notes: str,
    location: str | None = None,
    place_start: Any = None,
    place_end: Any = None,
    sentence_start: Any = None,
    limit: int | None = None,
) -> str:
    """The sentence as escaped HTML with the place name in ``<mark>``; trimmed around it to ``limit``."""
    notes = "" if notes is None or (isinstance(notes, float) and math.isnan(notes)) else str(notes)
    span = place_span_in_notes(notes, location, place_start, place_end, sentence_start)
    prefix = suffix = ""
    if limit and len(notes) > limit:
        centre = span[0] if span else 0
        lo = max(0, min(centre - limit // 3, len(notes) - limit))
        hi = lo + limit
        prefix = "\u2026" if lo > 0 else ""
        suffix = "\u2026" if hi < len(notes) else ""
        if span:
            span = (max(span[0] - lo, 0), min(span[1] - lo, limit))
        notes = notes[lo:hi]
    if not span:
        return prefix + esc(notes) + suffix
    a, b = span
    return (
        prefix
        + esc(notes[:a])
        + '<mark class="geo-place">'
        + esc(notes[a:b])
        + "</mark>"
        + esc(notes[b:])
        + suffix
    )


def article_href(article_id: Any) -> str:
    from urllib.parse import quote

    return "?view=article&article=" + quote(str(article_id), safe="")


def date_label(event_date: Any, time_precision: Any) -> str:
    d = iso_date(event_date)
    if not d:
        return "undated"
    tp = _int_or_none(time_precision)
    return f"{d} ({TIME_PRECISION_LABELS.get(tp, 'precision unknown')})"


def event_popup_html(row: Mapping[str, Any], notes_limit: int | None = 700) -> str:
    """Popup of one event. Every value is html-escaped; the place name is highlighted."""
    et = row.get("event_type")
    color = TYPE_COLORS.get(str(et), "#555")
    actors = " vs ".join(esc(a) for a in (row.get("actor1"), row.get("actor2")) if a and not _isnan(a))
    gp = _int_or_none(row.get("geo_precision"))
    fat = _int_or_none(row.get("fatalities"))
    admin1 = row.get("admin1")
    place = esc(row.get("location"))
    if admin1 and not _isnan(admin1) and str(admin1) != str(row.get("location")):
        place += f", {esc(admin1)}"
    notes = highlight_notes(
        row.get("notes"),
        row.get("location"),
        row.get("place_start"),
        row.get("place_end"),
        row.get("sentence_start"),
        limit=notes_limit,
    )
    parts = [
        '<div class="geo-popup">',
        f'<div class="geo-popup-type"><span class="geo-dot" style="background:{color}"></span>'
        f"<b>{esc(et)}</b> &middot; {esc(row.get('sub_event_type'))}</div>",
        f'<div><span class="geo-k">Date</span> {esc(date_label(row.get("event_date"), row.get("time_precision")))}</div>',
    ]
    if actors:
        parts.append(f'<div><span class="geo-k">Actors</span> {actors}</div>')
    parts.append(
        f'<div><span class="geo-k">Place</span> {place} '
        f'<span class="geo-muted">({esc(GEO_PRECISION_LABELS.get(gp, "precision unknown"))})</span></div>'
    )
    parts.append(f'<div><span class="geo-k">Fatalities</span> {"unknown" if fat is None else fat}</div>')
    if notes:
        parts.append(f'<blockquote class="geo-notes">{notes}</blockquote>')
    aid = row.get("article_id")
    if aid and not _isnan(aid):
        parts.append(
            f'<div><a class="geo-article-link" target="_blank" rel="noopener" href="{esc(article_href(aid))}">'
            f"Open the article</a>"
            + (f' <span class="geo-muted">{esc(row.get("source"))}</span>' if row.get("source") and not _isnan(row.get("source")) else "")
            + "</div>"
        )
    parts.append("</div>")
    return "".join(parts)


def _isnan(v: Any) -> bool:
    return isinstance(v, float) and math.isnan(v)


# --------------------------------------------------------------------------------------------
# Basemap data


def basemap_data(
    admin1: Any,
    places: pd.DataFrame | None = None,
    *,
    simplify: float = 0.004,
    town_min_population: int = 50_000,
    foreign_town_min_population: int = 150_000,
    country_code: str = "SY",
) -> BasemapData:
    """Offline basemap layers from the gazetteer (admin-1 polygons and populated places).

    ``admin1``: GeoDataFrame with columns admin1, country_code, geometry (EPSG:4326).
    ``places``: DataFrame with name, kind, country_code, latitude, longitude, population.
    """
    import geopandas as gpd

    gdf = admin1 if admin1.crs is not None else admin1.set_crs("EPSG:4326")
    gdf = gdf.to_crs("EPSG:4326")
    countries = gdf[["country_code", "geometry"]].dissolve(by="country_code", as_index=False)
    countries["geometry"] = countries.geometry.simplify(simplify * 2, preserve_topology=True)
    countries = gpd.GeoDataFrame(countries, geometry="geometry", crs="EPSG:4326")
    gov = gdf[gdf["country_code"] == country_code][["admin1", "geometry"]].copy()
    reps = gov.geometry.representative_point()
    centroids = {str(n): (round(p.y, 4), round(p.x, 4)) for n, p in zip(gov["admin1"], reps)}
    gov["geometry"] = gov.geometry.simplify(simplify, preserve_topology=True)
    towns: list[tuple[float, float, str, int]] = []
    if places is not None and len(places):
        p = places[places["kind"] == "populated_place"]
        pop = pd.to_numeric(p["population"], errors="coerce").fillna(0)
        keep = ((p["country_code"] == country_code) & (pop >= town_min_population)) | (
            pop >= foreign_town_min_population
        )
        sel = p[keep].assign(_pop=pop[keep]).sort_values("_pop", ascending=False, kind="stable")
        for r, n in zip(sel.to_dict("records"), sel["_pop"]):
            tier = 0 if n >= 1_000_000 else (1 if n >= 200_000 else 2)
            towns.append((round(float(r["latitude"]), 4), round(float(r["longitude"]), 4), str(r["name"]), tier))
        towns = _declutter(towns, min_km=8.0)
    return BasemapData(
        countries=_rounded_geojson(countries),
        governorates=_rounded_geojson(gpd.GeoDataFrame(gov, geometry="geometry", crs="EPSG:4326")),
        towns=tuple(towns),
        centroids=centroids,
    )


def _declutter(towns: list[tuple[float, float, str, int]], min_km: float) -> list[tuple[float, float, str, int]]:
    """Drop a town when a bigger (earlier) one lies within ``min_km`` (duplicates such as Beirut/Bayrut)."""
    kept: list[tuple[float, float, str, int]] = []
    for t in towns:
        if all(_km(t[0], t[1], k[0], k[1]) >= min_km for k in kept):
            kept.append(t)
    return kept


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0088 * 2 * math.asin(math.sqrt(a))


def _rounded_geojson(gdf) -> dict:
    data = json.loads(gdf.to_json(drop_id=True))

    def rnd(c):
        if isinstance(c, (list, tuple)) and c and isinstance(c[0], (int, float)):
            return [round(float(x), 4) for x in c]
        return [rnd(x) for x in c]

    for f in data["features"]:
        f["geometry"]["coordinates"] = rnd(f["geometry"]["coordinates"])
    return data


# --------------------------------------------------------------------------------------------
# Folium elements of our own


MAP_CSS = """
<style>
.leaflet-container { background: #dfe7ee; font: 12px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.geo-popup { max-width: 340px; }
.geo-popup > div { margin: 2px 0; }
.geo-k { color: #666; display: inline-block; min-width: 64px; }
.geo-muted { color: #888; }
.geo-dot { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 5px; vertical-align: middle; }
.geo-ring { display: inline-block; width: 12px; height: 12px; border-radius: 50%; margin-right: 5px; vertical-align: middle; border: 2px dashed #333; }
.geo-notes { margin: 6px 0; padding: 4px 8px; border-left: 3px solid #bbb; background: #f7f7f7; font-style: italic; }
mark.geo-place { background: #ffe066; padding: 0 1px; font-style: normal; font-weight: 600; }
.geo-legend { font-size: 11px; background: rgba(255,255,255,.92); padding: 4px 7px; border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,.3); line-height: 1.5; }
.geo-legend .geo-sw { display: inline-block; width: 14px; height: 10px; margin-right: 5px; border: 1px solid #999; vertical-align: middle; }
.geo-town { white-space: nowrap; color: #333; font-size: 11px; line-height: 16px; text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff; pointer-events: none; }
.geo-town i { display: inline-block; width: 5px; height: 5px; border-radius: 50%; background: #444; margin-right: 3px; vertical-align: middle; }
.geo-town-t0 { font-weight: 600; font-size: 12px; }
.geo-gov-wrap { width: 0; height: 0; overflow: visible; }
.geo-gov-count { display: inline-block; background: rgba(255,255,255,.85); border: 1px dashed #333; border-radius: 9px; padding: 0 5px; font-weight: 600; font-size: 11px; line-height: 16px; white-space: nowrap; transform: translate(-50%, -50%); pointer-events: none; }
.geo-zoom-lt7 .geo-town-t1, .geo-zoom-lt8 .geo-town-t2 { display: none; }
</style>
"""

class ArticleLinkFix(MacroElement):
    """Popup links ("?view=article&article=ID") resolved against the dashboard's own URL.

    The map lives in a sandboxed iframe whose URL is the component's and which may not navigate
    the page; the links open a new tab (allow-popups), so they must carry the dashboard's URL.
    Part of the map script (streamlit-folium does not run scripts put in the header).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        if (!window.__geoLinkFix) {
            window.__geoLinkFix = true;
            document.addEventListener('click', function (e) {
                var a = e.target && e.target.closest ? e.target.closest('a.geo-article-link') : null;
                if (!a) { return; }
                try {
                    var top = window.parent && window.parent !== window ? window.parent.location.href : window.location.href;
                    a.href = new URL(a.getAttribute('href'), top).href;
                } catch (err) { /* a cross-origin parent: keep the relative link */ }
            }, true);
        }
        {% endmacro %}
        """
    )

    def __init__(self):
        super().__init__()
        self._name = "ArticleLinkFix"


class TownLabels(MacroElement):
    """Small dots with permanent labels for major towns; smaller towns appear as you zoom in."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
            var towns = {{ this.towns_json }};
            var group = L.featureGroup();
            for (var i = 0; i < towns.length; i++) {
                var t = towns[i];
                var div = document.createElement('span');
                div.textContent = t[2];
                L.marker([t[0], t[1]], {interactive: false, keyboard: false, geoKind: 'town',
                    icon: L.divIcon({className: 'geo-town geo-town-t' + t[3], html: '<i></i>' + div.innerHTML,
                        iconSize: null, iconAnchor: [3, 8]})}).addTo(group);
            }
            var map = {{ this._parent.get_name() }};
            function tier() {
                var z = map.getZoom(), c = map.getContainer();
                c.classList.toggle('geo-zoom-lt7', z < 7);
                c.classList.toggle('geo-zoom-lt8', z < 8);
            }
            map.on('zoomend', tier);
            tier();
            group.addTo(map);
            return group;
        })();
        {% endmacro %}
        """
    )

    def __init__(self, towns: Sequence[tuple[float, float, str, int]]):
        super().__init__()
        self._name = "TownLabels"
        self.towns_json = _js_json([list(t) for t in towns])


class HtmlControl(MacroElement):
    """A Leaflet control holding static, already-escaped HTML (legends)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
            var key = {{ this.slot|tojson }};
            window.__geoControls = window.__geoControls || {};
            if (key && window.__geoControls[key]) { window.__geoControls[key].remove(); delete window.__geoControls[key]; }
            var html = {{ this.html_json }};
            if (!html) { return null; }
            var c = L.control({position: {{ this.position|tojson }}});
            c.onAdd = function () {
                var div = L.DomUtil.create('div', 'geo-legend');
                div.innerHTML = html;
                L.DomEvent.disableClickPropagation(div);
                return div;
            };
            c.addTo({{ this.map_name }});
            if (key) { window.__geoControls[key] = c; }
            return c;
        })();
        {% endmacro %}
        """
    )

    def __init__(self, html_text: str, position: str = "bottomright", slot: str = "", map_name: str | None = None):
        super().__init__()
        self._name = "HtmlControl"
        self.html_json = _js_json(html_text)
        self.position = position
        self.slot = slot
        self._map_name = map_name

    @property
    def map_name(self) -> str:
        if self._map_name:
            return self._map_name
        parent = self._parent
        while parent is not None and not isinstance(parent, folium.Map):
            parent = getattr(parent, "_parent", None)
        return parent.get_name() if parent is not None else self._parent.get_name()


class CompactEventCluster(folium.plugins.MarkerCluster):
    """All located events as one element: compact rows, circle markers built in the browser.

    Single events: ``rows`` are ``[lat, lon, type_index, event_idx]``, ``popups`` maps event_idx
    to popup HTML for the events sent with details, ``precisions`` event_idx -> geo_precision (2
    only; 1 is the default). Aggregated: ``rows`` are ``[lat, lon, type_index, count, location_idx,
    geo_precision]`` with ``locations`` the (escaped) place names.
    Uses the marker-cluster assets (local copies, see geo.webmap.assets).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
            var types = {{ this.types_json }}, colors = {{ this.colors_json }};
            var rows = {{ this.rows_json }};
            var popups = {{ this.popups_json }};
            var precisions = {{ this.precisions_json }};
            var locations = {{ this.locations_json }};
            var aggregated = {{ this.aggregated|tojson }};
            var fallback = {{ this.fallback_json }};
            var opts = {{ this.options|tojavascript }};
            if (aggregated) {
                opts.iconCreateFunction = function (cluster) {
                    var n = 0, ms = cluster.getAllChildMarkers();
                    for (var k = 0; k < ms.length; k++) { n += ms[k].options.geoCount || 1; }
                    var c = n < 100 ? 'small' : (n < 1000 ? 'medium' : 'large');
                    return L.divIcon({html: '<div><span>' + n.toLocaleString() + '</span></div>',
                        className: 'marker-cluster marker-cluster-' + c, iconSize: L.point(40, 40)});
                };
            }
            var cluster = L.markerClusterGroup(opts);
            var markers = new Array(rows.length);
            function popupFor(r) {
                if (aggregated) {
                    return '<div class="geo-popup"><div><span class="geo-dot" style="background:' + colors[r[2]] + '"></span><b>' +
                        r[3].toLocaleString() + ' &times; ' + types[r[2]] + '</b></div><div><span class="geo-k">Place</span> ' +
                        locations[r[4]] + (r[5] === 2 ? ' <span class="geo-muted">(near the town)</span>' : '') +
                        '</div><div class="geo-muted">' + fallback + '</div></div>';
                }
                var p = popups[r[3]];
                return p ? p : '<div class="geo-popup"><b>' + types[r[2]] + '</b><div class="geo-muted">' + fallback + '</div></div>';
            }
            for (var i = 0; i < rows.length; i++) {
                var r = rows[i];
                var near = aggregated ? r[5] === 2 : precisions[r[3]] === 2;
                var m = L.circleMarker([r[0], r[1]], {
                    radius: aggregated ? Math.min(5 + 1.5 * Math.sqrt(r[3]), 22) : 6,
                    color: near ? '#333' : '#fff', weight: near ? 1.5 : 1, dashArray: near ? '3 2' : null,
                    fillColor: colors[r[2]], fillOpacity: near ? 0.55 : 0.9,
                    geoKind: aggregated ? 'aggregate' : 'event', geoIdx: aggregated ? i : r[3], geoType: types[r[2]],
                    geoCount: aggregated ? r[3] : 1
                });
                (function (row) { m.bindPopup(function () { return popupFor(row); }, {maxWidth: 360}); })(r);
                markers[i] = m;
            }
            cluster.addLayers(markers);
            cluster.addTo({{ this._parent.get_name() }});
            return cluster;
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        rows: list[list],
        popups: Mapping[int, str] | None = None,
        precisions: Mapping[int, int] | None = None,
        aggregated: bool = False,
        fallback: str = "",
        locations: Sequence[str] = (),
        name: str = "Events",
        cluster_radius: int = 40,
    ):
        super().__init__(
            name=name,
            options={
                "chunkedLoading": True,
                "maxClusterRadius": cluster_radius,
                "showCoverageOnHover": False,
                "spiderfyOnMaxZoom": True,
            },
        )
        self._name = "CompactEventCluster"
        self.rows_json = _js_json(rows)
        self.popups_json = _js_json({str(k): v for k, v in (popups or {}).items()})
        self.precisions_json = _js_json({str(k): int(v) for k, v in (precisions or {}).items() if int(v) != 1})
        self.locations_json = _js_json([esc(x) for x in locations])
        self.types_json = _js_json([esc(t) for t in TYPE_NAMES])
        self.colors_json = _js_json([TYPE_COLORS[t] for t in TYPE_NAMES])
        self.aggregated = bool(aggregated)
        self.fallback_json = _js_json(esc(fallback))


class ProvinceRollup(MacroElement):
    """geo_precision 3 events: one dashed hollow circle per governorate, with the count."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
            var items = {{ this.items_json }};
            var group = L.featureGroup();
            for (var i = 0; i < items.length; i++) {
                var it = items[i];
                L.circleMarker([it.lat, it.lon], {
                    radius: Math.min(14 + 2 * Math.sqrt(it.count), 40), color: '#222', weight: 2,
                    dashArray: '6 5', fill: true, fillColor: '#ffffff', fillOpacity: 0.15,
                    geoKind: 'province', geoCount: it.count, geoAdmin1: it.admin1
                }).bindPopup(it.html, {maxWidth: 380}).addTo(group);
                L.marker([it.lat, it.lon], {interactive: false, keyboard: false, geoKind: 'province-label',
                    icon: L.divIcon({className: 'geo-gov-wrap', html: '<span class="geo-gov-count">' + it.count + '</span>', iconSize: null})}).addTo(group);
            }
            group.addTo({{ this._parent.get_name() }});
            return group;
        })();
        {% endmacro %}
        """
    )

    def __init__(self, items: list[dict]):
        super().__init__()
        self._name = "ProvinceRollup"
        self.items_json = _js_json(items)


class SelectedEvent(MacroElement):
    """A ring around the event selected in the table, with its popup open."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
            var m = L.circleMarker([{{ this.lat }}, {{ this.lon }}], {radius: 13, color: '#000', weight: 3,
                fill: false, geoKind: 'selected', geoIdx: {{ this.event_id_json }}});
            m.bindPopup({{ this.html_json }}, {maxWidth: 360, autoPan: false});
            m.addTo({{ this._parent.get_name() }});
            setTimeout(function () { try { m.openPopup(); } catch (e) {} }, 300);
            return m;
        })();
        {% endmacro %}
        """
    )

    def __init__(self, lat: float, lon: float, popup_html: str, event_id: str):
        super().__init__()
        self._name = "SelectedEvent"
        self.lat = float(lat)
        self.lon = float(lon)
        self.html_json = _js_json(popup_html)
        self.event_id_json = _js_json(str(event_id))


def _js_json(value: Any) -> str:
    """JSON safe to inline in a <script> (no '</' sequences)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).replace("</", "<\\/")


# --------------------------------------------------------------------------------------------
# Base map


def type_legend_html() -> str:
    rows = [
        f'<div><span class="geo-dot" style="background:{TYPE_COLORS[t]}"></span>{esc(t)}</div>'
        for t in TYPE_NAMES
    ]
    rows.append('<div style="margin-top:4px"><span class="geo-dot" style="background:#999;border:1px dashed #333"></span>'
                "near a town / part of a region</div>")
    rows.append('<div><span class="geo-ring"></span>somewhere in the governorate (count)</div>')
    return "<b>Event type</b>" + "".join(rows)


def build_base_map(
    basemap: BasemapData | None,
    *,
    online_tiles: bool = False,
    height: int = 620,
    location: tuple[float, float] = SYRIA_CENTER,
    zoom_start: int = 7,
) -> folium.Map:
    """The filter-independent map: outlines, towns, legend, optional OSM layer (off by default)."""
    if offline_assets.installed_base() is None:
        offline_assets.install()
    m = folium.Map(
        location=list(location),
        zoom_start=zoom_start,
        tiles=None,
        maxZoom=18,  # MarkerCluster needs it when there is no tile layer
        minZoom=3,
        prefer_canvas=True,
        control_scale=True,
        height=height,
    )
    root = m.get_root()
    root.header.add_child(Element(MAP_CSS), name="geo_css")
    if basemap is not None:
        folium.GeoJson(
            basemap.countries,
            name="Countries",
            style_function=lambda f: {
                "color": "#777",
                "weight": 1.2,
                "fillColor": "#ffffff" if f["properties"].get("country_code") == "SY" else "#eeeeee",
                "fillOpacity": 1.0 if not online_tiles else 0.0,
            },
            interactive=False,
            control=False,
        ).add_to(m)
        folium.GeoJson(
            basemap.governorates,
            name="Governorate borders",
            style_function=lambda f: {"color": "#8a8a8a", "weight": 1, "dashArray": "4 3", "fill": False},
            interactive=False,
            control=True,
        ).add_to(m)
        if basemap.towns:
            TownLabels(basemap.towns).add_to(m)
    folium.TileLayer(
        OSM_TILES,
        name="OpenStreetMap (online)",
        attr=OSM_ATTRIBUTION,
        overlay=True,
        control=True,
        show=bool(online_tiles),
        max_zoom=18,
    ).add_to(m)
    HtmlControl(type_legend_html(), position="bottomright", slot="types").add_to(m)
    ArticleLinkFix().add_to(m)
    folium.LayerControl(collapsed=True, position="topright").add_to(m)
    return m


# --------------------------------------------------------------------------------------------
# Event layers


def _type_index(series: pd.Series) -> np.ndarray:
    lookup = {t: i for i, t in enumerate(TYPE_NAMES)}
    return series.map(lookup).fillna(len(TYPE_NAMES) - 1).astype(int).to_numpy()


def _sorted_recent_first(df: pd.DataFrame) -> pd.DataFrame:
    if "event_date" not in df.columns or df.empty:
        return df
    key = pd.to_datetime(df["event_date"].map(iso_date), errors="coerce")
    raw = key.to_numpy(dtype="datetime64[s]")
    vals = raw.astype(np.int64).astype(float)
    vals[np.isnat(raw)] = -np.inf  # undated last
    order = np.argsort(-vals, kind="stable")
    return df.iloc[order]


AGGREGATE_COLUMNS = ("latitude", "longitude", "event_type", "geo_precision", "admin1", "location", "n")


def aggregate_events(df: pd.DataFrame) -> pd.DataFrame:
    """Event counts per place (location name + governorate), type and precision, at the mean
    position of the place's events: AGGREGATE_COLUMNS. The same grouping as the app's store query."""
    if df is None or df.empty:
        return pd.DataFrame(columns=list(AGGREGATE_COLUMNS))
    frame = pd.DataFrame({
        "latitude": pd.to_numeric(df["latitude"], errors="coerce"),
        "longitude": pd.to_numeric(df["longitude"], errors="coerce"),
        "event_type": df["event_type"].astype(str),
        "geo_precision": pd.to_numeric(df["geo_precision"], errors="coerce").fillna(1).astype(int),
        "admin1": df["admin1"].fillna("").astype(str),
        "location": df["location"].fillna("").astype(str),
        "n": 1,
    })
    return merge_aggregates(frame)


def merge_aggregates(frame: pd.DataFrame) -> pd.DataFrame:
    """Sum rows of the same (location, admin1, type, precision); count-weighted mean position."""
    if frame.empty:
        return pd.DataFrame(columns=list(AGGREGATE_COLUMNS))
    keys = ["location", "admin1", "event_type", "geo_precision"]
    f = frame.assign(_wl=frame["latitude"] * frame["n"], _wo=frame["longitude"] * frame["n"])
    out = f.groupby(keys, sort=False, dropna=False).agg(n=("n", "sum"), _wl=("_wl", "sum"), _wo=("_wo", "sum")).reset_index()
    out["latitude"] = (out["_wl"] / out["n"]).round(4)
    out["longitude"] = (out["_wo"] / out["n"]).round(4)
    out["n"] = out["n"].astype(int)
    return out[list(AGGREGATE_COLUMNS)]


def coarsen(agg: pd.DataFrame, max_rows: int, decimals: int = 2) -> tuple[pd.DataFrame, float | None]:
    """Merge aggregate rows into grid cells (0.01 deg, then coarser) until at most ``max_rows``.

    Returns the rows and the cell size used (None when the rows already fit). A merged row sits at
    the count-weighted mean position and is named after its biggest location ("X and nearby").
    """
    if len(agg) <= max_rows:
        return agg, None
    cells = [10.0**-decimals * k for k in (1, 2.5, 5, 10, 25, 50, 100)]
    lat = agg["latitude"].to_numpy(dtype=float)
    lon = agg["longitude"].to_numpy(dtype=float)
    n = agg["n"].to_numpy(dtype=float)
    out, cell = agg, cells[-1]
    for cell in cells:
        i = np.floor(lat / cell).astype(np.int64)
        j = np.floor(lon / cell).astype(np.int64)
        gp_key = np.where(agg["geo_precision"].to_numpy() >= 3, 3, 1)
        frame = agg.assign(_i=i, _j=j, _g=gp_key, _wlat=lat * n, _wlon=lon * n)
        grouped = frame.sort_values("n", ascending=False, kind="stable").groupby(
            ["_i", "_j", "event_type", "_g"], sort=False
        )
        if grouped.ngroups <= max_rows or cell == cells[-1]:
            out = grouped.agg(
                n=("n", "sum"), _wlat=("_wlat", "sum"), _wlon=("_wlon", "sum"), admin1=("admin1", "first"),
                location=("location", "first"), k=("location", "nunique"), geo_precision=("geo_precision", "max"),
            ).reset_index()
            out["latitude"] = (out["_wlat"] / out["n"]).round(4)
            out["longitude"] = (out["_wlon"] / out["n"]).round(4)
            out["location"] = np.where(out["k"] > 1, out["location"] + " and nearby", out["location"])
            out = out[list(AGGREGATE_COLUMNS)]
            break
    return out, cell


def count_breaks(max_count: int) -> list[int]:
    """Lower bounds of the choropleth classes: 1-5-10-50... for small counts, powers of ten beyond."""
    seq = (1, 5, 10, 50, 100, 500) if max_count < 1000 else (1, 10, 100, 1_000, 10_000, 100_000)
    return [b for b in seq if b <= max(max_count, 1)]


def choropleth_color(count: int, breaks: Sequence[int]) -> str | None:
    if count <= 0:
        return None
    idx = 0
    for i, b in enumerate(breaks):
        if count >= b:
            idx = i
    # spread the classes used over the whole ramp
    scale = (len(CHOROPLETH_COLORS) - 1) / max(len(breaks) - 1, 1)
    return CHOROPLETH_COLORS[min(int(round(idx * scale)), len(CHOROPLETH_COLORS) - 1)]


def choropleth_legend_html(breaks: Sequence[int]) -> str:
    if not breaks:
        return ""
    rows = []
    for i, b in enumerate(breaks):
        hi = breaks[i + 1] - 1 if i + 1 < len(breaks) else None
        label = f"{b:,}" if hi == b else (f"{b:,}\u2013{hi:,}" if hi is not None else f"{b:,}+")
        rows.append(f'<div><span class="geo-sw" style="background:{choropleth_color(b, breaks)}"></span>{label}</div>')
    return "<b>Events per governorate</b>" + "".join(rows)


def governorate_counts(df: pd.DataFrame) -> dict[str, int]:
    if df is None or df.empty or "admin1" not in df.columns:
        return {}
    return {str(k): int(v) for k, v in df["admin1"].value_counts().items() if k in SYRIA_GOVERNORATES}


def build_event_layers(
    events: pd.DataFrame | None,
    basemap: BasemapData | None = None,
    *,
    aggregates: pd.DataFrame | None = None,
    options: MapOptions = MapOptions(),
    counts: Mapping[str, int] | None = None,
    selected_event_id: str | None = None,
    show_choropleth: bool = True,
    total: int | None = None,
) -> tuple[list[folium.FeatureGroup], EventLayersInfo]:
    """Feature groups for the filtered events (see the module doc).

    ``events``: rows with EVENT_FIELDS columns (all filtered events, or a most-recent sample when
    ``aggregates`` is given). ``aggregates``: counts per place for *all* filtered events
    (AGGREGATE_COLUMNS), from the store; when given, markers are drawn from it. ``counts``:
    admin1 -> events for the choropleth (default: counted from the aggregates or the events).
    """
    df = events if events is not None else pd.DataFrame(columns=list(EVENT_FIELDS))
    groups: list[folium.FeatureGroup] = []

    if counts is None:
        if aggregates is not None:
            counts = {str(k): int(v) for k, v in aggregates.groupby("admin1")["n"].sum().items() if k in SYRIA_GOVERNORATES}
        else:
            counts = governorate_counts(df)
    counts = dict(counts)
    if show_choropleth and basemap is not None:
        groups.append(_choropleth_group(basemap, counts))

    if aggregates is None and len(df):
        gp_all = pd.to_numeric(df["geo_precision"], errors="coerce").fillna(1).astype(int)
        if int((gp_all < 3).sum()) > options.max_points:
            aggregates = aggregate_events(df)
    n_events = int(aggregates["n"].sum()) if aggregates is not None else len(df)
    if total is not None:
        n_events = int(total)
    if n_events == 0 or (aggregates is None and df.empty):
        return groups, EventLayersInfo()

    n_markers = n_detailed = n_points = n_province = 0
    aggregated = aggregates is not None
    if aggregated:
        agg = aggregates[np.isfinite(pd.to_numeric(aggregates["latitude"], errors="coerce"))]
        pts = agg[agg["geo_precision"] < 3]
        n_points = int(pts["n"].sum())
        if len(pts):
            rows_df, cell = coarsen(pts, options.max_points, options.aggregate_decimals)
            locs, loc_idx = np.unique(rows_df["location"].astype(str).to_numpy(), return_inverse=True)
            tidx = _type_index(rows_df["event_type"])
            rows = [
                [float(a), float(b), int(t), int(n), int(li), int(g)]
                for a, b, t, n, li, g in zip(
                    rows_df["latitude"].tolist(), rows_df["longitude"].tolist(), tidx.tolist(),
                    rows_df["n"].tolist(), loc_idx.tolist(), rows_df["geo_precision"].tolist(),
                )
            ]
            where = f" (merged into {cell:g}\u00b0 cells)" if cell else ""
            fallback = (
                f"Aggregated per place{where}: {n_points:,} located events match, more than the "
                f"{options.max_points:,} drawn one by one. Narrow the filters to see single events."
            )
            g = folium.FeatureGroup(name="Events", control=False)
            CompactEventCluster(
                rows, aggregated=True, fallback=fallback, locations=list(locs), cluster_radius=options.cluster_radius
            ).add_to(g)
            groups.append(g)
            n_markers = len(rows)
        prov_counts = agg[agg["geo_precision"] >= 3]
        n_province = int(prov_counts["n"].sum())
    else:
        gp = pd.to_numeric(df["geo_precision"], errors="coerce").fillna(1).astype(int).to_numpy()
        lat = pd.to_numeric(df["latitude"], errors="coerce").to_numpy(dtype=float)
        lon = pd.to_numeric(df["longitude"], errors="coerce").to_numpy(dtype=float)
        point_mask = np.isfinite(lat) & np.isfinite(lon) & (gp < 3)
        pts = df[point_mask]
        n_points = len(pts)
        if n_points:
            recent = _sorted_recent_first(
                pts.assign(_lat=lat[point_mask], _lon=lon[point_mask], _t=_type_index(pts["event_type"]), _gp=gp[point_mask])
            )
            la = np.round(recent["_lat"].to_numpy(dtype=float), 4).tolist()
            lo = np.round(recent["_lon"].to_numpy(dtype=float), 4).tolist()
            rows = [[a, b, int(t), i] for i, (a, b, t) in enumerate(zip(la, lo, recent["_t"].tolist()))]
            records = recent.head(options.detail_limit).to_dict("records")
            popups = {i: event_popup_html(r, options.notes_limit) for i, r in enumerate(records)}
            n_detailed = len(popups)
            precisions = {i: int(p) for i, p in enumerate(recent["_gp"].tolist()) if p != 1}
            fallback = (
                f"{n_points:,} events match; details are sent for the {options.detail_limit:,} most recent. "
                "Select the event in the table, or narrow the filters."
            )
            g = folium.FeatureGroup(name="Events", control=False)
            CompactEventCluster(
                rows, popups, precisions, fallback=fallback, cluster_radius=options.cluster_radius
            ).add_to(g)
            groups.append(g)
            n_markers = len(rows)
        prov_counts = aggregate_events(df[gp >= 3])
        n_province = int((gp >= 3).sum())

    # province-precision roll-up: one dashed circle per governorate
    if len(prov_counts):
        prov_events = df[pd.to_numeric(df["geo_precision"], errors="coerce").fillna(1).astype(int) >= 3] if len(df) else df
        items = []
        for admin1, sub in prov_counts.groupby(prov_counts["admin1"].fillna("").astype(str), sort=True):
            if basemap is not None and admin1 in basemap.centroids:
                clat, clon = basemap.centroids[admin1]
            else:
                w = sub["n"].to_numpy(dtype=float)
                clat = float(np.average(sub["latitude"].to_numpy(dtype=float), weights=w))
                clon = float(np.average(sub["longitude"].to_numpy(dtype=float), weights=w))
            by_type = sub.groupby("event_type")["n"].sum().sort_values(ascending=False)
            listed = prov_events[prov_events["admin1"].astype(str) == admin1] if len(prov_events) else prov_events
            n = int(sub["n"].sum())
            items.append({
                "lat": round(float(clat), 4), "lon": round(float(clon), 4), "count": n, "admin1": esc(admin1),
                "html": province_popup_html(admin1, n, by_type, listed, options.province_list_limit),
            })
        g = folium.FeatureGroup(name="Governorate-level events", control=False)
        ProvinceRollup(items).add_to(g)
        groups.append(g)

    # selected event
    if selected_event_id is not None and len(df) and "event_id" in df.columns:
        sel = df[df["event_id"].astype(str) == str(selected_event_id)]
        if len(sel):
            r = sel.iloc[0].to_dict()
            slat, slon = float(r["latitude"]), float(r["longitude"])
            if _int_or_none(r.get("geo_precision")) == 3 and basemap is not None and r.get("admin1") in basemap.centroids:
                slat, slon = basemap.centroids[r["admin1"]]
            g = folium.FeatureGroup(name="Selected event", control=False)
            SelectedEvent(slat, slon, event_popup_html(r, options.notes_limit), str(r.get("event_id"))).add_to(g)
            groups.append(g)

    return groups, EventLayersInfo(
        n_events=n_events,
        n_points=n_points,
        n_markers=n_markers,
        n_province=n_province,
        n_detailed=n_detailed,
        aggregated=aggregated,
    )


def _choropleth_group(basemap: BasemapData, counts: Mapping[str, int]) -> folium.FeatureGroup:
    g = folium.FeatureGroup(name="Events per governorate", control=False)
    breaks = count_breaks(max(counts.values()) if counts else 0)
    feats = []
    for f in basemap.governorates["features"]:
        name = f["properties"].get("admin1")
        c = int(counts.get(name, 0))
        feats.append({"type": "Feature", "geometry": f["geometry"],
                      "properties": {"admin1": name, "events": c, "fill": choropleth_color(c, breaks)}})
    folium.GeoJson(
        {"type": "FeatureCollection", "features": feats},
        style_function=lambda f: {
            "color": "#555",
            "weight": 1.2,
            "fillColor": f["properties"]["fill"] or "#ffffff",
            "fillOpacity": 0.5 if f["properties"]["fill"] else 0.0,
        },
        tooltip=folium.GeoJsonTooltip(fields=["admin1", "events"], aliases=["Governorate", "Events"]),
        name="Events per governorate",
    ).add_to(g)
    HtmlControl(choropleth_legend_html(breaks) if counts else "", position="topleft", slot="choropleth").add_to(g)
    return g


def province_popup_html(
    admin1: str, total: int, by_type: Mapping[str, int] | pd.Series, events: pd.DataFrame | None = None, list_limit: int = 8
) -> str:
    """Popup of a governorate roll-up: how many events, by type, and the most recent ones listed."""
    items = by_type.items() if hasattr(by_type, "items") else by_type
    parts = [
        '<div class="geo-popup">',
        f"<b>{esc(admin1) or 'Unknown governorate'}</b>: {total:,} event{'s' if total != 1 else ''} "
        "located only to the governorate (not to a town)",
        "<div>"
        + ", ".join(
            f'<span class="geo-dot" style="background:{TYPE_COLORS.get(str(t), "#555")}"></span>{esc(t)} {int(c):,}'
            for t, c in items
        )
        + "</div>",
    ]
    listed = 0
    if events is not None and len(events):
        parts.append('<ul style="padding-left:16px;margin:4px 0">')
        for r in _sorted_recent_first(events).head(list_limit).to_dict("records"):
            listed += 1
            aid = r.get("article_id")
            parts.append(
                f"<li>{esc(date_label(r.get('event_date'), r.get('time_precision')))}: {esc(r.get('sub_event_type'))}"
                + (
                    f' (<a class="geo-article-link" target="_blank" rel="noopener" href="{esc(article_href(aid))}">article</a>)'
                    if aid and not _isnan(aid)
                    else ""
                )
                + "</li>"
            )
        if total > listed:
            parts.append(f"<li>\u2026 and {total - listed:,} more</li>")
        parts.append("</ul>")
    parts.append("</div>")
    return "".join(parts)


def build_map(
    events: pd.DataFrame,
    basemap: BasemapData | None = None,
    *,
    options: MapOptions = MapOptions(),
    online_tiles: bool = False,
    selected_event_id: str | None = None,
) -> tuple[folium.Map, EventLayersInfo]:
    """Base map plus event layers in one folium.Map (standalone HTML, tests)."""
    m = build_base_map(basemap, online_tiles=online_tiles)
    groups, info = build_event_layers(events, basemap, options=options, selected_event_id=selected_event_id)
    for g in groups:
        g.add_to(m)
    return m, info


# --------------------------------------------------------------------------------------------
# Dashboard data (charts, metrics)


def timeline(df: pd.DataFrame, freq: str = "W") -> pd.DataFrame:
    """Events per period and type: index = period start, one column per event type present."""
    if df is None or df.empty:
        return pd.DataFrame()
    d = pd.to_datetime(df["event_date"].map(iso_date), errors="coerce")
    sub = pd.DataFrame({"date": d, "type": df["event_type"].astype(str)}).dropna(subset=["date"])
    if sub.empty:
        return pd.DataFrame()
    sub["period"] = sub["date"].dt.to_period(freq).dt.start_time
    out = sub.groupby(["period", "type"]).size().unstack("type", fill_value=0).sort_index()
    out = out[[t for t in TYPE_NAMES if t in out.columns]]
    out.index.name = "period"
    return out


def metrics(df: pd.DataFrame) -> dict[str, int]:
    if df is None or df.empty:
        return {"events": 0, "fatalities": 0, "governorates": 0}
    fat = pd.to_numeric(df["fatalities"], errors="coerce").fillna(0)
    return {
        "events": int(len(df)),
        "fatalities": int(fat.sum()),
        "governorates": int(df["admin1"].dropna().astype(str).replace("", np.nan).dropna().nunique()),
    }


_SPACE = re.compile(r"\s+")


def compact_text(text: str, limit: int = 160) -> str:
    t = _SPACE.sub(" ", str(text or "")).strip()
    return t if len(t) <= limit else t[: limit - 1] + "\u2026"


# --------------------------------------------------------------------------------------------
# Highlighted article text (ingest preview, article view)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str  # css suffix: place, unresolved, trigger, date, sentence
    title: str = ""
    priority: int = 0  # higher wins where spans overlap


HIGHLIGHT_CSS = """
<style>
.geo-text { white-space: pre-wrap; line-height: 1.65; font-size: 0.95rem; }
.geo-text mark { padding: 0 2px; border-radius: 3px; }
.geo-text .hl-place { background: #c8f0c8; border-bottom: 2px solid #2a9d2a; }
.geo-text .hl-unresolved { background: #ffe0b3; border-bottom: 2px dashed #d97700; }
.geo-text .hl-trigger { background: #ffd6d6; border-bottom: 2px solid #c62828; }
.geo-text .hl-date { background: #d6e6ff; border-bottom: 2px solid #1f5fbf; }
.geo-text .hl-sentence { background: #fff7cc; }
.geo-text sup.hl-n { color: #555; font-size: 0.7em; margin-left: 1px; }
</style>
"""


def highlight_spans(text: str, spans: Iterable[Span]) -> str:
    """``text`` as escaped HTML with the spans wrapped in ``<mark class="hl-KIND">``.

    Spans out of range are dropped; where spans overlap, the higher priority (then the earlier,
    then the longer) wins and the other is clipped or dropped: marks never nest.
    """
    text = text or ""
    chosen: list[Span] = []
    ordered = sorted(
        (s for s in spans if s is not None and 0 <= s.start < s.end <= len(text)),
        key=lambda s: (-s.priority, s.start, -(s.end - s.start)),
    )
    taken = np.zeros(len(text) + 1, dtype=bool)
    for s in ordered:
        free = ~taken[s.start : s.end]
        if free.all():
            chosen.append(s)
            taken[s.start : s.end] = True
        elif free.any():
            # keep the longest free stretch of a lower-priority span (sentences around places)
            idx = np.flatnonzero(free)
            runs = np.split(idx, np.flatnonzero(np.diff(idx) != 1) + 1)
            for run in runs:
                if len(run):
                    part = Span(s.start + int(run[0]), s.start + int(run[-1]) + 1, s.kind, s.title, s.priority)
                    chosen.append(part)
                    taken[part.start : part.end] = True
    chosen.sort(key=lambda s: s.start)
    out, pos = [], 0
    for s in chosen:
        out.append(esc(text[pos : s.start]))
        title = f' title="{esc(s.title)}"' if s.title else ""
        out.append(f'<mark class="hl-{esc(s.kind)}"{title}>{esc(text[s.start:s.end])}</mark>')
        pos = s.end
    out.append(esc(text[pos:]))
    return '<div class="geo-text">' + "".join(out) + "</div>"
