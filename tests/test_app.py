"""The dashboard (app.py) under Streamlit's AppTest: no browser, real store, real widgets.

Each test gets its own GeoPackage store through ``GEO_STORE`` and its own user gazetteer
through ``GEO_USER_GAZETTEER``. st_folium is not rendered by AppTest; the map's script (with
the compact event rows) is read from the component's arguments instead.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from geo.extract import canonical_actor
from geo.models import EVENT_TYPES, SYRIA_GOVERNORATES, Article, Event
from geo.store import EventFilter

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
SEEDS = ROOT / "seeds"
TIMEOUT = 120

AppTest = pytest.importorskip("streamlit.testing.v1").AppTest

KNOWN = {  # the seed article's towns
    "Manbij": (36.5281, 37.9549),
    "Tabqa": (35.8367, 38.5481),
    "Atmeh": (36.3111, 36.6864),
}


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


# ------------------------------------------------------------------------------------------
# Stores


SYNTH_TOWNS = [  # (name, lat, lon, governorate)
    ("Aleppo", 36.2021, 37.1343, "Aleppo"), ("Manbij", 36.5281, 37.9549, "Aleppo"),
    ("Idlib", 35.9306, 36.6339, "Idlib"), ("Atmeh", 36.3111, 36.6864, "Idlib"),
    ("Hama", 35.1318, 36.7578, "Hama"), ("Homs", 34.7324, 36.7137, "Homs"),
    ("Raqqa", 35.9528, 39.0079, "Raqqa"), ("Tabqa", 35.8367, 38.5481, "Raqqa"),
    ("Deir ez-Zor", 35.3359, 40.1408, "Deir ez-Zor"), ("Hasakah", 36.5024, 40.7477, "Hasakah"),
    ("Latakia", 35.5317, 35.7901, "Latakia"), ("Tartus", 34.8890, 35.8866, "Tartus"),
    ("Damascus", 33.5138, 36.2765, "Damascus"), ("Douma", 33.5711, 36.4025, "Rural Damascus"),
    ("Daraa", 32.6189, 36.1021, "Daraa"), ("Suwayda", 32.7090, 36.5695, "Suwayda"),
    ("Quneitra", 33.1260, 35.8240, "Quneitra"),
]
ACTORS = ["Syrian Army", "Free Syrian Army", "ISIL", "SDF", "HTS", "Civilians", "Russian Air Force"]


def synthetic_events(n: int, seed: int = 1, article_id: str = "synthetic") -> list[Event]:
    """n varied events at real towns: all types, three precisions, 2012-2020, some undated."""
    rng = np.random.default_rng(seed)
    types = list(EVENT_TYPES)
    out = []
    for i in range(n):
        name, lat, lon, gov = SYNTH_TOWNS[int(rng.integers(len(SYNTH_TOWNS)))]
        etype = types[int(rng.integers(len(types)))]
        subs = EVENT_TYPES[etype]
        undated = rng.random() < 0.03
        gp = int(rng.choice([1, 1, 1, 2, 3]))
        notes = f"Reports of {etype.lower()} in {name} on that day."
        start = notes.index(name)
        out.append(
            Event(
                event_id=f"{article_id}-{i}",
                event_date=None if undated else dt.date(2012, 1, 1) + dt.timedelta(days=int(rng.integers(0, 3000))),
                time_precision=None if undated else int(rng.choice([1, 1, 2, 3])),
                event_type=etype,
                sub_event_type=subs[int(rng.integers(len(subs)))],
                actor1=ACTORS[int(rng.integers(len(ACTORS)))],
                actor2=ACTORS[int(rng.integers(len(ACTORS)))] if rng.random() < 0.5 else "",
                country="Syria",
                admin1=gov,
                admin1_code=SYRIA_GOVERNORATES[gov],
                location=name,
                latitude=lat + float(rng.normal(0, 0.01)) if gp == 2 else lat,
                longitude=lon + float(rng.normal(0, 0.01)) if gp == 2 else lon,
                geo_precision=gp,
                fatalities=int(rng.integers(0, 6)) if rng.random() < 0.7 else None,
                notes=notes + (" A car bomb exploded." if i % 17 == 0 else ""),
                article_id=article_id,
                source="synthetic",
                sentence_start=0,
                sentence_end=len(notes),
                place_start=start,
                place_end=start + len(name),
            )
        )
    return out


def fill_store(path: Path, n: int) -> None:
    from geo.store import open_store

    store = open_store(str(path))
    try:
        store.add_article(Article(article_id="synthetic", text="synthetic events", title="Synthetic"), synthetic_events(n))
    finally:
        store.close()


def ingest_seeds(path: Path) -> int:
    from geo.extract.pipeline import Geoparser
    from geo.ingest.batch import ingest_paths
    from geo.store import EventFilter, open_store

    store = open_store(str(path))
    try:
        summary = ingest_paths([str(SEEDS)], store, Geoparser().extract, progress=False)
        assert summary.events_added > 0, str(summary)
        return store.count(EventFilter())
    finally:
        store.close()


@pytest.fixture
def env(tmp_path, monkeypatch):
    """A fresh store location and user gazetteer for the app."""
    store = tmp_path / "events.gpkg"
    monkeypatch.setenv("GEO_STORE", str(store))
    monkeypatch.setenv("GEO_USER_GAZETTEER", str(tmp_path / "user_gazetteer.csv"))
    return store


@pytest.fixture(scope="module")
def synth_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("synth") / "events.gpkg"
    fill_store(path, 10_000)
    return path


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("seed") / "events.gpkg"
    ingest_seeds(path)
    return path


def store_of(path: Path):
    from geo.store import open_store

    return open_store(str(path))


# ------------------------------------------------------------------------------------------
# Helpers


def run_app(store: Path, monkeypatch, query: dict | None = None):
    monkeypatch.setenv("GEO_STORE", str(store))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    # The first view draws the map first; the page's next run (in a browser: the timer's, AFTER_MAP_S
    # later) draws the rest. See test_the_first_view_draws_the_map_first.
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def metric(at, label: str) -> int:
    for m in at.metric:
        if m.label == label:
            return int(str(m.value).replace(",", ""))
    raise AssertionError(f"no metric {label!r}")


def table(at):
    frames = [d.value for d in at.dataframe if "event_id" in d.value.columns]
    assert frames, "no events table"
    return frames[0]


def map_args(at) -> dict:
    comps = [c for c in at.get("component_instance") if "script" in c.proto.json_args]
    assert comps, "no map component"
    return json.loads(comps[0].proto.json_args)


def map_rows(at) -> list[list]:
    fg = map_args(at).get("feature_group") or ""
    m = re.search(r"GeoMap\.eventCluster\(\w+, (.*)\);\n", fg)  # geo.webmap sends data to static/geomap.js
    return json.loads(m.group(1))["rows"] if m else []


def count(path: Path, **kw) -> int:
    from geo.store import EventFilter

    s = store_of(path)
    try:
        return s.count(EventFilter(**kw))
    finally:
        s.close()


@pytest.fixture
def downloads(monkeypatch):
    """What st.download_button was handed, by media file id (AppTest keeps only the id): bytes,
    or the callable of a deferred download (built when the button is clicked)."""
    from streamlit.runtime import media_file_manager as mfm
    from streamlit.runtime import memory_media_file_storage as mfs

    captured: dict[str, object] = {}
    original = mfs.MemoryMediaFileStorage.load_and_get_id
    original_deferred = mfm.MediaFileManager.add_deferred

    def spy(self, path_or_data, mimetype, kind, filename=None):
        file_id = original(self, path_or_data, mimetype, kind, filename)
        if isinstance(path_or_data, (bytes, bytearray)):
            captured[file_id] = bytes(path_or_data)
        return file_id

    def spy_deferred(self, data_callable, *args, **kwargs):
        file_id = original_deferred(self, data_callable, *args, **kwargs)
        captured[file_id] = data_callable
        return file_id

    monkeypatch.setattr(mfs.MemoryMediaFileStorage, "load_and_get_id", spy)
    monkeypatch.setattr(mfm.MediaFileManager, "add_deferred", spy_deferred)
    return captured


def download_bytes(at, downloads: dict[str, object], key: str) -> bytes:
    """The file a download button gives (a deferred one's callable is called: the click)."""
    btn = [b for b in at.get("download_button") if b.proto.id.endswith(key)]
    assert btn, f"no download button {key}"
    file_id = btn[0].proto.deferred_file_id or btn[0].proto.url.rsplit("/", 1)[-1].split(".")[0]
    got = downloads[file_id]
    return got() if callable(got) else got


# ------------------------------------------------------------------------------------------
# Runs


def test_the_first_view_draws_the_map_first(seed_store, monkeypatch):
    """A session's first run draws the sidebar, the figures and the map, and arms the timer of
    the rest; the page's next run (the timer's, or any widget's) draws the charts, the table
    and the exports, and no longer arms the timer."""
    monkeypatch.setenv("GEO_STORE", str(seed_store))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    assert map_rows(at) and metric(at, "Events") > 0
    assert not at.dataframe and "Export the filtered events" not in [h.value for h in at.subheader]
    assert any("follow the map" in c.value for c in at.caption)
    assert at.session_state["_after_map_armed"] is True
    at.run()
    assert not at.exception
    assert len(table(at)) == metric(at, "Events")
    assert not any("follow the map" in c.value for c in at.caption)
    assert "Export the filtered events" in [h.value for h in at.subheader]


def test_empty_store(env, monkeypatch):
    at = run_app(env, monkeypatch)
    assert metric(at, "Events") == 0
    assert any("store is empty" in i.value for i in at.info)
    assert not at.error
    assert map_rows(at) == []


def test_seed_store_shows_the_seed_events(seed_store, monkeypatch):
    at = run_app(seed_store, monkeypatch)
    n = count(seed_store)
    assert metric(at, "Events") == n > 0
    rows = map_rows(at)
    for town, point in KNOWN.items():
        assert any(km(point, (r[0], r[1])) < 10 for r in rows), f"no marker near {town}"
    t = table(at)
    assert len(t) == n
    assert "Manbij" in set(t["location"])
    # the map loads only local assets
    args = map_args(at)
    assert args["js_links"] and all(not u.startswith(("http", "//")) for u in args["js_links"] + args["css_links"])


def test_an_unusable_geo_basemap_is_said_on_the_map_page(seed_store, monkeypatch, tmp_path):
    from geo.webmap import tiles

    monkeypatch.setenv("GEO_BASEMAP", str(tmp_path / "syria.pmtiles"))  # a mistyped path
    at = run_app(seed_store, monkeypatch)
    shown = [w.value.replace("\\", "") for w in at.warning]  # (the markdown source: escaped as text)
    assert any("no file at" in w and "syria.pmtiles" in w for w in shown), shown
    assert map_rows(at)  # the map is drawn all the same
    (tmp_path / "syria.pmtiles").write_bytes(b"<b>not an archive</b>")
    at = run_app(seed_store, monkeypatch)
    shown = [w.value.replace("\\", "") for w in at.warning]
    assert any("not an MBTiles archive" in w for w in shown), shown
    monkeypatch.delenv("GEO_BASEMAP")
    assert not run_app(seed_store, monkeypatch).warning
    tiles.stop_all()


FIRST_PAGE_PROBE = """
import sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({app!r}, default_timeout=120).run()
assert not at.exception, at.exception
print(sorted({{m.split(".")[0] for m in sys.modules}} & {heavy!r}))
"""


def test_the_map_page_does_not_load_the_geocoders_libraries(seed_store, tmp_path):
    """The first page a user sees shows stored events: it needs neither the geocoder (geopy,
    rapidfuzz), the date parser nor geopandas. Loading them cost its first render a few tenths
    of a second on this machine (python -X importtime)."""
    import os
    import subprocess
    import sys

    heavy = {"geopy", "rapidfuzz", "dateparser", "geopandas"}
    env = dict(os.environ, GEO_STORE=str(seed_store), GEO_GAZETTEER_DIR=str(tmp_path / "imports"),
               PYTHONPATH=str(ROOT))

    def python(code: str) -> str:
        return subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
                              timeout=TIMEOUT, check=True).stdout

    # an earlier session built the basemap cache (that needs the gazetteer, hence shapely and geopy)
    python("from geo.webmap.basemap import load_basemap; load_basemap()")
    assert python(FIRST_PAGE_PROBE.format(app=APP, heavy=heavy)).strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize("flt", [EventFilter(), EventFilter(admin1=("Aleppo",)), EventFilter(max_geo_precision=1)],
                         ids=["all", "one governorate", "towns only"])
