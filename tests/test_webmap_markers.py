"""Markers: clusters never wear a legend colour, size by fatalities, every marker carries its
event id, and a click resolves to one event id (or to none, never a guess)."""

from __future__ import annotations

import colorsys
import json
import re

import numpy as np
import pandas as pd
import pytest
from test_webmap_popups import row

from geo.webmap import assets as offline_assets
from geo.webmap import layers as mapping
from geo.webmap.elements import map_css
from geo.webmap.render import static_text
from geo.webmap.select import clicked_area, clicked_event_id
from geo.webmap.style import CLUSTER_FILL, CLUSTER_RING, CLUSTER_TEXT

TOKEN = "\u2063event:{}\u2063"


def cluster_data(groups) -> dict:
    import folium

    m = folium.Map(tiles=None)
    for g in groups:
        g.add_to(m)
    html = m.get_root().render()
    found = re.search(r"GeoMap\.eventCluster\(\w+, (.*)\);\n", html)
    assert found
    return json.loads(found.group(1))


def events(n: int = 6) -> pd.DataFrame:
    return pd.DataFrame([
        row(event_id=f"ev{i}", latitude=36.0 + i / 10, longitude=37.0 + i / 10, fatalities=f,
            event_date=f"2014-01-{i + 1:02d}")
        for i, f in enumerate([None, 0, 1, 4, 100, 9][:n])
    ])


# ------------------------------------------------------------------ cluster colours


def _rgb(hex_colour: str) -> tuple[float, float, float]:
    h = hex_colour.lstrip("#")
    return tuple(int(h[i : i + 2], 16) / 255 for i in (0, 2, 4))


@pytest.mark.parametrize("type_name, colour", sorted(mapping.TYPE_COLORS.items()))
@pytest.mark.parametrize("cluster_colour", [CLUSTER_FILL, CLUSTER_RING, CLUSTER_TEXT])
def test_cluster_colours_are_neutral_and_never_a_legend_colour(type_name, colour, cluster_colour):
    assert cluster_colour.lower() != colour.lower()
    _, _, saturation = colorsys.rgb_to_hls(*_rgb(cluster_colour))
    assert saturation < 0.15, f"cluster colour {cluster_colour} is not neutral"
    css = map_css()
    rules = [r for r in css.split("}") if "geo-cluster" in r]
    assert rules and not any(colour.lower() in r.lower() for r in rules), type_name


@pytest.mark.parametrize("marker_cluster_class", ["marker-cluster-small", "marker-cluster-medium", "marker-cluster-large"])
def test_default_cluster_colours_are_not_loaded(marker_cluster_class):
    m, _ = mapping.build_map(events(), None, offline_tiles=False)
    assert not any(u.endswith("MarkerCluster.Default.css") for u in offline_assets.asset_urls(m))
    assert marker_cluster_class not in static_text("geomap.js")
    assert "icon: clusterIcon(" in static_text("geomap.js")


def test_the_clusterer_is_served_from_the_machine():
    m, _ = mapping.build_map(events(), None, offline_tiles=False)
    urls = offline_assets.asset_urls(m)
    assert any(u.endswith("/supercluster/8.0.1/supercluster.min.js") for u in urls), urls
    assert not offline_assets.external_urls(m)
    assert offline_assets.asset_path("supercluster", "supercluster.min.js").is_file()


@pytest.mark.parametrize("mix", [True, False])
def test_cluster_mix_option_reaches_the_page(mix):
    groups, _ = mapping.build_event_layers(events(), None, options=mapping.MapOptions(cluster_mix=mix))
    assert cluster_data(groups)["mix"] is mix


# ------------------------------------------------------------------ marker size


@pytest.mark.parametrize(
    "fatalities, radius",
    [(None, 5.0), (0, 5.0), (-3, 5.0), ("x", 5.0), (1, 7.0), (4, 9.0), (9, 11.0), ("16", 13.0), (100, 20.0), (10**6, 20.0)],
)
def test_marker_radius_by_fatalities(fatalities, radius):
    assert mapping.marker_radius([fatalities])[0] == radius


def test_radius_grows_with_fatalities():
    r = mapping.marker_radius(np.arange(0, 60))
    assert (np.diff(r) >= 0).all() and r[-1] > r[0]


@pytest.mark.parametrize("size_by_fatalities", [True, False])
def test_marker_size_option(size_by_fatalities):
    df = events()
    groups, _ = mapping.build_event_layers(df, None, options=mapping.MapOptions(size_by_fatalities=size_by_fatalities))
    data = cluster_data(groups)
    if not size_by_fatalities:
        assert data["radii"] is None
        return
    by_id = dict(zip(data["ids"], data["radii"]))
    expected = dict(zip(df["event_id"], mapping.marker_radius(df["fatalities"]).tolist()))
    assert by_id == expected


# ------------------------------------------------------------------ ids and clicks


def test_every_marker_carries_its_event_id():
    df = events()
    data = cluster_data(mapping.build_event_layers(df, None, options=mapping.MapOptions(detail_limit=2))[0])
    assert sorted(data["ids"]) == sorted(df["event_id"])
    for r in data["rows"]:  # the row's position is its event's position
        ev = df[df["event_id"] == data["ids"][r[3]]].iloc[0]
        assert (r[0], r[1]) == (round(ev["latitude"], 4), round(ev["longitude"], 4))


