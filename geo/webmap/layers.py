"""The event layers of the map: pure functions from event tables to folium feature groups.

Nothing here imports Streamlit, so every function can be tested on small DataFrames.

* :func:`geo.webmap.basemap.build_base_map` - the part that does not depend on the filters; the
  same for every rerun, so streamlit-folium keeps the Leaflet map (and its assets) mounted.
* :func:`build_event_layers` - the filtered part, as ``folium.FeatureGroup`` objects that
  streamlit-folium swaps in place (``feature_group_to_add``): a choropleth of event counts per
  governorate, the events, the province-precision roll-up and the selected event.

Payload: events travel as compact rows ``[lat, lon, type_index, event_idx, location_idx]`` plus
one id per event (every marker carries its event id, see :mod:`geo.webmap.select`), and the
browser clusters them with supercluster and makes an ``L.circleMarker`` for each event it shows
(geomap.js ``EventCluster``). Popup HTML is sent
for at most ``MapOptions.detail_limit`` events (the most recent); beyond ``MapOptions.max_points``
located events, points are aggregated per place and type (``[lat, lon, type_index, count,
location_idx, geo_precision]``). Clusters are neutral discs ringed by their type mix, never one of
the legend's colours.

Province-precision events (``geo_precision`` 3) are never drawn as if they happened at a town:
they are rolled up into one dashed, hollow circle per governorate at its representative point.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import folium
import numpy as np
import pandas as pd

from geo.models import EVENT_FIELDS, SYRIA_GOVERNORATES
from geo.webmap.aggregate import (
    AGGREGATE_COLUMNS,
    aggregate_events,
    choropleth_color,
    coarsen,
    count_breaks,
    governorate_counts,
    iso_date,
    marker_radius,
    merge_aggregates,
    precision_array,
    sorted_recent_first,
    type_index,
)
from geo.webmap.basemap import (
    BasemapData,
    basemap_data,
    build_base_map,
    load_basemap,
    selected_view,
)
from geo.webmap.charts import compact_text, fatalities_timeline, metrics, timeline
from geo.webmap.elements import (
    CompactEventCluster,
    HtmlControl,
    ProvinceRollup,
    SelectedEvent,
    TextGeoJson,
)
from geo.webmap.highlight import HIGHLIGHT_CSS, Span, highlight_spans
from geo.webmap.popups import (
    article_href,
    date_label,
    esc,
    event_popup_html,
    highlight_notes,
    int_or_none,
    place_span_in_notes,
    province_list_records,
    province_popup_from_rows,
    province_popup_html,
    text_or_none,
    type_legend_html,
)
from geo.webmap.render import render_html
from geo.webmap.select import clicked_event_id
from geo.webmap.style import (
    CHOROPLETH_COLORS,
    GEO_PRECISION_LABELS,
    SYRIA_BOUNDS,
    SYRIA_CENTER,
    TIME_PRECISION_LABELS,
    TYPE_COLORS,
    TYPE_NAMES,
    MapOptions,
)

# The names app.py and the tests have always used through ``geo.webmap.layers`` (each defined
# once, in the module named in the import above).
__all__ = [
    "AGGREGATE_COLUMNS", "CHOROPLETH_COLORS", "GEO_PRECISION_LABELS", "HIGHLIGHT_CSS", "SYRIA_BOUNDS",
    "SYRIA_CENTER", "TIME_PRECISION_LABELS", "TYPE_COLORS", "TYPE_NAMES", "BasemapData", "EventLayersInfo",
    "MapOptions", "Span", "aggregate_events", "article_href", "basemap_data", "build_base_map",
    "build_event_layers", "build_map", "choropleth_color", "choropleth_legend_html", "clicked_event_id", "coarsen",
    "compact_text", "count_breaks", "date_label", "esc", "event_popup_html", "fatalities_timeline",
    "governorate_counts", "highlight_notes", "highlight_spans", "iso_date", "load_basemap", "marker_radius",
    "merge_aggregates", "metrics", "place_span_in_notes", "province_popup_html", "selected_view", "timeline",
    "type_legend_html",
]

DEFAULT_OPTIONS = MapOptions()


@dataclass(frozen=True)
class EventLayersInfo:
    """What build_event_layers did, for the UI to say so."""

    n_events: int = 0
    n_points: int = 0  # located events (geo_precision 1-2)
    n_markers: int = 0  # markers sent (== n_points unless aggregated)
    n_province: int = 0  # geo_precision 3 events, rolled up
    n_detailed: int = 0  # events sent with their popup
    aggregated: bool = False
    # the aggregate markers drawn (AGGREGATE_COLUMNS, in the order of their ``area:`` click
    # tokens) and the grid cell they were merged into (None: one marker per place and type)
    areas: pd.DataFrame | None = field(default=None, compare=False, repr=False)
    cell: float | None = None


def choropleth_legend_html(breaks: list[int]) -> str:
    if not breaks:
        return ""
    classes = []
    for i, b in enumerate(breaks):
        hi = breaks[i + 1] - 1 if i + 1 < len(breaks) else None
        label = f"{b:,}" if hi == b else (f"{b:,}\u2013{hi:,}" if hi is not None else f"{b:,}+")
        classes.append({"color": choropleth_color(b, breaks), "label": label})
    return render_html("legend_choropleth.html", classes=classes)


def _choropleth_group(basemap: BasemapData, counts: Mapping[str, int]) -> folium.FeatureGroup:
    g = folium.FeatureGroup(name="Events per governorate", control=False)
    breaks = count_breaks(max(counts.values()) if counts else 0)
    feats = []
    for f in basemap.governorates["features"]:
        name = f["properties"].get("admin1")
        c = int(counts.get(name, 0))
        feats.append({"type": "Feature", "geometry": f["geometry"],
                      "properties": {"admin1": name, "events": c, "fill": choropleth_color(c, breaks)}})
    TextGeoJson(
        {"type": "FeatureCollection", "features": feats},
        style_function=lambda f: {
            "color": "#555", "weight": 1.2, "fillColor": f["properties"]["fill"] or "#ffffff",
            "fillOpacity": 0.5 if f["properties"]["fill"] else 0.0,
        },
        tooltip=folium.GeoJsonTooltip(fields=["admin1", "events"], aliases=["Governorate", "Events"]),
        name="Events per governorate",
    ).add_to(g)
    HtmlControl(choropleth_legend_html(breaks) if counts else "", position="topleft", slot="choropleth").add_to(g)
    return g


def _cluster_data(rows: list, options: MapOptions, locations: list[str], fallback: str, **extra: Any) -> dict:
    return {
        "rows": rows, "types": list(TYPE_NAMES), "colors": [TYPE_COLORS[t] for t in TYPE_NAMES],
        "locations": locations, "fallback": fallback, "mix": bool(options.cluster_mix),
        "radius": options.marker_radius, "aggregated": False, "popups": {}, "precisions": {}, "ids": [],
        "radii": None,
        "options": {"clusterRadius": options.cluster_radius, "spreadLimit": options.spread_limit},
        **extra,
    }


def _aggregate_group(aggregates: pd.DataFrame, options: MapOptions) -> tuple[folium.FeatureGroup | None, int, pd.DataFrame, float | None]:
    """Markers per place and type (too many events to send one by one). Returns (group, points,
    the rows drawn, the grid cell they were merged into)."""
    pts = aggregates[aggregates["geo_precision"] < 3]
    n_points = int(pts["n"].sum())
    if not len(pts):
        return None, 0, pts, None
    rows_df, cell = coarsen(pts, options.max_points, options.aggregate_decimals)
    locs, loc_idx = np.unique(rows_df["location"].astype(str).to_numpy(), return_inverse=True)
    rows = [
        [float(a), float(b), int(t), int(n), int(li), int(g)]
        for a, b, t, n, li, g in zip(rows_df["latitude"].tolist(), rows_df["longitude"].tolist(),
                                     type_index(rows_df["event_type"]).tolist(), rows_df["n"].tolist(),
                                     loc_idx.tolist(), rows_df["geo_precision"].tolist())
    ]
    where = f" (merged into {cell:g}\u00b0 cells)" if cell else ""
    fallback = (f"Aggregated per place{where}: {n_points:,} located events match, more than the "
                f"{options.max_points:,} drawn one by one. Click to show the single events of this area.")
    g = folium.FeatureGroup(name="Events", control=False)
    CompactEventCluster(_cluster_data(rows, options, [str(x) for x in locs], fallback, aggregated=True)).add_to(g)
    return g, n_points, rows_df.reset_index(drop=True), cell


def _event_group(recent: pd.DataFrame, options: MapOptions) -> tuple[folium.FeatureGroup, int]:
    """One marker per located event (``recent``: most recent first), each carrying its event id.
    Returns (group, detailed)."""
    la = np.round(pd.to_numeric(recent["latitude"]).to_numpy(dtype=float), 4).tolist()
    lo = np.round(pd.to_numeric(recent["longitude"]).to_numpy(dtype=float), 4).tolist()
    locs, loc_idx = np.unique(recent["location"].fillna("").astype(str).to_numpy(), return_inverse=True)
    rows = [[a, b, t, i, li] for i, (a, b, t, li) in
            enumerate(zip(la, lo, type_index(recent["event_type"]).tolist(), loc_idx.tolist()))]
    records = recent.head(options.detail_limit).to_dict("records")
    popups = {str(i): event_popup_html(r, options.notes_limit) for i, r in enumerate(records)}
    gp = precision_array(recent)
    precisions = {str(i): 2 for i in np.flatnonzero(gp == 2).tolist()}
    ids = recent["event_id"].astype(str).tolist() if "event_id" in recent.columns else [str(i) for i in range(len(recent))]
    radii = marker_radius(recent["fatalities"]).tolist() if options.size_by_fatalities else None
    fallback = (f"{len(rows):,} events match; details are sent for the {options.detail_limit:,} most recent. "
                "Click to open the event beside the map, or narrow the filters.")
    g = folium.FeatureGroup(name="Events", control=False)
    data = _cluster_data(rows, options, [str(x) for x in locs], fallback, popups=popups, precisions=precisions,
                         ids=ids, radii=radii)
    CompactEventCluster(data).add_to(g)
    return g, len(popups)


def _province_group(prov_counts: pd.DataFrame, prov_events: pd.DataFrame, basemap: BasemapData | None,
                    options: MapOptions) -> folium.FeatureGroup:
    """geo_precision 3: one dashed circle per governorate, at its representative point.
    ``prov_events``: those events, most recent first (the popups list the first few).

    Grouped once for all governorates (counts by type, totals, the listed rows as records), not
    once per governorate: thousands of aggregate rows at 100,000 events."""
    admin1 = prov_counts["admin1"].fillna("").astype(str).to_numpy()
    n = prov_counts["n"].to_numpy(dtype=float)
    frame = pd.DataFrame({
        "admin1": admin1, "event_type": prov_counts["event_type"].to_numpy(), "n": n,
        "wlat": prov_counts["latitude"].to_numpy(dtype=float) * n,
        "wlon": prov_counts["longitude"].to_numpy(dtype=float) * n,
    })
    totals = frame.groupby("admin1", sort=True)[["n", "wlat", "wlon"]].sum()
    by_types = {str(k): s.droplevel(0).sort_values(ascending=False)
                for k, s in frame.groupby(["admin1", "event_type"], sort=True)["n"].sum().groupby(level=0, sort=False)}
    listed: dict[str, list[dict[str, Any]]] = {}
    if len(prov_events):
        key = prov_events["admin1"].fillna("").astype(str)
        head = prov_events.groupby(key, sort=False).head(options.province_list_limit)
        for k, record in zip(key[head.index].tolist(), province_list_records(head)):
            listed.setdefault(k, []).append(record)
    items = []
    for admin1_name, total in totals.iterrows():
        if basemap is not None and admin1_name in basemap.centroids:
            clat, clon = basemap.centroids[admin1_name]
        else:
            clat, clon = total["wlat"] / total["n"], total["wlon"] / total["n"]
        count = int(total["n"])
        items.append({"lat": round(float(clat), 4), "lon": round(float(clon), 4), "count": count, "admin1": admin1_name,
                      "html": province_popup_from_rows(admin1_name, count, by_types[admin1_name].astype(int),
                                                       listed.get(admin1_name, []))})
    g = folium.FeatureGroup(name="Governorate-level events", control=False)
    ProvinceRollup(items).add_to(g)
    return g


def _selected_group(df: pd.DataFrame, event_id: str, basemap: BasemapData | None, options: MapOptions,
                    record: Mapping[str, Any] | None = None) -> folium.FeatureGroup | None:
    if not len(df) or "event_id" not in df.columns:
        return None
    sel = df[df["event_id"].astype(str) == str(event_id)]
    if not len(sel):
        return None
    r = sel.iloc[0].to_dict()
    if record is not None and str(record.get("event_id")) == str(event_id):
        # the stored event whole: the page reads the sentence and actors only for some rows
        r.update({k: v for k, v in record.items() if v is not None})
    slat, slon = float(r["latitude"]), float(r["longitude"])
    if int_or_none(r.get("geo_precision")) == 3 and basemap is not None and r.get("admin1") in basemap.centroids:
        slat, slon = basemap.centroids[r["admin1"]]
    label = " \u00b7 ".join(x for x in (text_or_none(r.get("event_type")), text_or_none(r.get("location"))) if x)
    g = folium.FeatureGroup(name="Selected event", control=False)
    SelectedEvent(slat, slon, event_popup_html(r, options.notes_limit), str(r.get("event_id")), label).add_to(g)
    return g


def build_event_layers(
    events: pd.DataFrame | None, basemap: BasemapData | None = None, *, aggregates: pd.DataFrame | None = None,
    options: MapOptions = DEFAULT_OPTIONS, counts: Mapping[str, int] | None = None,
    selected_event_id: str | None = None, show_choropleth: bool = True, total: int | None = None,
    selected_record: Mapping[str, Any] | None = None,
) -> tuple[list[folium.FeatureGroup], EventLayersInfo]:
    """Feature groups for the filtered events (see the module doc).

    ``events``: rows with EVENT_FIELDS columns (all filtered events, or a most-recent sample when
    ``aggregates`` is given). ``aggregates``: counts per place for *all* filtered events
    (AGGREGATE_COLUMNS), from the store; when given, markers are drawn from it. ``counts``:
    admin1 -> events for the choropleth (default: counted from the aggregates or the events).
    ``selected_record``: the selected event as stored, for its popup (``events`` may lack its text).
    """
    df = events if events is not None else pd.DataFrame(columns=list(EVENT_FIELDS))
    if counts is None:
        counts = ({str(k): int(v) for k, v in aggregates.groupby("admin1")["n"].sum().items() if k in SYRIA_GOVERNORATES}
                  if aggregates is not None else governorate_counts(df))
    groups: list[folium.FeatureGroup] = []
    if show_choropleth and basemap is not None:
        groups.append(_choropleth_group(basemap, dict(counts)))
    gp = precision_array(df) if len(df) else np.zeros(0, dtype=int)
    if aggregates is None and int((gp < 3).sum()) > options.max_points:
        aggregates = aggregate_events(df)
    n_events = int(total) if total is not None else (int(aggregates["n"].sum()) if aggregates is not None else len(df))
    if n_events == 0 or (aggregates is None and df.empty):
        return groups, EventLayersInfo()

    n_detailed = 0
    areas, cell = None, None
    if aggregates is not None:
        agg = aggregates[np.isfinite(pd.to_numeric(aggregates["latitude"], errors="coerce"))]
        group, n_points, areas, cell = _aggregate_group(agg, options)
        n_markers = len(areas)
        prov_counts = agg[agg["geo_precision"] >= 3]
    else:
        df = sorted_recent_first(df)  # once, for the markers' order and the popups' lists
        gp = precision_array(df)
        lat = pd.to_numeric(df["latitude"], errors="coerce").to_numpy(dtype=float)
        lon = pd.to_numeric(df["longitude"], errors="coerce").to_numpy(dtype=float)
        pts = df[np.isfinite(lat) & np.isfinite(lon) & (gp < 3)]
        group, n_points, n_markers = None, len(pts), len(pts)
        if len(pts):
            group, n_detailed = _event_group(pts, options)
        prov_counts = aggregate_events(df[gp >= 3])
    if group is not None:
        groups.append(group)
    n_province = int(prov_counts["n"].sum()) if len(prov_counts) else 0
    if n_province:
        prov_events = sorted_recent_first(df[gp >= 3]) if len(df) else df
        groups.append(_province_group(prov_counts, prov_events, basemap, options))
    if selected_event_id is not None:
        sel = _selected_group(df, selected_event_id, basemap, options, selected_record)
        if sel is not None:
            groups.append(sel)
    return groups, EventLayersInfo(n_events=n_events, n_points=n_points, n_markers=n_markers, n_province=n_province,
                                   n_detailed=n_detailed, aggregated=aggregates is not None, areas=areas, cell=cell)


def build_map(
    events: pd.DataFrame, basemap: BasemapData | None = None, *, options: MapOptions = DEFAULT_OPTIONS,
    online_tiles: bool = False, selected_event_id: str | None = None,
    offline_tiles: Any = True,
) -> tuple[folium.Map, EventLayersInfo]:
    """Base map plus event layers in one folium.Map (standalone HTML, tests)."""
    m = build_base_map(basemap, online_tiles=online_tiles, size_by_fatalities=options.size_by_fatalities,
                       offline_tiles=offline_tiles)
    groups, info = build_event_layers(events, basemap, options=options, selected_event_id=selected_event_id)
    for g in groups:
        g.add_to(m)
    return m, info
