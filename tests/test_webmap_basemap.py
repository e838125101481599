"""Orientation without tiles (place labels by zoom, district outlines) and the offline tile
archive (GEO_BASEMAP), served from this machine."""

from __future__ import annotations

import io
import re
import sqlite3
import urllib.error
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

import geo.gazetteer
from geo.models import Place
from geo.webmap import basemap as bm
from geo.webmap import tiles

ROOT = Path(__file__).resolve().parents[1]
ADMIN1 = ROOT / "data" / "gazetteer" / "admin1.geojson"


def places(*rows) -> pd.DataFrame:
    return pd.DataFrame(
        [{"name": n, "kind": "populated_place", "country_code": cc, "latitude": la, "longitude": lo,
          "population": p, "feature_code": fc} for n, la, lo, p, cc, fc in rows])


# ------------------------------------------------------------------ labels


@pytest.mark.parametrize(
    "population, floor",
    [(2_000_000, 5), (300_000, 6), (60_000, 7), (20_000, 8), (5_000, 9), (500, 10), (0, 10)],
)
def test_a_lone_place_shows_from_its_population_floor(population, floor):
    out = bm.place_labels(places(("Town", 35.0, 38.0, population, "SY", "PPL")))
    assert [(t[2], t[3]) for t in out] == [("Town", floor)]


@pytest.mark.parametrize(
    "first, second, second_zoom_at_least",
    [
        # the same spot: the smaller one waits until the zoom where they no longer overlap
        (("Big", 35.0, 38.0, 500_000, "SY", "PPL"), ("Small", 35.01, 38.0, 600, "SY", "PPL"), 11),
        # an admin seat outranks a bigger plain town at the same spot
        (("Seat", 35.0, 38.0, 1_000, "SY", "PPLA2"), ("Plain", 35.0, 38.01, 50_000, "SY", "PPL"), 10),
        # far apart: no interaction
        (("A", 33.0, 36.0, 500_000, "SY", "PPL"), ("B", 36.5, 41.0, 500_000, "SY", "PPL"), 6),
    ],
)
def test_more_important_places_come_first_and_neighbours_wait(first, second, second_zoom_at_least):
    out = bm.place_labels(places(second, first))
    assert out[0][2] == first[0]
    zooms = {t[2]: t[3] for t in out}
    assert zooms.get(second[0], 99) >= second_zoom_at_least


def test_duplicates_never_fit_and_are_dropped():
    out = bm.place_labels(places(("Same", 35.0, 38.0, 5_000, "SY", "PPL"), ("Same", 35.0, 38.0, 4_000, "SY", "PPL")))
    assert len(out) == 1


@pytest.mark.parametrize("country, population, kept", [("SY", 100, True), ("TR", 50_000, False), ("TR", 500_000, True)])
def test_foreign_places_only_when_big(country, population, kept):
    out = bm.place_labels(places(("P", 36.9, 36.0, population, country, "PPL")))
    assert bool(out) is kept


def test_label_payload_is_bounded_and_dense_with_thousands_of_places():
    import numpy as np

    rng = np.random.default_rng(1)
    n = 8_000
    frame = places(*[(f"V{i}", 32.5 + rng.random() * 4.5, 36 + rng.random() * 6, int(rng.integers(0, 20_000)), "SY",
                      "PPL") for i in range(n)])
    out = bm.place_labels(frame, max_labels=2_500)
    assert len(out) == 2_500
    by_zoom = [sum(1 for t in out if t[3] <= z) for z in range(5, 15)]
    assert by_zoom == sorted(by_zoom) and by_zoom[2] < 300 < by_zoom[-1]  # sparse at zoom 7, thousands later


def test_labels_from_gazetteer_place_records():
    recs = [Place("p1", "Alpha", "populated_place", "SY", 35.0, 38.0, population=250_000),
            Place("p2", "Gov", "admin1", "SY", 35.5, 38.5)]
    assert [t[2] for t in bm.place_labels(recs)] == ["Alpha"]


