"""The filter-independent part of the map: outlines, place labels by zoom, legend, tiles.

Without tiles the map still orients: country and governorate outlines (admin-1), district
outlines from zoom 8 when the gazetteer has admin-2 polygons, and the gazetteer's towns and
villages as labels, each from the zoom where it fits (the more important first). Tiles are
optional: an offline archive (``GEO_BASEMAP``, :mod:`geo.webmap.tiles`) or OpenStreetMap (online,
off unless asked for).
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import folium
import pandas as pd
from folium.utilities import get_bounds

from geo.webmap import assets as offline_assets
from geo.webmap import tiles as tile_archives
from geo.webmap.elements import (
    GeoLibrary,
    HtmlControl,
    OutlineLayer,
    PlaceLabels,
    VectorBasemap,
    ViewInUrl,
    ZoomGate,
)
from geo.webmap.popups import type_legend_html
from geo.webmap.render import js_json
from geo.webmap.style import OSM_ATTRIBUTION, OSM_TILES, SYRIA_CENTER
from geo.webmap.vector_style import vector_style

log = logging.getLogger(__name__)

LABEL_MIN_ZOOM, LABEL_MAX_ZOOM = 5, 14
DISTRICT_MIN_ZOOM = 8
# A place is not labelled before this zoom, whatever the room: (population at least, zoom).
POPULATION_ZOOM_FLOOR = ((1_000_000, 5), (200_000, 6), (50_000, 7), (10_000, 8), (1_000, 9), (0, 10))
FEATURE_RANK = {"PPLC": 3, "PPLA": 2, "PPLA2": 1}


@dataclass(frozen=True)
class BasemapData:
    """The offline basemap, as small GeoJSON dicts and lists (built once, cached by the app)."""

    countries: dict
    governorates: dict
    # (lat, lon, name, min_zoom, tier 0..2), the more important first
    towns: tuple[tuple[float, float, str, int, int], ...]
    centroids: Mapping[str, tuple[float, float]] = field(default_factory=dict)  # admin1 -> (lat, lon)
    districts: dict | None = None  # admin-2 outlines (GeoJSON) when the gazetteer has them

    @property
    def outline_layers(self) -> dict[str, dict]:
        """The outline layers present (countries, governorates, districts), by name."""
        layers = {"countries": self.countries, "governorates": self.governorates, "districts": self.districts}
        return {name: data for name, data in layers.items() if data}

    @cached_property
    def bounds(self) -> dict[str, list[list[float]]]:
        """[[lat_min, lon_min], [lat_max, lon_max]] of each outline layer, computed once."""
        return {name: get_bounds(data, lonlat=True) for name, data in self.outline_layers.items()}

    @cached_property
    def layer_json(self) -> dict[str, str]:
        """Each outline layer as inline-safe JSON text, serialised once (the map is built on every rerun)."""
        return {name: js_json(data) for name, data in self.outline_layers.items()}


def _places_frame(places: Any) -> pd.DataFrame | None:
    """places as a DataFrame: accepts a DataFrame, a Gazetteer, or a sequence of geo.models.Place."""
    if places is None:
        return None
    if isinstance(places, pd.DataFrame):
        return places
    seq = getattr(places, "places", places)
    cols = ("name", "kind", "country_code", "latitude", "longitude", "population", "feature_code")
    return pd.DataFrame([{c: getattr(p, c) for c in cols} for p in seq], columns=list(cols))


def _tier(pop: float) -> int:
    return 0 if pop >= 1_000_000 else (1 if pop >= 100_000 else 2)


def _zoom_floor(pop: float) -> int:
    return next(z for p, z in POPULATION_ZOOM_FLOOR if pop >= p)


def _world_px(lat: float, lon: float) -> tuple[float, float]:
    """Web Mercator pixel position at zoom 0 (256 px world)."""
    s = math.sin(math.radians(max(min(lat, 85.0), -85.0)))
    return (lon + 180.0) / 360.0 * 256.0, (0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * 256.0


def place_labels(
    places: Any, *, country_code: str = "SY", foreign_min_population: int = 100_000, max_labels: int = 3_000,
    char_px: float = 6.5, line_px: float = 15.0,
) -> list[tuple[float, float, str, int, int]]:
    """Town and village labels with the zoom from which each shows: ``(lat, lon, name, min_zoom, tier)``.

    Places are taken in order of importance (capital, admin seats, population); each gets the lowest
    zoom (not below its population's floor) at which its label box overlaps no label already
    placed at that zoom. Places that never fit by LABEL_MAX_ZOOM (duplicates) are dropped; at most
    ``max_labels`` are kept, so the page stays small with a gazetteer of any size.
    """
    frame = _places_frame(places)
    if frame is None or frame.empty:
        return []
    p = frame[frame["kind"] == "populated_place"]
    pop = pd.to_numeric(p["population"], errors="coerce").fillna(0)
    keep = (p["country_code"] == country_code) | (pop >= foreign_min_population)
    p = p[keep].assign(_pop=pop[keep])  # pop filtered too: assigning to an empty frame would adopt its index
    rank = p.get("feature_code", pd.Series("", index=p.index)).map(FEATURE_RANK).fillna(0)
    p = p.assign(_rank=rank).sort_values(["_rank", "_pop", "name"], ascending=[False, False, True], kind="stable")
    placed: dict[int, dict[tuple[int, int], list[tuple[float, float, float]]]] = {
        z: {} for z in range(LABEL_MIN_ZOOM, LABEL_MAX_ZOOM + 1)}
    cell = 256.0
    out: list[tuple[float, float, str, int, int]] = []
    for lat, lon, name, popn in zip(p["latitude"].astype(float), p["longitude"].astype(float),
                                    p["name"].astype(str), p["_pop"].astype(float)):
        x0, y0 = _world_px(lat, lon)
        width = char_px * len(name) + 10
        # A label stays from its zoom on, so it must fit at every zoom above too: the lowest zoom
        # is one above the highest zoom where it collides (distances only grow with the zoom).
        floor = max(_zoom_floor(popn), LABEL_MIN_ZOOM)
        z = floor
        for zz in range(LABEL_MAX_ZOOM, floor - 1, -1):
            if _collides(placed[zz], x0 * 2**zz, y0 * 2**zz, width, line_px, cell):
                z = zz + 1
                break
        if z > LABEL_MAX_ZOOM:
            continue  # never fits (a duplicate of a placed label)
        for zz in range(z, LABEL_MAX_ZOOM + 1):
            x, y = x0 * 2**zz, y0 * 2**zz
            placed[zz].setdefault((int(x // cell), int(y // cell)), []).append((x, y, width))
        out.append((round(lat, 3), round(lon, 3), name, z, _tier(popn)))  # ~100 m: enough for a label
        if len(out) >= max_labels:
            break
    return out


def _collides(grid: dict, x: float, y: float, width: float, line: float, cell: float) -> bool:
    cx, cy = int(x // cell), int(y // cell)
    for i in (cx - 1, cx, cx + 1):
        for j in (cy - 1, cy, cy + 1):
            for ox, oy, ow in grid.get((i, j), ()):
                if abs(oy - y) < line and x < ox + ow and ox < x + width:
                    return True
    return False


def _rounded_geojson(gdf: Any) -> dict:
    """GeoJSON of a GeoDataFrame with coordinates rounded to 4 decimals (~10 m): a smaller page."""
    data = json.loads(gdf.to_json(drop_id=True))

    def rnd(c: Any) -> Any:
        if isinstance(c, (list, tuple)) and c and isinstance(c[0], (int, float)):
            return [round(float(x), 4) for x in c]
        return [rnd(x) for x in c]

    for f in data["features"]:
        f["geometry"]["coordinates"] = rnd(f["geometry"]["coordinates"])
    return data


def _districts(admin2: Any, simplify: float) -> dict | None:
    if admin2 is None or len(admin2) == 0:
        return None
    gdf = admin2 if admin2.crs is not None else admin2.set_crs("EPSG:4326")
    gdf = gdf.to_crs("EPSG:4326")
    keep = [c for c in ("admin2", "name", "admin1") if c in gdf.columns]
    gdf = gdf[keep + ["geometry"]].copy()
    gdf["geometry"] = gdf.geometry.simplify(simplify, preserve_topology=True)
    return _rounded_geojson(gdf)


def basemap_data(
    admin1: Any, places: Any = None, *, admin2: Any = None, simplify: float = 0.004, country_code: str = "SY",
    max_labels: int = 3_000,
) -> BasemapData:
    """Offline basemap layers from the gazetteer.

    ``admin1``: GeoDataFrame with columns admin1, country_code, geometry (EPSG:4326).
    ``places``: DataFrame (name, kind, country_code, latitude, longitude, population[, feature_code]),
    a Gazetteer, or Place records. ``admin2``: GeoDataFrame of district polygons, or None.
    """
    import geopandas as gpd

    gdf = admin1 if admin1.crs is not None else admin1.set_crs("EPSG:4326")
    gdf = gdf.to_crs("EPSG:4326")
    countries = gdf[["country_code", "geometry"]].dissolve(by="country_code", as_index=False)
    countries["geometry"] = countries.geometry.simplify(simplify * 2, preserve_topology=True)
    countries = gpd.GeoDataFrame(countries, geometry="geometry", crs="EPSG:4326")
    gov = gdf[gdf["country_code"] == country_code][["admin1", "geometry"]].copy()
    reps = gov.geometry.representative_point()
    centroids = {str(n): (round(p.y, 4), round(p.x, 4)) for n, p in zip(gov["admin1"], reps)}
    gov["geometry"] = gov.geometry.simplify(simplify, preserve_topology=True)
    return BasemapData(
        countries=_rounded_geojson(countries),
        governorates=_rounded_geojson(gpd.GeoDataFrame(gov, geometry="geometry", crs="EPSG:4326")),
        towns=tuple(place_labels(places, country_code=country_code, max_labels=max_labels)),
        centroids=centroids,
        districts=_districts(admin2, simplify / 2),
    )


def load_basemap(max_labels: int = 3_000) -> BasemapData:
    """The basemap from the installed gazetteer: admin-1 polygons, every place it holds (shipped,
    imported, user) and admin-2 polygons when the gazetteer offers ``load_admin2_polygons``.

    Built once per gazetteer: loading the gazetteer (folding thousands of names) and simplifying
    the outlines take seconds, so the result is kept as JSON beside the imports
    (``.basemap-cache.json``), keyed by the input files and this module's code."""
    from geo import gazetteer

    cache_path = gazetteer.gazetteer_dir() / BASEMAP_CACHE
    sig = _basemap_signature(max_labels)
    cached = _read_basemap_cache(cache_path, sig)
    if cached is not None:
        return cached
    admin2 = None
    loader = getattr(gazetteer, "load_admin2_polygons", None)
    if loader is not None:
        try:
            admin2 = loader()
        except Exception as exc:  # noqa: BLE001 - outlines are optional; the map works without them
            log.warning("district outlines unavailable: %s", exc)
    data = basemap_data(gazetteer.load_admin1_polygons(), gazetteer.default_gazetteer(), admin2=admin2,
                        max_labels=max_labels)
    _write_basemap_cache(cache_path, sig, data)
    return data


BASEMAP_CACHE = ".basemap-cache.json"


def _basemap_signature(max_labels: int) -> str:
    """Every file the basemap is built from (shipped gazetteer, imports, user corrections) by
    (name, size, mtime), and the code that builds it."""
    import hashlib
    from pathlib import Path

    from geo import gazetteer
    from geo.gazetteer import index_cache

    data_dir = Path(gazetteer.DATA_DIR)
    imports = gazetteer.gazetteer_dir()
    files = sorted(p for p in data_dir.glob("*") if p.is_file())
    if imports.is_dir():
        files += sorted(p for p in imports.glob("*") if p.is_file() and not p.name.startswith("."))
    files.append(gazetteer.user_gazetteer_path())
    code = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
    return hashlib.sha256(f"{index_cache.signature(files)}|{code}|{max_labels}".encode()).hexdigest()


def _read_basemap_cache(path: Any, sig: str) -> BasemapData | None:
    try:
        raw = json.loads(path.read_bytes())
        if raw.get("signature") != sig:
            return None
        return BasemapData(
            countries=raw["countries"], governorates=raw["governorates"],
            towns=tuple((float(a), float(b), str(n), int(z), int(t)) for a, b, n, z, t in raw["towns"]),
            centroids={str(k): (float(v[0]), float(v[1])) for k, v in raw["centroids"].items()},
            districts=raw["districts"],
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("ignoring the basemap cache %s: %s", path, exc)
        return None


def _write_basemap_cache(path: Any, sig: str, data: BasemapData) -> None:
    """Written to a temporary name, then renamed; a read-only folder only costs speed."""
    import os

    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps({
            "signature": sig, "countries": data.countries, "governorates": data.governorates,
            "towns": list(data.towns), "centroids": dict(data.centroids), "districts": data.districts,
        }, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        log.info("basemap cache not written (%s): %s", path, exc)
        tmp.unlink(missing_ok=True)


def _add_outlines(m: folium.Map, basemap: BasemapData, filled: bool) -> None:
    OutlineLayer(
        basemap.layer_json["countries"], bounds=basemap.bounds["countries"], name="Countries", control=False,
        style={"color": "#777", "weight": 1.2, "fillOpacity": 1.0 if filled else 0.0, "fillColor": "#eeeeee"},
        style_by=("country_code", {"SY": {"fillColor": "#ffffff"}}),
    ).add_to(m)
    if basemap.districts:
        districts = OutlineLayer(
            basemap.layer_json["districts"], bounds=basemap.bounds["districts"], name="District borders",
            control=False, style={"color": "#b0b0b0", "weight": 0.8, "dashArray": "2 3", "fill": False},
        )
        districts.add_to(m)
        ZoomGate(districts, DISTRICT_MIN_ZOOM).add_to(m)
    OutlineLayer(
        basemap.layer_json["governorates"], bounds=basemap.bounds["governorates"], name="Governorate borders",
        control=True, style={"color": "#8a8a8a", "weight": 1, "dashArray": "4 3", "fill": False},
    ).add_to(m)
    if basemap.towns:
        PlaceLabels([list(t) for t in basemap.towns]).add_to(m)


def build_base_map(
    basemap: BasemapData | None, *, online_tiles: bool = False, height: int = 620,
    location: tuple[float, float] = SYRIA_CENTER, zoom_start: int = 7, size_by_fatalities: bool = False,
    offline_tiles: tile_archives.ServedArchive | None | bool = True,
) -> folium.Map:
    """The filter-independent map: outlines, labels, legend, the offline archive (``GEO_BASEMAP``)
    when configured, and an OSM layer (online, off unless ``online_tiles``).

    ``offline_tiles``: True reads GEO_BASEMAP, False ignores it, or a served archive to use."""
    if offline_assets.installed_base() is None:
        offline_assets.install()
    m = folium.Map(location=list(location), zoom_start=zoom_start, tiles=None,
                   maxZoom=18,  # the clusterer's deepest zoom, also when there is no tile layer
                   minZoom=3, prefer_canvas=True, control_scale=True, height=height)
    GeoLibrary().add_to(m)
    served = tile_archives.configured_basemap() if offline_tiles is True else (offline_tiles or None)
    if served is not None:
        a = served.archive
        if a.is_vector:
            style = vector_style(a.vector_layers, served.url, min_zoom=a.min_zoom, max_zoom=a.max_zoom,
                                 bounds=a.bounds, attribution=a.attribution or a.name)
            VectorBasemap(style, name=f"{a.name} (offline)", attribution=a.attribution or a.name).add_to(m)
        else:
            folium.TileLayer(served.url, name=f"{a.name} (offline)", attr=a.attribution or a.name, overlay=False,
                             control=True, min_zoom=a.min_zoom, max_native_zoom=a.max_zoom, max_zoom=18).add_to(m)
    if basemap is not None:
        _add_outlines(m, basemap, filled=not online_tiles and served is None)
    folium.TileLayer(OSM_TILES, name="OpenStreetMap (online)", attr=OSM_ATTRIBUTION, overlay=True, control=True,
                     show=bool(online_tiles), max_zoom=18).add_to(m)
    HtmlControl(type_legend_html(size_by_fatalities), position="bottomright", slot="types").add_to(m)
    folium.LayerControl(collapsed=True, position="topright").add_to(m)
    ViewInUrl().add_to(m)
    return m


def selected_view(row: Mapping[str, Any], basemap: BasemapData | None) -> tuple[tuple[float, float], int]:
    """Where to centre the map on a selected event, and the zoom: the governorate's point for
    province-precision events (never drawn at a town)."""
    lat, lon = float(row["latitude"]), float(row["longitude"])
    gp = int(row.get("geo_precision") or 1)
    if gp >= 3 and basemap is not None and row.get("admin1") in basemap.centroids:
        lat, lon = basemap.centroids[row["admin1"]]
    return (lat, lon), (11 if gp < 3 else 8)


def town_names(basemap: BasemapData, max_zoom: int) -> Sequence[str]:
    """Names labelled at ``max_zoom`` or below (tests, docs)."""
    return [t[2] for t in basemap.towns if t[3] <= max_zoom]