def test_the_page_reads_the_long_text_only_for_the_rows_that_show_it(synth_store, flt):
    """Every event's marker columns; the sentence, actors and source for the table's most recent
    rows and the popups' most recent located events, exactly as a whole read gives them."""
    import pandas as pd

    from dashboard import data
    from geo.store import columns_frame, open_store
    from geo.webmap import layers as mapping

    table_rows, popup_rows = 100, 50
    store = open_store(str(synth_store))
    try:
        whole = columns_frame(store.query_columns(flt, data.PAGE_COLUMNS), data.PAGE_COLUMNS)
    finally:
        store.close()
    got = data.q_page(str(synth_store), "test", data.filter_key(flt), 20_000, table_rows, popup_rows)["df"]
    assert list(got.columns) == list(data.PAGE_COLUMNS) and len(got) == len(whole) > table_rows
    pd.testing.assert_frame_equal(got[list(data.MAP_COLUMNS)], whole[list(data.MAP_COLUMNS)])
    detail = list(data.DETAIL_COLUMNS)
    located = whole.index[whole["geo_precision"] < 3][:popup_rows]
    shown = whole.index[:table_rows].union(located)
    pd.testing.assert_frame_equal(got.loc[shown, detail], whole.loc[shown, detail])
    rest = got.drop(index=shown)
    assert len(rest) and rest["notes"].isna().all() and rest["actor1"].isna().all()
    # the popups are the ones a whole read gives
    options = mapping.MapOptions(detail_limit=popup_rows)

    def cluster_data(df):
        from geo.webmap.elements import CompactEventCluster

        groups, _ = mapping.build_event_layers(df, None, options=options, show_choropleth=False)
        return next(c.data for g in groups for c in g._children.values() if isinstance(c, CompactEventCluster))

    lean, read_whole = cluster_data(got), cluster_data(whole)
    assert len(lean["popups"]) == popup_rows and lean == read_whole