# ------------------------------------------------------------------ outlines


@pytest.fixture(scope="module")
def admin1():
    import geopandas as gpd

    if not ADMIN1.exists():
        pytest.skip("data/gazetteer/admin1.geojson is missing")
    return gpd.read_file(ADMIN1)


def _admin2():
    import geopandas as gpd
    from shapely.geometry import box

    return gpd.GeoDataFrame({"admin2": ["Left <b>", "Right"], "admin1": ["Aleppo", "Aleppo"]},
                            geometry=[box(37.0, 36.0, 37.5, 36.5), box(37.5, 36.0, 38.0, 36.5)], crs="EPSG:4326")


@pytest.mark.parametrize("with_admin2", [True, False])
def test_district_outlines_when_the_gazetteer_has_them(admin1, with_admin2):
    data = bm.basemap_data(admin1, None, admin2=_admin2() if with_admin2 else None)
    html = bm.build_base_map(data, offline_tiles=False).get_root().render()
    if with_admin2:
        assert [f["properties"]["admin2"] for f in data.districts["features"]] == ["Left <b>", "Right"]
        assert "GeoMap.zoomGate(" in html and f", {bm.DISTRICT_MIN_ZOOM});" in html
    else:
        assert data.districts is None and "GeoMap.zoomGate(" not in html


@pytest.mark.parametrize("with_admin2", [True, False])
def test_the_base_maps_bounds_are_folium_s_without_the_walk(admin1, with_admin2, monkeypatch):
    """The outlines' extent is computed once per basemap: the map's bounds are the ones folium
    finds by walking every coordinate, and a rerun does not walk them again."""
    import folium
    import folium.features
    import folium.utilities

    data = bm.basemap_data(admin1, None, admin2=_admin2() if with_admin2 else None)
    walked = folium.Map(location=[35, 38], zoom_start=7, tiles=None)
    for layer in (data.countries, data.districts, data.governorates):
        if layer:
            folium.GeoJson(layer).add_to(walked)
    expected = walked.get_bounds()
    data.bounds  # noqa: B018 - computed once, here
    calls = []
    monkeypatch.setattr(folium.features, "get_bounds",
                        lambda *a, **k: calls.append(1) or folium.utilities.get_bounds(*a, **k))
    assert bm.build_base_map(data, offline_tiles=False).get_bounds() == expected
    assert calls == []


@pytest.mark.parametrize("with_admin2", [True, False])
def test_outlines_are_sent_once_serialised_and_never_compiled_as_templates(admin1, with_admin2, monkeypatch):
    """streamlit-folium renders the map twice per rerun: the outlines' JSON is made once per
    basemap, and no rendered script holding it is compiled again as a Jinja2 template (branca's
    Element(text) did, at every render)."""
    import json

    import branca.element

    data = bm.basemap_data(admin1, None, admin2=_admin2() if with_admin2 else None)
    compiled: list[str] = []
    real = branca.element.Template
    monkeypatch.setattr(branca.element, "Template", lambda source, *a, **k: compiled.append(source) or real(source, *a, **k))
    m = bm.build_base_map(data, offline_tiles=False)
    html = m.get_root().render()
    m.render()
    assert compiled and not [s for s in compiled if "FeatureCollection" in s]
    scripts = re.findall(r"GeoMap\.outlines\((.*?)\);\n", html)
    assert len(scripts) == (3 if with_admin2 else 2)
    assert data.layer_json["governorates"] in scripts[-1]
    decoded = json.loads(data.layer_json["governorates"])
    assert [f["properties"].get("admin1") for f in decoded["features"]] == [
        f["properties"].get("admin1") for f in data.governorates["features"]]
    # the countries' style: Syria white, its neighbours grey; the governorates' borders in the layer control
    assert '"by":"country_code","values":{"SY":{"fillColor":"#ffffff"}}' in scripts[0]
    assert '"Governorate borders" :' in html