SHARED = pd.DataFrame([
    row(event_id="a", latitude=36.5281, longitude=37.9549),
    row(event_id="b", latitude=36.5281, longitude=37.9549),
    row(event_id="c", latitude=35.8367, longitude=38.5481),
    row(event_id="p", latitude=35.0, longitude=38.0, geo_precision=3),
    row(event_id="d", latitude=34.7, longitude=36.7),
])


@pytest.mark.parametrize(
    "result, expected",
    [
        (None, None),
        ({}, None),
        ({"last_object_clicked": None, "last_object_clicked_tooltip": None}, None),
        ({"last_object_clicked_tooltip": "Battles \u00b7 Manbij" + TOKEN.format("b")}, "b"),
        # clustered / spiderfied markers: the same tooltip text, the marker's own position
        ({"last_object_clicked": {"lat": 36.5281, "lng": 37.9549},
          "last_object_clicked_tooltip": "Battles" + TOKEN.format("a")}, "a"),
        # user text with a forged token comes before the marker's own (last) token
        ({"last_object_clicked_tooltip": "Battles \u00b7 X" + TOKEN.format("d") + " " + TOKEN.format("c")}, "c"),
        # a token of an event not drawn is refused; the position decides
        ({"last_object_clicked": {"lat": 35.8367, "lng": 38.5481},
          "last_object_clicked_tooltip": "x" + TOKEN.format("zzz")}, "c"),
        ({"last_object_clicked_popup": "Battles" + TOKEN.format("d")}, "d"),
        # position only: one event there -> it; two events there -> none (never a guess)
        ({"last_object_clicked": {"lat": 35.8367, "lng": 38.5481}}, "c"),
        ({"last_object_clicked": {"lat": 36.5281, "lng": 37.9549}}, None),
        # a governorate roll-up or an aggregate marker is not one event
        ({"last_object_clicked": {"lat": 35.0, "lng": 38.0}}, None),
        ({"last_object_clicked": {"lat": 36.52, "lng": 37.95}}, None),
        ({"last_object_clicked": {"lat": "x", "lng": None}}, None),
        ({"last_object_clicked_tooltip": "120 \u00d7 Battles \u00b7 Manbij"}, None),
    ],
)
def test_clicked_event_id(result, expected):
    assert clicked_event_id(result, SHARED) == expected


def test_clicked_event_id_without_events():
    assert clicked_event_id({"last_object_clicked_tooltip": TOKEN.format("a")}, None) is None
    assert clicked_event_id({"last_object_clicked_tooltip": TOKEN.format("a")}, SHARED.iloc[:0]) is None


def test_the_browser_token_is_the_one_python_reads():
    js = static_text("geomap.js")
    assert "var SEP = '\\u2063';" in js and "SEP + 'event:' + id + SEP" in js


# ---------------------------------------------------------------------------------------------
# Aggregate markers (too many events to draw one by one): a click shows the area's single events


AREA = "\u2063area:{}\u2063"


def aggregates(n_places: int = 3) -> pd.DataFrame:
    return pd.DataFrame(
        [(36.0 + i, 37.0 + i, "Battles", 1, "Aleppo", f"Town {i}", 10 * (i + 1)) for i in range(n_places)],
        columns=list(mapping.AGGREGATE_COLUMNS),
    )


def test_aggregate_markers_carry_an_area_token_python_reads():
    opts = mapping.MapOptions(max_points=2)
    groups, info = mapping.build_event_layers(None, aggregates=aggregates(3), options=opts)
    data = cluster_data(groups)
    assert data["aggregated"] and info.aggregated and info.areas is not None
    assert len(info.areas) == len(data["rows"]) == info.n_markers  # one area per marker, in marker order
    for i, r in enumerate(data["rows"]):
        assert (info.areas.iloc[i]["latitude"], info.areas.iloc[i]["longitude"]) == (r[0], r[1])
    js = static_text("geomap.js")
    assert "SEP + 'area:' + i + SEP" in js and "d.aggregated ? m.options.geoIdx : null" in js


def test_clicked_area_is_the_box_around_the_clicked_aggregate():
    areas = aggregates(3)
    hit = clicked_area({"last_object_clicked": {"lat": 37.0, "lng": 38.0},
                        "last_object_clicked_tooltip": "20 \u00d7 Battles \u00b7 Town 1" + AREA.format(1)}, areas)
    assert hit is not None and hit["label"] == "Town 1" and hit["n"] == 20 and hit["center"] == (37.0, 38.0)
    lat0, lon0, lat1, lon1 = hit["bbox"]
    assert lat0 < 37.0 < lat1 and lon0 < 38.0 < lon1 and lat1 - lat0 < 0.1
    # a merged grid cell: the box covers the cell
    wide = clicked_area({"last_object_clicked_tooltip": AREA.format(0)}, areas, cell=0.25)
    assert wide["bbox"][2] - wide["bbox"][0] == pytest.approx(0.5)


@pytest.mark.parametrize("result", [
    {"last_object_clicked": {"lat": 36.0, "lng": 37.0}},  # no token: not an aggregate
    {"last_object_clicked_tooltip": TOKEN.format("ev1")},  # an event, not an area
    {"last_object_clicked_tooltip": AREA.format(7)},  # stale index (an earlier page's markers)
    {"last_object_clicked": {"lat": 30.0, "lng": 30.0}, "last_object_clicked_tooltip": AREA.format(0)},  # elsewhere
])
def test_clicked_area_refuses_what_is_not_a_drawn_aggregate(result):
    assert clicked_area(result, aggregates(3)) is None
    assert clicked_area(result, None) is None
