"""The dashboard: ``streamlit run app.py`` (store: ``$GEO_STORE`` or data/events.gpkg).

A thin router: the pages live in :mod:`dashboard` (map, ingest, article), each testable with
Streamlit's AppTest. Filters and the map view are mirrored in the URL, and ``?view=article&
article=<id>`` / ``?event=<id>`` links open an article or an event.
"""

from __future__ import annotations

import streamlit as st

st.set_page_config(
    page_title="Syria conflict events",
    page_icon=":world_map:",
    layout="wide",
    initial_sidebar_state="expanded",
)

from dashboard.router import main

main()