def test_outline_text_cannot_close_the_script_or_run_a_template(admin1):
    """A district name is gazetteer text: inlined in the map's script it stays inert."""
    import geopandas as gpd
    from shapely.geometry import box

    admin2 = gpd.GeoDataFrame({"admin2": ["</script><b>x", "{{ 7 * 7 }}"], "admin1": ["Aleppo", "Aleppo"]},
                              geometry=[box(37.0, 36.0, 37.5, 36.5), box(37.5, 36.0, 38.0, 36.5)], crs="EPSG:4326")
    html = bm.build_base_map(bm.basemap_data(admin1, None, admin2=admin2), offline_tiles=False).get_root().render()
    assert "</script><b>x" not in html and "{{ 7 * 7 }}" not in html and "49" not in re.findall(r'"admin2":"([^"]*)"', html)


def test_load_basemap_uses_the_gazetteers_admin2_hook(monkeypatch, tmp_path):
    if not ADMIN1.exists():
        pytest.skip("data/gazetteer/admin1.geojson is missing")
    monkeypatch.setenv("GEO_GAZETTEER_DIR", str(tmp_path))  # an empty basemap cache: the hook is patched
    monkeypatch.setattr(geo.gazetteer, "load_admin2_polygons", _admin2, raising=False)
    data = bm.load_basemap(max_labels=200)
    assert data.districts is not None and len(data.districts["features"]) == 2
    assert 0 < len(data.towns) <= 200
    monkeypatch.delattr(geo.gazetteer, "load_admin2_polygons")
    assert bm.load_basemap(max_labels=10).districts is None


def test_load_basemap_is_built_once_and_rebuilt_when_the_gazetteer_changes(monkeypatch, tmp_path):
    if not ADMIN1.exists():
        pytest.skip("data/gazetteer/admin1.geojson is missing")
    monkeypatch.setenv("GEO_GAZETTEER_DIR", str(tmp_path / "imports"))
    user = tmp_path / "user_gazetteer.csv"
    monkeypatch.setenv("GEO_USER_GAZETTEER", str(user))
    first = bm.load_basemap(max_labels=300)
    assert (tmp_path / "imports" / bm.BASEMAP_CACHE).exists()

    def no_gazetteer():
        raise AssertionError("the gazetteer was loaded again")

    real = geo.gazetteer.default_gazetteer
    monkeypatch.setattr(geo.gazetteer, "default_gazetteer", no_gazetteer)
    assert bm.load_basemap(max_labels=300) == first  # from the cache, equal to the built one
    # a user's correction changes the inputs: the basemap is rebuilt with the new place
    geo.gazetteer.add_user_place("Qaryat Mithal", 34.1, 39.1, path=user)
    with pytest.raises(AssertionError, match="loaded again"):
        bm.load_basemap(max_labels=300)
    monkeypatch.setattr(geo.gazetteer, "default_gazetteer", real)
    assert "Qaryat Mithal" in [t[2] for t in bm.load_basemap(max_labels=5_000).towns]


def test_view_in_url_script_is_on_the_map():
    html = bm.build_base_map(None, offline_tiles=False).get_root().render()
    assert "history.replaceState" in html and "moveend" in html


# ------------------------------------------------------------------ offline tile archive


def _png(colour: tuple[int, int, int]) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (256, 256), colour).save(buf, format="PNG")
    return buf.getvalue()


def make_mbtiles(path: Path, fmt: str = "png", max_zoom: int = 2) -> dict[tuple[int, int, int], bytes]:
    """A small raster MBTiles archive: every tile of zooms 0..max_zoom, each its own colour.
    Returns the tiles by XYZ address (MBTiles stores TMS rows)."""
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    con.execute("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)")
    con.executemany("INSERT INTO metadata VALUES (?, ?)", [
        ("name", "test archive"), ("format", fmt), ("minzoom", "0"), ("maxzoom", str(max_zoom)),
        ("bounds", "35.5,32.3,42.4,37.4"), ("attribution", "test <tiles>")])
    xyz = {}
    for z in range(max_zoom + 1):
        for x in range(2**z):
            for y in range(2**z):
                data = _png((z * 60 % 256, x * 40 % 256, y * 40 % 256)) if fmt == "png" else b"\x1a\x00"
                xyz[(z, x, y)] = data
                con.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)", (z, x, 2**z - 1 - y, data))
    con.commit()
    con.close()
    return xyz