def test_synthetic_10k_runs_and_stays_small(synth_store, monkeypatch):
    at = run_app(synth_store, monkeypatch)
    assert metric(at, "Events") == 10_000
    rows = map_rows(at)
    located = count(synth_store, max_geo_precision=2)
    assert len(rows) == located  # one compact row per located event
    assert len(table(at)) == 1_000  # the table is capped
    assert len(map_args(at)["feature_group"]) < 3_000_000
    assert any("1,000 most recent of 10,000" in c.value for c in at.caption)


@pytest.mark.parametrize(
    "key, value, flt",
    [
        ("f_gov", ["Raqqa", "Idlib"], {"admin1": ("Raqqa", "Idlib")}),
        ("f_types", ["Protests"], {"event_types": ("Protests",)}),
        # The filter lists canonical names; picking one matches the stored alias ("ISIL").
        ("f_actors", [canonical_actor("ISIL")], {"actors": ("ISIL",)}),
        ("f_text", "car bomb", {"text": "car bomb"}),
        ("f_prec", 1, {"max_geo_precision": 1}),
        ("f_undated", False, {"include_undated": False}),
    ],
)
def test_each_filter_changes_table_and_counts(synth_store, monkeypatch, key, value, flt):
    at = run_app(synth_store, monkeypatch)
    before = metric(at, "Events")
    widget = at.toggle(key=key) if key == "f_undated" else (
        at.text_input(key=key) if key == "f_text" else (at.selectbox(key=key) if key == "f_prec" else at.multiselect(key=key))
    )
    widget.set_value(value).run()
    assert not at.exception, [e.message for e in at.exception]
    expected = count(synth_store, **flt)
    assert metric(at, "Events") == expected < before
    t = table(at)
    assert len(t) == min(expected, 1_000)
    if "admin1" in flt:
        assert set(t["admin1"]) <= set(value)
    if "event_types" in flt:
        assert set(t["event_type"]) == set(value)
    if "actors" in flt:
        assert all("ISIL" in (a1, a2) for a1, a2 in zip(t["actor1"], t["actor2"]))
    if "text" in flt:
        assert all("car bomb" in s.lower() for s in t["notes"])
    if "max_geo_precision" in flt:
        assert set(t["geo_precision"]) == {1}
    if flt.get("include_undated") is False:
        assert t["event_date"].notna().all()


