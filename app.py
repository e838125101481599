"""The dashboard: ``streamlit run app.py`` (store: ``$GEO_STORE`` or data/events.gpkg).

A thin router: the pages live in :mod:`dashboard` (map, ingest, article), each testable with
Streamlit's AppTest. Filters and the map view are mirrored in the URL, and ``?view=article&
article=<id>`` / ``?event=<id>`` links open an article or an event.
"""

from __future__ import annotations

import streamlit as st

st.set_page_config(
    page_title="Syria conflict events",
    page_icon=":material/map:",  # a shortcode emoji costs the first visit 0.16 s (its table loads)
    layout="wide",
    initial_sidebar_state="expanded",
)

from dashboard.router import main

main()
