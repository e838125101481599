"""The dashboard: filtered conflict events on an offline map, charts, table, exports and ingest.

Run with ``streamlit run app.py`` (store: ``$GEO_STORE`` or data/events.gpkg). Views, chosen in
the sidebar and mirrored in the URL (``?view=...``): the map (default), ingest, and an article
(``?view=article&article=<id>``). Filters are mirrored in the URL too, so a view can be shared.

Map building lives in :mod:`geo.webmap.layers` (pure functions); this file wires the store, the
widgets and the caches. All map assets are local (:mod:`geo.webmap.assets`).
"""

from __future__ import annotations

import streamlit as st

st.set_page_config(
    page_title="Syria conflict events",
    page_icon=":world_map:",
    layout="wide",
    initial_sidebar_state="expanded",
)

import dataclasses  # noqa: E402
import datetime as dt  # noqa: E402
import hashlib  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import pandas as pd  # noqa: E402
from streamlit_folium import st_folium  # noqa: E402

from geo.webmap import layers as mapping  # noqa: E402
from geo.webmap import assets as offline_assets  # noqa: E402
from geo.errors import GeoError  # noqa: E402
from geo.models import EVENT_TYPES, SYRIA_GOVERNORATES, Article, stable_id  # noqa: E402
from geo.store import EventFilter, open_store, resolve_store_location  # noqa: E402

log = logging.getLogger("geo.app")
offline_assets.install()

ROOT = Path(__file__).resolve().parent
MAP_OPTIONS = mapping.MapOptions()
# Up to this many filtered events, rows are fetched whole (map markers one by one, charts,
# exports); beyond, the map, counts and charts come from aggregates in the store.
FULL_LIMIT = MAP_OPTIONS.max_points
TABLE_ROWS = 1_000  # rows sent to the table (most recent first)
EAGER_EXPORT_LIMIT = 5_000  # above, the export files are built on request
MAP_HEIGHT = 620
PRECISIONS = {1: "Town only", 2: "Town or near a town", 3: "Any (incl. governorate only)"}
VIEWS = ("Map", "Ingest", "Article")
ALL_SUB_TYPES = tuple(dict.fromkeys(s for subs in EVENT_TYPES.values() for s in subs))
TABLE_COLUMNS = [
    "event_date", "event_type", "sub_event_type", "actor1", "actor2", "admin1", "location",
    "geo_precision", "fatalities", "notes", "article", "event_id",
]


# =============================================================================================
# Resources and cached queries


@st.cache_resource(show_spinner=False)
def get_store(location: str):
    return open_store(location)


@st.cache_resource(show_spinner="Loading the basemap...")
def get_basemap() -> mapping.BasemapData | None:
    try:
        from geo.gazetteer import DATA_DIR, load_admin1_polygons

        places_path = DATA_DIR / "places.csv"
        places = pd.read_csv(places_path) if places_path.exists() else None
        return mapping.basemap_data(load_admin1_polygons(), places)
    except Exception as exc:  # the map still works without outlines
        log.warning("basemap unavailable: %s", exc)
        return None


def user_gazetteer_version() -> float:
    from geo.gazetteer import user_gazetteer_path

    p = user_gazetteer_path()
    return p.stat().st_mtime if p.exists() else 0.0


@st.cache_resource(show_spinner="Loading the gazetteer...")
def get_parser(user_version: float):
    """The geoparser, rebuilt when the user gazetteer changes (a correction was saved)."""
    from geo.gazetteer import default_gazetteer
    from geo.extract import Geoparser

    return Geoparser(default_gazetteer())


SERVER_STORE_REFRESH_S = 30


def store_version(location: str) -> str:
    """Changes whenever the store file changes (ingest here or from the CLI): part of cache keys.

    A server store (postgresql://...) has no file to watch: its cached results are refreshed every
    SERVER_STORE_REFRESH_S seconds, and at once after an ingest from this dashboard."""
    if "://" in location:
        return f"t{int(time.time() // SERVER_STORE_REFRESH_S)}"
    parts = []
    for suffix in ("", "-wal"):
        try:
            s = os.stat(location + suffix)
            parts.append(f"{s.st_mtime_ns}:{s.st_size}")
        except OSError:
            parts.append("-")
    return "|".join(parts)


def filter_key(flt: EventFilter) -> tuple:
    """The EventFilter's fields as a hashable tuple (the cache key)."""
    return dataclasses.astuple(flt)


def filter_from_key(key: tuple) -> EventFilter:
    return EventFilter(*key)


@st.cache_data(show_spinner=False, max_entries=16)
def q_span(location: str, version: str) -> tuple[dt.date, dt.date] | None:
    return get_store(location).date_span()


@st.cache_data(show_spinner=False, max_entries=16)
def q_actors(location: str, version: str) -> list[str]:
    return get_store(location).actors()


@st.cache_data(show_spinner=False, max_entries=64)
def q_count(location: str, version: str, key: tuple) -> int:
    return get_store(location).count(filter_from_key(key))


@st.cache_data(show_spinner=False, max_entries=64)
def q_summary(location: str, version: str, key: tuple) -> dict:
    return get_store(location).summary(filter_from_key(key))


@st.cache_data(show_spinner=False, max_entries=32)
def q_events(location: str, version: str, key: tuple) -> pd.DataFrame:
    """Filtered events (EVENT_FIELDS; the geometry column is dropped: lat/lon carry it)."""
    gdf = get_store(location).query(filter_from_key(key))
    return pd.DataFrame(gdf.drop(columns="geometry", errors="ignore"))


