"""The Map page: filtered events on the offline map, charts, the table, the selected event's
details panel and the exports."""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from dashboard import charts, data, event_panel, filters, state
from dashboard.text import md
from geo.errors import GeoError
from geo.models import SYRIA_GOVERNORATES
from geo.store import EventFilter
from geo.webmap import build_base_map, clicked_area, clicked_event_id, selected_view
from geo.webmap import layers as mapping
from geo.webmap import tiles as tile_archives

log = logging.getLogger(__name__)
MAP_OPTIONS = mapping.MapOptions()
# Up to this many filtered events, rows are fetched whole (markers one by one, charts, exports);
# beyond, the map, counts and charts come from aggregates in the store.
FULL_LIMIT = MAP_OPTIONS.max_points
TABLE_ROWS = 1_000  # rows sent to the table (most recent first)
MAP_HEIGHT = 620
# A session's first page shows the map first: the charts, the table and the exports follow this
# many seconds later (see _after_the_map). Drawn together, their Vega, grid and widget code took
# the browser's one main thread for 1.1-1.5 s of the first render before the markers showed.
AFTER_MAP_S = 1.5
_PAGE_SEEN = "_map_page_seen"
_AFTER_MAP_ARMED = "_after_map_armed"
TABLE_COLUMNS = [
    "event_date", "event_type", "sub_event_type", "actor1", "actor2", "admin1", "location",
    "geo_precision", "fatalities", "notes", "article", "event_id",
]


def render() -> None:
    location, version = data_location()
    flt, params, opts = filters.sidebar_filters(location, version)
    flt_shown, period = filters.sidebar_playback(flt, opts["range"])
    try:
        map_body(location, version, flt_shown, opts, period)
    except GeoError as exc:
        st.error(md(exc))
    # the map writes its view into the URL itself (geo.webmap ViewInUrl); keep what it wrote
    view = state.map_view_from_url() or state.kept().get("view")
    if view:
        params.update(lat=f"{view[0]:.4f}", lon=f"{view[1]:.4f}", z=view[2])
    params["event"] = st.session_state.get("event_id") or None
    state.write_url(params)


def data_location() -> tuple[str, str]:
    location = st.session_state["store_location"]
    return location, data.store_version(location)


def fetch(location: str, version: str, flt: EventFilter) -> dict[str, Any]:
    """What the map needs for this filter (data.q_page): rows or aggregates, counts."""
    key = data.filter_key(flt)
    return {"key": key, **data.q_page(location, version, key, FULL_LIMIT, TABLE_ROWS, MAP_OPTIONS.detail_limit)}


def store_label(location: str) -> str:
    return Path(location).name if "://" not in location else location.split("@")[-1]


def map_body(location: str, version: str, flt: EventFilter, opts: dict[str, Any], period: str | None) -> None:
    area = st.session_state.get("map_area")  # a clicked aggregate: its area's single events
    if area:
        flt = dataclasses.replace(flt, bbox=tuple(area["bbox"]))
    got = fetch(location, version, flt)
    n, summary, df = got["n"], got["summary"], got["df"]
    st.title("Conflict events in Syria")
    st.caption(f"Store {md(store_label(location))}" + (f" \u00b7 playback: **{md(period)}**" if period else ""))
    if data.q_count(location, version, data.filter_key(EventFilter())) == 0:
        st.info("The store is empty. Add articles on the **Ingest** page, or run "
                "`python -m geo ingest seeds/` and reload.")
    # One horizontal container, not st.columns: every block is a message the browser renders
    # while the map loads (four fewer here, three in the exports below).
    figures = st.container(horizontal=True, gap="medium")
    govs = sum(1 for g, c in summary["by_admin1"].items() if c and g in SYRIA_GOVERNORATES)
    figures.metric("Events", f"{n:,}")
    figures.metric("Fatalities", f"{int(summary['fatalities']):,}")
    figures.metric("Governorates", f"{govs}")
    figures.metric("Undated", f"{int(summary['undated']):,}")
    if area:
        c1, c2 = st.columns([4, 1])
        c1.info(f"Showing the area around **{md(area['label'])}** (a clicked aggregate marker): {n:,} events.")
        c2.button("Show all areas", key="area_clear", on_click=_clear_area, width="stretch")

    table = table_frame(df) if len(df) else pd.DataFrame(columns=TABLE_COLUMNS)
    table_key = "table_" + hashlib.sha1(repr((got["key"], version)).encode()).hexdigest()[:10]
    picked = selected_row(table, table_key)
    if picked is not None and picked != st.session_state.get("_picked_row"):
        st.session_state["_picked_row"] = picked
        st.session_state["event_id"] = picked
    selected_id = st.session_state.get("event_id") or None
    selected = event_panel.load_event(location, selected_id) if selected_id else None

    left, right = st.columns([3, 2], gap="medium")
    # The details panel first: a selection shows it before the map's layers are rebuilt
    # (Streamlit places elements by container, not by the order the script reaches them).
    if selected_id:
        with right:
            event_panel.render(location, selected_id, selected)
    with left:
        draw_map(got, opts, selected_id, selected, area)
    first_view = not st.session_state.get(_PAGE_SEEN)
    st.session_state[_PAGE_SEEN] = True
    if first_view:
        with right:
            _after_the_map()
        return
    with right:
        charts.render(location, version, got, flt, opts)
    events_table(table, table_key, n)
    exports(location, got["key"], n, flt, opts.get("range"))


