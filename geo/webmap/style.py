"""The map's constants and options: colours, labels, limits. No logic."""

from __future__ import annotations

from dataclasses import dataclass

from geo.models import EVENT_TYPES

TYPE_NAMES: tuple[str, ...] = tuple(EVENT_TYPES)
# Okabe-Ito palette (colour-blind safe), one colour per ACLED event type.
TYPE_COLORS: dict[str, str] = {
    "Battles": "#D55E00",
    "Explosions/Remote violence": "#E69F00",
    "Violence against civilians": "#CC79A7",
    "Protests": "#009E73",
    "Riots": "#56B4E9",
    "Strategic developments": "#0072B2",
}
UNKNOWN_TYPE_COLOR = "#555555"
# Clusters are drawn in neutral greys so that they never read as an event type of the legend
# (the markercluster defaults, green/yellow/orange, read as Protests/Explosions/Battles).
CLUSTER_FILL = "#ffffff"
CLUSTER_RING = "#5f6368"
CLUSTER_TEXT = "#202124"

SYRIA_CENTER: tuple[float, float] = (35.0, 38.6)
SYRIA_BOUNDS: tuple[tuple[float, float], tuple[float, float]] = ((32.3, 35.6), (37.4, 42.4))
GEO_PRECISION_LABELS = {1: "at the town", 2: "near the town / part of a region", 3: "governorate only"}
TIME_PRECISION_LABELS = {1: "day", 2: "within a week", 3: "within a month"}
CHOROPLETH_COLORS = ("#ffffcc", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026")
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'


@dataclass(frozen=True)
class MapOptions:
    """Limits that keep the page small whatever the store holds, and how markers are drawn."""

    max_points: int = 20_000  # located events sent one by one; beyond, aggregate per place
    detail_limit: int = 500  # events whose popup (sentence, actors, link) is sent
    aggregate_decimals: int = 2  # rounding of lat/lon when aggregating (0.01 deg ~ 1 km)
    cluster_radius: int = 40  # pixels; small so distinct towns stay apart at zoom 7
    spread_limit: int = 100  # events of one spot spread around it on a click (the most recent)
    province_list_limit: int = 8  # events listed in a governorate roll-up popup
    notes_limit: int = 700  # characters of the supporting sentence shown in a popup
    size_by_fatalities: bool = False  # marker radius grows with the event's fatalities
    cluster_mix: bool = True  # clusters ringed by their type mix (else plain neutral discs)
    marker_radius: int = 6  # pixels, when not sized by fatalities
