"""Dashboard data beside the map: events and fatalities over time, headline metrics."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from geo.webmap.aggregate import date_series
from geo.webmap.style import TYPE_NAMES


def _dated(df: pd.DataFrame, freq: str) -> pd.DataFrame:
    sub = pd.DataFrame({
        "date": date_series(df["event_date"]),
        "type": df["event_type"].astype(str),
        "fatalities": pd.to_numeric(df["fatalities"], errors="coerce").fillna(0) if "fatalities" in df.columns else 0,
    }).dropna(subset=["date"])
    if not sub.empty:
        sub["period"] = sub["date"].dt.to_period(freq).dt.start_time
    return sub


def timeline(df: pd.DataFrame, freq: str = "W", value: str = "events") -> pd.DataFrame:
    """Events (or, with ``value="fatalities"``, their fatalities) per period and type: index = period
    start, one column per event type present, in legend order. Undated events are left out."""
    if df is None or df.empty:
        return pd.DataFrame()
    sub = _dated(df, freq)
    if sub.empty:
        return pd.DataFrame()
    grouped = sub.groupby(["period", "type"])
    series = grouped.size() if value == "events" else grouped["fatalities"].sum().astype(int)
    out = series.unstack("type", fill_value=0).sort_index()
    out = out[[t for t in TYPE_NAMES if t in out.columns]]
    out.index.name = "period"
    return out


def fatalities_timeline(df: pd.DataFrame, freq: str = "W") -> pd.DataFrame:
    """Fatalities per period and type (the chart beside the events chart)."""
    return timeline(df, freq, value="fatalities")


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
