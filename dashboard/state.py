"""Filter state that survives page switches and reloads, mirrored in the URL.

Streamlit forgets a widget's value when a run does not draw the widget (the Ingest page does not
draw the Map's filters), and a widget drawn again without a value falls back to its default: the
filters "reset" and two of them silently changed (undated events hidden, precision "Town only").
So every filter value is also kept under a plain session key (``KEPT``), restored into the widget
key before the widget is drawn, and written to the URL (``?gov=...&prec=...``) so that a reload or
a shared link restores it too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st

from geo.dates import parse_date
from geo.errors import ValidationError
from geo.models import EVENT_TYPES, SYRIA_GOVERNORATES

PRECISIONS = {1: "Town only", 2: "Town or near a town", 3: "Any (incl. governorate only)"}
ALL_SUB_TYPES = tuple(dict.fromkeys(s for subs in EVENT_TYPES.values() for s in subs))

# widget key -> (query parameter, default)
FILTERS: dict[str, tuple[str, Any]] = {
    "f_undated": ("undated", True),
    "f_gov": ("gov", []),
    "f_types": ("type", []),
    "f_subtypes": ("subtype", []),
    "f_actors": ("actor", []),
    "f_text": ("q", ""),
    "f_prec": ("prec", 3),
    "f_osm": ("osm", False),
    "f_size": ("size", "count"),
}
MULTI = {"f_gov", "f_types", "f_subtypes", "f_actors"}
KEPT = "_kept_filters"  # plain session key (not a widget key): survives page switches
SIZE_MODES = {"count": "Events", "fatalities": "Fatalities"}


def url_date(value: str | None) -> dt.date | None:
    try:
        return parse_date(value) if value else None
    except ValidationError:
        return None


def _from_url(key: str) -> Any:
    qp = st.query_params
    name, default = FILTERS[key]
    if key in MULTI:
        allowed = {"f_gov": SYRIA_GOVERNORATES, "f_types": EVENT_TYPES, "f_subtypes": ALL_SUB_TYPES}.get(key)
        values = qp.get_all(name)
        return [v for v in values if allowed is None or v in allowed]
    raw = qp.get(name)
    if raw is None:
        return default
    if key == "f_undated":
        return raw != "0"
    if key == "f_osm":
        return raw == "1"
    if key == "f_prec":
        return int(raw) if raw in ("1", "2", "3") else 3
    if key == "f_size":
        return raw if raw in SIZE_MODES else default
    return raw


def init_from_url() -> None:
    """The first run of a session reads the URL (a reload or a shared link)."""
    if st.session_state.get("_init"):
        return
    st.session_state["_init"] = True
    kept = {key: _from_url(key) for key in FILTERS}
    kept["dates"] = (url_date(st.query_params.get("from")), url_date(st.query_params.get("to")))
    kept["view"] = st.session_state["_initial_view"] = map_view_from_url()
    st.session_state[KEPT] = kept
    st.session_state["article_id"] = st.query_params.get("article") or ""
    event = st.query_params.get("event")
    if event:
        st.session_state["event_id"] = event


def map_view_from_url() -> tuple[float, float, int] | None:
    """``?lat=..&lon=..&z=..``: the map's centre and zoom."""
    try:
        lat, lon, z = float(st.query_params["lat"]), float(st.query_params["lon"]), int(st.query_params["z"])
    except (KeyError, ValueError, TypeError):
        return None
    if -90 <= lat <= 90 and -180 <= lon <= 180 and 1 <= z <= 18:
        return lat, lon, z
    return None


def kept() -> dict[str, Any]:
    return st.session_state.setdefault(KEPT, {key: default for key, (_, default) in FILTERS.items()})


def restore_widgets() -> None:
    """Before the filter widgets are drawn: give each its kept value if Streamlit dropped it."""
    values = kept()
    for key, (_, default) in FILTERS.items():
        if key not in st.session_state:
            v = values.get(key, default)
            st.session_state[key] = list(v) if isinstance(v, list) else v


def keep_widgets() -> None:
    """After the filter widgets are drawn: remember their values for the next page switch."""
    values = kept()
    for key in FILTERS:
        if key in st.session_state:
            v = st.session_state[key]
            values[key] = list(v) if isinstance(v, list) else v


def filter_params() -> dict[str, Any]:
    """The kept filters as URL parameters (defaults left out)."""
    values = kept()
    params: dict[str, Any] = {}
    for key, (name, default) in FILTERS.items():
        v = values.get(key, default)
        if v == default:
            continue
        if isinstance(v, bool):
            params[name] = "1" if v else "0"
        else:
            params[name] = v
    return params


def write_url(params: dict[str, Any]) -> None:
    """Mirror the state in the URL (only when it changed, so no rerun loops)."""
    clean: dict[str, Any] = {}
    for k, v in params.items():
        if v is None or v == "" or v == [] or v == ():
            continue
        clean[k] = [str(x) for x in v] if isinstance(v, (list, tuple)) else str(v)
    current = {k: (st.query_params.get_all(k) if isinstance(clean.get(k), list) else st.query_params.get(k))
               for k in st.query_params}
    if current != clean:
        st.query_params.from_dict(clean)
