"""Which event a click on the map hit: a pure function of st_folium's return value.

Every event marker carries its event id; its tooltip (bound in the browser when the pointer
reaches the marker, and at the latest when it is clicked, before streamlit-folium reads it)
ends with an id token ``\\u2063event:ID\\u2063`` that streamlit-folium returns as
``last_object_clicked_tooltip`` (the tooltip's text). Markers inside clusters work the same: a
click reaches the cluster group with the marker as ``sourceTarget``. Without a token (aggregate
markers, roll-ups, an older page), the click's position resolves only when exactly one event
sits there: a click is never guessed to mean one of several events.

Aggregate markers (too many events to draw one by one) carry ``\u2063area:I\u2063`` instead, I
being the marker's row among the aggregates drawn: :func:`clicked_area` turns a click on one into
the bounding box of its area, so the page can show that area's single events.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

TOKEN = re.compile("\u2063event:(.+?)\u2063")
AREA_TOKEN = re.compile("\u2063area:(\\d+)\u2063")
# Half the side of the box shown for a clicked aggregate that merged no grid cells (one place):
# ~2 km, enough for the events placed "near" the town (geo_precision 2) around its mean position.
AREA_HALF_DEG = 0.02
# Positions are sent rounded to 4 decimals (~10 m); a click reports the marker's own position.
POSITION_TOLERANCE_DEG = 1e-4 * 0.51


def _ids(events: pd.DataFrame | None) -> pd.Series:
    if events is None or "event_id" not in events.columns:
        return pd.Series([], dtype=str)
    return events["event_id"].astype(str)


def _from_texts(result: Mapping[str, Any], ids: pd.Series) -> str | None:
    known = set(ids.tolist())
    for key in ("last_object_clicked_tooltip", "last_object_clicked_popup"):
        text = result.get(key)
        if not isinstance(text, str):
            continue
        # The marker's own token comes last (user text in the label comes before it).
        for token in reversed(TOKEN.findall(text)):
            if token in known:
                return token
    return None


def _from_position(result: Mapping[str, Any], events: pd.DataFrame, ids: pd.Series) -> str | None:
    where = result.get("last_object_clicked")
    if not isinstance(where, Mapping):
        return None
    try:
        lat, lon = float(where["lat"]), float(where["lng"])
    except (KeyError, TypeError, ValueError):
        return None
    la = pd.to_numeric(events["latitude"], errors="coerce").to_numpy(dtype=float)
    lo = pd.to_numeric(events["longitude"], errors="coerce").to_numpy(dtype=float)
    gp = pd.to_numeric(events.get("geo_precision", 1), errors="coerce")
    located = np.asarray(gp if isinstance(gp, pd.Series) else np.full(len(events), gp)) < 3
    hit = (np.abs(np.round(la, 4) - lat) <= POSITION_TOLERANCE_DEG) & (
        np.abs(np.round(lo, 4) - lon) <= POSITION_TOLERANCE_DEG) & located
    found = ids[hit].unique()
    return str(found[0]) if len(found) == 1 else None


def clicked_event_id(st_folium_result: Mapping[str, Any] | None, events: pd.DataFrame | None) -> str | None:
    """The id of the event the user clicked, or None (nothing clicked, not an event, ambiguous).

    ``st_folium_result``: what ``st_folium(..., returned_objects=["last_object_clicked",
    "last_object_clicked_tooltip"])`` returned. ``events``: the events drawn (``event_id``,
    ``latitude``, ``longitude``, ``geo_precision``); an id not among them is refused.
    """
    if not st_folium_result or events is None or not len(events):
        return None
    ids = _ids(events)
    found = _from_texts(st_folium_result, ids)
    if found is not None:
        return found
    return _from_position(st_folium_result, events, ids)


def clicked_area(st_folium_result: Mapping[str, Any] | None, areas: pd.DataFrame | None,
                 cell: float | None = None) -> dict[str, Any] | None:
    """The area of the aggregate marker the user clicked, or None (not an aggregate, stale index).

    ``areas``: the aggregate rows drawn (EventLayersInfo.areas, AGGREGATE_COLUMNS), in marker
    order; ``cell``: the grid cell they were merged into (None: one marker per place and type).
    Returns ``bbox`` (min_lat, min_lon, max_lat, max_lon, for EventFilter.bbox), ``center``
    (lat, lon), ``label`` (the place) and ``n`` (the marker's count).
    """
    if not st_folium_result or areas is None or not len(areas):
        return None
    text = st_folium_result.get("last_object_clicked_tooltip")
    found = AREA_TOKEN.findall(text) if isinstance(text, str) else []
    if not found or int(found[-1]) >= len(areas):
        return None
    row = areas.iloc[int(found[-1])]
    lat, lon = float(row["latitude"]), float(row["longitude"])
    where = st_folium_result.get("last_object_clicked")
    if isinstance(where, Mapping) and where.get("lat") is not None and (  # a stale index points elsewhere
            abs(float(where["lat"]) - lat) > 1e-3 or abs(float(where["lng"]) - lon) > 1e-3):
        return None
    half = max(float(cell) if cell else 0.0, AREA_HALF_DEG)
    return {"bbox": (round(lat - half, 5), round(lon - half, 5), round(lat + half, 5), round(lon + half, 5)),
            "center": (lat, lon), "label": str(row["location"]), "n": int(row["n"])}
