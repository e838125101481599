"""The event store: GeoPackage layout, transactions, filters, concurrency and crash safety.

Real SQLite files in tmp_path; the crash and reader/writer tests use real child processes.
The ``store`` fixture is parametrized over backends (only "gpkg" for now).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import signal
import sqlite3
import struct
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely
from fixtures_store import (
    TOWNS,
    assert_consistent,
    fill_sample,
    ids,
    make_article,
    make_event,
    many_events,
    sample_events,
    start_child,
    wait_for,
)

from geo.errors import StoreError, ValidationError
from geo.models import EVENT_FIELDS, Event
from geo.store import open_store
from geo.store.gpkg import (
    DEFAULT_STORE_PATH,
    GPKG_APPLICATION_ID,
    EventFilter,
    EventStore,
    GpkgEventStore,
    IngestOutcome,
    gpkg_point,
    parse_gpkg_point,
    resolve_store_location,
)

# ---------------------------------------------------------------------------------------
# Location
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cli", "env", "expected"),
    [
        ("/x/cli.gpkg", "/x/env.gpkg", "/x/cli.gpkg"),
        (None, "/x/env.gpkg", "/x/env.gpkg"),
        (None, None, str(DEFAULT_STORE_PATH)),
        ("", "  ", str(DEFAULT_STORE_PATH)),
    ],
)
def test_resolve_store_location(monkeypatch: pytest.MonkeyPatch, cli, env, expected) -> None:
    if env is None:
        monkeypatch.delenv("GEO_STORE", raising=False)
    else:
        monkeypatch.setenv("GEO_STORE", env)
    assert resolve_store_location(cli) == expected


def test_default_store_is_under_the_project_data_folder() -> None:
    assert DEFAULT_STORE_PATH == Path(__file__).resolve().parents[1] / "data" / "events.gpkg"


@pytest.mark.parametrize("url", ["postgresql://user:secret@127.0.0.1:1/events", "postgres://127.0.0.1:1/events"])
def test_unreachable_postgis_url_is_a_store_error(url: str) -> None:
    with pytest.raises(StoreError, match="cannot connect to the server") as info:
        open_store(url)
    assert "secret" not in str(info.value)  # no password in the message


def test_open_store_creates_the_file_and_folders(tmp_path: Path) -> None:
    path = tmp_path / "new" / "sub" / "events.gpkg"
    with open_store(path) as s:
        assert isinstance(s, EventStore)
        assert s.count() == 0
    assert path.exists()


def test_open_store_without_create_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store at"):
        open_store(tmp_path / "missing.gpkg", create=False)


def test_not_a_geopackage_is_refused(tmp_path: Path) -> None:
    text_file = tmp_path / "notes.gpkg"
    text_file.write_text("this is not a database, just text that is long enough " * 20)
    with pytest.raises(StoreError, match="not a GeoPackage"):
        open_store(text_file)
    other_db = tmp_path / "other.sqlite"
    with sqlite3.connect(other_db) as conn:
        conn.execute("CREATE TABLE t (x)")
    with pytest.raises(StoreError, match="not a GeoPackage"):
        open_store(other_db)


def test_closed_store_raises(tmp_path: Path) -> None:
    s = open_store(tmp_path / "e.gpkg")
    s.close()
    with pytest.raises(StoreError, match="closed"):
        s.count()


# ---------------------------------------------------------------------------------------
# GeoPackage layout
# ---------------------------------------------------------------------------------------


def test_geopackage_metadata(gpkg_store: GpkgEventStore) -> None:
    gpkg_store.add_article(make_article("a"), [make_event("e1", "a")])
    with sqlite3.connect(gpkg_store.path) as conn:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == GPKG_APPLICATION_ID
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 10300
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        srs = {r[0]: r for r in conn.execute("SELECT srs_id, organization, organization_coordsys_id FROM gpkg_spatial_ref_sys")}
        assert srs[4326][1:] == ("EPSG", 4326) and -1 in srs and 0 in srs
        contents = {r[0]: r[1:] for r in conn.execute(
            "SELECT table_name, data_type, srs_id, min_x, min_y, max_x, max_y FROM gpkg_contents")}
        assert contents["events"][:2] == ("features", 4326)
        assert contents["events"][2:] == pytest.approx((37.9550, 36.5281, 37.9550, 36.5281))
        assert contents["articles"][0] == "attributes"
        assert conn.execute("SELECT * FROM gpkg_geometry_columns").fetchall() == [("events", "geom", "POINT", 4326, 0, 0)]
        indexes = {r[1] for r in conn.execute("PRAGMA index_list(events)")}
        assert {"idx_events_event_date", "idx_events_admin1_date", "idx_events_type_date", "idx_events_place"} <= indexes
    # The header of the file itself, as GDAL reads it before opening it with SQLite.
    header = gpkg_store.path.read_bytes()[:100]
    assert header[68:72] == b"GPKG"
    assert struct.unpack(">I", header[60:64])[0] == 10300


def test_geometry_blob_is_a_geopackage_point() -> None:
    blob = gpkg_point(36.5281, 37.9550)
    magic, version, flags, srs_id = struct.unpack("<2sBBi", blob[:8])
    assert (magic, version, flags, srs_id) == (b"GP", 0, 1, 4326)
    point = shapely.from_wkb(blob[8:])
    assert (point.geom_type, point.x, point.y) == ("Point", 37.9550, 36.5281)
    assert parse_gpkg_point(blob) == (36.5281, 37.9550)


def test_pyogrio_and_geopandas_read_the_events_layer(gpkg_store: GpkgEventStore) -> None:
    fill_sample(gpkg_store)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any GDAL complaint about the file fails the test
        layers = dict(pyogrio.list_layers(gpkg_store.path))
        info = pyogrio.read_info(gpkg_store.path, layer="events")
        gdf = gpd.read_file(gpkg_store.path, layer="events")
        articles = gpd.read_file(gpkg_store.path, layer="articles")
    assert layers == {"events": "Point", "articles": None}
    assert info["crs"] == "EPSG:4326" and info["features"] == 8 and info["geometry_type"] == "Point"
    assert list(gdf.columns) == [*EVENT_FIELDS, "geometry"]
    assert gdf.crs.to_epsg() == 4326
    for row in gdf.itertuples():
        assert (row.geometry.x, row.geometry.y) == (row.longitude, row.latitude)
        assert (row.latitude, row.longitude) == TOWNS[row.location][:2]
    assert gdf.loc[gdf.event_id == "e1", "event_date"].iloc[0] == pd.Timestamp("2014-01-05")
    assert gdf.loc[gdf.event_id == "e6", "event_date"].isna().all()
    assert sorted(articles["article_id"]) == ["A", "B", "C"]


# ---------------------------------------------------------------------------------------
# Round trip and types
# ---------------------------------------------------------------------------------------


def test_query_returns_the_events_as_stored(sample_store: EventStore) -> None:
    gdf = sample_store.query()
    assert list(gdf.columns) == [*EVENT_FIELDS, "geometry"]
    assert gdf.crs.to_epsg() == 4326
    expected = {e.event_id: e for events in sample_events().values() for e in events}
    records = gdf.drop(columns="geometry").astype(object).where(gdf.notna(), None).to_dict("records")
    stored = {r["event_id"]: Event.from_record(r) for r in records}
    assert stored == expected
    e6 = gdf[gdf.event_id == "e6"].iloc[0]
    assert e6.event_date is None
    assert isinstance(gdf[gdf.event_id == "e1"].iloc[0].event_date, dt.date)
    assert [(p.x, p.y) for p in gdf.geometry] == list(zip(gdf.longitude, gdf.latitude))


def test_empty_query_has_the_schema(store: EventStore) -> None:
    gdf = store.query()
    assert len(gdf) == 0
    assert list(gdf.columns) == [*EVENT_FIELDS, "geometry"]
    assert gdf.crs.to_epsg() == 4326
    assert store.summary() == {"total": 0, "fatalities": 0, "undated": 0, "by_admin1": {}, "by_event_type": {}, "by_date": {}}
    assert store.date_span() is None
    assert store.actors() == []


def test_rows_come_most_recent_first_undated_last(sample_store: EventStore) -> None:
    assert ids(sample_store.query()) == ["e7", "e5", "e4", "e3", "e2", "e1", "e6", "e8"]


def test_articles_listing_and_lookup(store: EventStore) -> None:
    published = dt.date(2014, 1, 5)
    article = make_article("a1", "full text here", title="T", url="https://x.example/a1", published=published)
    store.add_article(article, [make_event("e1", "a1")])
    got = store.get_article("a1")
    assert got is not None
    assert (got.text, got.title, got.url, got.published, got.source) == ("full text here", "T", article.url, published, "test wire")
    assert got.ingested_at is not None and got.ingested_at.tzinfo is not None
    assert got.content_hash == article.content_hash
    assert store.get_article("nope") is None
    listing = store.articles()
    assert [a.article_id for a in listing] == ["a1"] and listing[0].text == ""


def test_summary_date_span_and_actors(sample_store: EventStore) -> None:
    summary = sample_store.summary()
    assert summary["total"] == 8
    assert summary["fatalities"] == 18
    assert summary["undated"] == 2
    assert summary["by_admin1"] == {"Aleppo": 3, "Daraa": 1, "Damascus": 1, "Homs": 1, "Idlib": 1, "Raqqa": 1}
    assert list(summary["by_admin1"])[0] == "Aleppo"  # largest first
    assert summary["by_event_type"]["Battles"] == 3
    assert summary["by_date"] == {"2014-01-05": 1, "2014-01-06": 1, "2015-06-01": 1, "2015-06-02": 1,
                                  "2016-03-10": 1, "2016-12-31": 1}
    assert sample_store.date_span() == (dt.date(2014, 1, 5), dt.date(2016, 12, 31))
    assert sample_store.actors() == sorted(
        {"Syrian opposition", "ISIL", "Government", "Coalition", "Protesters", "Civilians", "Activists"}
    )


# ---------------------------------------------------------------------------------------
# Filters
# ---------------------------------------------------------------------------------------

D = dt.date
FILTER_CASES = [
    ("everything", EventFilter(), ["e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8"]),
    ("2015 with undated", EventFilter(date_from=D(2015, 1, 1), date_to=D(2015, 12, 31)), ["e3", "e4", "e6", "e8"]),
    ("2015 without undated", EventFilter(date_from=D(2015, 1, 1), date_to=D(2015, 12, 31), include_undated=False),
     ["e3", "e4"]),
    ("bounds inclusive", EventFilter(date_from=D(2014, 1, 6), date_to=D(2015, 6, 1), include_undated=False),
     ["e2", "e3"]),
    ("from only", EventFilter(date_from=D(2016, 1, 1)), ["e5", "e6", "e7", "e8"]),
    ("to only, dated", EventFilter(date_to=D(2014, 12, 31), include_undated=False), ["e1", "e2"]),
    ("dated only", EventFilter(include_undated=False), ["e1", "e2", "e3", "e4", "e5", "e7"]),
    ("one governorate", EventFilter(admin1=("Aleppo",)), ["e1", "e2", "e8"]),
    ("two governorates", EventFilter(admin1=("Aleppo", "Idlib")), ["e1", "e2", "e3", "e8"]),
    ("governorate as a bare string", EventFilter(admin1="Idlib"), ["e3"]),  # type: ignore[arg-type]
    ("type", EventFilter(event_types=("Battles",)), ["e1", "e3", "e6"]),
    ("sub-type", EventFilter(sub_event_types=("Air/drone strike",)), ["e4"]),
    ("actor as actor1 or actor2", EventFilter(actors=("ISIL",)), ["e1", "e2", "e4"]),
    ("actor match is exact", EventFilter(actors=("isil",)), []),
    ("text in notes", EventFilter(text="headquarters"), ["e1"]),
    ("text case-insensitive in location", EventFilter(text="MANBIJ"), ["e1"]),
    ("text in actors", EventFilter(text="coalition"), ["e4"]),
    ("text with LIKE wildcard is literal", EventFilter(text="100%"), ["e2"]),
    ("underscore is literal", EventFilter(text="_"), []),
    ("bbox around Aleppo governorate", EventFilter(bbox=(35.5, 36.5, 37.0, 38.5)), ["e1", "e2", "e3", "e8"]),
    ("bbox excludes the edge", EventFilter(bbox=(36.53, 37.0, 37.0, 38.5)), []),
    ("town precision only", EventFilter(max_geo_precision=1), ["e1", "e3", "e7"]),
    ("precision 2 or better", EventFilter(max_geo_precision=2), ["e1", "e2", "e3", "e4", "e7", "e8"]),
    ("one article", EventFilter(article_id="B"), ["e3", "e4"]),
    ("combined", EventFilter(admin1=("Aleppo",), event_types=("Battles",), date_from=D(2014, 1, 1),
                             date_to=D(2014, 12, 31), include_undated=False), ["e1"]),
    ("combined keeps undated", EventFilter(admin1=("Aleppo",), date_from=D(2014, 1, 6)), ["e2", "e8"]),
    ("limit keeps the most recent", EventFilter(limit=2), ["e5", "e7"]),
]


@pytest.mark.parametrize(("flt", "expected"), [c[1:] for c in FILTER_CASES], ids=[c[0] for c in FILTER_CASES])
def test_filters(sample_store: EventStore, flt: EventFilter, expected: list[str]) -> None:
    gdf = sample_store.query(flt)
    assert sorted(ids(gdf)) == sorted(expected)
    assert sample_store.count(flt) == len(expected)
    if flt.limit is None:  # summaries ignore the limit
        summary = sample_store.summary(flt)
        assert summary["total"] == len(expected)
        assert sum(summary["by_event_type"].values()) == len(expected)
        assert summary["undated"] + sum(summary["by_date"].values()) == len(expected)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"date_from": D(2015, 1, 1), "date_to": D(2014, 1, 1)}, "after date_to"),
        ({"bbox": (37.0, 36.0, 36.0, 38.0)}, "min <= max"),
        ({"bbox": (1.0, 2.0, 3.0)}, "four numbers"),
        ({"max_geo_precision": 4}, "1, 2 or 3"),
        ({"limit": -1}, "negative"),
        ({"limit": 1e23}, "whole number"),
        ({"limit": 10**30}, "whole number from 0 to"),
        ({"limit": "10"}, "whole number"),
        ({"limit": True}, "whole number"),
        ({"date_from": "5 January"}, "not a full date"),
    ],
)
def test_bad_filters_are_rejected(kwargs: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        EventFilter(**kwargs)


def test_filter_accepts_iso_strings_and_lists() -> None:
    flt = EventFilter(date_from="2014-01-01", admin1=["Aleppo"])  # type: ignore[arg-type]
    assert flt.date_from == D(2014, 1, 1) and flt.admin1 == ("Aleppo",)
    hash(flt)  # still hashable (the dashboard caches on it)


# ---------------------------------------------------------------------------------------
# Ingest semantics
# ---------------------------------------------------------------------------------------


def test_reingesting_the_same_article_is_a_no_op(store: EventStore) -> None:
    article = make_article("a1")
    events = many_events("a1", 5)
    assert store.add_article(article, events) == IngestOutcome.ADDED
    before = store.get_article("a1")
    assert store.add_article(article, events) == "unchanged"
    assert store.add_events(events, article=article) == IngestOutcome.UNCHANGED
    assert store.count() == 5
    assert store.get_article("a1") == before  # not even ingested_at moved


def test_edited_article_replaces_only_its_own_events(store: EventStore) -> None:
    store.add_article(make_article("a1", "first"), many_events("a1", 4))
    store.add_article(make_article("a2", "other"), many_events("a2", 3))
    outcome = store.add_article(make_article("a1", "edited"), many_events("a1", 2, prefix="a1-v2"))
    assert outcome == IngestOutcome.REPLACED
    assert sorted(ids(store.query(EventFilter(article_id="a1")))) == ["a1-v2-0", "a1-v2-1"]
    assert sorted(ids(store.query(EventFilter(article_id="a2")))) == ["a2-0", "a2-1", "a2-2"]
    assert store.get_article("a1").text == "edited"
    assert_consistent(store, {"a1": 2, "a2": 3})


def test_article_with_no_events_is_recorded(store: EventStore) -> None:
    assert store.add_article(make_article("quiet"), []) == IngestOutcome.ADDED
    assert store.get_article("quiet") is not None
    assert store.add_article(make_article("quiet"), []) == IngestOutcome.UNCHANGED


def test_event_id_owned_by_another_article_rolls_back(store: EventStore) -> None:
    store.add_article(make_article("a1"), [make_event("shared", "a1")])
    with pytest.raises(StoreError, match="'shared' is already stored for article 'a1'"):
        store.add_article(make_article("a2"), [make_event("fresh", "a2"), make_event("shared", "a2")])
    assert store.get_article("a2") is None
    assert ids(store.query()) == ["shared"]


def test_duplicate_event_id_within_an_article_rolls_back(store: EventStore) -> None:
    with pytest.raises(StoreError, match="occurs more than once"):
        store.add_article(make_article("a1"), [make_event("x", "a1"), make_event("x", "a1")])
    assert store.count() == 0 and store.articles() == []


def test_event_of_another_article_is_refused(store: EventStore) -> None:
    with pytest.raises(StoreError, match="names article 'zzz'"):
        store.add_article(make_article("a1"), [make_event("x", "zzz")])
    assert store.count() == 0


def test_error_while_streaming_events_keeps_the_old_version(store: EventStore) -> None:
    store.add_article(make_article("a1", "v1"), many_events("a1", 3))

    def broken():
        yield from many_events("a1", 7000, prefix="v2")  # more than one insert chunk
        raise RuntimeError("the source went away")

    with pytest.raises(RuntimeError, match="went away"):
        store.add_article(make_article("a1", "v2"), broken())
    assert store.get_article("a1").text == "v1"
    assert sorted(ids(store.query())) == ["a1-0", "a1-1", "a1-2"]
    assert_consistent(store, {"a1": 3})


def test_delete_article(store: EventStore) -> None:
    fill_sample(store)
    assert store.delete_article("C") == 4
    assert store.get_article("C") is None
    assert store.count() == 4
    assert store.delete_article("C") == 0
    assert_consistent(store, {"A": 2, "B": 2})


def test_info(sample_store: EventStore) -> None:
    info = sample_store.info()
    assert (info.articles, info.events, info.undated) == (3, 8, 2)
    assert info.date_span == (D(2014, 1, 5), D(2016, 12, 31))
    assert info.size_bytes and info.size_bytes > 0


# ---------------------------------------------------------------------------------------
# Concurrency and crashes (real child processes)
# ---------------------------------------------------------------------------------------

_CHILD_PAUSED_WRITE = """
import datetime as dt
from fixtures_store import make_article, many_events, paused_events
from geo.store.gpkg import GpkgEventStore
store = GpkgEventStore({path!r})
events = many_events({aid!r}, {n}, prefix={prefix!r})
store.add_article(make_article({aid!r}, {text!r}), paused_events(events, {pause}, {marker!r}, {release!r}))
store.close()
print("committed")
"""


def test_reader_reads_while_another_process_writes(tmp_path: Path) -> None:
    path = tmp_path / "events.gpkg"
    with GpkgEventStore(path) as s:
        s.add_article(make_article("old"), many_events("old", 10))
    marker, release = tmp_path / "paused", tmp_path / "release"
    child = start_child(_CHILD_PAUSED_WRITE.format(
        path=str(path), aid="new", n=6000, prefix="new", text="new", pause=5500,
        marker=str(marker), release=str(release)))
    try:
        wait_for(marker, child)  # the child now holds the write transaction, 5000 rows in
        with GpkgEventStore(path) as reader:
            started = time.monotonic()
            assert reader.count() == 10
            assert len(reader.query(EventFilter(admin1=("Aleppo",)))) > 0
            assert reader.summary()["total"] == 10
            assert time.monotonic() - started < 2.0  # not waiting for the writer
            release.write_text("go")
            out, err = child.communicate(timeout=30)
            assert child.returncode == 0, err.decode()
            assert reader.count() == 6010  # the committed write is visible to the same reader
            assert_consistent(reader, {"old": 10, "new": 6000})
    finally:
        if child.poll() is None:
            child.kill()


def test_kill_mid_transaction_keeps_the_previous_version(tmp_path: Path) -> None:
    path = tmp_path / "events.gpkg"
    with GpkgEventStore(path) as s:
        s.add_article(make_article("a1", "v1"), many_events("a1", 20))
        s.add_article(make_article("a2", "v1"), many_events("a2", 5))
    marker = tmp_path / "paused"
    # The child replaces a1 with 6000 new events and is killed after 5500 of them.
    child = start_child(_CHILD_PAUSED_WRITE.format(
        path=str(path), aid="a1", n=6000, prefix="a1-v2", text="v2", pause=5500,
        marker=str(marker), release=None))
    wait_for(marker, child)
    child.send_signal(signal.SIGKILL)
    child.communicate(timeout=10)
    assert child.returncode == -signal.SIGKILL
    with GpkgEventStore(path) as s:
        assert s.get_article("a1").text == "v1"
        assert_consistent(s, {"a1": 20, "a2": 5})
        assert s.add_article(make_article("a3"), many_events("a3", 2)) == IngestOutcome.ADDED  # still writable


_CHILD_BATCH = """
from fixtures_store import heavy_extractor
from geo.ingest.batch import ingest_paths
from geo.store.gpkg import GpkgEventStore
store = GpkgEventStore({path!r})
summary = ingest_paths([{folder!r}], store, heavy_extractor, progress=False)
store.close()
print(summary)
"""


def test_batch_killed_with_sigkill_leaves_no_partial_article(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    expected = {}
    for i in range(30):
        n = 2000 + 37 * i
        (folder / f"a{i:02d}.txt").write_text(f"{n} events in article {i}\n")
    path = tmp_path / "events.gpkg"
    GpkgEventStore(path).close()
    code = _CHILD_BATCH.format(path=str(path), folder=str(folder))
    child = start_child(code)
    try:
        # Kill once a few articles are in, while the child is busy with the next ones.
        with GpkgEventStore(path) as watcher:
            deadline = time.monotonic() + 30
            while len(watcher.articles()) < 4 and child.poll() is None and time.monotonic() < deadline:
                time.sleep(0.005)
        assert child.poll() is None, "the batch finished before it could be killed"
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
    from geo.ingest import file_article_id  # a file's id follows its real path

    for i in range(30):
        expected[file_article_id(folder / f"a{i:02d}.txt")] = 2000 + 37 * i
    with GpkgEventStore(path) as s:
        stored = assert_consistent(s, expected)
        assert 4 <= len(stored) < 30
    # Running the batch again completes it: finished articles unchanged, the rest added.
    rerun = start_child(code)
    out, err = rerun.communicate(timeout=60)
    assert rerun.returncode == 0, err.decode()
    assert f"{len(stored)} unchanged" in out.decode()
    with GpkgEventStore(path) as s:
        assert assert_consistent(s, expected) == expected


def test_store_is_safe_to_share_between_threads(sample_store: EventStore) -> None:
    def work(i: int) -> int:
        if i % 5 == 0:
            sample_store.add_article(make_article(f"t{i}"), [make_event(f"t{i}-e", f"t{i}")])
        return len(sample_store.query(EventFilter(admin1=("Aleppo",))))

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(40)))
    assert all(r >= 3 for r in results)
    assert_consistent(sample_store)
    assert sample_store.count() == 8 + 8


def test_optimize_refreshes_statistics_only_when_the_table_changed(gpkg_store: GpkgEventStore) -> None:
    gpkg_store.add_article(make_article("a1"), many_events("a1", 50))
    assert gpkg_store.optimize() is True  # no statistics yet
    assert gpkg_store.optimize() is False  # nothing changed
    gpkg_store.add_article(make_article("a2"), many_events("a2", 50))
    assert gpkg_store.optimize() is True  # doubled
    assert gpkg_store.optimize(force=True) is True
    with sqlite3.connect(gpkg_store.path) as conn:
        stat = conn.execute("SELECT stat FROM sqlite_stat1 WHERE idx = 'idx_events_event_date'").fetchone()[0]
    assert stat.split()[0] == "100"


def test_point_counts_group_events_by_place_type_and_precision(store: EventStore) -> None:
    events = [
        make_event("p1", "a", latitude=36.50, longitude=37.90),
        make_event("p2", "a", latitude=36.56, longitude=38.00),
        make_event("p3", "a", event_date=None),
        make_event("p4", "a", location="Aleppo", latitude=36.2, longitude=37.1, geo_precision=2),
        make_event("p5", "a", event_date=D(2016, 1, 1)),
    ]
    store.add_article(make_article("a"), events)
    rows = store.point_counts(EventFilter(date_to=D(2015, 1, 1)))  # keeps the undated p3
    assert rows[0] == {"latitude": pytest.approx((36.50 + 36.56 + 36.5281) / 3),
                       "longitude": pytest.approx((37.90 + 38.00 + 37.9550) / 3),
                       "event_type": "Battles", "geo_precision": 1, "admin1": "Aleppo", "location": "Manbij", "n": 3}
    assert rows[1]["location"] == "Aleppo" and rows[1]["n"] == 1 and rows[1]["geo_precision"] == 2
    assert len(rows) == 2


def test_day_type_counts(sample_store: EventStore) -> None:
    rows = sample_store.day_type_counts(EventFilter(date_to=D(2015, 12, 31)))
    assert [(r["event_date"], r["event_type"], r["n"]) for r in rows] == [
        ("2014-01-05", "Battles", 1),
        ("2014-01-06", "Explosions/Remote violence", 1),
        ("2015-06-01", "Battles", 1),
        ("2015-06-02", "Explosions/Remote violence", 1),
    ]
    total = sum(r["n"] for r in sample_store.day_type_counts())
    assert total == sample_store.count(EventFilter(include_undated=False))


@pytest.mark.parametrize("flt", [
    EventFilter(), EventFilter(date_to=D(2015, 12, 31)), EventFilter(include_undated=False, limit=3),
    EventFilter(admin1=("Aleppo", "Daraa"), limit=4), EventFilter(text="civilians"),
])
def test_query_columns_are_query_rows_narrowed(sample_store: EventStore, flt: EventFilter) -> None:
    """The dashboard's lean query: the same rows in the same order as query_rows, only the
    columns asked for (no geometry, no columns the page does not draw)."""
    columns = ["event_id", "latitude", "event_type", "notes", "fatalities"]
    full = sample_store.query_rows(flt)
    idx = [EVENT_FIELDS.index(c) for c in columns]
    assert sample_store.query_columns(flt, columns) == [tuple(r[i] for i in idx) for r in full]
    assert len(full) == sample_store.count(flt) > 0
    with pytest.raises(StoreError):
        sample_store.query_columns(flt, ["event_id", "event_id; DROP TABLE events"])


def test_day_type_counts_count_and_sum_fatalities_per_day_and_type(sample_store: EventStore) -> None:
    """The dashboard's time charts at any size: per (day, type) counts and fatality sums from one
    GROUP BY, the same as counting the fetched rows (unknown fatalities count as none; undated
    events are left out)."""
    flt = EventFilter(event_types=("Battles", "Explosions/Remote violence", "Violence against civilians"))
    rows = sample_store.day_type_counts(flt)
    frame = sample_store.query(dataclasses.replace(flt, include_undated=False))
    expected: dict[tuple[str, str], list[int]] = {}
    for day, etype, fat in zip(frame["event_date"], frame["event_type"], frame["fatalities"]):
        acc = expected.setdefault((day.isoformat(), etype), [0, 0])
        acc[0] += 1
        acc[1] += 0 if pd.isna(fat) else int(fat)
    assert rows == [{"event_date": d, "event_type": t, "n": n, "fatalities": f}
                    for (d, t), (n, f) in sorted(expected.items())]
    assert rows and any(r["fatalities"] for r in rows)
    assert sample_store.day_type_counts(EventFilter(admin1=("Atlantis",))) == []


def test_query_dtypes_are_as_documented(sample_store: EventStore) -> None:
    gdf = sample_store.query()
    assert str(gdf["fatalities"].dtype) == "Int64" and str(gdf["time_precision"].dtype) == "Int64"
    assert gdf["geo_precision"].dtype == "int64" and gdf["latitude"].dtype == "float64"
    assert gdf["admin1"].dtype == object and all(isinstance(v, str) for v in gdf["notes"])
    assert {type(v) for v in gdf["event_date"]} == {dt.date, type(None)}


def test_a_store_missing_a_newer_index_gets_it_on_open(tmp_path: Path) -> None:
    path = tmp_path / "old.gpkg"
    with GpkgEventStore(path) as s:
        s.add_article(make_article("a"), [make_event("e1", "a")])
    with sqlite3.connect(path) as conn:
        conn.execute("DROP INDEX idx_events_place")
    with GpkgEventStore(path) as s:
        assert s.count() == 1
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'idx_events_place'").fetchone()[0] == 1


def test_opening_an_up_to_date_store_does_not_wait_for_a_writer(tmp_path: Path) -> None:
    path = tmp_path / "events.gpkg"
    GpkgEventStore(path).close()
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # holds the write lock
    try:
        started = time.monotonic()
        with GpkgEventStore(path) as reader:
            assert reader.count() == 0
        assert time.monotonic() - started < 1.0
    finally:
        writer.execute("ROLLBACK")
        writer.close()


# ---------------------------------------------------------------------------------------
# Schema version 2: district, sub-place, interaction, provenance, reviewed
# ---------------------------------------------------------------------------------------

_V2_VALUES = {
    "admin2": "Manbij District",
    "location_detail": "al-Sarab neighbourhood",
    "interaction": 28,
    "source_ref": "ucdp:123456",
    "reviewed": True,
}


def test_new_event_fields_round_trip(store: EventStore) -> None:
    store.add_article(make_article("a"), [make_event("v2", "a", **_V2_VALUES), make_event("v1", "a")])
    gdf = store.query().set_index("event_id")
    for name, value in _V2_VALUES.items():
        assert gdf.loc["v2", name] == value, name
    assert gdf.loc["v1", "admin2"] == "" and gdf.loc["v1", "source_ref"] == ""
    assert pd.isna(gdf.loc["v1", "interaction"]) and not gdf.loc["v1", "reviewed"]
    assert gdf["reviewed"].dtype == bool
    back = Event.from_record(store.query().set_index("event_id").loc["v2"].to_dict() | {"event_id": "v2"})
    assert back == make_event("v2", "a", **_V2_VALUES)


@pytest.mark.parametrize("bad", [-1, 100])
def test_interaction_code_is_validated(bad: int) -> None:
    with pytest.raises(ValidationError, match="interaction"):
        make_event("x", interaction=bad)


def test_a_store_without_the_new_columns_gains_them_on_open(tmp_path: Path) -> None:
    path = tmp_path / "old.gpkg"
    with GpkgEventStore(path) as s:
        s.add_article(make_article("a"), [make_event("e1", "a"), make_event("e2", "a")])
    # A store written before schema version 2 had none of these columns.
    conn = sqlite3.connect(path)
    for name in _V2_VALUES:
        conn.execute(f"ALTER TABLE events DROP COLUMN {name}")
    conn.commit()
    conn.close()
    with GpkgEventStore(path) as s:
        gdf = s.query()
        assert sorted(gdf["event_id"]) == ["e1", "e2"]
        assert list(gdf["admin2"]) == ["", ""] and not gdf["reviewed"].any()
        s.add_article(make_article("b"), [make_event("e3", "b", **_V2_VALUES)])
        assert s.query(EventFilter(article_id="b")).iloc[0]["source_ref"] == "ucdp:123456"
    assert pyogrio.read_dataframe(path, layer="events").shape[0] == 3


# ---------------------------------------------------------------------------------------
# Read-only stores (issue 12): info, export and reads never write
# ---------------------------------------------------------------------------------------

import hashlib  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402

def _run_geo_as_reader(args: list[str]) -> subprocess.CompletedProcess[str]:
    """``python -m geo ARGS`` as a user who cannot write the store. Root ignores chmod through
    its capabilities (CAP_DAC_OVERRIDE & co.), so as root the command runs with none: the file
    modes then hold for it as for any owner. (Not as ``nobody``: that user cannot read a checkout
    in a private folder, such as a clone in ``mktemp -d``.)"""
    prefix = []
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: cannot test as a user chmod applies to")
        prefix = ["setpriv", "--bounding-set=-all", "--inh-caps=-all"]
    root = Path(__file__).resolve().parents[1]
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(root), "HOME": "/tmp"}
    return subprocess.run([*prefix, sys.executable, "-m", "geo", *args], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120)


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize(
    ("case", "folder_mode", "file_mode", "old_schema"),
    [
        ("read-only folder", 0o555, 0o444, False),
        ("read-only file in a writable folder", 0o777, 0o444, False),
        ("read-only folder, store of an older schema", 0o555, 0o444, True),
    ],
)
def test_a_read_only_store_can_be_read(case: str, folder_mode: int, file_mode: int, old_schema: bool) -> None:
    top = Path(tempfile.mkdtemp(prefix="geo-ro-"))
    try:
        top.chmod(0o755)
        folder, out = top / "store", top / "out"
        folder.mkdir()
        out.mkdir(mode=0o777)
        out.chmod(0o777)
        path = folder / "events.gpkg"
        with GpkgEventStore(path) as s:
            fill_sample(s)
            s.update_event("e1", {"notes": "edited"})
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA journal_mode = DELETE")  # one file, as copied onto a read-only medium
        if old_schema:
            for name in ("admin2", "location_detail", "interaction", "source_ref", "reviewed"):
                conn.execute(f"ALTER TABLE events DROP COLUMN {name}")
            conn.execute("DROP TABLE geo_event_history")
            conn.execute("DROP INDEX idx_articles_fingerprint")  # and before the article fingerprints
            conn.execute("ALTER TABLE articles DROP COLUMN fingerprint")
        conn.commit()
        conn.close()
        path.chmod(file_mode)
        folder.chmod(folder_mode)
        before = _digest(folder)

        info = _run_geo_as_reader(["info", "--store", str(path)])
        assert info.returncode == 0, (case, info.stderr)
        assert "events:   8 (2 undated)" in info.stdout
        export = _run_geo_as_reader(["export", "--store", str(path), "-o", f"{out}/", "--format", "csv"])
        assert export.returncode == 0, (case, export.stderr)
        rows = (out / "events.csv").read_text(encoding="utf-8").splitlines()
        assert len(rows) == 9 and rows[0].endswith(",reviewed")
        history = _run_geo_as_reader(["history", "--store", str(path)])
        assert history.returncode == 0, (case, history.stderr)
        if folder_mode == 0o555:
            assert _digest(folder) == before, "nothing may be written beside a read-only store"
        else:
            assert _digest(folder)["events.gpkg"] == before["events.gpkg"]
        with GpkgEventStore(path, read_only=True) as s:
            with pytest.raises(StoreError, match="read-only"):
                s.delete_events(["e2"])
            assert s.count() == 8
    finally:
        for p in (top / "store", top):
            if p.exists():
                p.chmod(0o755)
        shutil.rmtree(top)


def test_an_unchanged_article_writes_nothing(gpkg_store: GpkgEventStore) -> None:
    gpkg_store.add_article(make_article("a"), [make_event("e1", "a")])
    conn = sqlite3.connect(gpkg_store.path)
    stamp = conn.execute("SELECT last_change FROM gpkg_contents WHERE table_name = 'events'").fetchone()
    time.sleep(0.01)  # last_change has millisecond resolution
    assert gpkg_store.add_article(make_article("a"), [make_event("e1", "a")]) == IngestOutcome.UNCHANGED
    assert conn.execute("SELECT last_change FROM gpkg_contents WHERE table_name = 'events'").fetchone() == stamp
    conn.close()


def test_the_events_table_follows_the_one_schema(gpkg_store: GpkgEventStore) -> None:
    from geo.models import EVENT_SCHEMA

    conn = sqlite3.connect(gpkg_store.path)
    info = {r[1]: (r[2], bool(r[3])) for r in conn.execute("PRAGMA table_info(events)")}
    conn.close()
    sqlite_type = {"text": "TEXT", "int": "INTEGER", "real": "REAL", "date": "DATE", "bool": "BOOLEAN"}
    assert [c for c in info if c not in ("fid", "geom")] == [c.name for c in EVENT_SCHEMA]
    for column in EVENT_SCHEMA:
        assert info[column.name] == (sqlite_type[column.kind], not column.nullable), column.name
