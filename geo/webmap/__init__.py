"""Stage 5: the web map. Pure functions that build the Folium map and its layers from events
(testable without Streamlit), and the offline Leaflet assets."""
