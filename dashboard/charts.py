"""The Map page's charts: events per period by type, fatalities per period, events per governorate."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import data
from geo.store import EventFilter
from geo.webmap import layers as mapping


def chart_frequency(span_days: int) -> tuple[str, str]:
    choice = st.session_state.get("chart_freq", "Auto")
    if choice == "Day" or (choice == "Auto" and span_days <= 90):
        return "D", "day"
    if choice == "Week" or (choice == "Auto" and span_days <= 3 * 365):
        return "W", "week"
    return "M", "month"


def _periods(frame: pd.DataFrame, freq: str) -> pd.DataFrame:
    d = frame.assign(date=pd.to_datetime(frame["event_date"], errors="coerce")).dropna(subset=["date"])
    d["period"] = d["date"].dt.to_period(freq).dt.start_time
    return d


def timeline_frame(df: pd.DataFrame | None, type_days: pd.DataFrame | None, freq: str) -> pd.DataFrame:
    if type_days is not None:
        if type_days.empty:
            return pd.DataFrame()
        d = _periods(type_days, freq)
        out = d.pivot_table(index="period", columns="event_type", values="n", aggfunc="sum", fill_value=0)
        return out[[t for t in mapping.TYPE_NAMES if t in out.columns]].sort_index()
    return mapping.timeline(df, freq) if df is not None else pd.DataFrame()


def fatalities_frame(days: pd.DataFrame, freq: str) -> pd.DataFrame:
    if days.empty:
        return pd.DataFrame()
    d = _periods(days, freq)
    return d.groupby("period")[["fatalities"]].sum().sort_index()


def _full_index(frame: pd.DataFrame, freq: str) -> pd.DataFrame:
    """Few bars: every period (zeros too), labelled by date."""
    full_index = pd.period_range(frame.index.min(), frame.index.max(), freq=freq).start_time
    if len(full_index) <= 62:
        frame = frame.reindex(full_index, fill_value=0)
        frame.index = frame.index.strftime("%Y-%m-%d" if freq != "M" else "%Y-%m")
    return frame


def render(location: str, version: str, got: dict[str, Any], flt: EventFilter, opts: dict[str, Any]) -> None:
    rng = opts.get("range") or (None, None)
    lo, hi = flt.date_from or rng[0], flt.date_to or rng[1]
    span_days = (hi - lo).days if lo and hi else 365
    freq, unit = chart_frequency(span_days)
    head = st.columns([2, 1])
    head[0].markdown(f"**Events per {unit}, by type**")
    head[1].selectbox("Period", ["Auto", "Day", "Week", "Month"], key="chart_freq", label_visibility="collapsed")
    key = got["key"]
    tl = timeline_frame(got["df"] if got["full"] else None,
                        None if got["full"] else data.q_type_days(location, version, key), freq)
    if tl.empty:
        st.caption("No dated events.")
    else:
        tl = _full_index(tl, freq)
        st.bar_chart(tl, color=[mapping.TYPE_COLORS[t] for t in tl.columns], height=200, x_label="", y_label="events")
        days = data.fatalities_per_day(got["df"]) if got["full"] else data.q_fatality_days(location, version, key)
        st.markdown(f"**Fatalities per {unit}**")
        fat = fatalities_frame(days, freq) if days is not None else None
        if fat is None:
            st.caption("Too many events to sum here: narrow the filters for the fatalities chart.")
        elif fat.empty or not fat["fatalities"].any():
            st.caption("No fatalities reported.")
        else:
            st.bar_chart(_full_index(fat, freq), color="#6b1d1d", height=160, x_label="", y_label="fatalities")
    st.markdown("**Events per governorate**")
    by_gov = pd.Series(got["summary"]["by_admin1"], dtype="int64")
    if by_gov.empty:
        st.caption("No events.")
    else:
        frame = by_gov.rename_axis("governorate").reset_index(name="events")
        st.bar_chart(frame, x="governorate", y="events", horizontal=True, sort="-events",
                     height=max(120, 24 * len(frame) + 40), x_label="events", y_label="")
