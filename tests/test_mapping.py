"""geo.webmap.layers and geo.webmap.assets: pure map building, without Streamlit or a browser."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from pathlib import Path

import folium
import numpy as np
import pandas as pd
import pytest

from geo.models import EVENT_FIELDS, EVENT_TYPES, SYRIA_GOVERNORATES
from geo.webmap import assets as offline_assets
from geo.webmap import layers as mapping

ROOT = Path(__file__).resolve().parents[1]
ADMIN1 = ROOT / "data" / "gazetteer" / "admin1.geojson"
PLACES = ROOT / "data" / "gazetteer" / "places.csv"

SENTENCE = "On Sunday opposition fighters seized the ISIL headquarters in the town of Manbij."


def event_row(**overrides) -> dict:
    row = {
        "event_id": "e1",
        "event_date": dt.date(2014, 1, 5),
        "time_precision": 1,
        "event_type": "Battles",
        "sub_event_type": "Non-state actor overtakes territory",
        "actor1": "Opposition rebels",
        "actor2": "ISIL",
        "country": "Syria",
        "admin1": "Aleppo",
        "admin1_code": "SY-HL",
        "location": "Manbij",
        "latitude": 36.5281,
        "longitude": 37.9549,
        "geo_precision": 1,
        "fatalities": None,
        "notes": SENTENCE,
        "article_id": "art-1",
        "source": "AP",
        "sentence_start": 100,
        "sentence_end": 100 + len(SENTENCE),
        "place_start": 100 + SENTENCE.index("Manbij"),
        "place_end": 100 + SENTENCE.index("Manbij") + len("Manbij"),
        "place_id": "p1",
        "confidence": 0.8,
    }
    row.update(overrides)
    return row


def synthetic(n: int, seed: int = 0, province_share: float = 0.2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    types = list(EVENT_TYPES)
    govs = list(SYRIA_GOVERNORATES)
    ti = rng.integers(0, len(types), n)
    gi = rng.integers(0, len(govs), n)
    gp = np.where(rng.random(n) < province_share, 3, rng.choice([1, 1, 2], n))
    return pd.DataFrame(
        {
            "event_id": [f"s{i}" for i in range(n)],
            "event_date": [dt.date(2013, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 3000, n)],
            "time_precision": 1,
            "event_type": [types[i] for i in ti],
            "sub_event_type": [EVENT_TYPES[types[i]][0] for i in ti],
            "actor1": "A",
            "actor2": "",
            "country": "Syria",
            "admin1": [govs[i] for i in gi],
            "admin1_code": [SYRIA_GOVERNORATES[govs[i]] for i in gi],
            "location": [f"Town {i % 997}" for i in range(n)],
            "latitude": np.round(33 + rng.random(n) * 4, 3),
            "longitude": np.round(36 + rng.random(n) * 5, 3),
            "geo_precision": gp,
            "fatalities": rng.integers(0, 5, n),
            "notes": "Fighting was reported.",
            "article_id": "synthetic",
            "source": "synthetic",
            "sentence_start": None,
            "sentence_end": None,
            "place_start": None,
            "place_end": None,
            "place_id": "",
            "confidence": 0.5,
        },
        columns=list(EVENT_FIELDS),
    )


@pytest.fixture(scope="module")
def basemap():
    import geopandas as gpd

    if not ADMIN1.exists():
        pytest.skip("data/gazetteer/admin1.geojson is missing")
    places = pd.read_csv(PLACES) if PLACES.exists() else None
    return mapping.basemap_data(gpd.read_file(ADMIN1), places)


# ---------------------------------------------------------------------------------- text


def test_highlight_uses_offsets_relative_to_sentence():
    r = event_row()
    out = mapping.highlight_notes(r["notes"], r["location"], r["place_start"], r["place_end"], r["sentence_start"])
    assert '<mark class="geo-place">Manbij</mark>' in out
    assert out.startswith("On Sunday")


def test_highlight_falls_back_to_case_insensitive_find():
    out = mapping.highlight_notes("Clashes near MANBIJ today", "Manbij", None, None, None)
    assert '<mark class="geo-place">MANBIJ</mark>' in out
    # offsets that cut a word are not trusted
    out = mapping.highlight_notes("Clashes in Manbij today", "Manbij", 12, 18, 0)
    assert '<mark class="geo-place">Manbij</mark>' in out


def test_highlight_without_place_is_just_escaped():
    assert mapping.highlight_notes("a < b & c", "Raqqa") == "a &lt; b &amp; c"
    assert mapping.highlight_notes(None, None) == ""


def test_highlight_trims_long_sentences_around_the_place():
    notes = "x" * 2000 + " Tabqa " + "y" * 2000
    out = mapping.highlight_notes(notes, "Tabqa", limit=300)
    assert '<mark class="geo-place">Tabqa</mark>' in out
    assert len(out) < 400 and out.startswith("\u2026") and out.endswith("\u2026")


def test_popup_escapes_everything_and_links_the_article():
    evil = '<script>alert("x")</script>'
    r = event_row(
        notes=f"Fighting in Manbij {evil} continued.",
        actor1=f"Rebels {evil}",
        actor2="<img src=x onerror=alert(1)>",
        location="Manbij",
        source="<b>AP</b>",
        article_id='a"&<id>',
        sentence_start=None,
        place_start=None,
        place_end=None,
    )
    html = mapping.event_popup_html(r)
    assert "<script" not in html and "<img" not in html and "<b>AP" not in html
    assert "&lt;script&gt;" in html
    assert '<mark class="geo-place">Manbij</mark>' in html
    assert 'href="?view=article&amp;article=a%22%26%3Cid%3E"' in html
    assert "2014-01-05 (day)" in html
    assert "Fatalities</span> unknown" in html
    assert "at the town" in html


def test_popup_of_undated_province_event():
    html = mapping.event_popup_html(event_row(event_date=None, time_precision=None, geo_precision=3, fatalities=4))
    assert "undated" in html and "governorate only" in html and "Fatalities</span> 4" in html


# ---------------------------------------------------------------------------------- assets


def test_offline_assets_point_at_local_copies():
    offline_assets.install()
    m = folium.Map(tiles=None)
    folium.plugins.MarkerCluster().add_to(m)
    folium.plugins.FastMarkerCluster([[35, 38]]).add_to(m)
    urls = offline_assets.asset_urls(m)
    assert urls and offline_assets.external_urls(m) == []
    assert all("app/static/vendor/" in u for u in urls)
    assert any(u.endswith("leaflet/1.9.3/leaflet.js") for u in urls)


def test_asset_base_url_override(monkeypatch):
    monkeypatch.setenv("GEO_ASSET_BASE_URL", "/proxy/app/static/vendor/")
    assert offline_assets.asset_url("leaflet", "leaflet.css") == "/proxy/app/static/vendor/leaflet/1.9.3/leaflet.css"


def test_install_script_and_vendor_table_agree():
    script = (ROOT / "scripts" / "install_assets.sh").read_text()
    specs = dict(re.findall(r'^\s*"([^|"]+\|[^|"]+)\|sha512-[^|"]+\|([^"]+)"', script, re.M))
    for package, (version, files) in offline_assets.VENDOR.items():
        assert f"{package}|{version}" in specs, (package, version)
        copied = {c.rsplit("/", 1)[-1] for c in specs[f"{package}|{version}"].split()}  # copied into the version folder
        for f in files:
            assert f.split("/")[0] in copied, (package, f)


@pytest.mark.skipif(bool(offline_assets.missing_assets()), reason="run scripts/install_assets.sh first")
def test_vendored_files_are_installed():
    assert offline_assets.missing_assets() == []


# ---------------------------------------------------------------------------------- maps


def rendered(m: folium.Map) -> str:
    return m.get_root().render()


def js_data(html: str, function: str) -> list | dict:
    """The JSON data a GeoMap.<function>(parent, data) call received in the rendered page."""
    found = re.search(r"GeoMap\." + function + r"\(\w+, (.*)\);\n", html)
    assert found, function
    return json.loads(found.group(1))


def test_map_has_no_cdn_urls_and_no_tiles_by_default(basemap):
    m, info = mapping.build_map(synthetic(50), basemap)
    html = rendered(m)
    assert offline_assets.external_urls(m) == []
    srcs = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert srcs and all(not s.startswith(("http", "//")) for s in srcs), srcs
    assert '"maxZoom": 18' in html
    # the OSM layer exists (for the layer control) but is not added to the map
    osm_var = re.search(r"var (tile_layer_\w+) = L\.tileLayer\(\s*\"https://tile\.openstreetmap", html).group(1)
    assert f"{osm_var}.addTo(" not in html
    assert info.n_events == 50


def test_online_tiles_toggle_adds_the_osm_layer(basemap):
    html = rendered(mapping.build_base_map(basemap, online_tiles=True))
    osm_var = re.search(r"var (tile_layer_\w+) = L\.tileLayer\(\s*\"https://tile\.openstreetmap", html).group(1)
    assert f"{osm_var}.addTo(" in html


def test_script_in_notes_cannot_break_out_of_the_map_script(basemap):
    df = pd.DataFrame([event_row(notes="Manbij </script><script>alert(1)</script>")])
    html = rendered(mapping.build_map(df, basemap)[0])
    assert "<script>alert(1)" not in html
    assert "</script><script>alert" not in html


def test_basemap_layers_from_the_gazetteer(basemap):
    names = {f["properties"]["admin1"] for f in basemap.governorates["features"]}
    assert names == set(SYRIA_GOVERNORATES)
    codes = {f["properties"]["country_code"] for f in basemap.countries["features"]}
    assert "SY" in codes and len(codes) >= 5
    towns = {t[2] for t in basemap.towns}
    assert {"Aleppo", "Damascus"} & towns
    assert set(basemap.centroids) == set(SYRIA_GOVERNORATES)
    # small enough to resend on every rerun
    assert len(json.dumps(basemap.governorates)) < 200_000


def test_province_precision_events_are_rolled_up_not_drawn_at_a_town(basemap):
    df = pd.DataFrame(
        [
            event_row(event_id="a"),
            event_row(event_id="b", geo_precision=3, location="Aleppo", latitude=36.2, longitude=37.16),
            event_row(event_id="c", geo_precision=3, location="Aleppo", latitude=36.2, longitude=37.16),
            event_row(event_id="d", geo_precision=2, location="Tabqa", admin1="Raqqa", latitude=35.8367, longitude=38.5481),
        ]
    )
    groups, info = mapping.build_event_layers(df, basemap)
    assert (info.n_points, info.n_province, info.n_markers) == (2, 2, 2)
    m = mapping.build_base_map(basemap)
    for g in groups:
        g.add_to(m)
    html = rendered(m)
    rows = js_data(html, "eventCluster")["rows"]
    assert len(rows) == 2 and all(r[0] != 36.2 for r in rows)
    items = js_data(html, "provinceRollup")
    assert [(i["admin1"], i["count"]) for i in items] == [("Aleppo", 2)]
    assert (items[0]["lat"], items[0]["lon"]) == basemap.centroids["Aleppo"]


def test_compact_rows_and_detail_limit(basemap):
    opts = mapping.MapOptions(detail_limit=10)
    df = synthetic(500, province_share=0.0)
    groups, info = mapping.build_event_layers(df, basemap, options=opts)
    assert not info.aggregated and info.n_markers == 500 and info.n_detailed == 10
    m = mapping.build_base_map(basemap)
    for g in groups:
        g.add_to(m)
    html = rendered(m)
    data = js_data(html, "eventCluster")
    rows = data["rows"]
    assert len(rows) == 500 and all(len(r) == 5 for r in rows)
    assert sorted(r[3] for r in rows) == list(range(500))
    # every marker carries its event id
    assert sorted(data["ids"]) == sorted(df["event_id"]) and len(data["popups"]) == 10


def test_aggregation_caps_the_markers(basemap):
    opts = mapping.MapOptions(max_points=1_000)
    df = synthetic(20_000, province_share=0.1)
    _, info = mapping.build_event_layers(df, basemap, options=opts)
    assert info.aggregated and info.n_markers <= 1_000
    assert info.n_points + info.n_province == 20_000


def test_store_aggregates_are_drawn_as_counts(basemap):
    agg = pd.DataFrame(
        [
            (36.5281, 37.9549, "Battles", 1, "Aleppo", "Manbij", 120),
            (35.8367, 38.5481, "Riots", 2, "Raqqa", "Tabqa", 3),
            (35.95, 39.0, "Battles", 3, "Raqqa", "Raqqa", 7),
        ],
        columns=list(mapping.AGGREGATE_COLUMNS),
    )
    _, info = mapping.build_event_layers(None, basemap, aggregates=agg)
    assert info.aggregated and info.n_events == 130 and info.n_markers == 2 and info.n_province == 7


def test_coarsen_merges_into_cells():
    agg = mapping.aggregate_events(synthetic(5_000, province_share=0.0))
    out, cell = mapping.coarsen(agg, 200)
    assert len(out) <= 200 and cell is not None
    assert out["n"].sum() == 5_000


def test_choropleth_classes():
    breaks = mapping.count_breaks(1234)
    assert breaks[0] == 1 and breaks[-1] <= 1234
    assert mapping.choropleth_color(0, breaks) is None
    assert mapping.choropleth_color(1234, breaks) == mapping.CHOROPLETH_COLORS[-1]
    assert "1,000+" in mapping.choropleth_legend_html(breaks)


def test_selected_event_gets_a_ring(basemap):
    df = pd.DataFrame([event_row(), event_row(event_id="x2", location="Tabqa", latitude=35.8, longitude=38.5)])
    groups, _ = mapping.build_event_layers(df, basemap, selected_event_id="x2")
    m = mapping.build_base_map(basemap)
    for g in groups:
        g.add_to(m)
    assert js_data(rendered(m), "selected")["id"] == "x2"


def test_the_selected_events_popup_takes_its_stored_record(basemap):
    """The page reads the sentence and actors only for some rows: the selected event's popup
    is filled from its stored record when its row lacks them."""
    df = pd.DataFrame([event_row(), event_row(event_id="x2", location="Tabqa", latitude=35.8, longitude=38.5,
                                              notes=None, actor1=None)])
    record = event_row(event_id="x2", location="Tabqa", latitude=35.8, longitude=38.5,
                       notes="Shelling hit Tabqa <b>at dawn</b>.", actor1="Stored Actor")
    groups, _ = mapping.build_event_layers(df, basemap, selected_event_id="x2", selected_record=record)
    m = mapping.build_base_map(basemap)
    for g in groups:
        g.add_to(m)
    selected = js_data(rendered(m), "selected")
    assert selected["id"] == "x2"
    assert "Stored Actor" in selected["html"] and "&lt;b&gt;at dawn&lt;/b&gt;" in selected["html"]


@pytest.mark.parametrize("n, megabytes", [(10_000, 3.0), (100_000, 5.0)])
def test_payload_is_bounded(basemap, n, megabytes):
    """The page's size is bounded by design; its build time is measured in benchmarks/, not asserted."""
    df = synthetic(n)
    m, info = mapping.build_map(df, basemap)
    html = rendered(m)
    assert len(html.encode()) < megabytes * 1e6
    assert info.n_markers <= mapping.MapOptions().max_points


