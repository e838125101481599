"""The map page's sidebar: filters (kept across pages, see :mod:`dashboard.state`) and playback."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import data, state
from geo.models import EVENT_TYPES, SYRIA_GOVERNORATES
from geo.store import EventFilter


def _sync_from_slider() -> None:
    a, b = st.session_state["f_dates"]
    st.session_state["f_from"], st.session_state["f_to"] = a, b
    state.kept()["dates"] = (a, b)


def _sync_from_inputs() -> None:
    a, b = st.session_state.get("f_from"), st.session_state.get("f_to")
    old_a, old_b = st.session_state.get("f_dates") or (a, b)
    a, b = a or old_a, b or old_b
    if a > b:
        a, b = b, a
    st.session_state["f_dates"] = (a, b)
    state.kept()["dates"] = (a, b)


def date_widgets(span: tuple[dt.date, dt.date]) -> tuple[dt.date, dt.date]:
    """A range slider and two typed dates on one value (kept across pages, clamped to the span)."""
    lo, hi = span
    if lo == hi:
        hi = lo + dt.timedelta(days=1)
    a, b = state.kept().get("dates") or (None, None)
    a, b = a or lo, b or hi
    a, b = min(max(a, lo), hi), min(max(b, lo), hi)
    if a > b:
        a, b = lo, hi
    # widget values set before the widgets are drawn (allowed), from the one kept value
    st.session_state["f_dates"] = (a, b)
    st.session_state["f_from"], st.session_state["f_to"] = a, b
    sb = st.sidebar
    sb.slider("Dates", min_value=lo, max_value=hi, step=dt.timedelta(days=1), format="YYYY-MM-DD",
              key="f_dates", on_change=_sync_from_slider)
    typed = sb.container(horizontal=True, wrap=False)
    typed.date_input("From", min_value=lo, max_value=hi, format="YYYY-MM-DD", key="f_from", on_change=_sync_from_inputs)
    typed.date_input("To", min_value=lo, max_value=hi, format="YYYY-MM-DD", key="f_to", on_change=_sync_from_inputs)
    state.kept()["dates"] = st.session_state["f_dates"]
    return st.session_state["f_dates"]


def sidebar_filters(location: str, version: str) -> tuple[EventFilter, dict[str, Any], dict[str, Any]]:
    """The filter widgets. Returns the filter, the URL parameters and display options."""
    sb = st.sidebar
    state.restore_widgets()
    span = data.q_span(location, version)
    params: dict[str, Any] = {}
    date_from = date_to = None
    sb.subheader("Filters")
    if span is not None:
        date_from, date_to = date_widgets(span)
        params["from"] = date_from.isoformat() if date_from != span[0] else None
        params["to"] = date_to.isoformat() if date_to != span[1] else None
    else:
        sb.caption("No dated events in the store yet.")
    sb.toggle("Include undated events", key="f_undated")
    sb.multiselect("Governorates", list(SYRIA_GOVERNORATES), key="f_gov", placeholder="All governorates")
    sb.multiselect("Event types", list(EVENT_TYPES), key="f_types", placeholder="All types")
    chosen_types = st.session_state["f_types"] or list(EVENT_TYPES)
    sub_options = [s for t in chosen_types for s in EVENT_TYPES[t]]
    st.session_state["f_subtypes"] = [s for s in st.session_state["f_subtypes"] if s in sub_options]
    sb.multiselect("Sub-event types", sub_options, key="f_subtypes", placeholder="All sub-types")
    actors = actor_filter(location, version)
    sb.text_input("Search notes, places and actors", key="f_text", placeholder="e.g. car bomb")
    sb.selectbox("Location precision", list(state.PRECISIONS), format_func=state.PRECISIONS.get, key="f_prec")
    sb.radio("Marker size", list(state.SIZE_MODES), format_func=state.SIZE_MODES.get, key="f_size",
             horizontal=True, help="Size of aggregated markers: by event count or by fatalities")
    sb.toggle("Online basemap (OpenStreetMap)", key="f_osm", help="Off by default: the map works offline.")
    state.keep_widgets()
    params.update(state.filter_params())
    if span is not None:
        # a bound at the end of the data's span filters nothing: leave it out (simpler SQL)
        date_from = None if date_from is not None and date_from <= span[0] else date_from
        date_to = None if date_to is not None and date_to >= span[1] else date_to
    flt = EventFilter(
        date_from=date_from,
        date_to=date_to,
        include_undated=st.session_state["f_undated"],
        admin1=tuple(st.session_state["f_gov"]),
        event_types=tuple(st.session_state["f_types"]),
        sub_event_types=tuple(st.session_state["f_subtypes"]),
        actors=actors,
        text=st.session_state["f_text"],
        max_geo_precision=int(st.session_state["f_prec"]),
    )
    opts = {"osm": bool(st.session_state["f_osm"]), "span": span, "size": st.session_state["f_size"],
            "range": st.session_state.get("f_dates") if span is not None else None}
    return flt, params, opts


def actor_names(location: str, version: str) -> dict[str, list[str]]:
    """Canonical actor name -> the names stored for it. The filter lists one name per actor
    ("Islamic State (Syria)", not ISIS / ISIL / Daesh / IS...), so typing "IS" does not offer
    forty names; a pick matches every stored alias."""
    from geo import extract

    canonical = getattr(extract, "canonical_actor", None)  # the extraction package's actor table
    out: dict[str, list[str]] = {}
    for name in data.q_actors(location, version):
        out.setdefault((canonical(name) if canonical else name) or name, []).append(name)
    return dict(sorted(out.items()))


def actor_filter(location: str, version: str) -> tuple[str, ...]:
    """The actor multiselect; returns the stored names the picks stand for."""
    names = actor_names(location, version)
    st.session_state["f_actors"] = [a for a in st.session_state["f_actors"] if a in names]
    st.sidebar.multiselect("Actors", list(names), key="f_actors", placeholder="Any actor")
    return tuple(stored for pick in st.session_state["f_actors"] for stored in names[pick])


# ---------------------------------------------------------------------------------------------
# Time playback

STEP_FREQ = {"Day": "D", "Week": "W-MON", "Month": "MS"}


def playback_periods(lo: dt.date, hi: dt.date, step: str) -> list[tuple[dt.date, dt.date]]:
    if step == "Week":
        starts = pd.date_range(pd.Timestamp(lo) - pd.Timedelta(days=pd.Timestamp(lo).weekday()), hi, freq="W-MON")
    else:
        starts = pd.date_range(pd.Timestamp(lo).to_period(STEP_FREQ[step][0]).start_time, hi, freq=STEP_FREQ[step])
    out = []
    for s in starts:
        e = (s + pd.offsets.MonthEnd(0)) if step == "Month" else s + pd.Timedelta(days=0 if step == "Day" else 6)
        out.append((max(s.date(), lo), min(e.date(), hi)))
    return out or [(lo, hi)]


# The playback position lives under a plain key ("play_pos"); the slider ("play_idx") is set from
# it before it is drawn. Callbacks and the autoplay fragment change only "play_pos": changing a
# widget's key after the widget is drawn raises StreamlitWidgetAlreadyInstantiatedError (which
# left the map empty when Play went through a day without events).
def _play_step(delta: int, n: int) -> None:
    st.session_state["play_pos"] = (int(st.session_state.get("play_pos", 0)) + delta) % max(n, 1)


def _play_slid() -> None:
    st.session_state["play_pos"] = int(st.session_state["play_idx"])


def _play_toggle() -> None:
    st.session_state["playing"] = not st.session_state.get("playing", False)


def sidebar_playback(flt: EventFilter, date_range: tuple[dt.date, dt.date] | None) -> tuple[EventFilter, str | None]:
    """Narrow the filter to one period of the date range (stepped or played)."""
    with st.sidebar.expander("Time playback", expanded=bool(st.session_state.get("play_on"))):
        st.toggle("Step through time", key="play_on")
        if not st.session_state.get("play_on") or date_range is None:
            st.session_state["playing"] = False
            return flt, None
        st.radio("Step", list(STEP_FREQ), key="play_step", horizontal=True)
        st.checkbox("Cumulative (from the start of the range)", key="play_cumulative")
        range_from, range_to = date_range
        periods = playback_periods(range_from, range_to, st.session_state.get("play_step", "Day"))
        n = len(periods)
        pos = min(max(int(st.session_state.get("play_pos", 0)), 0), n - 1)
        st.session_state["play_pos"] = st.session_state["play_idx"] = pos
        c1, c2, c3 = st.columns(3)
        c1.button("\u25c0", key="play_prev", on_click=_play_step, args=(-1, n), help="Previous period", width="stretch")
        c2.button("\u25b6", key="play_next", on_click=_play_step, args=(1, n), help="Next period", width="stretch")
        c3.button("Pause" if st.session_state.get("playing") else "Play", key="play_toggle", width="stretch",
                  on_click=_play_toggle)
        st.slider("Period", 0, max(n - 1, 1), key="play_idx", format="%d", on_change=_play_slid, disabled=n < 2)
        start, end = periods[pos]
        if st.session_state.get("play_cumulative"):
            start = range_from
        label = f"{start.isoformat()} \u2013 {end.isoformat()}" if start != end else start.isoformat()
        st.caption(f"Showing {label} ({pos + 1} of {n})")
        if st.session_state.get("playing"):
            _autoplay(n)
    return dataclasses.replace(flt, date_from=start, date_to=end, include_undated=False), label


@st.fragment(run_every=1.5)
def _autoplay(n: int) -> None:
    if not st.session_state.get("playing"):
        return
    last = st.session_state.get("_play_tick", 0.0)
    if time.monotonic() - last < 1.2:
        return
    st.session_state["_play_tick"] = time.monotonic()
    if int(st.session_state.get("play_pos", 0)) >= n - 1:
        st.session_state["playing"] = False
    else:
        _play_step(1, n)
    st.rerun(scope="app")