@st.cache_data(show_spinner=False, max_entries=32)
def q_type_days(location: str, version: str, key: tuple) -> pd.DataFrame:
    """Events per (day, type) for all dated filtered events: ``store.type_day_counts`` (one
    GROUP BY), else per-type store summaries (any EventStore)."""
    store = get_store(location)
    flt = filter_from_key(key)
    fn = getattr(store, "type_day_counts", None)
    if callable(fn):
        frame = pd.DataFrame(fn(flt), columns=["event_date", "event_type", "n"])
        return frame
    frames = []
    for etype in q_summary(location, version, key)["by_event_type"]:
        by_date = store.summary(dataclasses.replace(flt, event_types=(etype,)))["by_date"]
        if by_date:
            frames.append(pd.DataFrame({"event_date": list(by_date), "event_type": etype, "n": list(by_date.values())}))
    if not frames:
        return pd.DataFrame(columns=["event_date", "event_type", "n"])
    return pd.concat(frames, ignore_index=True)


@st.cache_data(show_spinner=False, max_entries=32)
def q_aggregates(location: str, version: str, key: tuple) -> pd.DataFrame | None:
    """Event counts per place (location name and governorate), type and precision for all
    filtered events, at the places' mean position (mapping.AGGREGATE_COLUMNS), from
    ``store.point_counts``. None when the store has no such query: the map then shows the most
    recent events."""
    store = get_store(location)
    fn = getattr(store, "point_counts", None)
    if not callable(fn):
        return None
    frame = pd.DataFrame(fn(filter_from_key(key)), columns=list(mapping.AGGREGATE_COLUMNS))
    frame["geo_precision"] = frame["geo_precision"].astype(int)
    return mapping.merge_aggregates(frame)


@st.cache_data(show_spinner="Preparing the export files...", max_entries=8)
def q_exports(location: str, version: str, key: tuple) -> dict[str, bytes]:
    import geo.export as exports

    gdf = get_store(location).query(filter_from_key(key))
    return {
        "geojson": exports.geojson_bytes(gdf),
        "csv": exports.events_to_csv_bytes(gdf),
        "gpkg": exports.events_to_gpkg_bytes(gdf),
    }


def clear_data_caches() -> None:
    for fn in (q_span, q_actors, q_count, q_summary, q_events, q_type_days, q_aggregates, q_exports):
        fn.clear()


# =============================================================================================
# URL <-> widgets

# widget key -> query parameter
PARAMS = {
    "f_from": "from",
    "f_to": "to",
    "f_undated": "undated",
    "f_gov": "gov",
    "f_types": "type",
    "f_subtypes": "subtype",
    "f_actors": "actor",
    "f_text": "q",
    "f_prec": "prec",
    "f_osm": "osm",
}
MULTI = {"f_gov", "f_types", "f_subtypes", "f_actors"}


def _parse_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def init_state_from_url() -> None:
    """First run of a session: widgets start from the URL (?gov=Aleppo&type=Battles&from=...)."""
    if st.session_state.get("_init"):
        return
    st.session_state["_init"] = True
    qp = st.query_params
    view = (qp.get("view") or "map").lower()
    st.session_state["view"] = {"ingest": "Ingest", "article": "Article"}.get(view, "Map")
    st.session_state["article_id"] = qp.get("article") or ""
    st.session_state["_url_from"] = _parse_date(qp.get("from"))
    st.session_state["_url_to"] = _parse_date(qp.get("to"))
    st.session_state["f_undated"] = qp.get("undated", "1") != "0"
    st.session_state["f_gov"] = [g for g in qp.get_all("gov") if g in SYRIA_GOVERNORATES]
    st.session_state["f_types"] = [t for t in qp.get_all("type") if t in EVENT_TYPES]
    st.session_state["f_subtypes"] = [s for s in qp.get_all("subtype") if s in ALL_SUB_TYPES]
    st.session_state["_url_actors"] = qp.get_all("actor")
    st.session_state["f_text"] = qp.get("q", "")
    try:
        prec = int(qp.get("prec", "3"))
    except ValueError:
        prec = 3
    st.session_state["f_prec"] = prec if prec in PRECISIONS else 3
    st.session_state["f_osm"] = qp.get("osm") == "1"


def write_url(params: dict[str, Any]) -> None:
    """Mirror the state in the URL (only when it changed, so no rerun loops)."""
    clean: dict[str, Any] = {}
    for k, v in params.items():
        if v is None or v == "" or v == []:
            continue
        clean[k] = [str(x) for x in v] if isinstance(v, (list, tuple)) else str(v)
    current = {k: (st.query_params.get_all(k) if isinstance(clean.get(k), list) else st.query_params.get(k))
               for k in st.query_params.keys()}
    if current != clean:
        st.query_params.from_dict(clean)


# =============================================================================================
# Sidebar