# ---------------------------------------------------------------------------------- charts


def test_timeline_and_metrics():
    df = synthetic(300)
    df.loc[0, "event_date"] = None
    tl = mapping.timeline(df, "W")
    assert tl.to_numpy().sum() == 299
    assert list(tl.columns) == [t for t in mapping.TYPE_NAMES if t in tl.columns]
    m = mapping.metrics(df)
    assert m["events"] == 300 and m["fatalities"] == int(df["fatalities"].sum()) and m["governorates"] <= 14
    assert mapping.metrics(df.iloc[:0]) == {"events": 0, "fatalities": 0, "governorates": 0}
    assert mapping.timeline(df.iloc[:0]).empty


@pytest.mark.parametrize(
    "values",
    [
        [dt.date(2014, 1, 3), None, dt.date(2013, 12, 31), np.nan, dt.date(2014, 1, 3)],
        [dt.datetime(2015, 2, 3, 14, 5), dt.date(2015, 2, 2), None],
        ["2014-01-03", "3 January 2014", None, "not a date", dt.date(2014, 1, 4)],
        [None, None],
    ],
)
def test_date_series_of_date_objects_matches_the_parser(values):
    """The store's frames hold date objects, converted at once; the result is the one the date
    parser gives value by value (mixed or text columns take that path)."""
    from geo.webmap.aggregate import date_series, event_date

    series = pd.Series(values, index=range(10, 10 + len(values)), dtype=object)
    expected = pd.to_datetime(pd.Series([event_date(v) if v is not None and v == v else None for v in values],
                                        index=series.index, dtype=object), errors="coerce")
    got = date_series(series)
    assert got.index.equals(series.index)
    assert pd.api.types.is_datetime64_any_dtype(got)
    assert [str(x) for x in got] == [str(x) for x in expected]  # NaT as text: NaT != NaT


