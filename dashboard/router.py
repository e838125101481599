"""The router behind ``app.py``: the pages, the store location, and old ``?view=`` links."""

from __future__ import annotations

import logging
import time

import streamlit as st

from dashboard import article_page, data, ingest_page, map_page, state
from dashboard.text import md
from geo.errors import GeoError
from geo.store import resolve_store_location
from geo.webmap import assets as offline_assets

log = logging.getLogger(__name__)


def pages() -> dict[str, st.Page]:
    return {
        "map": st.Page(map_page.render, title="Map", icon=":material/map:", url_path="map", default=True),
        "ingest": st.Page(ingest_page.render, title="Ingest", icon=":material/upload_file:", url_path="ingest"),
        "article": st.Page(article_page.render, title="Article", icon=":material/article:", url_path="article"),
    }


FLASH_SECONDS = 10.0


def show_flash() -> None:
    """The outcome of the last action, shown for a few seconds: not for one run only, since the
    map's report of its view can rerun the page right after the action."""
    now = time.monotonic()
    for key, show in (("_flash", st.success), ("_flash_error", st.error)):
        value = st.session_state.get(key)
        if value is None:
            continue
        if not isinstance(value, tuple):
            value = st.session_state[key] = (value, now)
        if now - value[1] <= FLASH_SECONDS:
            show(value[0])
        else:
            del st.session_state[key]


def main() -> None:
    offline_assets.install()
    all_pages = pages()
    current = st.navigation(list(all_pages.values()))
    state.init_from_url()
    # ?view=article&article=... (popup links, shared links) opens that page
    view = (st.query_params.get("view") or "").lower()
    if view in all_pages and view != "map" and current.url_path != all_pages[view].url_path:
        st.switch_page(all_pages[view], query_params=st.query_params.to_dict())
    location = resolve_store_location()
    try:
        data.get_store(location)
    except GeoError as exc:
        st.error(f"Cannot open the event store: {md(exc)}")
        st.stop()
    st.session_state["store_location"] = location
    if offline_assets.missing_assets():
        st.warning("Map assets are missing: run `bash scripts/install_assets.sh` (the map stays blank without them).")
    show_flash()
    current.run()
    st.sidebar.caption(f"Store: {md(map_page.store_label(location))}")
