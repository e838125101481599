"""The stack's floor for bench_app: a bare Streamlit page with one st_folium map and one marker,
on the same offline Leaflet assets as the dashboard. Whatever the dashboard does beyond this
costs time above the floor.  ``streamlit run benchmarks/floor_app.py``"""

from __future__ import annotations

import folium
import streamlit as st
from streamlit_folium import st_folium

from geo.webmap import assets as offline_assets

st.set_page_config(page_title="floor", layout="wide")
offline_assets.install()
m = folium.Map(location=[35.0, 38.6], zoom_start=7, tiles=None, prefer_canvas=True)
marker = folium.CircleMarker([36.5281, 37.9549], radius=6)
marker.options["geoKind"] = "event"  # the option bench_app's marker probe reads (as on the dashboard's markers)
marker.add_to(m)
st_folium(m, key="map", height=620, use_container_width=True, returned_objects=[])
