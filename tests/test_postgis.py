"""The PostGIS store on a real PostgreSQL + PostGIS server: schema and migrations,
concurrent writers in separate processes, and the lossless gpkg -> PostGIS -> gpkg copy.

The behaviour shared with the GeoPackage store is tested by test_store.py's suite, which
runs against both (the ``store`` fixture). Without a server these tests are skipped with
the reason (``GEO_TEST_POSTGRES_URL`` unset, see scripts/start_postgres.sh); under CI
they fail instead.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import psycopg
import pytest

from fixtures_store import (
    assert_consistent,
    fill_sample,
    make_article,
    make_event,
    many_events,
    postgres_url,
    start_child,
    word_extractor,
)
from geo.cli import main as main_for_tests
from geo.errors import StoreError
from geo.ingest.batch import ingest_paths
from geo.store import EventFilter, EventStore, open_store
from geo.store.gpkg import GpkgEventStore
from geo.store import copy_store
from geo.store.postgis import SCHEMA_VERSION, PostgisEventStore, redact_url, split_schema


def _with_schema(url: str, schema: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}schema={schema}"


@pytest.fixture
def pg_location() -> Iterator[str]:
    """A store URL of its own (a fresh schema), dropped afterwards."""
    base = postgres_url()
    schema = f"t_{os.urandom(6).hex()}"
    yield _with_schema(base, schema)
    with psycopg.connect(split_schema(base)[0], autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def _sql(location: str, sql: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(split_schema(location)[0], autocommit=True) as conn:
        cur = conn.execute(sql, params)
        return cur.fetchall() if cur.description else []


def _schema(location: str) -> str:
    return split_schema(location)[1] or "public"


# ---------------------------------------------------------------------------------------
# Schema
# ---------------------------------------------------------------------------------------


def test_schema_has_a_point_geometry_with_gist_and_the_indexes(pg_location: str) -> None:
    with open_store(pg_location) as s:
        assert isinstance(s, PostgisEventStore)
        fill_sample(s)
    schema = _schema(pg_location)
    assert _sql(pg_location, "SELECT type, srid, coord_dimension FROM geometry_columns "
                "WHERE f_table_schema = %s AND f_table_name = 'events'", (schema,)) == [("POINT", 4326, 2)]
    indexes = dict(_sql(pg_location, "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = %s", (schema,)))
    assert "USING gist (geom)" in indexes["events_geom_gist"]
    assert "(event_date DESC NULLS LAST" in indexes["events_event_date"]
    assert "(admin1, event_date)" in indexes["events_admin1_date"]
    assert "(event_type, event_date)" in indexes["events_type_date"]
    assert "UNIQUE" in indexes["events_event_id_key"]
    # The geometry is the point of the plain coordinates, in WGS 84.
    rows = _sql(pg_location, f"SELECT ST_X(geom), ST_Y(geom), longitude, latitude, ST_SRID(geom) FROM {schema}.events")
    assert len(rows) == 8 and all((x, y, srid) == (lon, lat, 4326) for x, y, lon, lat, srid in rows)


def test_schema_version_is_recorded_once(pg_location: str) -> None:
    for _ in range(3):
        open_store(pg_location).close()
    rows = _sql(pg_location, f"SELECT version FROM {_schema(pg_location)}.schema_version ORDER BY version")
    assert rows == [(v,) for v in range(1, SCHEMA_VERSION + 1)]  # one row per migration, once
    with open_store(pg_location) as s:
        assert s.schema_version() == SCHEMA_VERSION  # type: ignore[attr-defined]


def test_a_newer_schema_version_is_refused_and_left_alone(pg_location: str) -> None:
    with open_store(pg_location) as s:
        s.add_article(make_article("a"), [make_event("e1", "a")])
    schema = _schema(pg_location)
    _sql(pg_location, f"INSERT INTO {schema}.schema_version (version, description) VALUES (99, 'from the future')")
    with pytest.raises(StoreError, match="version 99, newer than this program knows"):
        open_store(pg_location)
    assert _sql(pg_location, f"SELECT count(*) FROM {schema}.events") == [(1,)]
    assert _sql(pg_location, f"SELECT max(version) FROM {schema}.schema_version") == [(99,)]


def test_tables_not_made_by_this_program_are_refused(pg_location: str) -> None:
    schema = _schema(pg_location)
    _sql(pg_location, f"CREATE SCHEMA {schema}")
    _sql(pg_location, f"CREATE TABLE {schema}.events (id int)")
    with pytest.raises(StoreError, match="not created by this program"):
        open_store(pg_location)
    assert _sql(pg_location, "SELECT count(*) FROM information_schema.columns "
                "WHERE table_schema = %s AND table_name = 'events'", (schema,)) == [(1,)]


def test_without_create_a_missing_store_is_an_error(pg_location: str) -> None:
    with pytest.raises(StoreError, match="no store at"):
        open_store(pg_location, create=False)


def test_geo_store_env_selects_postgis_and_hides_the_password(pg_location: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # The test server trusts loopback connections, so a password is accepted and ignored.
    with_password = pg_location.replace("postgresql://postgres@", "postgresql://postgres:s3cret@")
    assert "s3cret" in with_password
    monkeypatch.setenv("GEO_STORE", with_password)
    with open_store() as s:
        assert isinstance(s, PostgisEventStore)
        assert "s3cret" not in s.location and "s3cret" not in repr(s) and "s3cret" not in str(s.info())
    assert redact_url("postgresql://u:pw@h:5/db?schema=x") == "postgresql://u@h:5/db?schema=x"


def test_bbox_filter_uses_the_spatial_index(pg_location: str) -> None:
    with open_store(pg_location) as s:
        s.add_article(make_article("a"), many_events("a", 3000))
        s.optimize(force=True)
        flt = EventFilter(bbox=(36.5, 37.9, 36.6, 38.0))  # Manbij only
        assert s.count(flt) == len([e for e in many_events("a", 3000) if e.location == "Manbij"])
    schema = _schema(pg_location)
    plan = "\n".join(r[0] for r in _sql(
        pg_location,
        f"EXPLAIN SELECT count(*) FROM {schema}.events WHERE geom && ST_MakeEnvelope(37.9, 36.5, 38.0, 36.6, 4326)"))
    assert "events_geom_gist" in plan


# ---------------------------------------------------------------------------------------
# Concurrent writers (real processes)
# ---------------------------------------------------------------------------------------

N_ARTICLES = 48
N_WRITERS = 4
LINES = ("Rebels shelled Aleppo, 3 killed", "Clashes in Manbij", "Protest in Homs", "ISIL attacked Raqqa",
         "Shelling on Idlib, 2 people were killed", "Fighting near Tabqa", "Rebels entered Atmeh")

_CHILD_WRITER = """
import dataclasses, json, time
from pathlib import Path
from fixtures_store import word_extractor
from geo.ingest.batch import ingest_paths
from geo.store import open_store
files = {files!r}  # in article order: writers sharing an article reach it at about the same time
go = Path({go!r})
while not go.exists():
    time.sleep(0.005)
