"""The folium elements of the web map. Each sends data only; the JavaScript that draws it lives in
``static/geomap.js`` (defined once per page by :class:`GeoLibrary`) and each element's script is a
small Jinja2 template in ``templates/*.js`` that injects its data through the ``js`` filter."""

from __future__ import annotations

import hashlib
from functools import cached_property
from typing import Any

import folium
import jinja2
from branca.element import Element, MacroElement
from folium.elements import JSCSSMixin
from folium.map import Layer

from geo.webmap import assets as offline_assets
from geo.webmap.render import js_json, render_html, static_text, template
from geo.webmap.style import CLUSTER_FILL, CLUSTER_RING, CLUSTER_TEXT


class _Text(Element):
    """Script text added to the page as it is. branca's MacroElement.render wraps each rendered
    script in ``Element(text)``, which compiles the text as a Jinja2 template again: slow for the
    event data (hundreds of kB) and a template injection if user text held ``{{ }}``."""

    _template = jinja2.Template("{{ this.text }}")

    def __init__(self, text: str):
        super().__init__()
        self.text = text


class TextMacroElement(MacroElement):
    """A MacroElement whose rendered macros (header, html, script) are added to the page as text
    (see _Text). Also a mixin after a folium class: ``class X(folium.Layer, TextMacroElement)``
    puts this render between folium's own renders and branca's (Python's method order), so
    folium's layer code still runs and only the re-compilation is skipped."""

    def render(self, **kwargs: Any) -> None:
        figure = self.get_root()
        macros = self._template.module.__dict__
        for part in ("header", "html", "script"):
            macro = macros.get(part)
            if macro is not None:
                getattr(figure, part).add_child(_Text(macro(self, kwargs)), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)


class DataElement(TextMacroElement):
    """A macro element whose script carries data (see _Text)."""


def map_css() -> str:
    """The map's stylesheet (templates/geomap.css, with the neutral cluster colours)."""
    css = template("geomap.css").render(cluster_fill=CLUSTER_FILL, cluster_ring=CLUSTER_RING, cluster_text=CLUSTER_TEXT)
    return "<style>\n" + css + "\n</style>"


class OutlineLayer(Layer, TextMacroElement):
    """Outlines (country, governorate and district borders), not interactive, from GeoJSON text
    serialised once per basemap (``BasemapData.layer_json``) and an extent known in advance.

    Not folium.GeoJson: streamlit-folium renders the map twice per rerun, and each time
    folium.GeoJson would serialise the data again, evaluate its style function per feature,
    compile the script (a 100 kB template with the shipped outlines) as a Jinja2 template, and
    walk every coordinate for ``get_bounds``. ``style`` applies to every feature; ``style_by``
    (a property name and its values' styles) overrides it per feature."""

    _template = template("outline_layer.js")

    def __init__(self, data_json: str, *, bounds: list[list[float]], name: str, control: bool,
                 style: dict[str, Any], style_by: tuple[str, dict[str, dict[str, Any]]] | None = None) -> None:
        super().__init__(name=name, overlay=True, control=control)
        self._name = "OutlineLayer"
        self.data_json = data_json
        self.style = {"base": style, "by": style_by[0] if style_by else None,
                      "values": style_by[1] if style_by else {}}
        self._bounds = bounds

    def _get_self_bounds(self) -> list[list[float]]:
        return self._bounds


class VectorBasemap(JSCSSMixin, Layer, TextMacroElement):
    """A vector tile archive drawn by MapLibre GL as a Leaflet base layer (not interactive: clicks
    go to the events). ``style`` is a MapLibre style (:func:`geo.webmap.vector_style.vector_style`).
    MapLibre and its Leaflet binding are loaded only by a map that has this layer."""

    _template = template("vector_basemap.js")

    def __init__(self, style: dict[str, Any], *, name: str, attribution: str = "") -> None:
        super().__init__(name=name, overlay=False, control=True)
        self._name = "VectorBasemap"
        self.style = style
        self.options = {"attribution": attribution}

    @property
    def default_js(self) -> list[tuple[str, str]]:
        return offline_assets.maplibre_js(offline_assets.installed_base())

    @property
    def default_css(self) -> list[tuple[str, str]]:
        return offline_assets.maplibre_css(offline_assets.installed_base())


class TextGeoJson(folium.GeoJson, TextMacroElement):
    """folium.GeoJson (style function, tooltip) whose rendered script, with the data and one style
    per feature, is added as text: not compiled again as a Jinja2 template on every rerun."""