def sidebar_filters(location: str, version: str) -> tuple[EventFilter, dict[str, Any], dict[str, Any]]:
    """The filter widgets. Returns the filter, the URL params and display options."""
    sb = st.sidebar
    span = q_span(location, version)
    params: dict[str, Any] = {}
    date_from = date_to = None
    sb.subheader("Filters")
    if span is not None:
        lo, hi = span
        if lo == hi:
            hi = lo + dt.timedelta(days=1)
        if "f_dates" not in st.session_state:
            a = st.session_state.pop("_url_from", None) or lo
            b = st.session_state.pop("_url_to", None) or hi
            st.session_state["f_dates"] = (a, b)
        a, b = st.session_state["f_dates"]
        a, b = min(max(a, lo), hi), min(max(b, lo), hi)
        if a > b:
            a, b = lo, hi
        st.session_state["f_dates"] = (a, b)
        sb.slider("Dates", min_value=lo, max_value=hi, step=dt.timedelta(days=1), format="YYYY-MM-DD", key="f_dates")
        date_from, date_to = st.session_state["f_dates"]
        if date_from != lo:
            params["from"] = date_from.isoformat()
        if date_to != hi:
            params["to"] = date_to.isoformat()
    else:
        sb.caption("No dated events in the store yet.")
    sb.toggle("Include undated events", key="f_undated")
    if not st.session_state["f_undated"]:
        params["undated"] = "0"
    sb.multiselect("Governorates", list(SYRIA_GOVERNORATES), key="f_gov", placeholder="All governorates")
    sb.multiselect("Event types", list(EVENT_TYPES), key="f_types", placeholder="All types")
    chosen_types = st.session_state["f_types"] or list(EVENT_TYPES)
    sub_options = [s for t in chosen_types for s in EVENT_TYPES[t]]
    st.session_state["f_subtypes"] = [s for s in st.session_state.get("f_subtypes", []) if s in sub_options]
    sb.multiselect("Sub-event types", sub_options, key="f_subtypes", placeholder="All sub-types")
    actors = q_actors(location, version)
    if "_url_actors" in st.session_state:
        st.session_state["f_actors"] = [a for a in st.session_state.pop("_url_actors") if a in actors]
    st.session_state["f_actors"] = [a for a in st.session_state.get("f_actors", []) if a in actors]
    sb.multiselect("Actors", actors, key="f_actors", placeholder="Any actor")
    sb.text_input("Search notes, places and actors", key="f_text", placeholder="e.g. car bomb")
    sb.selectbox("Location precision", list(PRECISIONS), format_func=PRECISIONS.get, key="f_prec")
    sb.toggle("Online basemap (OpenStreetMap)", key="f_osm", help="Off by default: the map works offline.")
    for key in ("f_gov", "f_types", "f_subtypes", "f_actors"):
        params[PARAMS[key]] = list(st.session_state[key])
    params["q"] = st.session_state["f_text"].strip()
    if st.session_state["f_prec"] != 3:
        params["prec"] = st.session_state["f_prec"]
    if st.session_state["f_osm"]:
        params["osm"] = "1"
    if span is not None:
        # A bound at the end of the data's span filters nothing: leave it out (simpler SQL; the
        # store's planner is several times faster without a range that covers everything).
        date_from = None if date_from is not None and date_from <= span[0] else date_from
        date_to = None if date_to is not None and date_to >= span[1] else date_to
    flt = EventFilter(
        date_from=date_from,
        date_to=date_to,
        include_undated=st.session_state["f_undated"],
        admin1=tuple(st.session_state["f_gov"]),
        event_types=tuple(st.session_state["f_types"]),
        sub_event_types=tuple(st.session_state["f_subtypes"]),
        actors=tuple(st.session_state["f_actors"]),
        text=st.session_state["f_text"],
        max_geo_precision=int(st.session_state["f_prec"]),
    )
    slider_range = st.session_state["f_dates"] if span is not None else None
    return flt, params, {"osm": bool(st.session_state["f_osm"]), "span": span, "range": slider_range}


# ---------------------------------------------------------------------------------------------
# Time playback


STEP_FREQ = {"Day": "D", "Week": "W-MON", "Month": "MS"}


def playback_periods(lo: dt.date, hi: dt.date, step: str) -> list[tuple[dt.date, dt.date]]:
    starts = pd.date_range(pd.Timestamp(lo).to_period(STEP_FREQ[step][0]).start_time, hi, freq=STEP_FREQ[step])
    if step == "Week":
        starts = pd.date_range(pd.Timestamp(lo) - pd.Timedelta(days=pd.Timestamp(lo).weekday()), hi, freq="W-MON")
    out = []
    for s in starts:
        e = (s + pd.offsets.MonthEnd(0)) if step == "Month" else s + pd.Timedelta(days=0 if step == "Day" else 6)
        out.append((max(s.date(), lo), min(e.date(), hi)))
    return out or [(lo, hi)]


def _play_step(delta: int, n: int) -> None:
    st.session_state["play_idx"] = (int(st.session_state.get("play_idx", 0)) + delta) % max(n, 1)