def make_pmtiles(path: Path, max_zoom: int = 2, tile_type: str = "PNG", compression: str = "NONE",
                 metadata: dict | None = None) -> dict[tuple[int, int, int], bytes]:
    """The same small raster archive as PMTiles 3 (written with the pmtiles package)."""
    from pmtiles.tile import Compression, TileType, zxy_to_tileid
    from pmtiles.writer import Writer

    xyz = {(z, x, y): _png((z * 60 % 256, x * 40 % 256, y * 40 % 256))
           for z in range(max_zoom + 1) for x in range(2**z) for y in range(2**z)}
    with path.open("wb") as f:
        w = Writer(f)
        for (z, x, y), data in sorted(xyz.items(), key=lambda kv: zxy_to_tileid(*kv[0])):
            w.write_tile(zxy_to_tileid(z, x, y), data)
        w.finalize(
            {"tile_type": getattr(TileType, tile_type), "tile_compression": getattr(Compression, compression),
             "min_zoom": 0,
             "max_zoom": max_zoom, "min_lon_e7": int(35.5e7), "min_lat_e7": int(32.3e7), "max_lon_e7": int(42.4e7),
             "max_lat_e7": int(37.4e7), "center_zoom": 1, "center_lon_e7": int(38.9e7), "center_lat_e7": int(34.8e7)},
            {"name": "test pmtiles", "attribution": "test", **(metadata or {})},
        )
    return xyz


@pytest.fixture(params=["mbtiles", "pmtiles"])
def archive(request, tmp_path):
    path = tmp_path / f"basemap.{request.param}"
    expected = make_mbtiles(path) if request.param == "mbtiles" else make_pmtiles(path)
    yield path, expected
    tiles.stop_all()


def fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as e:
        return e.code, "", b""


@pytest.mark.parametrize("z, x, y", [(0, 0, 0), (1, 0, 0), (1, 1, 0), (2, 3, 1), (2, 0, 3)])
def test_archive_tiles_are_served_in_xyz_order(archive, z, x, y):
    path, expected = archive
    served = tiles.serve_archive(path)
    assert served.url.startswith("http://127.0.0.1:")
    status, ctype, body = fetch(served.url.format(z=z, x=x, y=y))
    assert (status, ctype) == (200, "image/png") and body == expected[(z, x, y)]


@pytest.mark.parametrize("suffix, status", [("tiles/5/0/0.png", 204), ("tiles/a/b/c.png", 404), ("other", 404),
                                            ("tiles/1/0/0/9.png", 404), ("tiles/1/5/-1.png", 204)])
def test_archive_missing_and_bad_addresses(archive, suffix, status):
    served = tiles.serve_archive(archive[0])
    assert fetch(f"http://127.0.0.1:{served.port}/{suffix}")[0] == status


def test_one_server_per_archive_and_process(archive):
    assert tiles.serve_archive(archive[0]).port == tiles.serve_archive(archive[0]).port


@pytest.mark.parametrize("kind", ["vector without layers", "vector pmtiles without layers", "avif pmtiles",
                                  "brotli vector pmtiles", "not sqlite", "broken pmtiles", "missing"])
def test_unusable_archives_are_refused(tmp_path, kind):
    path = tmp_path / "x.mbtiles"
    if kind == "vector without layers":
        make_mbtiles(path, fmt="pbf", max_zoom=0)
    elif kind == "vector pmtiles without layers":
        make_pmtiles(path, max_zoom=0, tile_type="MVT")
    elif kind == "avif pmtiles":
        make_pmtiles(path, max_zoom=0, tile_type="AVIF")
    elif kind == "brotli vector pmtiles":  # (the tiles need not really be brotli: the header decides)
        make_pmtiles(path, max_zoom=0, tile_type="MVT", compression="BROTLI",
                     metadata={"vector_layers": [{"id": "water"}]})
    elif kind == "broken pmtiles":
        path.write_bytes(b"PMTiles\x03" + b"\x00" * 20)
    elif kind == "not sqlite":
        path.write_bytes(b"hello")
    with pytest.raises(tiles.TileArchiveError):
        tiles.read_archive(path)


