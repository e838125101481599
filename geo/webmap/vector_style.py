"""A MapLibre GL style for a vector tile archive (``GEO_BASEMAP=extract.pmtiles``), made from the
archive's own list of layers.

A vector archive carries geometry, not looks: MapLibre draws nothing without a style that names
its layers. The two schemas users will have are OpenMapTiles (``water``, ``landcover``,
``transportation``, ``boundary``...) and Protomaps (``earth``, ``water``, ``roads``,
``boundaries``...); each layer id is put in a role by name (:data:`ROLES`), and a layer of any
other schema still shows, faintly. The style is quiet on purpose: the events are the map, the
basemap only orients (major roads wider, minor roads only when zoomed in). Labels and points (places, POIs) are left out: text needs glyph files
that an offline page does not have, and the gazetteer's own town labels are drawn over the map.
"""

from __future__ import annotations

from typing import Any

# Drawing order (first is drawn first, at the bottom) and the layer ids of each role.
ROLES: dict[str, frozenset[str]] = {
    "land": frozenset({"earth", "land"}),
    "landcover": frozenset({"landcover", "landuse", "park", "natural", "landuse_overlay"}),
    "water": frozenset({"water", "ocean", "lake", "lakes"}),
    "waterway": frozenset({"waterway", "waterways", "river", "rivers"}),
    "building": frozenset({"building", "buildings"}),
    "other": frozenset(),
    "road": frozenset({"roads", "road", "transportation", "highway", "highways", "streets", "railway"}),
    "boundary": frozenset({"boundaries", "boundary", "admin"}),
}
# Layers of labels and points: not drawn (see the module docstring).
SKIPPED = frozenset({"places", "place", "pois", "poi", "housenumber", "water_name", "transportation_name",
                     "mountain_peak", "aerodrome_label", "transit", "place_label", "poi_label", "road_label"})

LAND = "#f2efe9"
_POLYGON = ["match", ["geometry-type"], ["Polygon", "MultiPolygon"], True, False]
_LINE = ["match", ["geometry-type"], ["LineString", "MultiLineString"], True, False]
# Line widths by zoom (MapLibre interpolates between the stops).
_THIN = ["interpolate", ["linear"], ["zoom"], 5, 0.4, 12, 1.2, 16, 2.5]
# A road's class: OpenMapTiles calls it "class", Protomaps "kind". Major roads are drawn wider;
# minor ones only from MINOR_ROAD_ZOOM on, where they orient rather than clutter.
_ROAD_CLASS = ["to-string", ["coalesce", ["get", "class"], ["get", "kind"], ""]]
MAJOR_ROADS = ["motorway", "trunk", "primary", "highway", "major_road"]
MINOR_ROADS = ["minor", "minor_road", "service", "track", "path", "other"]
MINOR_ROAD_ZOOM = 11
_ROAD_SCALE = ["match", _ROAD_CLASS, MAJOR_ROADS, 1.6, MINOR_ROADS, 0.6, 1.0]
_ROAD = ["interpolate", ["linear"], ["zoom"], *(v for stop, width in ((5, 0.5), (10, 1.2), (14, 3.0), (18, 8.0))
                                               for v in (stop, ["*", width, _ROAD_SCALE]))]
_IS_MINOR_ROAD = ["match", _ROAD_CLASS, MINOR_ROADS, True, False]

_FILLS: dict[str, dict[str, Any]] = {
    "land": {"fill-color": LAND},
    "landcover": {"fill-color": "#dfe7d3", "fill-opacity": 0.6},
    "water": {"fill-color": "#aad3df"},
    "building": {"fill-color": "#ddd8d0", "fill-opacity": 0.8},
    "other": {"fill-color": "#e2dfd8", "fill-opacity": 0.4},
}
_LINES: dict[str, dict[str, Any]] = {
    "water": {"line-color": "#8cc0d6", "line-width": _THIN},
    "waterway": {"line-color": "#8cc0d6", "line-width": _THIN},
    "road": {"line-color": "#c4bdb2", "line-width": _ROAD},
    "boundary": {"line-color": "#9e9cab", "line-width": _THIN, "line-dasharray": [3, 2]},
    "other": {"line-color": "#c8c8c8", "line-width": _THIN, "line-opacity": 0.6},
}
_MIN_ZOOM = {"building": 13}


def _line_layers(role: str) -> list[tuple[str, list, dict[str, Any]]]:
    """(id suffix, filter, extra keys) of each line layer a role draws: roads as two, the minor
    ones from MINOR_ROAD_ZOOM on."""
    if role == "road":
        return [("line", ["all", _LINE, ["!", _IS_MINOR_ROAD]], {}),
                ("minor", ["all", _LINE, _IS_MINOR_ROAD], {"minzoom": MINOR_ROAD_ZOOM})]
    return [("line", _LINE, {})]


def role_of(layer_id: str) -> str | None:
    """The role a layer is drawn in, or None for a layer of labels or points."""
    key = layer_id.strip().lower()
    if key in SKIPPED:
        return None
    return next((role for role, ids in ROLES.items() if key in ids), "other")


def vector_style(layer_ids: tuple[str, ...] | list[str], tile_url: str, *, min_zoom: int, max_zoom: int,
                 bounds: tuple[float, float, float, float] | None = None, attribution: str = "") -> dict[str, Any]:
    """A MapLibre style (version 8) for the archive's layers, served at ``tile_url`` (XYZ).
    ``bounds`` is (south, west, north, east), the code's lat/lon order."""
    source: dict[str, Any] = {"type": "vector", "tiles": [tile_url], "minzoom": min_zoom, "maxzoom": max_zoom}
    if bounds is not None:
        south, west, north, east = bounds
        source["bounds"] = [west, south, east, north]  # TileJSON's order
    if attribution:
        source["attribution"] = attribution
    order = list(ROLES)
    drawn = sorted(((role, i, layer_id) for i, layer_id in enumerate(layer_ids)
                    if (role := role_of(layer_id)) is not None), key=lambda t: (order.index(t[0]), t[1]))
    layers: list[dict[str, Any]] = [{"id": "background", "type": "background",
                                     "paint": {"background-color": LAND}}]
    for role, _, layer_id in drawn:
        common = {"source": "basemap", "source-layer": layer_id}
        if role in _MIN_ZOOM:
            common["minzoom"] = _MIN_ZOOM[role]
        if role in _FILLS:
            layers.append({"id": f"{layer_id}-fill", "type": "fill", "filter": _POLYGON,
                           "paint": dict(_FILLS[role]), **common})
        if role in _LINES:
            for suffix, line_filter, extra in _line_layers(role):
                layers.append({"id": f"{layer_id}-{suffix}", "type": "line", "filter": line_filter,
                               "layout": {"line-join": "round", "line-cap": "round"},
                               "paint": dict(_LINES[role]), **common, **extra})
    return {"version": 8, "name": "geo basemap", "sources": {"basemap": source}, "layers": layers}