def sidebar_playback(flt: EventFilter, date_range: tuple[dt.date, dt.date] | None) -> tuple[EventFilter, str | None]:
    """Narrow the filter to one period of the date range (stepped or played)."""
    sb = st.sidebar
    with sb.expander("Time playback", expanded=bool(st.session_state.get("play_on"))):
        st.toggle("Step through time", key="play_on")
        if not st.session_state.get("play_on") or date_range is None:
            st.session_state["playing"] = False
            return flt, None
        st.radio("Step", list(STEP_FREQ), key="play_step", horizontal=True)
        st.checkbox("Cumulative (from the start of the range)", key="play_cumulative")
        range_from, range_to = date_range
        periods = playback_periods(range_from, range_to, st.session_state.get("play_step", "Day"))
        n = len(periods)
        st.session_state["play_idx"] = min(int(st.session_state.get("play_idx", 0)), n - 1)
        c1, c2, c3 = st.columns(3)
        c1.button("\u25c0", key="play_prev", on_click=_play_step, args=(-1, n), help="Previous period", width="stretch")
        c2.button("\u25b6", key="play_next", on_click=_play_step, args=(1, n), help="Next period", width="stretch")
        playing = bool(st.session_state.get("playing"))
        c3.button("Pause" if playing else "Play", key="play_toggle", width="stretch",
                  on_click=lambda: st.session_state.__setitem__("playing", not playing))
        st.slider("Period", 0, n - 1, key="play_idx", format="%d")
        start, end = periods[st.session_state["play_idx"]]
        if st.session_state.get("play_cumulative"):
            start = range_from
        label = f"{start.isoformat()} \u2013 {end.isoformat()}" if start != end else start.isoformat()
        st.caption(f"Showing {label} ({st.session_state['play_idx'] + 1} of {n})")
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
    if st.session_state.get("play_idx", 0) >= n - 1:
        st.session_state["playing"] = False
    else:
        _play_step(1, n)
    st.rerun(scope="app")


# =============================================================================================
# Map view


def chart_frequency(span_days: int) -> tuple[str, str]:
    choice = st.session_state.get("chart_freq", "Auto")
    if choice == "Day" or (choice == "Auto" and span_days <= 90):
        return "D", "day"
    if choice == "Week" or (choice == "Auto" and span_days <= 3 * 365):
        return "W", "week"
    return "M", "month"


def timeline_frame(df: pd.DataFrame | None, type_days: pd.DataFrame | None, freq: str) -> pd.DataFrame:
    if type_days is not None:
        if type_days.empty:
            return pd.DataFrame()
        d = type_days.assign(date=pd.to_datetime(type_days["event_date"], errors="coerce")).dropna(subset=["date"])
        d["period"] = d["date"].dt.to_period(freq).dt.start_time
        out = d.pivot_table(index="period", columns="event_type", values="n", aggfunc="sum", fill_value=0)
        return out[[t for t in mapping.TYPE_NAMES if t in out.columns]].sort_index()
    return mapping.timeline(df, freq) if df is not None else pd.DataFrame()


def table_frame(df: pd.DataFrame) -> pd.DataFrame:
    t = df.head(TABLE_ROWS).copy()
    t["event_date"] = pd.to_datetime(t["event_date"].map(mapping.iso_date), errors="coerce")
    t["notes"] = t["notes"].map(lambda s: mapping.compact_text(s, 200))
    t["article"] = t["article_id"].map(mapping.article_href)
    return t[TABLE_COLUMNS].reset_index(drop=True)


