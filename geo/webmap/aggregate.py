"""Event tables -> what the map draws: dates, recency order, per-place aggregates, choropleth classes.

Pure pandas/numpy; no HTML, no folium.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from geo.dates import parse_date
from geo.errors import ValidationError
from geo.models import SYRIA_GOVERNORATES
from geo.webmap.style import CHOROPLETH_COLORS, TYPE_NAMES

AGGREGATE_COLUMNS = ("latitude", "longitude", "event_type", "geo_precision", "admin1", "location", "n")


def date_series(values: pd.Series) -> pd.Series:
    """``datetime64`` dates of a column, each distinct value parsed once by geo.dates.parse_date
    (unreadable values become NaT: undated)."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.normalize()
    present = values.dropna()
    if all(isinstance(v, dt.date) for v in present):
        # the store's frames hold date objects (geo.store.frames): already parsed, converted at once
        days = np.array(values.where(values.notna(), None).to_numpy(), dtype="datetime64[D]")
        return pd.Series(days.astype("datetime64[ns]"), index=values.index)
    uniques = pd.unique(present) if len(present) else []
    lookup = {u: event_date(u) for u in uniques}
    return pd.to_datetime(values.map(lookup), errors="coerce")


def event_date(value: Any) -> dt.date | None:
    """The event's date through THE parser (geo.dates.parse_date); an unreadable value is undated."""
    try:
        return parse_date(value, what="event date")
    except ValidationError:
        return None


def iso_date(value: Any) -> str | None:
    """'YYYY-MM-DD' of a date value (parsed by geo.dates.parse_date), None when missing or unreadable."""
    d = event_date(value)
    return d.isoformat() if d else None


def sorted_recent_first(df: pd.DataFrame) -> pd.DataFrame:
    """Rows by event date, most recent first; undated last (stable)."""
    if "event_date" not in df.columns or df.empty:
        return df
    raw = date_series(df["event_date"]).to_numpy(dtype="datetime64[s]")
    vals = raw.astype(np.int64).astype(float)
    vals[np.isnat(raw)] = -np.inf
    return df.iloc[np.argsort(-vals, kind="stable")]


def type_index(series: pd.Series) -> np.ndarray:
    """Index of each event type in TYPE_NAMES (unknown types: the last, "Strategic developments")."""
    lookup = {t: i for i, t in enumerate(TYPE_NAMES)}
    return series.map(lookup).fillna(len(TYPE_NAMES) - 1).astype(int).to_numpy()


def precision_array(df: pd.DataFrame) -> np.ndarray:
    return pd.to_numeric(df["geo_precision"], errors="coerce").fillna(1).astype(int).to_numpy()


def aggregate_events(df: pd.DataFrame) -> pd.DataFrame:
    """Event counts per place (location name + governorate), type and precision, at the mean
    position of the place's events: AGGREGATE_COLUMNS. The same grouping as the store's query."""
    if df is None or df.empty:
        return pd.DataFrame(columns=list(AGGREGATE_COLUMNS))
    frame = pd.DataFrame({
        "latitude": pd.to_numeric(df["latitude"], errors="coerce"),
        "longitude": pd.to_numeric(df["longitude"], errors="coerce"),
        "event_type": df["event_type"].astype(str),
        "geo_precision": precision_array(df),
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
    gp_key = np.where(agg["geo_precision"].to_numpy() >= 3, 3, 1)
    out, cell = agg, cells[-1]
    for cell in cells:
        frame = agg.assign(_i=np.floor(lat / cell).astype(np.int64), _j=np.floor(lon / cell).astype(np.int64),
                           _g=gp_key, _wlat=lat * n, _wlon=lon * n)
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


def governorate_counts(df: pd.DataFrame) -> dict[str, int]:
    if df is None or df.empty or "admin1" not in df.columns:
        return {}
    return {str(k): int(v) for k, v in df["admin1"].value_counts().items() if k in SYRIA_GOVERNORATES}


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
    return CHOROPLETH_COLORS[min(round(idx * scale), len(CHOROPLETH_COLORS) - 1)]


def marker_radius(fatalities: Sequence | np.ndarray | pd.Series, base: float = 5.0, cap: float = 20.0) -> np.ndarray:
    """Marker radius in pixels by fatalities: area grows with the count (sqrt), unknown -> ``base``,
    capped so one massacre does not hide a town."""
    f = pd.to_numeric(pd.Series(fatalities, dtype="object"), errors="coerce").to_numpy(dtype=float)
    f = np.where(np.isfinite(f) & (f > 0), f, 0.0)
    return np.round(np.minimum(base + 2.0 * np.sqrt(f), cap), 1)
