"""Which event a click on the map hit: a pure function of st_folium's return value.

Every event marker carries its event id; its tooltip (bound in the browser when the pointer
reaches the marker, and at the latest when it is clicked, before streamlit-folium reads it)
ends with an id token ``\\u2063event:ID\\u2063`` that streamlit-folium returns as
``last_object_clicked_tooltip`` (the tooltip's text). Markers inside clusters work the same: a
click reaches the cluster group with the marker as ``sourceTarget``. Without a token (aggregate
markers, roll-ups, an older page), the click's position resolves only when exactly one event
sits there: a click is never guessed to mean one of several events.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

TOKEN = re.compile("\u2063event:(.+?)\u2063")
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