@st.fragment(run_every=AFTER_MAP_S)
def _after_the_map() -> None:
    """The rest of the page, after the map of a session's first view. Its first call (in the
    page's run) arms it; the timer's run then reruns the whole page, which, no longer the first
    view, draws the charts, the table and the exports (and no longer calls this, so the timer
    stops). Any widget used before the timer fires reruns the page to the same effect."""
    if st.session_state.pop(_AFTER_MAP_ARMED, False):
        st.rerun(scope="app")
    st.session_state[_AFTER_MAP_ARMED] = True
    st.caption("Charts, the events table and the exports follow the map.")


def _clear_area() -> None:
    st.session_state.pop("map_area", None)


def table_frame(df: pd.DataFrame) -> pd.DataFrame:
    t = df.head(TABLE_ROWS).copy()
    t["event_date"] = pd.to_datetime(t["event_date"].map(mapping.iso_date), errors="coerce")
    t["notes"] = t["notes"].map(lambda s: mapping.compact_text(s, 200))
    t["article"] = t["article_id"].map(mapping.article_href)
    return t[TABLE_COLUMNS].reset_index(drop=True)


def selected_row(table: pd.DataFrame, table_key: str) -> str | None:
    sel_state = st.session_state.get(table_key)
    try:
        rows = sel_state.selection.rows if sel_state is not None else []
    except AttributeError:
        rows = (sel_state or {}).get("selection", {}).get("rows", []) if isinstance(sel_state, dict) else []
    if rows and rows[0] < len(table):
        return str(table.iloc[rows[0]]["event_id"])
    return None


def map_options(opts: dict[str, Any]) -> mapping.MapOptions:
    return dataclasses.replace(MAP_OPTIONS, size_by_fatalities=opts.get("size") == "fatalities")


AREA_ZOOM = 11


def draw_map(got: dict[str, Any], opts: dict[str, Any], selected_id: str | None,
             selected: dict[str, Any] | None = None, area: dict[str, Any] | None = None) -> None:
    """``selected``: the selected event's stored record (centres the map, fills its popup)."""
    basemap = data.get_basemap()
    n = got["n"]
    options = map_options(opts)
    groups, info = mapping.build_event_layers(
        got["df"], basemap, aggregates=got["aggregates"], options=options,
        counts={g: int(c) for g, c in got["summary"]["by_admin1"].items()},
        selected_event_id=selected_id, selected_record=selected, total=n,
    )
    # the view from the URL at the session's start only: feeding every pan back into the map's
    # HTML would make the component reload the map after each pan
    view = st.session_state.get("_initial_view")
    base = build_base_map(basemap, online_tiles=opts["osm"], height=MAP_HEIGHT,
                          size_by_fatalities=options.size_by_fatalities,
                          **({"location": view[:2], "zoom_start": view[2]} if view else {}))
    center, zoom = selected_view(selected, basemap) if selected is not None else (None, None)
    if center is None and area:
        center, zoom = tuple(area["center"]), AREA_ZOOM
    out = st_folium(base, key="map", height=MAP_HEIGHT, use_container_width=True,
                    returned_objects=["last_object_clicked", "last_object_clicked_tooltip"],  # no view: no rerun per pan
                    feature_group_to_add=groups, center=center, zoom=zoom)
    handle_map_output(out, got, info)
    notes = []
    if info.aggregated:
        notes.append(
            f"{n:,} events: markers are aggregated per place and type ({info.n_markers:,} markers; "
            f"circle size is {'fatalities' if options.size_by_fatalities else 'event counts'}). Click a marker "
            f"to show the single events of its area, or narrow the filters below {FULL_LIMIT:,} events.")
    if info.n_province:
        notes.append(f"{info.n_province:,} events are known only to the governorate: dashed circles at the "
                     "governorate's centre, with their count.")
    if info.n_points and not info.aggregated and info.n_detailed < info.n_points:
        notes.append(f"Popups with details for the {info.n_detailed:,} most recent events; "
                     "click any marker for its full record beside the map.")
    if notes:
        st.caption(" ".join(notes))
    problem = tile_archives.basemap_problem()
    if problem:
        st.warning(f"{md(problem)}. The map is drawn without it.")


