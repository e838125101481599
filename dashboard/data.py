"""Cached resources (store, geoparser, basemap) and cached store queries.

``st.cache_resource`` holds one store and one geoparser per server; ``st.cache_data`` holds query
results keyed by the store location, a store version (changes when the store file changes) and the
filter as a tuple. No storage logic here: every write goes through the store API.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pandas as pd
import streamlit as st

from geo.dates import MAX_DATE, MIN_DATE
from geo.errors import ValidationError
from geo.store import EventFilter, columns_frame, open_store
from geo.webmap import layers as mapping

log = logging.getLogger(__name__)
SERVER_STORE_REFRESH_S = 30


@st.cache_resource(show_spinner=False)
def get_store(location: str):
    return open_store(location)


@st.cache_resource(show_spinner="Loading the basemap...")
def get_basemap() -> mapping.BasemapData | None:
    """Outlines and place labels from the installed gazetteer (geo.webmap.load_basemap)."""
    from geo.webmap import load_basemap

    try:
        return load_basemap()
    except Exception as exc:  # noqa: BLE001 - the map still works without outlines
        log.warning("basemap unavailable: %s", exc)
        return None


def user_gazetteer_version() -> float:
    from geo.gazetteer import user_gazetteer_path

    p = user_gazetteer_path()
    return p.stat().st_mtime if p.exists() else 0.0


@st.cache_resource(show_spinner="Loading the gazetteer...")
def get_parser(user_version: float):
    """The geoparser, rebuilt when the user gazetteer changes (a correction was saved)."""
    from geo.extract import Geoparser
    from geo.gazetteer import default_gazetteer

    return Geoparser(default_gazetteer())


def store_version(location: str) -> str:
    """Changes whenever the store changes (here or from the CLI): part of every cache key.

    A server store (postgresql://...) has no file to watch: its results are refreshed every
    SERVER_STORE_REFRESH_S seconds, and at once after a change made from this dashboard."""
    if "://" in location:
        return f"t{int(time.time() // SERVER_STORE_REFRESH_S)}:{st.session_state.get('_writes', 0)}"
    parts = []
    for suffix in ("", "-wal"):
        try:
            s = os.stat(location + suffix)
            parts.append(f"{s.st_mtime_ns}:{s.st_size}")
        except OSError:
            parts.append("-")
    return "|".join(parts)


def filter_key(flt: EventFilter) -> tuple:
    return dataclasses.astuple(flt)


def filter_from_key(key: tuple) -> EventFilter:
    return EventFilter(*key)


def has_api(store: Any, *names: str) -> bool:
    """Whether the store offers these methods (the editing API arrives with the store package)."""
    return all(callable(getattr(store, n, None)) for n in names)


@st.cache_data(show_spinner=False, max_entries=16)
def q_span(location: str, version: str) -> tuple[dt.date, dt.date] | None:
    """The data's date span, clamped to the dates a browser widget can show (MIN_DATE..MAX_DATE):
    one event dated 0214 must not break the page (Streamlit's JS number bounds)."""
    try:
        span = get_store(location).date_span()
    except ValidationError as exc:  # a stored date outside the range the date parser accepts
        log.warning("no date filter: %s", exc)
        return None
    if span is None:
        return None
    lo = min(max(span[0], MIN_DATE), MAX_DATE)
    hi = min(max(span[1], MIN_DATE), MAX_DATE)
    return (lo, hi) if lo <= hi else (hi, lo)


@st.cache_data(show_spinner=False, max_entries=16)
def q_actors(location: str, version: str) -> list[str]:
    return get_store(location).actors()


@st.cache_data(show_spinner=False, max_entries=64)
def q_count(location: str, version: str, key: tuple) -> int:
    return get_store(location).count(filter_from_key(key))


# The columns the map (markers, popups), the table and the charts read: no geometry, none of
# the bookkeeping columns (codes, spans' ends, confidence...). The details panel reads the whole
# event by id (store.get_event), exports the whole rows (store.query).
PAGE_COLUMNS = (
    "event_id", "event_date", "time_precision", "event_type", "sub_event_type", "actor1", "actor2", "admin1",
    "location", "latitude", "longitude", "geo_precision", "fatalities", "notes", "article_id", "source",
    "sentence_start", "place_start", "place_end",
)
# Every drawn event needs only these columns (its marker, the governorate roll-up lists, a click
# resolved to its id). The long text (sentence, actors, source) is read only for the rows that
# show it: the table's most recent rows and the events that get a popup.
MAP_COLUMNS = (
    "event_id", "event_date", "time_precision", "event_type", "sub_event_type", "admin1", "location",
    "latitude", "longitude", "geo_precision", "fatalities", "article_id",
)
DETAIL_COLUMNS = ("event_id", *(c for c in PAGE_COLUMNS if c not in MAP_COLUMNS))
# The page's reads that do not depend on one another run at once, each on its own pooled
# connection: SQLite and psycopg release the GIL while a query runs, so on a big store the
# GROUP BYs (summary, per-place aggregates) overlap with the rows' read instead of adding up.
PAGE_READERS = 2


@st.cache_data(show_spinner=False, max_entries=32)
def q_page(location: str, version: str, key: tuple, full_limit: int, table_rows: int,
           popup_rows: int) -> dict[str, Any]:
    """What the map needs for one filter, from one cache entry: ``n`` (matching events),
    ``summary``, ``df`` (PAGE_COLUMNS, most recent first: every event up to ``full_limit``, with
    DETAIL_COLUMNS only for the ``table_rows`` most recent and the ``popup_rows`` most recent
    located ones, None elsewhere; beyond ``full_limit``, the ``table_rows`` most recent),
    ``aggregates`` (per place and type, only beyond ``full_limit``; None up to it) and ``full``.
    The charts' counts are not here: they are drawn after the map (q_day_types), and the map must
    not wait for them."""
    store = get_store(location)
    flt = filter_from_key(key)
    n = store.count(flt)
    full = n <= full_limit
    with ThreadPoolExecutor(max_workers=PAGE_READERS, thread_name_prefix="geo-page") as pool:
        summary = pool.submit(store.summary, flt)
        points = None if full else pool.submit(store.point_counts, flt)
        if full:
            details = pool.submit(_detail_rows, store, flt, table_rows, popup_rows)
            df = _with_details(columns_frame(store.query_columns(flt, MAP_COLUMNS), MAP_COLUMNS), details.result())
        else:
            df = columns_frame(store.query_columns(dataclasses.replace(flt, limit=table_rows), PAGE_COLUMNS),
                               PAGE_COLUMNS)
        return {"n": n, "full": full, "summary": summary.result(), "df": df,
                "aggregates": None if points is None else aggregates_frame(points.result())}


def _detail_rows(store: Any, flt: EventFilter, table_rows: int, popup_rows: int) -> pd.DataFrame:
    """DETAIL_COLUMNS of the ``table_rows`` most recent events and of the ``popup_rows`` most
    recent located ones (the map's popups skip governorate-level events), by event id."""
    located = dataclasses.replace(flt, limit=popup_rows, max_geo_precision=min(flt.max_geo_precision, 2))
    rows = store.query_columns(dataclasses.replace(flt, limit=table_rows), DETAIL_COLUMNS)
    rows += store.query_columns(located, DETAIL_COLUMNS)
    return columns_frame(rows, DETAIL_COLUMNS).drop_duplicates("event_id").set_index("event_id")


def _with_details(frame: pd.DataFrame, details: pd.DataFrame) -> pd.DataFrame:
    """PAGE_COLUMNS for every row: the detail columns where they were read, None elsewhere."""
    picked = details.reindex(frame["event_id"])
    for name in DETAIL_COLUMNS[1:]:
        column = picked[name]
        if column.dtype == object:  # text: Python str, None where not read (as columns_frame types it)
            values = column.to_numpy(dtype=object, copy=True)
            values[pd.isna(values)] = None
            frame[name] = pd.Series(values, index=frame.index, dtype=object)
        else:  # Int64, <NA> where not read
            frame[name] = pd.Series(column.array, index=frame.index)
    return frame[list(PAGE_COLUMNS)]


@st.cache_data(show_spinner=False, max_entries=32)
def q_day_types(location: str, version: str, key: tuple) -> pd.DataFrame:
    """Events and fatalities per (day, type) for all dated filtered events (one GROUP BY in
    the store): both time charts."""
    rows = get_store(location).day_type_counts(filter_from_key(key))
    return pd.DataFrame(rows, columns=["event_date", "event_type", "n", "fatalities"])


def fatalities_per_day(df: pd.DataFrame) -> pd.DataFrame:
    if df is None or df.empty:
        return pd.DataFrame(columns=["event_date", "fatalities"])
    d = df[["event_date", "fatalities"]].dropna(subset=["event_date"])
    d = d.assign(fatalities=pd.to_numeric(d["fatalities"], errors="coerce").fillna(0).astype("int64"))
    return d.groupby("event_date", as_index=False)["fatalities"].sum()


def aggregates_frame(rows: list) -> pd.DataFrame:
    """Event counts per place, type and precision (store.point_counts rows), merged for the map."""
    frame = pd.DataFrame(rows, columns=list(mapping.AGGREGATE_COLUMNS))
    frame["geo_precision"] = frame["geo_precision"].astype(int)
    return mapping.merge_aggregates(frame)


EXPORT_WRITERS = {"geojson": "geojson_bytes", "csv": "events_to_csv_bytes", "gpkg": "events_to_gpkg_bytes"}


def export_builder(store: Any, key: tuple, fmt: str) -> Callable[[], bytes]:
    """The export file of the filtered events in ``fmt``, built when called: a download
    button's deferred data (Streamlit calls it outside the script run, so it holds the store
    itself rather than reaching for the page's caches)."""
    import geo.export as exports

    writer = getattr(exports, EXPORT_WRITERS[fmt])

    def build() -> bytes:
        return writer(store.query(filter_from_key(key)))

    return build


def clear_data_caches() -> None:
    """After a write from this dashboard (the version key catches the rest)."""
    st.session_state["_writes"] = int(st.session_state.get("_writes", 0)) + 1
    for fn in (q_span, q_actors, q_count, q_page, q_day_types):
        fn.clear()