@pytest.mark.parametrize("seed, n, limit", [(1, 300, 8), (2, 2_000, 3), (3, 40, 8)])
def test_governorate_rollups_match_one_popup_per_governorate(basemap, seed, n, limit):
    """The roll-ups are grouped once for all governorates; each popup is the one
    province_popup_html makes from that governorate's events alone, most recent first."""
    from geo.webmap.aggregate import aggregate_events, sorted_recent_first

    df = synthetic(n, seed=seed, province_share=0.5)
    df.loc[df.index[:3], "admin1"] = None  # governorate unknown: its own roll-up, under ""
    options = dataclasses.replace(mapping.MapOptions(), province_list_limit=limit)
    groups, info = mapping.build_event_layers(df, None, options=options, show_choropleth=False)
    rollup = next(c for g in groups for c in g._children.values() if type(c).__name__ == "ProvinceRollup")
    prov = sorted_recent_first(df[df["geo_precision"] >= 3])
    expected = []
    for admin1, sub in prov.groupby(prov["admin1"].fillna("").astype(str), sort=True):
        by_type = sub.groupby("event_type").size().sort_values(ascending=False)
        expected.append((admin1, len(sub), mapping.province_popup_html(admin1, len(sub), by_type, sub, limit,
                                                                        presorted=True)))
    assert [(i["admin1"], i["count"], i["html"]) for i in rollup.data] == expected
    assert info.n_province == len(prov)
    assert aggregate_events(prov)["n"].sum() == len(prov)