def map_view(location: str, version: str, flt: EventFilter, opts: dict[str, Any], period: str | None) -> None:
    key = filter_key(flt)
    n = q_count(location, version, key)
    summary = q_summary(location, version, key)
    full = n <= FULL_LIMIT
    aggregates = None
    if full:
        df = q_events(location, version, key)
    else:
        df = q_events(location, version, filter_key(dataclasses.replace(flt, limit=TABLE_ROWS)))
        aggregates = q_aggregates(location, version, key)
        if aggregates is None:  # no aggregates: draw the most recent FULL_LIMIT events
            df = q_events(location, version, filter_key(dataclasses.replace(flt, limit=FULL_LIMIT)))

    title_cols = st.columns([3, 1])
    title_cols[0].title("Conflict events in Syria")
    sub = f"Store `{Path(location).name if '://' not in location else location.split('@')[-1]}`"
    if period:
        sub += f" \u00b7 playback: **{period}**"
    title_cols[0].caption(sub)

    total_in_store = q_count(location, version, filter_key(EventFilter()))
    if total_in_store == 0:
        st.info(
            "The store is empty. Add articles in the **Ingest** view (sidebar), or run "
            "`python -m geo ingest seeds/` and reload."
        )

    # metrics
    m1, m2, m3, m4 = st.columns(4)
    govs = sum(1 for g, c in summary["by_admin1"].items() if c and g in SYRIA_GOVERNORATES)
    m1.metric("Events", f"{n:,}")
    m2.metric("Fatalities", f"{int(summary['fatalities']):,}")
    m3.metric("Governorates", f"{govs}")
    m4.metric("Undated", f"{int(summary['undated']):,}")

    # table data first: its selection (from the previous run) drives the map
    table = table_frame(df) if len(df) else pd.DataFrame(columns=TABLE_COLUMNS)
    table_key = "table_" + hashlib.sha1(repr((key, version)).encode()).hexdigest()[:10]
    selected_id = None
    sel_state = st.session_state.get(table_key)
    try:
        rows = sel_state.selection.rows if sel_state is not None else []
    except AttributeError:
        rows = (sel_state or {}).get("selection", {}).get("rows", []) if isinstance(sel_state, dict) else []
    if rows and rows[0] < len(table):
        selected_id = str(table.iloc[rows[0]]["event_id"])

    left, right = st.columns([3, 2], gap="medium")
    with left:
        basemap = get_basemap()
        t0 = time.perf_counter()
        groups, info = mapping.build_event_layers(
            df,
            basemap,
            aggregates=aggregates,
            options=MAP_OPTIONS,
            counts={g: int(c) for g, c in summary["by_admin1"].items()},
            selected_event_id=selected_id,
            total=n,
        )
        base = mapping.build_base_map(basemap, online_tiles=opts["osm"], height=MAP_HEIGHT)
        center = zoom = None
        if selected_id is not None:
            sel = df[df["event_id"].astype(str) == selected_id]
            if len(sel):
                r = sel.iloc[0]
                lat, lon = float(r["latitude"]), float(r["longitude"])
                if int(r["geo_precision"]) == 3 and basemap is not None and r["admin1"] in basemap.centroids:
                    lat, lon = basemap.centroids[r["admin1"]]
                center, zoom = (lat, lon), (11 if int(r["geo_precision"]) < 3 else 8)
        st_folium(
            base,
            key="map",
            height=MAP_HEIGHT,
            use_container_width=True,
            returned_objects=[],
            feature_group_to_add=groups,
            center=center,
            zoom=zoom,
        )
        log.debug("map built in %.3f s", time.perf_counter() - t0)
        notes = []
        if info.aggregated:
            notes.append(
                f"{n:,} events: markers are aggregated per place and type ({info.n_markers:,} markers; "
                "circle size and cluster numbers are event counts). Narrow the filters "
                f"below {FULL_LIMIT:,} events to see single events."
            )
        elif not full:
            notes.append(f"Map shows the {FULL_LIMIT:,} most recent of {n:,} events.")
        if info.n_province:
            notes.append(
                f"{info.n_province:,} events are known only to the governorate: dashed circles at the "
                "governorate's centre, with their count."
            )
        if info.n_points and not info.aggregated and info.n_detailed < info.n_points:
            notes.append(f"Popups with details for the {info.n_detailed:,} most recent events.")
        if notes:
            st.caption(" ".join(notes))

    with right:
        span_days = 365
        lo_hi = (flt.date_from or (opts["range"] or (None, None))[0], flt.date_to or (opts["range"] or (None, None))[1])
        if lo_hi[0] and lo_hi[1]:
            span_days = (lo_hi[1] - lo_hi[0]).days
        freq, unit = chart_frequency(span_days)
        head = st.columns([2, 1])
        head[0].markdown(f"**Events per {unit}, by type**")
        head[1].selectbox("Period", ["Auto", "Day", "Week", "Month"], key="chart_freq", label_visibility="collapsed")
        tl = timeline_frame(df if full else None, None if full else q_type_days(location, version, key), freq)
        if tl.empty:
            st.caption("No dated events.")
        else:
            full_index = pd.period_range(tl.index.min(), tl.index.max(), freq=freq).start_time
            if len(full_index) <= 62:  # few bars: every period (zeros too), labelled by date
                tl = tl.reindex(full_index, fill_value=0)
                tl.index = tl.index.strftime("%Y-%m-%d" if freq != "M" else "%Y-%m")
            st.bar_chart(tl, color=[mapping.TYPE_COLORS[t] for t in tl.columns], height=230, x_label="", y_label="events")
        st.markdown("**Events per governorate**")
        by_gov = pd.Series(summary["by_admin1"], dtype="int64")
        if by_gov.empty:
            st.caption("No events.")
        else:
            frame = by_gov.rename_axis("governorate").reset_index(name="events")
            st.bar_chart(frame, x="governorate", y="events", horizontal=True, sort="-events",
                         height=max(120, 24 * len(frame) + 40), x_label="events", y_label="")

    # table
    st.subheader("Events")
    shown = len(table)
    st.caption(
        (f"The {shown:,} most recent of {n:,} events. " if shown < n else f"{n:,} events. ")
        + "Sort by clicking a column; select a row to show it on the map."
    )
    st.dataframe(
        table,
        key=table_key,
        on_select="rerun",
        selection_mode="single-row",
        hide_index=True,
        width="stretch",
        height=320,
        column_config={
            "event_date": st.column_config.DateColumn("Date", format="YYYY-MM-DD"),
            "event_type": "Type",
            "sub_event_type": "Sub-type",
            "actor1": "Actor 1",
            "actor2": "Actor 2",
            "admin1": "Governorate",
            "location": "Place",
            "geo_precision": st.column_config.NumberColumn("Precision", help="1 town, 2 near a town, 3 governorate"),
            "fatalities": st.column_config.NumberColumn("Fatalities"),
            "notes": st.column_config.TextColumn("Sentence", width="large"),
            "article": st.column_config.LinkColumn("Article", display_text="open"),
            "event_id": None,
        },
    )
    if selected_id is not None:
        sel = table[table["event_id"] == selected_id].iloc[0]
        st.markdown(
            f"Selected: **{mapping.esc(sel['event_type'])}** at **{mapping.esc(sel['location'])}** "
            f"\u2014 [open the article]({mapping.article_href(df[df['event_id'].astype(str) == selected_id].iloc[0]['article_id'])})"
        )

    # exports
    st.subheader("Export the filtered events")
    if n == 0:
        st.caption("Nothing to export.")
        return
    ready = n <= EAGER_EXPORT_LIMIT or st.session_state.get("_export_key") == (key, version)
    if not ready:
        if st.button(f"Prepare the export files ({n:,} events)", key="prepare_export"):
            st.session_state["_export_key"] = (key, version)
            ready = True
    if ready:
        try:
            files = q_exports(location, version, key)
        except GeoError as exc:
            st.error(f"Export failed: {exc}")
            return
        stem = "events-" + hashlib.sha1(repr(key).encode()).hexdigest()[:8]
        c1, c2, c3 = st.columns(3)
        c1.download_button("GeoJSON", files["geojson"], file_name=f"{stem}.geojson",
                           mime="application/geo+json", key="dl_geojson", width="stretch")
        c2.download_button("CSV", files["csv"], file_name=f"{stem}.csv", mime="text/csv",
                           key="dl_csv", width="stretch")
        c3.download_button("GeoPackage", files["gpkg"], file_name=f"{stem}.gpkg",
                           mime="application/geopackage+sqlite3", key="dl_gpkg", width="stretch")