def test_geo_basemap_adds_the_local_layer_and_nothing_leaves_the_machine(archive, monkeypatch):
    monkeypatch.setenv("GEO_BASEMAP", str(archive[0]))
    html = bm.build_base_map(None).get_root().render()
    urls = re.findall(r'L\.tileLayer\(\s*"([^"]+)"', html)
    local = [u for u in urls if u.startswith("http://127.0.0.1:")]
    assert len(local) == 1 and local[0].endswith("/tiles/{z}/{x}/{y}.png")
    status, _, _ = fetch(local[0].format(z=0, x=0, y=0))
    assert status == 200
    # the only other tile URL is the optional online layer, which is not added unless asked for
    assert all(u == local[0] or "openstreetmap" in u for u in urls)
    assert "test &lt;tiles&gt;" in html or "test \\u003ctiles\\u003e" in html or "test <tiles>" not in html


def test_unset_or_broken_geo_basemap_keeps_the_plain_map(tmp_path, monkeypatch):
    monkeypatch.setenv("GEO_BASEMAP", str(tmp_path / "nope.mbtiles"))
    html = bm.build_base_map(None).get_root().render()
    assert "127.0.0.1" not in html
    monkeypatch.delenv("GEO_BASEMAP")
    assert "127.0.0.1" not in bm.build_base_map(None).get_root().render()


# ------------------------------------------------------------------ vector archives


def make_vector_archive(path: Path, max_zoom: int = 6) -> None:
    """A small vector archive (MBTiles or PMTiles by the suffix), written by GDAL (through
    pyogrio, which geopandas brings): one layer "water", one polygon over Syria's box."""
    import geopandas as gpd
    from shapely.geometry import box

    water = gpd.GeoDataFrame({"kind": ["lake"]}, geometry=[box(35.0, 32.0, 43.0, 38.0)], crs=4326)
    water.to_file(path, driver="PMTiles" if path.suffix == ".pmtiles" else "MBTiles", layer="water",
                  MINZOOM=0, MAXZOOM=max_zoom, NAME="test vector")


@pytest.fixture(params=["mbtiles", "pmtiles"])
def vector_archive(request, tmp_path):
    path = tmp_path / f"vector.{request.param}"
    make_vector_archive(path)
    yield path
    tiles.stop_all()


def test_vector_archives_are_read_and_served_inflated(vector_archive):
    archive = tiles.read_archive(vector_archive)
    assert archive.is_vector and archive.vector_layers == ("water",) and archive.format == "pbf"
    served = tiles.serve_archive(vector_archive)
    assert served.url.endswith("/tiles/{z}/{x}/{y}.pbf")
    status, ctype, body = fetch(served.url.format(z=3, x=4, y=3))  # the tile over Syria
    assert (status, ctype) == (200, "application/x-protobuf")
    assert body[:2] != b"\x1f\x8b" and b"water" in body  # inflated: the layer's name is readable
    assert fetch(served.url.format(z=3, x=0, y=0))[0] == 204  # no tile there


