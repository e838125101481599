"""Serve Folium's JavaScript and CSS from local copies instead of CDNs.

Folium keeps its asset URLs in the class attributes ``default_js`` / ``default_css`` of
``folium.Map`` and of every plugin class; streamlit-folium loads exactly those URLs inside its
iframe. :func:`install` rewrites them to the copies that ``scripts/install_assets.sh`` puts under
``static/vendor/<package>/<version>/``, which Streamlit serves at ``app/static/...`` when
``[server] enableStaticServing = true``.

The URLs are relative to the component iframe (``<base>/component/<name>/index.html``), so they
survive ``server.baseUrlPath`` and reverse proxies that mount the app below a prefix. Set
``GEO_ASSET_BASE_URL`` to override the prefix (for instance ``/app/static/vendor`` or, for a
standalone HTML file next to ``static/``, ``static/vendor``).

Dropped on purpose: Bootstrap, Font Awesome, Leaflet.awesome-markers (folium's 2.0.2 is not on
npm), bootstrap-glyphicons, leaflet.awesome.rotate.css, and jQuery (only ``folium.Popup`` and
``folium.Icon`` need these; the dashboard binds its popups in JavaScript and draws circle
markers, and skipping them saves sequential script loads in the map iframe). :func:`external_urls` finds any CDN URL that a
map would still load, and the tests assert that there is none.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import folium
import folium.plugins

# Keep in step with scripts/install_assets.sh (package, version, files).
VENDOR: dict[str, tuple[str, tuple[str, ...]]] = {
    "leaflet": ("1.9.3", ("leaflet.js", "leaflet.css", "images/layers.png", "images/marker-icon.png")),
    "leaflet.markercluster": (
        "1.1.0",
        ("leaflet.markercluster.js", "MarkerCluster.css", "MarkerCluster.Default.css"),
    ),
    # the event map's clusterer (geomap.js eventCluster); bundles kdbush
    "supercluster": ("8.0.1", ("supercluster.min.js",)),
    # a vector tile archive as the basemap (GEO_BASEMAP, geo.webmap.tiles): MapLibre draws it as a
    # Leaflet layer; loaded only by a map that has one
    "maplibre-gl": ("5.24.1", ("maplibre-gl.js", "maplibre-gl.css")),
    "@maplibre/maplibre-gl-leaflet": ("0.1.4", ("leaflet-maplibre-gl.js",)),
}

REPO_ROOT = Path(__file__).resolve().parents[2]
STATIC_DIR = REPO_ROOT / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
# From the component iframe (<base>/component/streamlit_folium.st_folium/index.html) up to <base>/.
DEFAULT_BASE_URL = "../../app/static/vendor"


def base_url() -> str:
    return os.environ.get("GEO_ASSET_BASE_URL", DEFAULT_BASE_URL).rstrip("/")


def asset_url(package: str, filename: str, base: str | None = None) -> str:
    """URL of one vendored file, e.g. ``asset_url("leaflet", "leaflet.js")``."""
    version = VENDOR[package][0]
    return f"{(base if base is not None else base_url()).rstrip('/')}/{package}/{version}/{filename}"


def asset_path(package: str, filename: str) -> Path:
    version = VENDOR[package][0]
    return VENDOR_DIR / package / version / filename


def missing_assets() -> list[Path]:
    """Vendored files that are not on disk (run scripts/install_assets.sh if any)."""
    return [
        asset_path(pkg, f) for pkg, (_, files) in VENDOR.items() for f in files if not asset_path(pkg, f).is_file()
    ]


def map_js(base: str | None = None) -> list[tuple[str, str]]:
    return [("leaflet", asset_url("leaflet", "leaflet.js", base))]


def map_css(base: str | None = None) -> list[tuple[str, str]]:
    return [("leaflet_css", asset_url("leaflet", "leaflet.css", base))]


def markercluster_js(base: str | None = None) -> list[tuple[str, str]]:
    return [("markerclusterjs", asset_url("leaflet.markercluster", "leaflet.markercluster.js", base))]


def markercluster_css(base: str | None = None) -> list[tuple[str, str]]:
    # Not MarkerCluster.Default.css: its green/yellow/orange clusters read as the legend's
    # Protests/Explosions/Battles; geo.webmap draws neutral clusters (templates/geomap.css).
    return [("markerclustercss", asset_url("leaflet.markercluster", "MarkerCluster.css", base))]


def supercluster_js(base: str | None = None) -> list[tuple[str, str]]:
    return [("supercluster", asset_url("supercluster", "supercluster.min.js", base))]


def maplibre_js(base: str | None = None) -> list[tuple[str, str]]:
    """MapLibre GL, then its Leaflet binding (which reads ``window.maplibregl`` when it loads)."""
    return [("maplibre_gl", asset_url("maplibre-gl", "maplibre-gl.js", base)),
            ("maplibre_gl_leaflet", asset_url("@maplibre/maplibre-gl-leaflet", "leaflet-maplibre-gl.js", base))]


def maplibre_css(base: str | None = None) -> list[tuple[str, str]]:
    return [("maplibre_gl_css", asset_url("maplibre-gl", "maplibre-gl.css", base))]


_installed_base: str | None = None


def install(base: str | None = None) -> str:
    """Point folium.Map and the plugin classes the app uses at the local copies. Idempotent.

    Returns the base URL in use. Classes of our own (geo.webmap.layers) read the same functions.
    """
    global _installed_base
    b = base if base is not None else base_url()
    folium.Map.default_js = map_js(b)
    folium.Map.default_css = map_css(b)
    for cls in (folium.plugins.MarkerCluster, folium.plugins.FastMarkerCluster):
        cls.default_js = markercluster_js(b)
        cls.default_css = markercluster_css(b)
    _installed_base = b
    return b


def installed_base() -> str | None:
    return _installed_base


def _walk(element) -> Iterator[object]:
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def asset_urls(elements: Iterable[object] | object) -> list[str]:
    """Every JS/CSS URL the elements (and their children) ask the browser to load, in order."""
    if not isinstance(elements, (list, tuple)):
        elements = [elements]
    seen: dict[str, None] = {}
    for root in elements:
        for el in _walk(root):
            for _, url in list(getattr(el, "default_js", [])) + list(getattr(el, "default_css", [])):
                seen.setdefault(url, None)
    return list(seen)


def external_urls(elements: Iterable[object] | object) -> list[str]:
    """Asset URLs that would leave the machine (absolute http(s) or protocol-relative)."""
    return [u for u in asset_urls(elements) if u.startswith(("http://", "https://", "//"))]