# =============================================================================================
# Ingest view


def _article_from_upload(name: str, data: bytes) -> Article:
    from geo.ingest import decode_text, html_to_text, split_front_matter

    text = decode_text(data, path=name)
    if name.lower().endswith((".html", ".htm", ".xhtml")) or text.lstrip()[:15].lower().startswith(("<!doctype", "<html")):
        meta, text = html_to_text(text)
    else:
        meta, text = split_front_matter(text)
        text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    if not text.strip():
        raise GeoError(f"{name}: no text in the file")
    title = meta.title or next((ln.strip() for ln in text.splitlines() if ln.strip()), name)[:200]
    return Article(
        article_id=meta.article_id or stable_id("upload", name, text),
        text=text,
        title=title,
        source=meta.source,
        url=meta.url,
        published=_parse_date(meta.published[:10]) if meta.published else None,
    )


@st.cache_data(show_spinner="Extracting events...", max_entries=32)
def extract_cached(article: Article, user_version: float):
    return get_parser(user_version).extract(article)


def _text_spans(article: Article, result) -> list[mapping.Span]:
    from geo.dates import find_dates
    from geo.extract import find_triggers

    spans: list[mapping.Span] = []
    for m in result.mentions:
        p = m.place
        title = f"{p.name} ({p.kind}, {p.admin1 or p.country_code})" if p else m.text
        spans.append(mapping.Span(m.start, m.end, "place", title, 3))
    for m in result.unresolved:
        spans.append(mapping.Span(m.start, m.end, "unresolved", "not in the gazetteer", 3))
    try:
        place_spans = [(m.start, m.end) for m in (*result.mentions, *result.unresolved)]
        for t in find_triggers(article.text, place_spans):
            spans.append(mapping.Span(t.start, t.end, "trigger", f"{t.trigger.event_type}: {t.trigger.sub_event_type}", 2))
        for d in find_dates(article.text, article.published):
            spans.append(mapping.Span(d.start, d.end, "date", d.date.isoformat(), 2))
    except Exception as exc:  # noqa: BLE001 - highlights are a nicety
        log.info("no trigger/date highlights: %s", exc)
    for e in result.events:
        if e.sentence_start is not None and e.sentence_end is not None:
            spans.append(mapping.Span(e.sentence_start, e.sentence_end, "sentence", e.event_type, 0))
    return spans


LEGEND_HTML = (
    '<div class="geo-text" style="white-space:normal;font-size:0.85rem">'
    '<mark class="hl-place">place</mark> <mark class="hl-unresolved">unknown place</mark> '
    '<mark class="hl-trigger">event trigger</mark> <mark class="hl-date">date</mark> '
    '<mark class="hl-sentence">sentence of an event</mark></div>'
)


def events_table(events) -> pd.DataFrame:
    rows = [e.to_record() for e in events]
    if not rows:
        return pd.DataFrame()
    t = pd.DataFrame(rows)
    return t[["event_date", "time_precision", "event_type", "sub_event_type", "actor1", "actor2", "location",
              "admin1", "geo_precision", "latitude", "longitude", "fatalities", "confidence"]]


def _save_correction(name: str, choice_key: str, article_id: str) -> None:
    from geo.gazetteer import add_user_place

    choice = st.session_state.get(choice_key)
    try:
        if choice and choice.get("manual"):
            lat = float(st.session_state.get(f"{choice_key}_lat"))
            lon = float(st.session_state.get(f"{choice_key}_lon"))
            kind = "populated_place"
        elif choice:
            lat, lon, kind = choice["lat"], choice["lon"], choice["kind"]
        else:
            return
        place = add_user_place(name, lat, lon, kind=kind, note=f"dashboard, article {article_id}")
    except (GeoError, ValueError, TypeError) as exc:
        st.session_state["_ingest_msg"] = ("error", f"Could not save {name!r}: {exc}")
        return
    extract_cached.clear()
    st.session_state["_ingest_msg"] = (
        "success",
        f"Saved {place.name!r} at {place.latitude:.4f}, {place.longitude:.4f} ({place.admin1 or place.country_code}) "
        "in the user gazetteer; the events below use it now.",
    )


