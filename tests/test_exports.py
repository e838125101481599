"""Exports: GeoJSON (RFC 7946) round trip, CSV in ACLED order, GeoPackage, filters, CLI."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely.geometry

from fixtures_store import (
    TOWNS,
    fill_sample,
    make_article,
    make_event,
    sample_events,
)
from geo.cli import main as main_for_tests
from geo.errors import ExportError
from geo.export import (
    CSV_COLUMNS,
    EXPORT_FORMATS,
    MEDIA_TYPES,
    event_records,
    events_to_csv_bytes,
    events_to_geojson,
    events_to_gpkg_bytes,
    export_bytes,
    export_events,
    geojson_bytes,
    write_gpkg,
    export_filename,
)
from geo.ingest.batch import ingest_paths
from geo.models import EVENT_FIELDS, Event
from geo.store import EventFilter, EventStore, open_store
from geo.store.gpkg import GpkgEventStore

EXPECTED_EVENTS = {e.event_id: e for events in sample_events().values() for e in events}


def _no_constants(name: str) -> None:
    raise AssertionError(f"JSON contains the non-standard constant {name}")


def events_from_frame(gdf: pd.DataFrame) -> dict[str, Event]:
    """Events rebuilt from any frame of event columns (query result or a file read back)."""
    return {r["event_id"]: Event.from_record(r) for r in event_records(gdf)}


def read_ids(path: Path) -> list[str]:
    if path.suffix == ".csv":
        with path.open(newline="", encoding="utf-8") as fh:
            return sorted(row["event_id"] for row in csv.DictReader(fh))
    if path.suffix == ".gpkg":
        return sorted(gpd.read_file(path)["event_id"]) if len(gpd.read_file(path)) else []
    return sorted(f["id"] for f in json.loads(path.read_bytes())["features"])


# ---------------------------------------------------------------------------------------
# GeoJSON
# ---------------------------------------------------------------------------------------


def test_geojson_round_trip_through_geopandas(sample_store: EventStore, tmp_path: Path) -> None:
    gdf = sample_store.query()
    path = tmp_path / "events.geojson"
    path.write_bytes(geojson_bytes(gdf))
    back = gpd.read_file(path)
    assert len(back) == len(gdf) == 8
    assert back.crs.to_epsg() == 4326
    assert events_from_frame(back) == EXPECTED_EVENTS
    for row in back.itertuples():
        assert (row.geometry.x, row.geometry.y) == (row.longitude, row.latitude)


def test_geojson_follows_rfc_7946(sample_store: EventStore) -> None:
    raw = geojson_bytes(sample_store.query())
    doc = json.loads(raw, parse_constant=_no_constants)  # NaN/Infinity would fail here
    assert doc["type"] == "FeatureCollection"
    assert set(doc) <= {"type", "features", "bbox"}  # in particular no "crs" member
    assert MEDIA_TYPES["geojson"] == "application/geo+json"
    for feature in doc["features"]:
        assert feature["type"] == "Feature"
        assert feature["id"] == feature["properties"]["event_id"]
        geometry = feature["geometry"]
        assert geometry["type"] == "Point"
        lon, lat = geometry["coordinates"]
        assert [lon, lat] == [feature["properties"]["longitude"], feature["properties"]["latitude"]]
        assert -180 <= lon <= 180 and -90 <= lat <= 90
        assert shapely.geometry.shape(geometry).is_valid
        assert set(feature["properties"]) == set(EVENT_FIELDS)
    by_id = {f["id"]: f for f in doc["features"]}
    # Manbij is at 36.53 N, 37.96 E: longitude first.
    assert by_id["e1"]["geometry"]["coordinates"] == [TOWNS["Manbij"][1], TOWNS["Manbij"][0]]
    assert by_id["e1"]["properties"]["event_date"] == "2014-01-05"
    assert by_id["e6"]["properties"]["event_date"] is None
    assert by_id["e6"]["properties"]["time_precision"] is None
    assert by_id["e3"]["properties"]["fatalities"] is None


def test_missing_values_are_null_never_nan(sample_store: EventStore) -> None:
    gdf = sample_store.query()
    gdf["fatalities"] = gdf["fatalities"].astype("float64")  # NaN where unknown, as pandas likes it
    gdf.loc[gdf.event_id == "e1", "notes"] = np.nan
    gdf.loc[gdf.event_id == "e2", "confidence"] = float("inf")
    gdf.loc[gdf.event_id == "e3", "event_date"] = pd.NaT
    doc = json.loads(geojson_bytes(gdf), parse_constant=_no_constants)
    props = {f["id"]: f["properties"] for f in doc["features"]}
    assert props["e1"]["notes"] is None
    assert props["e1"]["fatalities"] == 3 and isinstance(props["e1"]["fatalities"], int)
    assert props["e2"]["confidence"] is None
    assert props["e3"]["event_date"] is None and props["e3"]["fatalities"] is None
    rows = list(csv.DictReader(io.StringIO(events_to_csv_bytes(gdf).decode())))
    assert {r["event_id"]: r["notes"] for r in rows}["e1"] == ""
    assert all("nan" not in v.lower() and "inf" not in v.lower() for r in rows for v in r.values())


def test_geojson_keeps_non_ascii_text(store: EventStore) -> None:
    store.add_article(make_article("ar"), [make_event("ar-1", "ar", notes="اشتباكات في منبج", location="منبج")])
    raw = geojson_bytes(store.query())
    assert "اشتباكات في منبج".encode() in raw
    assert json.loads(raw)["features"][0]["properties"]["location"] == "منبج"


def test_dates_from_a_geopackage_read_back_export_as_iso(gpkg_store: GpkgEventStore) -> None:
    # gpd.read_file gives datetime64 dates and float ints; the export must not care.
    fill_sample(gpkg_store)
    frame = gpd.read_file(gpkg_store.path, layer="events")
    doc = events_to_geojson(frame)
    props = {f["id"]: f["properties"] for f in doc["features"]}
    assert props["e7"]["event_date"] == "2016-12-31"
    assert props["e8"]["event_date"] is None
    assert props["e1"]["time_precision"] == 1


def test_missing_columns_are_an_export_error(sample_store: EventStore) -> None:
    with pytest.raises(ExportError, match="lacks column"):
        geojson_bytes(sample_store.query().drop(columns=["notes"]))


# ---------------------------------------------------------------------------------------
# CSV and GeoPackage
# ---------------------------------------------------------------------------------------


def test_csv_is_in_acled_column_order(sample_store: EventStore) -> None:
    data = events_to_csv_bytes(sample_store.query())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert CSV_COLUMNS[:17] == (
        "event_id", "event_date", "time_precision", "event_type", "sub_event_type", "actor1", "actor2", "country",
        "admin1", "admin1_code", "location", "latitude", "longitude", "geo_precision", "source", "notes", "fatalities",
    )
    assert data.count(b"\r\n") == len(rows)  # RFC 4180 line ends
    records = {r["event_id"]: r for r in csv.DictReader(io.StringIO(data.decode("utf-8"), newline=""))}
    assert records["e1"]["event_date"] == "2014-01-05"
    assert records["e1"]["latitude"] == "36.5281"
    assert records["e6"]["event_date"] == "" and records["e3"]["fatalities"] == ""
    assert records["e2"]["notes"] == "A car bomb left the market 100% destroyed."


def test_csv_export_reimports_as_acled(sample_store: EventStore, tmp_path: Path) -> None:
    dated = sample_store.query(EventFilter(include_undated=False))
    path = tmp_path / "export.csv"
    path.write_bytes(events_to_csv_bytes(dated))
    with GpkgEventStore(tmp_path / "other.gpkg") as other:
        summary = ingest_paths([path], other, fmt="acled", progress=False)
        assert summary.events_added == 6, summary
        back = other.query().set_index("event_id")
    original = dated.set_index("event_id")
    for column in ("event_date", "event_type", "sub_event_type", "actor1", "actor2", "admin1", "admin1_code",
                   "location", "latitude", "longitude", "geo_precision", "notes", "source"):
        assert back.loc[original.index, column].tolist() == original[column].tolist(), column


def test_gpkg_export_is_a_self_contained_geopackage(sample_store: EventStore, tmp_path: Path) -> None:
    gdf = sample_store.query(EventFilter(admin1=("Aleppo",)))
    path = tmp_path / "out.gpkg"
    path.write_bytes(events_to_gpkg_bytes(gdf))
    back = gpd.read_file(path)  # one layer: no layer name needed
    assert sorted(back.event_id) == ["e1", "e2", "e8"]
    assert events_from_frame(back) == {k: EXPECTED_EVENTS[k] for k in ("e1", "e2", "e8")}
    with open_store(path) as reopened:
        assert events_from_frame(reopened.query()) == events_from_frame(gdf)


def test_write_gpkg_replaces_an_existing_file(sample_store: EventStore, tmp_path: Path) -> None:
    path = tmp_path / "out.gpkg"
    assert write_gpkg(sample_store.query(), path) == 8
    assert write_gpkg(sample_store.query(EventFilter(article_id="B")), path) == 2
    assert read_ids(path) == ["e3", "e4"]
    assert not any(p.name.startswith(".out.gpkg") for p in tmp_path.iterdir())  # no temp file left
    assert not Path(f"{path}-wal").exists() and not Path(f"{path}-journal").exists()


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_exports_of_an_empty_result(store: EventStore, fmt: str, tmp_path: Path) -> None:
    data = export_bytes(store.query(), fmt)
    if fmt == "geojson":
        assert json.loads(data) == {"type": "FeatureCollection", "features": []}
    elif fmt == "csv":
        assert data.decode().strip() == ",".join(CSV_COLUMNS)
    else:
        path = tmp_path / "empty.gpkg"
        path.write_bytes(data)
        assert len(gpd.read_file(path)) == 0


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_export_events_honours_the_filter(sample_store: EventStore, fmt: str, tmp_path: Path) -> None:
    out = tmp_path / f"aleppo.{ 'geojson' if fmt == 'geojson' else fmt}"
    flt = EventFilter(admin1=("Aleppo",), include_undated=False)
    assert export_events(sample_store, flt, fmt, out) == 2
    assert read_ids(out) == ["e1", "e2"]


def test_unknown_format_is_an_export_error(sample_store: EventStore) -> None:
    with pytest.raises(ExportError, match="unknown export format 'kml'"):
        export_bytes(sample_store.query(), "kml")


# ---------------------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------------------


@pytest.fixture
def sample_db(tmp_path: Path) -> Path:
    path = tmp_path / "sample.gpkg"
    with GpkgEventStore(path) as s:
        fill_sample(s)
    return path


CLI_FILTERS = [
    ([], ["e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8"]),
    (["--admin1", "Idleb"], ["e3"]),
    (["--admin1", "Aleppo", "Raqqa"], ["e1", "e2", "e4", "e8"]),
    (["--from", "2015-01-01", "--to", "2015-12-31"], ["e3", "e4", "e6", "e8"]),
    (["--from", "2015-01-01", "--to", "2015-12-31", "--no-undated"], ["e3", "e4"]),
    (["--type", "battles"], ["e1", "e3", "e6"]),
    (["--sub-type", "Air/drone strike"], ["e4"]),
    (["--actor", "ISIL", "--actor", "Coalition"], ["e1", "e2", "e4"]),
    (["--text", "headquarters"], ["e1"]),
    (["--bbox", "35.5,36.5,37.0,38.5"], ["e1", "e2", "e3", "e8"]),
    (["--max-precision", "1"], ["e1", "e3", "e7"]),
    (["--article", "B"], ["e3", "e4"]),
    (["--limit", "1"], ["e7"]),
]


@pytest.mark.parametrize(("args", "expected"), CLI_FILTERS, ids=[" ".join(a) or "all" for a, _ in CLI_FILTERS])
def test_cli_export_filters(sample_db: Path, tmp_path: Path, args: list[str], expected: list[str], capsys) -> None:
    out = tmp_path / "out.geojson"
    assert main_for_tests(["export", "-o", str(out), "--store", str(sample_db), *args]) == 0
    assert read_ids(out) == expected
    assert f"wrote {len(expected)} events to {out} (geojson)" in capsys.readouterr().err


@pytest.mark.parametrize(("name", "fmt"), [("x.csv", None), ("x.gpkg", None), ("x.json", None), ("x.data", "csv")])
def test_cli_export_format_from_suffix_or_flag(sample_db: Path, tmp_path: Path, name: str, fmt: str | None) -> None:
    out = tmp_path / name
    argv = ["export", "-o", str(out), "--store", str(sample_db), "--no-undated"] + (["--format", fmt] if fmt else [])
    assert main_for_tests(argv) == 0
    if out.suffix == ".data":
        assert out.read_text().startswith("event_id,event_date")
    else:
        assert len(read_ids(out)) == 6


def test_cli_export_to_stdout(sample_db: Path, capsys) -> None:
    assert main_for_tests(["export", "-o", "-", "--format", "csv", "--store", str(sample_db), "--article", "A"]) == 0
    captured = capsys.readouterr()
    rows = list(csv.DictReader(io.StringIO(captured.out)))
    assert sorted(r["event_id"] for r in rows) == ["e1", "e2"]
    assert "wrote 2 events to stdout" in captured.err


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["-o", "x.kml"], 1, "cannot tell the export format"),
        (["-o", "-", "--format", "gpkg"], 1, "cannot be written to stdout"),
        (["-o", "x.csv", "--bbox", "1,2,3"], 2, "give four numbers"),
        (["-o", "x.csv", "--bbox", "37,36,36,38"], 2, "min must not exceed max"),
        (["-o", "x.csv", "--from", "yesterday"], 2, "is not a date"),
        (["-o", "x.csv", "--admin1", "Beirut"], 2, "unknown governorate 'Beirut'"),
        (["-o", "x.csv", "--type", "Riot"], 2, "unknown event type 'Riot'"),
        (["-o", "x.csv", "--from", "2016-01-01", "--to", "2015-01-01"], 1, "after date_to"),
        (["--store", "/nonexistent/x.gpkg", "-o", "x.csv"], 1, "no store at /nonexistent/x.gpkg"),
        (["-o", "x.csv", "--limit", "1e23"], 2, "'1e23' is not a whole number"),
        (["-o", "x.csv", "--limit", "-1"], 2, "is not a whole number"),
        (["-o", "x.csv", "--limit", "99999999999999999999999"], 2, "is not a whole number"),
        (["-o", "x.csv", "--limit", "ten"], 2, "is not a whole number"),
    ],
)
def test_cli_export_errors(sample_db: Path, tmp_path: Path, monkeypatch, args: list[str], code: int,
                           message: str, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    argv = ["export", *args] if "--store" in args else ["export", "--store", str(sample_db), *args]
    assert main_for_tests(argv) == code
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "x.csv").exists()


def test_cli_export_does_not_leave_a_partial_file(sample_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    assert main_for_tests(["export", "-o", str(out), "--store", str(sample_db)]) == 0
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []
    with GpkgEventStore(sample_db) as s:
        assert out.read_bytes() == events_to_csv_bytes(s.query())


def test_exports_carry_the_schema_2_fields(store: EventStore, tmp_path: Path) -> None:
    from fixtures_store import make_article, make_event

    store.add_article(make_article("a"), [make_event("e1", "a", admin2="Manbij District", interaction=28,
                                                     source_ref="ucdp:7", reviewed=True, location_detail="camp")])
    gdf = store.query()
    props = json.loads(geojson_bytes(gdf))["features"][0]["properties"]
    assert (props["admin2"], props["interaction"], props["source_ref"], props["reviewed"],
            props["location_detail"]) == ("Manbij District", 28, "ucdp:7", True, "camp")
    row = next(csv.DictReader(io.StringIO(events_to_csv_bytes(gdf).decode("utf-8"), newline="")))
    assert (row["admin2"], row["interaction"], row["reviewed"]) == ("Manbij District", "28", "True")
    path = tmp_path / "out.gpkg"
    write_gpkg(gdf, path)
    with GpkgEventStore(path) as copy:
        got = copy.query().iloc[0]
        assert (got["admin2"], got["interaction"], bool(got["reviewed"])) == ("Manbij District", 28, True)


# ---------------------------------------------------------------------------------------
# Formula cells (OWASP CSV injection) and export file names (issue 12)
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("notes", "cell"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+SUM(A1:A2)", "'+SUM(A1:A2)"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Plain notes - with a dash = fine", "Plain notes - with a dash = fine"),
        ("", ""),
    ],
)
def test_csv_neutralises_formula_cells(tmp_path: Path, notes: str, cell: str) -> None:
    from fixtures_store import make_article, make_event

    with GpkgEventStore(tmp_path / "s.gpkg") as s:
        # Formula text in every kind of text field; negative coordinates stay plain numbers.
        s.add_article(make_article("a"), [make_event("e1", "a", notes=notes, actor1=notes or "x", latitude=-35.5,
                                                     longitude=-0.25, location=notes or "x")])
        data = events_to_csv_bytes(s.query())
    row = next(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
    assert row["notes"] == cell
    if notes:
        assert row["actor1"] == cell and row["location"] == cell
    assert (row["latitude"], row["longitude"]) == ("-35.5", "-0.25")


@pytest.mark.parametrize(
    ("kwargs", "fmt", "name"),
    [
        ({"admin1": ["Aleppo"], "date_from": "2014-01-03", "date_to": "2014-01-05"}, "geojson",
         "events_aleppo_2014-01-03_2014-01-05.geojson"),
        ({}, "csv", "events.csv"),
        ({"admin1": ["Deir ez-Zor", "Rural Damascus"]}, "gpkg", "events_deir-ez-zor-rural-damascus.gpkg"),
        ({"admin1": ["Aleppo", "Idlib", "Hama", "Homs"]}, "csv", "events_4-governorates.csv"),
        ({"event_types": ["Explosions/Remote violence"], "date_from": "2015-01-01"}, "csv",
         "events_explosions-remote-violence_2015-01-01_end.csv"),
        ({"date_to": "2015-01-01", "include_undated": False}, "csv", "events_start_2015-01-01_dated.csv"),
        ({"text": "../../etc/passwd", "actors": ["ISIL"]}, "csv", "events_actor-isil_text-etc-passwd.csv"),
        ({"article_id": "x\n\x1b[31m", "max_geo_precision": 1, "bbox": (1, 2, 3, 4)}, "geojson",
         "events_article-x-31m_bbox_precision-1.geojson"),
        ({"actors": ["الجيش"]}, "csv", "events_actor-1.csv"),
    ],
)
def test_export_filename_says_what_the_file_holds(kwargs: dict, fmt: str, name: str) -> None:
    assert export_filename(EventFilter(**kwargs), fmt) == name


def test_cli_export_to_a_folder_names_the_file(sample_db: Path, tmp_path: Path) -> None:
    args = ["export", "--store", str(sample_db), "-o", str(tmp_path), "--admin1", "Aleppo",
            "--from", "2014-01-01", "--to", "2014-01-31"]
    assert main_for_tests(args) == 0
    target = tmp_path / "events_aleppo_2014-01-01_2014-01-31.geojson"
    features = json.loads(target.read_text(encoding="utf-8"))["features"]
    assert sorted(f["id"] for f in features) == ["e1", "e2", "e8"]  # e8: undated, kept unless --no-undated
