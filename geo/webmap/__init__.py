"""Stage 5: the web map. Pure functions that build the Folium map and its layers from events
(testable without Streamlit), and the offline Leaflet assets.

Modules: style (colours, options), render (Jinja2 environment, templates/ and static/),
popups (popup and legend HTML), aggregate (dates, per-place counts, choropleth classes),
elements (folium elements; their JS is static/geomap.js), basemap (outlines, labels, tiles),
tiles (offline MBTiles server), layers (event layers, build_map), select (click -> event id),
charts (timelines, metrics), highlight (article text), assets (local Leaflet files)."""

from geo.webmap.basemap import (
    BasemapData,
    basemap_data,
    build_base_map,
    load_basemap,
    place_labels,
    selected_view,
)
from geo.webmap.layers import EventLayersInfo, build_event_layers, build_map
from geo.webmap.select import clicked_area, clicked_event_id
from geo.webmap.style import MapOptions

__all__ = [
    "BasemapData", "EventLayersInfo", "MapOptions", "basemap_data", "build_base_map", "build_event_layers",
    "build_map", "clicked_area", "clicked_event_id", "load_basemap", "place_labels", "selected_view",
]