def test_sub_types_follow_the_chosen_types(synth_store, monkeypatch):
    at = run_app(synth_store, monkeypatch)
    at.multiselect(key="f_types").set_value(["Riots"]).run()
    assert at.multiselect(key="f_subtypes").options == list(EVENT_TYPES["Riots"])
    at.multiselect(key="f_subtypes").set_value(["Mob violence"]).run()
    assert metric(at, "Events") == count(synth_store, event_types=("Riots",), sub_event_types=("Mob violence",))
    assert set(table(at)["sub_event_type"]) == {"Mob violence"}


def test_date_range_narrows_counts_and_map(synth_store, monkeypatch):
    at = run_app(synth_store, monkeypatch)
    all_rows = len(map_rows(at))
    a, b = dt.date(2014, 1, 1), dt.date(2014, 12, 31)
    at.slider(key="f_dates").set_value((a, b)).run()
    expected = count(synth_store, date_from=a, date_to=b, include_undated=True)
    assert metric(at, "Events") == expected
    assert 0 < len(map_rows(at)) < all_rows
    dated = table(at)["event_date"].dropna()
    assert dated.between(str(a), str(b) + " 23:59").all()


def test_filters_are_read_from_and_written_to_the_url(synth_store, monkeypatch):
    at = run_app(synth_store, monkeypatch, {"gov": "Daraa", "type": "Battles", "from": "2013-01-01", "prec": "2"})
    assert at.multiselect(key="f_gov").value == ["Daraa"]
    expected = count(synth_store, admin1=("Daraa",), event_types=("Battles",), date_from="2013-01-01", max_geo_precision=2)
    assert metric(at, "Events") == expected
    at.multiselect(key="f_gov").set_value(["Daraa", "Homs"]).run()
    qp = {k: v if isinstance(v, list) else [v] for k, v in at.query_params.items()}
    assert qp["gov"] == ["Daraa", "Homs"]
    assert qp["type"] == ["Battles"]
    assert qp["prec"] == ["2"]
    assert qp["from"] == ["2013-01-01"]