def test_geo_basemap_vector_is_drawn_by_maplibre_from_local_files(vector_archive, monkeypatch):
    from geo.webmap import assets
    from geo.webmap.elements import VectorBasemap

    monkeypatch.setenv("GEO_BASEMAP", str(vector_archive))
    m = bm.build_base_map(None)
    html = m.get_root().render()
    assert "GeoMap.vectorBasemap(" in html
    assert not re.findall(r'L\.tileLayer\(\s*"http://127\.0\.0\.1', html)  # not drawn as raster tiles
    [layer] = [el for el in assets._walk(m) if isinstance(el, VectorBasemap)]
    [source] = layer.style["sources"].values()
    assert source["tiles"][0].startswith("http://127.0.0.1:") and source["tiles"][0].endswith(".pbf")
    assert fetch(source["tiles"][0].format(z=3, x=4, y=3))[0] == 200
    urls = assets.asset_urls(m)
    assert any(u.endswith("/maplibre-gl.js") for u in urls) and any(u.endswith("/leaflet-maplibre-gl.js") for u in urls)
    assert urls.index(next(u for u in urls if u.endswith("/maplibre-gl.js"))) < urls.index(
        next(u for u in urls if u.endswith("/leaflet-maplibre-gl.js")))
    assert assets.external_urls(m) == []


def test_a_raster_map_does_not_load_maplibre(archive, monkeypatch):
    from geo.webmap import assets

    monkeypatch.setenv("GEO_BASEMAP", str(archive[0]))
    assert not any("maplibre" in u for u in assets.asset_urls(bm.build_base_map(None)))


OPENMAPTILES = ("water", "waterway", "landcover", "landuse", "mountain_peak", "park", "boundary", "aeroway",
                "transportation", "building", "water_name", "transportation_name", "place", "housenumber", "poi",
                "aerodrome_label")
PROTOMAPS = ("boundaries", "buildings", "earth", "landcover", "landuse", "places", "pois", "roads", "transit",
             "water")


@pytest.mark.parametrize("layer_ids", [OPENMAPTILES, PROTOMAPS], ids=["openmaptiles", "protomaps"])
def test_vector_style_draws_each_schema_quietly_in_a_sensible_order(layer_ids):
    from geo.webmap.vector_style import MINOR_ROAD_ZOOM, vector_style

    style = vector_style(layer_ids, "http://127.0.0.1:1/tiles/{z}/{x}/{y}.pbf", min_zoom=0, max_zoom=14,
                         bounds=(32.3, 35.5, 37.4, 42.4), attribution="© contributors")
    source = style["sources"]["basemap"]
    assert source["bounds"] == [35.5, 32.3, 42.4, 37.4]  # west, south, east, north
    assert (source["minzoom"], source["maxzoom"], source["attribution"]) == (0, 14, "© contributors")
    layers = style["layers"]
    assert layers[0]["type"] == "background"
    drawn = [layer["source-layer"] for layer in layers[1:]]
    for skipped in ("place", "places", "poi", "pois", "housenumber", "water_name", "transportation_name"):
        assert skipped not in drawn  # labels and points: no glyphs offline
    water = next(layer for layer in layers if layer["id"] == "water-fill")
    assert water["paint"]["fill-color"] == "#aad3df"
    roads = next(layer for layer in layers if layer.get("source-layer") in ("roads", "transportation"))
    assert roads["type"] == "line"
    minor = next(layer for layer in layers if layer["id"] == f"{roads['source-layer']}-minor")
    assert minor["minzoom"] == MINOR_ROAD_ZOOM and "minzoom" not in roads  # minor roads only zoomed in
    order = [layer.get("source-layer") for layer in layers]
    assert order.index("landcover") < order.index("water") < order.index(roads["source-layer"])
    boundary = "boundary" if "boundary" in layer_ids else "boundaries"
    assert order.index(roads["source-layer"]) < order.index(boundary)
    assert len({layer["id"] for layer in layers}) == len(layers)


def test_vector_style_still_shows_a_layer_of_another_schema():
    from geo.webmap.vector_style import role_of, vector_style

    style = vector_style(["Rivers_2024", "my_parcels"], "u", min_zoom=0, max_zoom=10)
    assert [(layer["source-layer"], layer["type"]) for layer in style["layers"][1:]] == [  # the archive's order
        ("Rivers_2024", "fill"), ("Rivers_2024", "line"), ("my_parcels", "fill"), ("my_parcels", "line")]
    assert role_of("Water") == "water" and role_of("POI") is None
    assert "bounds" not in style["sources"]["basemap"]