def ingest_view(location: str, version: str) -> None:
    st.title("Add articles")
    st.caption(
        "Upload text or HTML files, or paste an article. Preview the events found, fix unknown "
        "places, then add them to the store."
    )
    mode = st.radio("Input", ["Paste an article", "Upload files"], key="ingest_mode", horizontal=True)
    articles: list[Article] = []
    if mode == "Upload files":
        files = st.file_uploader("Text or HTML files", type=["txt", "md", "html", "htm"], accept_multiple_files=True, key="ingest_files")
        for f in files or []:
            try:
                articles.append(_article_from_upload(f.name, f.getvalue()))
            except GeoError as exc:
                st.error(str(exc))
    else:
        with st.form("paste_form"):
            c1, c2 = st.columns([2, 1])
            c1.text_input("Title", key="paste_title")
            c2.date_input("Published", value=None, key="paste_date", format="YYYY-MM-DD")
            c1.text_input("Source", key="paste_source")
            c2.text_input("URL", key="paste_url")
            st.text_area("Article text", height=220, key="paste_text")
            submitted = st.form_submit_button("Preview events", key="paste_preview")
        if submitted:
            st.session_state["paste_submitted"] = True
        text = (st.session_state.get("paste_text") or "").replace("\r\n", "\n")
        if st.session_state.get("paste_submitted") and text.strip():
            title = st.session_state.get("paste_title") or text.strip().splitlines()[0][:200]
            published = st.session_state.get("paste_date")
            articles.append(
                Article(
                    article_id=stable_id("paste", title, text, published),
                    text=text,
                    title=title,
                    source=st.session_state.get("paste_source") or "",
                    url=st.session_state.get("paste_url") or "",
                    published=published,
                )
            )
        elif st.session_state.get("paste_submitted"):
            st.warning("Paste the article text first.")

    msg = st.session_state.pop("_ingest_msg", None)
    if msg:
        getattr(st, msg[0])(msg[1])
    if not articles:
        return
    uv = user_gazetteer_version()
    store = get_store(location)
    st.markdown(mapping.HIGHLIGHT_CSS, unsafe_allow_html=True)
    for i, article in enumerate(articles):
        try:
            result = extract_cached(article, uv)
        except GeoError as exc:
            st.error(f"{article.title}: {exc}")
            continue
        st.divider()
        st.subheader(article.title or article.article_id)
        st.caption(
            f"{article.published.isoformat() if article.published else 'no date'} \u00b7 "
            f"{article.source or 'no source'} \u00b7 {len(result.events)} events, "
            f"{len(result.unresolved)} unknown place names"
        )
        st.markdown(LEGEND_HTML, unsafe_allow_html=True)
        with st.container(height=320):
            st.markdown(mapping.highlight_spans(article.text, _text_spans(article, result)), unsafe_allow_html=True)
        if result.events:
            st.dataframe(events_table(result.events), hide_index=True, width="stretch")
        else:
            st.caption("No events found.")

        if result.unresolved:
            st.markdown("**Unknown place names** \u2014 pick the right place or give coordinates; the choice is saved in your gazetteer.")
            seen = set()
            for j, m in enumerate(result.unresolved):
                if m.text.lower() in seen:
                    continue
                seen.add(m.text.lower())
                _correction_row(m.text, f"fix_{i}_{j}", article.article_id)

        stored = store.get_article(article.article_id)
        label = "Add to store" if stored is None else "Update in store"
        if st.button(label, key=f"add_{i}", type="primary", disabled=not result.events and stored is None):
            try:
                outcome = save_article(store, article, result.events)
            except GeoError as exc:
                st.error(f"Could not store the article: {exc}")
            else:
                clear_data_caches()
                st.success(
                    f"{outcome}: {len(result.events)} events of \u201c{article.title}\u201d. "
                    f"[Open the article]({mapping.article_href(article.article_id)})"
                )


def _event_key(e) -> tuple:
    return (e.event_id, e.event_type, e.sub_event_type, e.location, round(e.latitude, 5), round(e.longitude, 5),
            e.geo_precision, e.event_date, e.actor1, e.actor2, e.fatalities)


def save_article(store, article: Article, events) -> str:
    """Store the article's events. The store skips an article whose text and date it already has
    ("unchanged"); after a gazetteer correction the events differ for the same text, so the
    stored article is deleted and written again ("replaced", two transactions)."""
    outcome = str(store.add_article(article, events))
    if outcome != "unchanged":
        return outcome
    stored = store.query(EventFilter(article_id=article.article_id))
    old = sorted(_event_key(_event_from_row(r)) for r in pd.DataFrame(stored.drop(columns="geometry", errors="ignore")).to_dict("records"))
    new = sorted(_event_key(e) for e in events)
    if old == new:
        return "unchanged"
    store.delete_article(article.article_id)
    store.add_article(article, events)
    return "replaced"


def _correction_row(name: str, key: str, article_id: str) -> None:
    from geo.gazetteer import LocalGeocoder

    parser = get_parser(user_gazetteer_version())
    try:
        cands = LocalGeocoder(parser.gazetteer).geocode(name, exactly_one=False, limit=8) or []
    except GeoError:
        cands = []
    options: list[dict] = [
        {"label": f"{c.address} \u2014 {c.raw.get('kind')}, {c.latitude:.4f}, {c.longitude:.4f}",
         "lat": c.latitude, "lon": c.longitude, "kind": c.raw.get("kind") or "populated_place"}
        for c in cands
    ]
    options.append({"label": "Enter coordinates\u2026", "manual": True})
    c1, c2, c3 = st.columns([2, 3, 1])
    c1.markdown(f"`{mapping.esc(name)}`")
    c2.selectbox("Place", options, key=key, format_func=lambda o: o["label"], label_visibility="collapsed")
    choice = st.session_state.get(key) or options[0]
    if choice.get("manual"):
        d1, d2 = c2.columns(2)
        d1.number_input("Latitude", min_value=-90.0, max_value=90.0, value=35.0, format="%.4f", key=f"{key}_lat")
        d2.number_input("Longitude", min_value=-180.0, max_value=180.0, value=38.0, format="%.4f", key=f"{key}_lon")
    c3.button("Save place", key=f"{key}_save", on_click=_save_correction, args=(name, key, article_id))