def test_bad_url_values_are_ignored(synth_store, monkeypatch):
    at = run_app(synth_store, monkeypatch, {"gov": "Atlantis", "from": "not-a-date", "prec": "9", "type": "<script>"})
    assert metric(at, "Events") == 10_000


def test_geojson_download_is_rfc7946_and_matches_the_filter(seed_store, monkeypatch, downloads):
    at = run_app(seed_store, monkeypatch)
    at.multiselect(key="f_gov").set_value(["Raqqa"]).run()
    data = json.loads(download_bytes(at, downloads, "dl_geojson"))
    assert data["type"] == "FeatureCollection" and "crs" not in data
    expected = count(seed_store, admin1=("Raqqa",))
    assert len(data["features"]) == expected == metric(at, "Events") > 0
    for f in data["features"]:
        assert f["type"] == "Feature" and f["geometry"]["type"] == "Point"
        lon, lat = f["geometry"]["coordinates"]
        assert -180 <= lon <= 180 and -90 <= lat <= 90
        assert (lat, lon) == (f["properties"]["latitude"], f["properties"]["longitude"])
        assert f["properties"]["admin1"] == "Raqqa"
    assert km(KNOWN["Tabqa"], (lat, lon)) < 10
    csv_bytes = download_bytes(at, downloads, "dl_csv")
    assert csv_bytes.decode().count("\n") == expected + 1
    assert download_bytes(at, downloads, "dl_gpkg")[:16] == b"SQLite format 3\x00"


def test_large_result_prepares_exports_on_request(synth_store, monkeypatch, downloads):
    """Export files are built when their button is clicked (deferred), not while the page renders."""
    at = run_app(synth_store, monkeypatch)
    buttons = at.get("download_button")
    assert len(buttons) == 3 and all(b.proto.deferred_file_id and not b.proto.url for b in buttons)
    data = json.loads(download_bytes(at, downloads, "dl_geojson"))
    assert len(data["features"]) == 10_000


def test_playback_steps_through_the_range(synth_store, monkeypatch):
    at = run_app(synth_store, monkeypatch)
    at.slider(key="f_dates").set_value((dt.date(2015, 1, 1), dt.date(2015, 3, 31))).run()
    at.toggle(key="play_on").set_value(True).run()
    at.radio(key="play_step").set_value("Month").run()
    jan = metric(at, "Events")
    assert jan == count(synth_store, date_from="2015-01-01", date_to="2015-01-31", include_undated=False)
    at.button(key="play_next").click().run()
    assert metric(at, "Events") == count(synth_store, date_from="2015-02-01", date_to="2015-02-28", include_undated=False)


def test_large_store_aggregates_the_map(tmp_path, monkeypatch):
    """Beyond FULL_LIMIT events the map is drawn from per-place counts, and the UI says so."""
    path = tmp_path / "big.gpkg"
    fill_store(path, 25_000)
    at = run_app(path, monkeypatch)
    assert metric(at, "Events") == 25_000
    rows = map_rows(at)
    assert rows and all(len(r) == 6 for r in rows)  # [lat, lon, type, count, location, precision]
    assert sum(r[3] for r in rows) == count(path, max_geo_precision=2)
    assert any("aggregated per place" in c.value for c in at.caption)