def handle_map_output(out: dict | None, got: dict[str, Any], info: mapping.EventLayersInfo | None = None) -> None:
    """A click on a marker selects its event; a click on an aggregate marker shows its area's
    single events (the view goes to the URL in the browser)."""
    if not out:
        return
    click = (out.get("last_object_clicked"), out.get("last_object_clicked_tooltip"))
    if not click[0] or click == st.session_state.get("_last_click"):
        return
    st.session_state["_last_click"] = click
    event_id = clicked_event_id(out, got["df"])
    if event_id and event_id != st.session_state.get("event_id"):
        st.session_state["event_id"] = event_id
        st.rerun()
    area = clicked_area(out, info.areas, info.cell) if info is not None and event_id is None else None
    if area is not None:
        st.session_state["map_area"] = area
        st.rerun()


def events_table(table: pd.DataFrame, table_key: str, n: int) -> None:
    st.subheader("Events")
    shown = len(table)
    st.caption((f"The {shown:,} most recent of {n:,} events. " if shown < n else f"{n:,} events. ")
               + "Sort by clicking a column; select a row to show it on the map with its details.")
    st.dataframe(
        table, key=table_key, on_select="rerun", selection_mode="single-row", hide_index=True,
        width="stretch", height=320,
        column_config={
            "event_date": st.column_config.DateColumn("Date", format="YYYY-MM-DD"),
            "event_type": "Type", "sub_event_type": "Sub-type", "actor1": "Actor 1", "actor2": "Actor 2",
            "admin1": "Governorate", "location": "Place",
            "geo_precision": st.column_config.NumberColumn("Precision", help="1 town, 2 near a town, 3 governorate"),
            "fatalities": st.column_config.NumberColumn("Fatalities"),
            "notes": st.column_config.TextColumn("Sentence", width="large"),
            "article": st.column_config.LinkColumn("Article", display_text="open"),
            "event_id": None,
        },
    )


def export_names(flt: EventFilter, shown_range) -> dict[str, str]:
    """File names that say what they hold (``events_aleppo_2014-01-03_2014-01-05.geojson``), from
    geo.export.export_filename, with the period shown on the page."""
    from geo.export import export_filename

    if shown_range is not None:
        flt = dataclasses.replace(flt, date_from=flt.date_from or shown_range[0], date_to=flt.date_to or shown_range[1])
    return {fmt: export_filename(flt, fmt) for fmt in ("geojson", "csv", "gpkg")}


def exports(location: str, key: tuple, n: int, flt: EventFilter, shown_range=None) -> None:
    """Download buttons whose files are built only when one is clicked (st.download_button with
    a callable): nothing is exported while the page renders, at any size."""
    st.subheader("Export the filtered events")
    if n == 0:
        st.caption("Nothing to export.")
        return
    names = export_names(flt, shown_range)
    store = data.get_store(location)
    buttons = st.container(horizontal=True)
    for fmt, label, mime in (("geojson", "GeoJSON", "application/geo+json"), ("csv", "CSV", "text/csv"),
                             ("gpkg", "GeoPackage", "application/geopackage+sqlite3")):
        buttons.download_button(label, data.export_builder(store, key, fmt), file_name=names[fmt], mime=mime,
                                key=f"dl_{fmt}", width="stretch", on_click="ignore")
    st.caption(f"{n:,} events; each file is written when its button is clicked.")
