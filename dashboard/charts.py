"""The Map page's charts: events per period by type, fatalities per period, events per governorate.

Each chart is a plain Vega-Lite spec (a dict) over a few rows already aggregated (per period and
type, per period, per governorate), handed to ``st.vega_lite_chart``: no Altair objects (their
schema validation and ``to_dict`` cost more than the rest of a rerun), and no per-event rows sent
to the browser. The per-day counts come from the store's GROUP BY query ``day_type_counts`` at any
size (cached per filter), not from the page's rows.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import data
from geo.store import EventFilter
from geo.webmap import layers as mapping

FATALITY_COLOR = "#6b1d1d"
FEW_PERIODS = 62  # up to this many periods, every period gets a bar (zeros too)


def chart_frequency(span_days: int) -> tuple[str, str]:
    choice = st.session_state.get("chart_freq", "Auto")
    if choice == "Day" or (choice == "Auto" and span_days <= 90):
        return "D", "day"
    if choice == "Week" or (choice == "Auto" and span_days <= 3 * 365):
        return "W", "week"
    return "M", "month"


def _periods(frame: pd.DataFrame, freq: str) -> pd.DataFrame:
    # ISO days from the store; one outside pandas' range (a stored 0214) is left out, not an error
    d = frame.assign(date=pd.to_datetime(frame["event_date"], format="%Y-%m-%d", errors="coerce")).dropna(subset=["date"])
    d["period"] = d["date"].dt.to_period(freq).dt.start_time
    return d


def timeline_frame(type_days: pd.DataFrame, freq: str) -> pd.DataFrame:
    """Events per period (index) and type (columns, legend order), from per-(day, type) counts."""
    if type_days is None or type_days.empty:
        return pd.DataFrame()
    d = _periods(type_days, freq)
    if d.empty:
        return pd.DataFrame()
    out = d.pivot_table(index="period", columns="event_type", values="n", aggfunc="sum", fill_value=0)
    return out[[t for t in mapping.TYPE_NAMES if t in out.columns]].sort_index()


def fatalities_frame(days: pd.DataFrame, freq: str) -> pd.DataFrame:
    if days.empty:
        return pd.DataFrame()
    d = _periods(days, freq)
    return d.groupby("period")[["fatalities"]].sum().sort_index()


def _full_index(frame: pd.DataFrame, freq: str) -> pd.DataFrame:
    """Few periods: every period (zeros too), so that gaps show as gaps."""
    full_index = pd.period_range(frame.index.min(), frame.index.max(), freq=freq).start_time
    if len(full_index) <= FEW_PERIODS:
        frame = frame.reindex(full_index, fill_value=0)
    return frame


def _time_axis(freq: str) -> dict[str, Any]:
    unit = {"D": "yearmonthdate", "W": "yearmonthdate", "M": "yearmonth"}[freq]
    fmt = "%Y-%m" if freq == "M" else "%Y-%m-%d"
    return {"field": "period", "type": "temporal", "timeUnit": unit, "title": None,
            "axis": {"format": fmt, "labelOverlap": True}}


def _long(frame: pd.DataFrame, value: str) -> pd.DataFrame:
    """Periods as ISO strings (the browser reads them as local dates, so bars do not shift a day)."""
    out = frame.copy()
    out.index = pd.DatetimeIndex(out.index).strftime("%Y-%m-%d")
    out.index.name = "period"
    if value == "n":
        return out.reset_index().melt(id_vars="period", var_name="type", value_name="n").query("n > 0")
    return out.reset_index()


def timeline_spec(frame: pd.DataFrame, freq: str, height: int = 200) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Stacked bars of events per period by type, in the legend's colours."""
    rows = _long(frame, "n")
    types = [t for t in mapping.TYPE_NAMES if t in frame.columns]
    spec = {
        "height": height,
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": _time_axis(freq),
            "y": {"field": "n", "type": "quantitative", "aggregate": "sum", "title": "events", "stack": "zero"},
            "color": {"field": "type", "type": "nominal", "title": None,
                      "scale": {"domain": types, "range": [mapping.TYPE_COLORS[t] for t in types]},
                      "legend": {"orient": "bottom", "columns": 3}},
            "order": {"field": "type", "sort": "ascending"},
        },
    }
    return rows, spec


def fatalities_spec(frame: pd.DataFrame, freq: str, height: int = 160) -> tuple[pd.DataFrame, dict[str, Any]]:
    rows = _long(frame, "fatalities")
    spec = {
        "height": height,
        "mark": {"type": "bar", "color": FATALITY_COLOR, "tooltip": True},
        "encoding": {"x": _time_axis(freq),
                     "y": {"field": "fatalities", "type": "quantitative", "title": "fatalities"}},
    }
    return rows, spec


def governorate_spec(by_admin1: dict[str, int]) -> tuple[pd.DataFrame, dict[str, Any]]:
    rows = pd.DataFrame({"governorate": list(by_admin1), "events": [int(v) for v in by_admin1.values()]})
    spec = {
        "height": max(120, 24 * len(rows) + 40),
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "y": {"field": "governorate", "type": "nominal", "title": None, "sort": "-x"},
            "x": {"field": "events", "type": "quantitative", "title": "events"},
        },
    }
    return rows, spec


def _draw(rows: pd.DataFrame, spec: dict[str, Any], key: str) -> None:
    st.vega_lite_chart(rows, spec, width="stretch", key=key)


@st.fragment
def render(location: str, version: str, got: dict[str, Any], flt: EventFilter, opts: dict[str, Any]) -> None:
    """The charts, as a fragment: changing their period (day, week, month) reruns them alone,
    not the map and the table."""
    rng = opts.get("range") or (None, None)
    lo, hi = flt.date_from or rng[0], flt.date_to or rng[1]
    span_days = (hi - lo).days if lo and hi else 365
    freq, unit = chart_frequency(span_days)
    head = st.container(horizontal=True, vertical_alignment="center")
    head.markdown(f"**Events per {unit}, by type**", width="stretch")
    head.selectbox("Period", ["Auto", "Day", "Week", "Month"], key="chart_freq", label_visibility="collapsed",
                   width=130)
    day_types = data.q_day_types(location, version, got["key"])  # one GROUP BY in the store, at any size
    tl = timeline_frame(day_types, freq)
    if tl.empty:
        st.caption("No dated events.")
    else:
        _draw(*timeline_spec(_full_index(tl, freq), freq), key="chart_types")
        days = data.fatalities_per_day(day_types)
        st.markdown(f"**Fatalities per {unit}**")
        fat = fatalities_frame(days, freq)
        if fat.empty or not fat["fatalities"].any():
            st.caption("No fatalities reported.")
        else:
            _draw(*fatalities_spec(_full_index(fat, freq), freq), key="chart_fatalities")
    st.markdown("**Events per governorate**")
    by_gov = {str(k): int(v) for k, v in got["summary"]["by_admin1"].items() if k}
    if not by_gov:
        st.caption("No events.")
    else:
        _draw(*governorate_spec(by_gov), key="chart_governorates")