def test_article_view(seed_store, monkeypatch):
    s = store_of(seed_store)
    article = s.articles()[0]
    s.close()
    at = run_app(seed_store, monkeypatch, {"view": "article", "article": article.article_id})
    from dashboard.text import md

    assert at.title[0].value == md(article.title)  # shown as text: markdown escaped
    html = "".join(m.value for m in at.markdown)
    assert 'class="hl-place"' in html and "Manbij" in html
    assert not at.error


def test_article_view_unknown_id(seed_store, monkeypatch):
    at = run_app(seed_store, monkeypatch, {"view": "article", "article": "nope<script>"})
    assert at.error and "nope" in at.error[0].value


def test_ingest_paste_preview_and_add(env, monkeypatch):
    at = run_app(env, monkeypatch, {"view": "ingest"})
    text = (SEEDS / "syria-rebels-isil-2014-01-05.txt").read_text()
    at.text_input(key="paste_title").set_value("Pasted seed")
    at.text_input(key="paste_source").set_value("AP")
    at.date_input(key="paste_date").set_value(dt.date(2014, 1, 5))
    at.text_area(key="paste_text").set_value(text)
    at.button(key="paste_preview").click().run()
    assert not at.exception, [e.message for e in at.exception]
    html = "".join(m.value for m in at.markdown)
    assert 'class="hl-place"' in html and 'class="hl-trigger"' in html and 'class="hl-date"' in html
    preview = [d.value for d in at.dataframe]
    assert preview and "Manbij" in set(preview[0]["location"])
    at.button(key="add_0").click().run()
    assert not at.exception
    assert any("added" in s.value for s in at.success)
    assert count(env) == len(preview[0])


def test_ingest_correction_resolves_an_unknown_place(env, monkeypatch):
    """An unknown village: enter coordinates, save, and the event appears there."""
    at = run_app(env, monkeypatch, {"view": "ingest"})
    text = "Government forces shelled the village of Qaryat Zzyzx in the province of Idlib on Sunday."
    at.text_input(key="paste_title").set_value("Unknown village")
    at.date_input(key="paste_date").set_value(dt.date(2016, 3, 6))
    at.text_area(key="paste_text").set_value(text)
    at.button(key="paste_preview").click().run()
    assert not at.exception, [e.message for e in at.exception]
    fixes = [s for s in at.selectbox if s.key and s.key.startswith("fix_")]
    if not fixes:
        pytest.skip("the pipeline did not report the village as unresolved")
    fix = fixes[0]
    assert "Enter coordinates" in str(fix.options[-1])
    # choose "Enter coordinates..." (the last option) and give the point
    at.selectbox(key=fix.key).select_index(len(fix.options) - 1).run()
    at.number_input(key=f"{fix.key}_lat").set_value(35.9).run()
    at.number_input(key=f"{fix.key}_lon").set_value(36.6).run()
    at.button(key=f"{fix.key}_save").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("Saved" in s.value for s in at.success)
    user_csv = Path(__import__("os").environ["GEO_USER_GAZETTEER"])
    assert user_csv.exists() and "Qaryat Zzyzx" in user_csv.read_text()
    preview = [d.value for d in at.dataframe]
    assert preview and any(abs(lat - 35.9) < 0.01 for lat in preview[0]["latitude"])


def test_correction_updates_a_stored_article(env, monkeypatch):
    """Same text after a gazetteer correction: the stored events are replaced, not skipped."""
    from geo.gazetteer.gazetteer import add_user_place

    at = run_app(env, monkeypatch, {"view": "ingest"})
    text = "Government forces shelled the village of Qaryat Yyzzx in the province of Idlib on Sunday."
    at.text_input(key="paste_title").set_value("Another unknown village")
    at.date_input(key="paste_date").set_value(dt.date(2016, 3, 6))
    at.text_area(key="paste_text").set_value(text)
    at.button(key="paste_preview").click().run()
    at.button(key="add_0").click().run()
    assert not at.exception, [e.message for e in at.exception]
    before = store_of(env).query(EventFilter())
    if not len(before) or "Qaryat Yyzzx" in set(before["location"]):
        pytest.skip("the pipeline placed the village already")
    add_user_place("Qaryat Yyzzx", 35.95, 36.61)
    at.run()
    at.button(key="add_0").click().run()
    # it says what it will change and asks first
    assert any("already in the store" in w.value for w in at.warning)
    at.button(key="add_0_confirm").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("replaced" in s.value for s in at.success)
    after = store_of(env).query(EventFilter())
    assert "Qaryat Yyzzx" in set(after["location"])


# ------------------------------------------------------------------------------------------
# Issue 13 / issue 12 (dashboard): extreme dates, state kept across runs, review table, user text