class GeoLibrary(DataElement):
    """Defines ``window.GeoMap`` (static/geomap.js) in the map's script, before any layer uses it
    (streamlit-folium does not run scripts put in the page header), and the CSS in the header."""

    _template = template("geo_library.js")

    def __init__(self) -> None:
        super().__init__()
        self._name = "GeoLibrary"
        self.library = static_text("geomap.js")

    def render(self, **kwargs: Any) -> None:
        root = self.get_root()
        root.header.add_child(Element(map_css()), name="geo_css")
        super().render(**kwargs)


def _map_of(element: Any) -> str:
    parent = element._parent
    while parent is not None and not isinstance(parent, folium.Map):
        parent = getattr(parent, "_parent", None)
    return parent.get_name() if parent is not None else element._parent.get_name()


class HtmlControl(DataElement):
    """A Leaflet control holding HTML rendered by an autoescaping template (legends). Replaces the
    control of the same ``slot`` left by a previous rerun."""

    _template = template("html_control.js")

    def __init__(self, html_text: str, position: str = "bottomright", slot: str = "", map_name: str | None = None):
        super().__init__()
        self._name = "HtmlControl"
        self.html = html_text
        self.position = position
        self.slot = slot
        self._map_name = map_name

    @property
    def map_name(self) -> str:
        return self._map_name or _map_of(self)


class CompactEventCluster(JSCSSMixin, DataElement):
    """All located events as one element: compact rows; markers and clusters built in the browser.

    ``data`` (see geomap.js ``eventCluster``): single events have rows ``[lat, lon, type_index,
    event_idx, location_idx]`` and ``ids`` (event_idx -> event id, carried by every marker);
    aggregates have rows ``[lat, lon, type_index, count, location_idx, geo_precision]``.
    Clustered by supercluster (vendored, geo.webmap.assets), loaded before the map's script:
    JSCSSMixin puts ``default_js`` in the page's header, and streamlit-folium loads the
    ``default_js`` of the JSCSSMixin elements it finds in the map; then DataElement's script.
    """

    _template = template("event_cluster.js")

    def __init__(self, data: dict[str, Any]):
        super().__init__()
        self._name = "CompactEventCluster"
        self.data = data

    @property
    def default_js(self) -> list[tuple[str, str]]:
        return offline_assets.supercluster_js(offline_assets.installed_base())

    @cached_property
    def data_json(self) -> str:
        """The data as inline JSON with a ``key``: a digest of everything the browser builds the
        cluster from. A rerun that sends the same events (a selection, a chart option) lets
        geomap.js re-add the cluster it built last time instead of thousands of markers again.
        Computed once: streamlit-folium renders the element twice per map (a megabyte of JSON
        at 20,000 events), and ``data`` is not changed after the element is made."""
        text = js_json(self.data)
        key = hashlib.sha1(text.encode()).hexdigest()[:20]
        return text[:-1] + f',"key":"{key}"}}'


class ProvinceRollup(DataElement):
    """geo_precision 3 events: one dashed hollow circle per governorate, with the count."""

    _template = template("province_rollup.js")

    def __init__(self, items: list[dict[str, Any]]):
        super().__init__()
        self._name = "ProvinceRollup"
        self.data = items


class SelectedEvent(DataElement):
    """A ring around the selected event, with its popup open and its id token in the tooltip."""

    _template = template("selected_event.js")

    def __init__(self, lat: float, lon: float, popup_html: str, event_id: str, label: str = ""):
        super().__init__()
        self._name = "SelectedEvent"
        self.data = {"lat": float(lat), "lon": float(lon), "html": popup_html, "id": str(event_id),
                     "label": label or "Selected event"}


class PlaceLabels(DataElement):
    """Town and village labels, each shown from its own zoom on (``[lat, lon, name, min_zoom, tier]``)."""

    _template = template("place_labels.js")

    def __init__(self, labels: list[list[Any]]):
        super().__init__()
        self._name = "PlaceLabels"
        self.data = labels


def legend_control(name: str, slot: str, position: str, **context: Any) -> HtmlControl:
    return HtmlControl(render_html(name, **context), position=position, slot=slot)


class ZoomGate(DataElement):
    """Shows ``layer`` only from ``min_zoom`` on (added after the layer, on the same map)."""

    _template = template("zoom_gate.js")

    def __init__(self, layer: Any, min_zoom: int):
        super().__init__()
        self._name = "ZoomGate"
        self.layer = layer
        self.min_zoom = int(min_zoom)

    @property
    def layer_name(self) -> str:
        return self.layer.get_name()

    @property
    def map_name(self) -> str:
        return _map_of(self)


class ViewInUrl(DataElement):
    """Keeps the map's view (``lat``, ``lon``, ``z``) in the page's URL from the browser, without
    a Streamlit rerun (the page reads it back from the query string on its next run)."""

    _template = template("view_in_url.js")

    def __init__(self) -> None:
        super().__init__()
        self._name = "ViewInUrl"

    @property
    def map_name(self) -> str:
        return _map_of(self)