# =============================================================================================
# Article view


def article_view(location: str, version: str) -> None:
    store = get_store(location)
    article_id = st.session_state.get("article_id") or ""
    if not article_id:
        arts = store.articles()
        if not arts:
            st.info("No articles in the store yet.")
            return
        labels = {a.article_id: f"{a.published or '----------'} \u00b7 {a.title or a.article_id}" for a in arts}
        article_id = st.selectbox("Article", list(labels), format_func=labels.get, key="article_pick")
        st.session_state["article_id"] = article_id
    article = store.get_article(article_id)
    if article is None:
        st.error(f"No article with id {article_id!r} in the store.")
        return
    st.title(article.title or article.article_id)
    meta = [article.published.isoformat() if article.published else "no date", article.source or "no source"]
    st.caption(" \u00b7 ".join(meta) + (f" \u00b7 [original]({article.url})" if article.url else ""))
    if st.button("Extract again (with your gazetteer corrections)", key="article_reextract"):
        try:
            result = extract_cached(article, user_gazetteer_version())
            outcome = save_article(store, article, result.events)
        except GeoError as exc:
            st.error(f"Could not extract the article again: {exc}")
        else:
            clear_data_caches()
            st.success(f"{outcome}: {len(result.events)} events.")
    gdf = store.query(EventFilter(article_id=article_id))
    df = pd.DataFrame(gdf.drop(columns="geometry", errors="ignore"))
    spans: list[mapping.Span] = []
    for k, r in enumerate(df.to_dict("records"), start=1):
        ps, pe = r.get("place_start"), r.get("place_end")
        if pd.notna(ps) and pd.notna(pe):
            spans.append(mapping.Span(int(ps), int(pe), "place", f"{r['location']} (event {k})", 3))
        ss, se = r.get("sentence_start"), r.get("sentence_end")
        if pd.notna(ss) and pd.notna(se):
            spans.append(mapping.Span(int(ss), int(se), "sentence", f"event {k}: {r['event_type']}", 0))
    st.markdown(mapping.HIGHLIGHT_CSS, unsafe_allow_html=True)
    left, right = st.columns([3, 2], gap="medium")
    with left:
        st.markdown(mapping.highlight_spans(article.text, spans), unsafe_allow_html=True)
    with right:
        st.markdown(f"**{len(df)} events**")
        if len(df):
            basemap = get_basemap()
            groups, _ = mapping.build_event_layers(df, basemap, options=MAP_OPTIONS, show_choropleth=False)
            base = mapping.build_base_map(basemap, height=380)
            st_folium(base, key="article_map", height=380, use_container_width=True, returned_objects=[],
                      feature_group_to_add=groups)
            st.dataframe(events_table([_event_from_row(r) for r in df.to_dict("records")]), hide_index=True,
                         width="stretch")


def _event_from_row(r: dict):
    from geo.models import Event

    clean = {k: (None if (not isinstance(v, str) and pd.isna(v)) else v) for k, v in r.items()}
    for k in ("time_precision", "fatalities", "sentence_start", "sentence_end", "place_start", "place_end"):
        if clean.get(k) is not None:
            clean[k] = int(clean[k])
    return Event.from_record(clean)


# =============================================================================================
# Main


def main() -> None:
    init_state_from_url()
    location = resolve_store_location()
    try:
        get_store(location)
    except GeoError as exc:
        st.error(f"Cannot open the event store: {exc}")
        st.stop()
    version = store_version(location)
    if offline_assets.missing_assets():
        st.warning("Map assets are missing: run `bash scripts/install_assets.sh` (the map stays blank without them).")

    st.sidebar.radio("View", VIEWS, key="view", horizontal=True)
    view = st.session_state["view"]
    params: dict[str, Any] = {}
    try:
        if view == "Map":
            flt, params, opts = sidebar_filters(location, version)
            flt_shown, period = sidebar_playback(flt, opts["range"])
            map_view(location, version, flt_shown, opts, period)
        elif view == "Ingest":
            ingest_view(location, version)
            params = {"view": "ingest"}
        else:
            article_view(location, version)
            params = {"view": "article", "article": st.session_state.get("article_id") or None}
    except GeoError as exc:
        st.error(str(exc))
    st.sidebar.caption(f"Store: `{location if '://' not in location else location.split('@')[-1]}`")
    write_url(params)


if os.environ.get("GEO_APP_PROFILE"):  # GEO_APP_PROFILE=1 streamlit run app.py: timings on stderr
    import cProfile
    import pstats
    import sys

    _prof = cProfile.Profile()
    _t0 = time.perf_counter()
    try:
        _prof.runcall(main)
    finally:
        _n = os.environ["GEO_APP_PROFILE"]
        print(f"app run: {time.perf_counter() - _t0:.3f} s", file=sys.stderr)
        pstats.Stats(_prof, stream=sys.stderr).sort_stats("cumulative").print_stats(int(_n) if _n.isdigit() and int(_n) > 1 else 30)
else:
    main()