def test_an_event_dated_0214_does_not_break_the_map(tmp_path, monkeypatch):
    """One article dated 0214-01-05 made the map fail for every user (StreamlitJSNumberBoundsError)."""
    import dataclasses

    from geo.store import open_store

    path = tmp_path / "old.gpkg"
    store = open_store(str(path))
    evs = synthetic_events(50, article_id="old")
    evs[0] = dataclasses.replace(evs[0], event_date=dt.date(214, 1, 5))
    store.add_article(Article(article_id="old", text="x", title="Old", published=dt.date(214, 1, 5)), evs)
    store.close()
    at = run_app(path, monkeypatch)  # no uncaught exception (was StreamlitJSNumberBoundsError)
    assert metric(at, "Events") == 50
    dates = [s for s in at.slider if s.key == "f_dates"]
    assert not dates or dates[0].value[0] >= dt.date(1900, 1, 1)


def test_playback_steps_keep_the_slider_and_the_map(synth_store, monkeypatch):
    """Stepping past the last period wraps; the slider follows the buttons (no
    StreamlitWidgetAlreadyInstantiatedError for play_idx)."""
    at = run_app(synth_store, monkeypatch)
    at.slider(key="f_dates").set_value((dt.date(2015, 1, 1), dt.date(2015, 1, 3))).run()
    at.toggle(key="play_on").set_value(True).run()
    for expected in (1, 2, 0):
        at.button(key="play_next").click().run()
        assert not at.exception, [e.message for e in at.exception]
        assert at.slider(key="play_idx").value == expected
        assert map_args(at)  # the map is drawn for every period, with or without events


def test_typed_dates_and_the_slider_are_one_value(synth_store, monkeypatch):
    at = run_app(synth_store, monkeypatch)
    at.date_input(key="f_from").set_value(dt.date(2014, 1, 1)).run()
    at.date_input(key="f_to").set_value(dt.date(2014, 12, 31)).run()
    assert at.slider(key="f_dates").value == (dt.date(2014, 1, 1), dt.date(2014, 12, 31))
    assert metric(at, "Events") == count(synth_store, date_from="2014-01-01", date_to="2014-12-31")
    qp = {k: at.query_params[k] for k in at.query_params}
    assert qp["from"] in ("2014-01-01", ["2014-01-01"]) and qp["to"] in ("2014-12-31", ["2014-12-31"])


def test_markdown_in_user_text_is_shown_as_text(tmp_path, monkeypatch):
    from dashboard.text import md
    from geo.store import open_store

    path = tmp_path / "md.gpkg"
    store = open_store(str(path))
    title = "Report ![t](http://beacon.invalid/x.png) <img src=x>"
    store.add_article(Article(article_id="md", text="Clashes in Hama.", title=title,
                              url="http://beacon.invalid/a) ![u](http://beacon.invalid/x.png"),
                      synthetic_events(3, article_id="md"))
    store.close()
    at = run_app(path, monkeypatch, {"view": "article", "article": "md"})
    assert at.title[0].value == md(title)
    shown = " ".join([at.title[0].value] + [c.value for c in at.caption])
    assert "![" not in shown and "](" not in shown.replace("](<http", "")
    at = run_app(path, monkeypatch, {"view": "article", "article": "![t](http://beacon.invalid/x.png)"})
    assert at.error and "![" not in at.error[0].value


def test_review_table_rejects_and_edits_before_storing():
    """Pure: the edited review table back to events (rejected dropped, edits applied, reviewed)."""
    import pandas as pd

    from dashboard import review

    events = synthetic_events(3, article_id="rev")
    frame = review.review_frame(events)
    frame.loc[0, "keep"] = False
    frame.loc[1, "actor1"] = "Islamic State"
    frame.loc[1, "location"] = "Somewhere"
    frame.loc[1, "latitude"], frame.loc[1, "longitude"] = 35.5, 37.5
    frame.loc[2, "location"] = "Nowhere known"
    kept, rejected, problems = review.reviewed_events(events, pd.DataFrame(frame), geocode=lambda name: None)
    assert rejected == [events[0]]
    assert [e.event_id for e in kept] == [events[1].event_id]
    assert kept[0].actor1 == "Islamic State" and (kept[0].latitude, kept[0].longitude) == (35.5, 37.5)
    assert problems and "Nowhere known" in problems[0]  # never a guessed place
    if review.HAS_REVIEWED:
        assert kept[0].reviewed