total = None
with open_store({location!r}) as store:
    # One ingest per file, so the list order is the order of the writes.
    for path in files:
        s = ingest_paths([path], store, word_extractor, progress=False)
        d = dataclasses.asdict(s)
        if total is None:
            total = d
        else:
            for k, v in d.items():
                total[k] = total[k] + v
print(json.dumps(total))
"""


def _article_text(i: int, version: int) -> str:
    # 100-160 lines, each naming a town: one event per line. Version 2 has other lines.
    n = 100 + (i * 7) % 61 + (5 if version == 2 else 0)
    lines = [f"{LINES[(i + j * version) % len(LINES)]} (report {i}.{j}.v{version})" for j in range(n)]
    return f"---\nid: art-{i:02d}\npublished: 2015-03-{1 + i % 28:02d}\n---\n" + "\n".join(lines) + "\n"


def test_concurrent_writers_of_overlapping_articles_lose_and_duplicate_nothing(pg_location: str, tmp_path: Path) -> None:
    # Writer w ingests every article but those with i % 4 == w, in article order, so three
    # writers reach each article at about the same moment; for even i one of them has an
    # edited version. The writers open the fresh store (creating its schema) all at once.
    files: list[list[str]] = [[] for _ in range(N_WRITERS)]
    for i in range(N_ARTICLES):
        writers = [w for w in range(N_WRITERS) if i % N_WRITERS != w]
        for n, w in enumerate(writers):
            version = 2 if (n == 1 and i % 2 == 0) else 1
            folder = tmp_path / f"w{w}"
            folder.mkdir(exist_ok=True)
            path = folder / f"art-{i:02d}.txt"
            path.write_text(_article_text(i, version))
            files[w].append(str(path))
    go = tmp_path / "go"
    children = [start_child(_CHILD_WRITER.format(files=files[w], go=str(go), location=pg_location))
                for w in range(N_WRITERS)]
    try:
        time.sleep(1.0)  # let them import
        go.write_text("go")
        # A dashboard reads meanwhile: every snapshot it sees is consistent.
        reader_checks = 0
        deadline = time.monotonic() + 60
        while any(c.poll() is None for c in children) and time.monotonic() < deadline:
            try:
                with open_store(pg_location) as reader:
                    assert_consistent(reader)
                    reader.summary()
                    reader_checks += 1
            except StoreError as exc:  # the schema may not exist yet in the first instants
                assert "no store" in str(exc) or "does not exist" in str(exc), exc
            time.sleep(0.02)
        summaries = []
        for child in children:
            out, err = child.communicate(timeout=60)
            assert child.returncode == 0, err.decode()
            summaries.append(json.loads(out.decode().strip().splitlines()[-1]))
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
    assert reader_checks > 0
    assert sum(s["failed"] for s in summaries) == 0, [s["problems"] for s in summaries]
    assert sum(s["added"] for s in summaries) == N_ARTICLES  # each article added exactly once
    assert sum(s["articles_read"] for s in summaries) == sum(len(f) for f in files)
    with open_store(pg_location) as store:
        counts = assert_consistent(store)
        assert len(counts) == N_ARTICLES
        gdf = store.query()
        assert gdf["event_id"].is_unique
        for i in range(N_ARTICLES):
            aid = f"art-{i:02d}"
            article = store.get_article(aid)
            assert article is not None
            # Exactly the events of the stored version, once each.
            expected = {e.event_id: e for e in word_extractor(article).events}
            stored = gdf[gdf.article_id == aid]
            assert sorted(stored["event_id"]) == sorted(expected), aid
        assert store.count() == sum(counts.values())
    versions = _sql(pg_location, f"SELECT version FROM {_schema(pg_location)}.schema_version ORDER BY version")
    assert versions == [(v,) for v in range(1, SCHEMA_VERSION + 1)]


# ---------------------------------------------------------------------------------------
# Migration
# ---------------------------------------------------------------------------------------


def _fill_varied(store: EventStore, corpus: Path) -> None:
    fill_sample(store)  # undated events, NULL fatalities, every precision
    store.add_article(make_article("quiet", "nothing happened"), [])  # an article without events
    store.add_article(
        make_article("ar", "اشتباكات في منبج", title="عنوان", url="https://x.example/ar", published=None),
        [make_event("ar-1", "ar", notes="اشتباكات في منبج", location="منبج", event_date=None, confidence=0.123456789,
                    sentence_start=0, sentence_end=16, place_start=12, place_end=16, place_id="gn:163345")],
    )
    summary = ingest_paths([corpus], store, word_extractor, progress=False)
    assert summary.ok and summary.events_added > 0


def _snapshot(store: EventStore) -> dict:
    frame = store.query().drop(columns="geometry").reset_index(drop=True)
    return {
        "frame": frame,
        "articles": [store.get_article(a.article_id) for a in store.articles()],
        "counts": store.article_event_counts(),
        "summary": store.summary(),
        "types": store.day_type_counts(),
        "span": store.date_span(),
        "actors": store.actors(),
    }


def _assert_same(a: dict, b: dict) -> None:
    pd.testing.assert_frame_equal(a["frame"], b["frame"], check_exact=True)
    for key in ("articles", "counts", "summary", "types", "span", "actors"):
        assert a[key] == b[key], key


def test_migrate_round_trip_gpkg_postgis_gpkg_is_lossless(pg_location: str, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(12):
        (corpus / f"n{i}.txt").write_text("\n".join(LINES[j % len(LINES)] + f" #{i}" for j in range(i, i + 5)))
    first, back = tmp_path / "first.gpkg", tmp_path / "back.gpkg"
    with GpkgEventStore(first) as s:
        _fill_varied(s, corpus)
        original = _snapshot(s)
    assert main_for_tests(["migrate", "--from", str(first), "--to", pg_location]) == 0
    with open_store(pg_location, create=False) as pg:
        _assert_same(original, _snapshot(pg))
    assert main_for_tests(["migrate", "--from", pg_location, "--to", str(back)]) == 0
    with GpkgEventStore(back) as s:
        _assert_same(original, _snapshot(s))
    # Again: nothing to copy.
    with GpkgEventStore(first) as src, open_store(pg_location) as dst:
        again = copy_store(src, dst)
    assert (again.added, again.replaced, again.unchanged, again.events) == (0, 0, len(original["articles"]), 0)


def test_migrate_cli_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main_for_tests(["migrate", "--from", str(tmp_path / "none.gpkg"), "--to", str(tmp_path / "x.gpkg")]) == 1
    assert "no store at" in capsys.readouterr().err
    assert main_for_tests(["migrate", "--to", str(tmp_path / "x.gpkg")]) == 2



def test_a_version_1_store_is_migrated_to_version_2(pg_location: str) -> None:
    with open_store(pg_location) as s:
        s.add_article(make_article("a"), [make_event("e1", "a")])
    schema = _schema(pg_location)
    # Back to what schema version 1 created.
    _sql(pg_location, f"ALTER TABLE {schema}.events DROP COLUMN admin2, DROP COLUMN location_detail, "
         "DROP COLUMN interaction, DROP COLUMN source_ref, DROP COLUMN reviewed")
    _sql(pg_location, f"DELETE FROM {schema}.schema_version WHERE version > 1")
    _sql(pg_location, f"DROP TABLE {schema}.geo_event_history")
    _sql(pg_location, f"ALTER TABLE {schema}.articles DROP COLUMN fingerprint")  # schema 4
    with open_store(pg_location) as s:
        assert s.schema_version() == SCHEMA_VERSION >= 2  # type: ignore[attr-defined]
        row = s.query().iloc[0]
        assert row["event_id"] == "e1" and row["admin2"] == "" and not row["reviewed"]
        s.add_article(make_article("b"), [make_event("e2", "b", admin2="Manbij District", interaction=12,
                                                     reviewed=True, source_ref="acled:SYR1")])
        got = s.query(EventFilter(article_id="b")).iloc[0]
        assert (got["admin2"], got["interaction"], got["reviewed"], got["source_ref"]) == (
            "Manbij District", 12, True, "acled:SYR1")