def test_review_table_starts_earlier_rejections_unticked_and_a_tick_wins():
    """Pure: events an analyst rejected or deleted before start unticked; ticking one again marks
    it reviewed (so the store takes it in spite of the earlier rejection); untouched ones are not."""
    import pandas as pd

    from dashboard import review

    events = synthetic_events(3, article_id="rev")
    before = {events[1].event_id, events[2].event_id}
    frame = review.review_frame(events, before)
    assert list(frame["keep"]) == [True, False, False]
    kept, rejected, problems = review.reviewed_events(events, pd.DataFrame(frame), None, before)
    assert [e.event_id for e in kept] == [events[0].event_id] and rejected == events[1:] and not problems
    frame.loc[2, "keep"] = True
    kept, rejected, _ = review.reviewed_events(events, pd.DataFrame(frame), None, before)
    assert [e.event_id for e in kept] == [events[0].event_id, events[2].event_id] and rejected == [events[1]]
    if review.HAS_REVIEWED:
        assert [e.reviewed for e in kept] == [False, True]


@pytest.fixture
def small_store(tmp_path):
    path = tmp_path / "small.gpkg"
    fill_store(path, 40)
    return path


def test_event_link_opens_details_edit_and_undo(small_store, monkeypatch):
    """?event=ID opens any event's details beside the map; an edit is stored (reviewed, with
    history) and undo restores it."""
    s = store_of(small_store)
    ev = s.get_event("synthetic-7")
    s.close()
    at = run_app(small_store, monkeypatch, {"event": "synthetic-7"})
    text = " ".join(m.value for m in at.markdown)
    assert "synthetic\\-7" in text and "Evidence" in text
    assert any(t.value == ev.notes for t in at.text)
    assert at.query_params["event"] in ("synthetic-7", ["synthetic-7"])
    at.radio(key="ev_mode").set_value("Edit").run()
    at.text_input(key="ev_synthetic-7_a1").set_value("Islamic State")
    at.number_input(key="ev_synthetic-7_fat").set_value(9)
    next(b for b in at.button if b.label == "Save changes").click().run()
    assert not at.exception, [e.message for e in at.exception]
    s = store_of(small_store)
    edited = s.get_event("synthetic-7")
    assert (edited.actor1, edited.fatalities, edited.reviewed) == ("Islamic State", 9, True)
    assert s.history(event_id="synthetic-7")[0].action == "edit"
    s.close()
    at.radio(key="ev_mode").set_value("History").run()
    at.button(key="ev_undo").click().run()
    assert not at.exception, [e.message for e in at.exception]
    s = store_of(small_store)
    back = s.get_event("synthetic-7")
    s.close()
    assert (back.actor1, back.fatalities) == (ev.actor1, ev.fatalities)


def test_delete_asks_first_and_merge_keeps_one(small_store, monkeypatch):
    at = run_app(small_store, monkeypatch, {"event": "synthetic-1"})
    at.radio(key="ev_mode").set_value("Delete").run()
    assert any("removes the event" in w.value for w in at.warning)
    assert count(small_store) == 40  # nothing happened before the click
    at.button(key="ev_delete_go").click().run()
    assert count(small_store) == 39
    at = run_app(small_store, monkeypatch, {"event": "synthetic-2"})
    at.radio(key="ev_mode").set_value("Merge").run()
    at.text_input(key="ev_merge_ids_synthetic-2").set_value("synthetic-3, synthetic-4").run()
    assert count(small_store) == 39
    at.button(key="ev_merge_go").click().run()
    assert count(small_store) == 37


def test_actor_filter_lists_one_name_per_actor(tmp_path, monkeypatch):
    """Aliases of one actor are one option (canonical name), and picking it matches every alias."""
    import dataclasses

    import geo.extract
    from geo.store import open_store

    canonical_actor = getattr(geo.extract, "canonical_actor", None)
    if canonical_actor is None:
        pytest.skip("geo.extract.canonical_actor (the actor table) arrives with the extract branch")
    path = tmp_path / "actors.gpkg"
    store = open_store(str(path))
    aliases = ["ISIS", "ISIL", "Daesh", "Islamic State"]
    evs = [dataclasses.replace(e, actor1=aliases[i % 4], actor2="") for i, e in enumerate(synthetic_events(40, article_id="a"))]
    store.add_article(Article(article_id="a", text="x", title="Actors"), evs)
    store.close()
    at = run_app(path, monkeypatch)
    options = at.multiselect(key="f_actors").options
    assert options == [canonical_actor("ISIS")]
    at.multiselect(key="f_actors").set_value(options).run()
    assert metric(at, "Events") == 40
