"""Ingest: reading articles (text, HTML, batches, encodings, metadata), bad input, ACLED and
UCDP imports, the ingest CLI. The extractor is the small real ``word_extractor``; one test
runs the production Geoparser over seeds/ when geo.extract.pipeline is importable."""

from __future__ import annotations

import codecs
import datetime as dt
import json
import random
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from fixtures_store import (
    ROOT,
    assert_consistent,
    child_env,
    ids,
    make_article,
    many_events,
    word_extractor,
)

from geo.cli import main as main_for_tests
from geo.dates import parse_date
from geo.errors import BadInputError
from geo.ingest.batch import IngestSummary, ingest_paths
from geo.ingest.datasets import dataset_article_id, normalize_admin1
from geo.ingest.sources import SourceFile, decode_text, file_article_id, read_articles
from geo.models import SYRIA_GOVERNORATES, stable_id
from geo.store.gpkg import EventStore, GpkgEventStore

SEEDS = ROOT / "seeds"


def ingest(paths, store: EventStore, **kwargs) -> IngestSummary:
    kwargs.setdefault("progress", False)
    return ingest_paths([str(p) for p in paths], store, word_extractor, **kwargs)


def messages(summary: IngestSummary) -> str:
    return "\n".join(str(p) for p in summary.problems)


# ---------------------------------------------------------------------------------------
# Reading articles
# ---------------------------------------------------------------------------------------


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A folder with every article format and both kinds of metadata."""
    folder = tmp_path / "corpus"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("Fighting in Manbij today.\nRebels shelled Aleppo.\nNothing here.\n")
    (folder / "manifest.csv").write_text(
        "file,title,source,url,published\n"
        'a.txt,"Clashes in the north",Wire,https://news.example/a,2014-01-05\n'
    )
    (folder / "b.txt").write_text(
        "---\ntitle: \"Protest in Homs\"\npublished: 06 January 2014\nsource: Local paper\n---\n"
        "A protest in Homs after prayers.\n"
    )
    (folder / "c.html").write_text(
        "<html><head><title>Raqqa report</title><style>p{color:red}</style>"
        '<meta property="article:published_time" content="2014-01-07T08:00:00Z">'
        '<link rel="canonical" href="https://news.example/c"></head>'
        "<body><script>var x = 'Damascus';</script><p>Clashes near <b>Raqqa</b> city.</p>"
        "<p>More fighting in Tabqa.</p></body></html>"
    )
    (folder / "sub" / "d.txt").write_text("Battle in the south\n\nClashes in Daraa left 4 people killed.\n")
    (folder / "batch.csv").write_text(
        "id,title,published,text\n"
        "row-1,First row,2014-01-08,Clashes in Idlib.\n"
        ",No id,2014-01-09,\"Shelling of Homs,\nthen calm.\"\n"
    )
    (folder / "batch.jsonl").write_text(
        json.dumps({"url": "https://news.example/j1", "text": "Fighting in Atmeh.", "published": "2014-01-10"}) + "\n"
        + json.dumps({"id": "j2", "title": "J2", "text": "Rebels advance on Damascus."}) + "\n"
    )
    (folder / ".hidden.txt").write_text("Fighting in Aleppo (hidden file: never read).\n")
    (folder / ".git").mkdir()
    (folder / ".git" / "x.txt").write_text("Fighting in Aleppo.\n")
    return folder


def test_folder_of_articles(store: EventStore, corpus: Path) -> None:
    summary = ingest([corpus], store)
    assert summary.problems == []
    assert (summary.articles_read, summary.added, summary.skipped, summary.failed) == (8, 8, 0, 0)
    a = store.get_article(stable_id("url", "https://news.example/a"))  # the url names it
    assert (a.title, a.source, a.url, a.published) == ("Clashes in the north", "Wire", "https://news.example/a", dt.date(2014, 1, 5))
    b = store.get_article(file_article_id(corpus / "b.txt"))
    assert (b.title, b.source, b.published) == ("Protest in Homs", "Local paper", dt.date(2014, 1, 6))
    assert b.text == "A protest in Homs after prayers.\n"  # front matter is not article text
    c = store.get_article(stable_id("url", "https://news.example/c"))
    assert (c.title, c.url, c.published) == ("Raqqa report", "https://news.example/c", dt.date(2014, 1, 7))
    assert "Clashes near Raqqa city." in c.text and "Damascus" not in c.text and "color" not in c.text
    d = store.get_article(file_article_id(corpus / "sub/d.txt"))
    assert d.title == "Battle in the south" and d.published is None
    assert store.get_article("row-1").published == dt.date(2014, 1, 8)
    assert store.get_article(stable_id("url", "https://news.example/j1")) is not None
    assert store.get_article("j2").title == "J2"
    events = store.query()
    assert summary.events_added == len(events) == 10
    for hidden in (".hidden.txt", ".git/x.txt", "manifest.csv"):
        assert store.get_article(file_article_id(corpus / hidden)) is None
    daraa = events[events.location == "Daraa"]
    assert list(daraa.fatalities) == [4] and daraa.iloc[0].event_date is None
    # Offsets of the stored events point into the stored text.
    for row in events.itertuples():
        text = store.get_article(row.article_id).text
        assert text[row.place_start:row.place_end] == row.location
    assert_consistent(store)


def test_reingest_is_idempotent_and_an_edit_replaces_only_that_article(store: EventStore, corpus: Path) -> None:
    ingest([corpus], store)
    before = store.query()
    again = ingest([corpus], store)
    assert (again.unchanged, again.added, again.replaced, again.events_added) == (8, 0, 0, 0)
    assert len(store.query()) == len(before)
    (corpus / "b.txt").write_text("---\ntitle: Protest in Homs\n---\nA protest in Homs.\nShelling of Idlib.\n")
    edited = ingest([corpus], store)
    assert (edited.replaced, edited.unchanged) == (1, 7)
    after = store.query()
    b_id = file_article_id(corpus / "b.txt")
    assert sorted(after[after.article_id == b_id].location) == ["Homs", "Idlib"]
    others_before = before[before.article_id != b_id].sort_values("event_id").reset_index(drop=True)
    others_after = after[after.article_id != b_id].sort_values("event_id").reset_index(drop=True)
    assert others_after.drop(columns="geometry").equals(others_before.drop(columns="geometry"))


def test_same_file_given_directly_or_in_its_folder_is_one_article(store: EventStore, corpus: Path) -> None:
    ingest([corpus / "a.txt"], store)
    summary = ingest([corpus], store)
    assert summary.unchanged == 1 and summary.added == 7


def test_manifest_applies_when_a_file_is_given_directly(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("Fighting in Manbij.\n")
    (tmp_path / "manifest.csv").write_text("file,title,published\nx.txt,From the manifest,2014-02-01\n")
    result = read_articles(SourceFile(tmp_path / "x.txt", "x.txt"))
    (_, article), = result.articles
    assert (article.title, article.published) == ("From the manifest", dt.date(2014, 2, 1))


ARABIC = "اشتباكات عنيفة في مدينة حلب بين فصائل المعارضة وتنظيم الدولة، حسب المرصد السوري. Aleppo\n" * 3
FRENCH = "Les combats ont repris à Alep ce dimanche. Les rebelles ont pris le quartier général à Manbij.\n" * 5


@pytest.mark.parametrize(
    ("text", "encoded"),
    [
        ("Fighting in Manbij — “quoted”.\n", "Fighting in Manbij — “quoted”.\n".encode("utf-8")),
        ("Fighting in Manbij.\n", codecs.BOM_UTF8 + b"Fighting in Manbij.\n"),
        ("Fighting in Manbij.\n", "Fighting in Manbij.\n".encode("utf-16")),  # with BOM
        (ARABIC, ARABIC.encode("cp1256")),
        (FRENCH, FRENCH.encode("cp1252")),
        (FRENCH, FRENCH.encode("latin-1")),
    ],
    ids=["utf-8", "utf-8 BOM", "utf-16", "cp1256 Arabic", "cp1252 French", "latin-1"],
)
def test_encodings_are_detected(tmp_path: Path, store: EventStore, text: str, encoded: bytes) -> None:
    assert decode_text(encoded, path="x") == text
    (tmp_path / "article.txt").write_bytes(encoded)
    summary = ingest([tmp_path / "article.txt"], store)
    assert summary.added == 1 and summary.problems == []
    assert store.get_article(file_article_id(tmp_path / "article.txt")).text == text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2014-01-05", dt.date(2014, 1, 5)),
        ("2014-01-05T08:00:00Z", dt.date(2014, 1, 5)),
        ("2014-01-05 00:00:00.000", dt.date(2014, 1, 5)),
        ("05 January 2014", dt.date(2014, 1, 5)),
        ("5 January 2014", dt.date(2014, 1, 5)),
        ("05-January-2014", dt.date(2014, 1, 5)),
        ("January 5, 2014", dt.date(2014, 1, 5)),
        ("Sunday, 5 January 2014", dt.date(2014, 1, 5)),
        ("sometime", None),
        ("2014", None),
        ("January 2014", None),
        ("yesterday", None),
        ("0214-01-05", None),
        ("9999-12-31", None),
        ("2014-02-30", None),
    ],
)
def test_parse_date(value: str, expected: dt.date | None) -> None:
    if expected is None:
        with pytest.raises(ValueError):
            parse_date(value)
    else:
        assert parse_date(value) == expected


@pytest.mark.parametrize("missing", ["", "  ", None, float("nan")])
def test_parse_date_missing_is_none(missing: object) -> None:
    assert parse_date(missing) is None


# ---------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------

_RANDOM = random.Random(7).randbytes(4000).replace(b"\x00", b"\x01")

BAD_INPUTS = [
    # name, file name, content, extra kwargs, message
    ("empty", "empty.txt", b"", {}, r"empty\.txt: empty file"),
    ("blank", "blank.txt", b"  \n\n\t \n", {}, "empty file"),
    ("binary", "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), {}, r"binary file \(contains NUL bytes\)"),
    ("undecodable", "noise.txt", _RANDOM, {}, "undecodable text"),
    ("bad UTF-16", "bad16.txt", codecs.BOM_UTF16_LE + b"\x00\xd8a\x00", {}, "undecodable text: invalid utf-16"),
    ("too large", "big.txt", b"Fighting in Manbij.\n" * 20, {"max_bytes": 100}, r"file is 400 bytes, over the 100 bytes limit \(raise it with --max-bytes\)"),
    ("unsupported type", "report.pdf", b"%PDF-1.4", {}, r"unsupported file type '\.pdf'"),
    ("CSV without text", "rows.csv", b"id,title\n1,x\n", {}, "CSV batch has no 'text' column"),
    ("ACLED in text mode", "acled.csv", b"event_id_cnty,event_date,event_type,sub_event_type\nSYR1,2014-01-05,Battles,Armed clash\n", {}, r"use --format acled"),
    ("UCDP in text mode", "ged.csv", b"id,type_of_violence,where_prec\n1,1,1\n", {}, r"use --format ucdp"),
    ("HTML without text", "page.html", b"<html><head><title>T</title><script>var a=1;</script></head><body> </body></html>", {}, "no text in the file"),
    ("front matter only", "meta.txt", b"---\ntitle: Only metadata\n---\n", {}, "no text in the file"),
    ("JSONL with no usable line", "b.jsonl", b"{not json\n[1, 2]\n", {}, "no usable lines"),
    ("CSV rows all without text", "empty_rows.csv", b"id,text\n1,\n2,  \n", {}, "no usable rows"),
]


@pytest.mark.parametrize(("name", "content", "kwargs", "message"), [c[1:] for c in BAD_INPUTS], ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_is_reported_and_the_batch_goes_on(tmp_path: Path, store: EventStore, name: str, content: bytes,
                                                     kwargs: dict, message: str) -> None:
    store.add_article(make_article("kept"), many_events("kept", 3))
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / name).write_bytes(content)
    (folder / "zz_good.txt").write_text("Fighting in Manbij.\n")  # after the bad one, in sorted order
    summary = ingest([folder], store, **kwargs)
    assert summary.skipped == 1, messages(summary)
    assert summary.added == 1  # the good file still went in
    (problem,) = [p for p in summary.problems if p.severity == "skipped"]
    assert problem.path.endswith(name)
    assert re.search(message, str(problem)), str(problem)
    assert not summary.ok
    assert_consistent(store, {"kept": 3, file_article_id(folder / "zz_good.txt"): 1})


def test_missing_path_is_reported(tmp_path: Path, store: EventStore) -> None:
    summary = ingest([tmp_path / "nope"], store)
    assert summary.skipped == 1 and "no such file or folder" in messages(summary)


def test_read_articles_raises_bad_input_error_with_the_path(tmp_path: Path) -> None:
    (tmp_path / "e.txt").write_bytes(b"")
    with pytest.raises(BadInputError) as info:
        read_articles(SourceFile(tmp_path / "e.txt", "e.txt"))
    assert info.value.path == str(tmp_path / "e.txt") and str(info.value).endswith("e.txt: empty file")


def test_malformed_csv_rows_are_reported_by_row_and_the_rest_ingested(tmp_path: Path, store: EventStore) -> None:
    (tmp_path / "batch.csv").write_text(
        "id,published,text\n"
        "r1,2014-01-05,Clashes in Idlib.\n"
        "r2,2014-01-05\n"  # one field short
        "r3,2014-01-05,Fighting in Homs.,extra\n"  # one field too many
        "r4,2014-01-06,Fighting in Raqqa.\n"
    )
    summary = ingest([tmp_path / "batch.csv"], store)
    assert (summary.added, summary.rows_failed) == (2, 2)
    text = messages(summary)
    assert "row 2 (line 3): expected 3 fields, found 2; row not ingested" in text
    assert "row 3 (line 4): expected 3 fields, found 4; row not ingested" in text
    assert not summary.ok  # two rows were lost: the exit code says so
    assert sorted(a.article_id for a in store.articles()) == ["r1", "r4"]


def test_bad_jsonl_line_is_reported(tmp_path: Path, store: EventStore) -> None:
    (tmp_path / "b.jsonl").write_text('{"id": "j1", "text": "Fighting in Homs."}\n{oops\n{"id": "j3", "text": "x"}\n')
    summary = ingest([tmp_path / "b.jsonl"], store)
    assert summary.added == 2 and "line 2: not JSON" in messages(summary)


def test_unparseable_published_date_ingests_the_article_undated(tmp_path: Path, store: EventStore) -> None:
    (tmp_path / "a.txt").write_text("---\npublished: the day after the battle\n---\nFighting in Manbij.\n")
    summary = ingest([tmp_path / "a.txt"], store)
    assert summary.added == 1
    assert "published date 'the day after the battle' is not a full date (day, month and year); ingested undated" in messages(summary)
    assert store.get_article(file_article_id(tmp_path / "a.txt")).published is None
    assert store.query().iloc[0].event_date is None


def test_extractor_failure_is_reported_and_the_batch_goes_on(tmp_path: Path, store: EventStore) -> None:
    (tmp_path / "a.txt").write_text("Fighting in Manbij.\n")
    (tmp_path / "b.txt").write_text("Fighting in Homs.\n")

    def fussy(article):
        if "Manbij" in article.text:
            raise ValueError("cannot cope")
        return word_extractor(article)

    summary = ingest_paths([tmp_path], store, fussy, progress=False)
    assert (summary.failed, summary.added) == (1, 1)
    assert "a.txt: unexpected ValueError: cannot cope" in messages(summary)


def test_no_progress_output_when_stderr_is_not_a_terminal(tmp_path: Path, store: EventStore, capsys) -> None:
    (tmp_path / "a.txt").write_text("Fighting in Manbij.\n")
    ingest_paths([tmp_path], store, word_extractor, progress=True)
    assert capsys.readouterr().err == ""


# ---------------------------------------------------------------------------------------
# Governorate names
# ---------------------------------------------------------------------------------------

ADMIN1_CASES = [
    ("Aleppo governorate", "Aleppo"), ("Dayr Az Zawr", "Deir ez-Zor"), ("Dayr Az Zawr governorate", "Deir ez-Zor"),
    ("Deir-ez-Zor", "Deir ez-Zor"), ("Al Hasakah", "Hasakah"), ("Al-Hasakeh", "Hasakah"), ("Ar Raqqah", "Raqqa"),
    ("Rif Dimashq", "Rural Damascus"), ("Rural Damascus", "Rural Damascus"), ("As Suwayda", "Suwayda"),
    ("As-Sweida", "Suwayda"), ("Dar'a", "Daraa"), ("Tartous", "Tartus"), ("Lattakia", "Latakia"), ("Idleb", "Idlib"),
    ("Hamah", "Hama"), ("Halab", "Aleppo"), ("Hims", "Homs"), ("Dimashq", "Damascus"), ("Al Qunaytirah", "Quneitra"),
    ("  QUNEITRA  ", "Quneitra"), ("Ḥamāh", "Hama"), ("Beirut", None), ("", None),
]


@pytest.mark.parametrize(("raw", "expected"), ADMIN1_CASES)
def test_normalize_admin1(raw: str, expected: str | None) -> None:
    assert normalize_admin1(raw) == expected


def test_every_governorate_normalises_to_itself() -> None:
    assert all(normalize_admin1(name) == name for name in SYRIA_GOVERNORATES)


# ---------------------------------------------------------------------------------------
# ACLED and UCDP imports
# ---------------------------------------------------------------------------------------

ACLED_HEADER = ("event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,actor2,"
                "country,admin1,admin2,location,latitude,longitude,geo_precision,source,notes,fatalities\n")
ACLED_ROWS = [
    'SYR1,05 January 2014,2014,1,Political violence,Battles,Armed clash,Opposition Rebels,ISIL,Syria,Aleppo,Manbij,'
    'Manbij,36.5281,37.9550,1,SOHR,"Rebels seized the ISIL HQ, Manbij.",3\n',
    "SYR2,2014-01-06,2014,2,Political violence,Explosions/Remote violence,Shelling/artillery/missile attack,"
    "Military Forces of Syria,,Syria,Idleb,Idlib,Idlib,35.9306,36.6339,2,Reuters,Shelling.,\n",
    "SYR3,not a date,2014,1,Political violence,Battles,Armed clash,A,B,Syria,Aleppo,,Aleppo,36.2,37.1,1,X,bad date,0\n",
    "SYR9,2014-01-07,2014,1\n",
    "LBN1,2014-01-07,2014,1,Political violence,Battles,Armed clash,A,B,Lebanon,Beirut,,Beirut,33.89,35.50,1,X,y,0\n",
    "SYR4,07 January 2014,2014,3,Political violence,Battles,Armed clash,A,B,Syria,Deir-ez-Zor,,Deir ez-Zor,"
    "35.3359,40.1408,3,X,monthly,\n",
    "SYR5,2014-01-08,2014,1,Political violence,Riot,Mob violence,A,B,Syria,Homs,,Homs,34.73,36.71,1,X,y,0\n",
    "SYR1,2014-01-09,2014,1,Political violence,Battles,Armed clash,A,B,Syria,Aleppo,,Aleppo,36.2,37.1,1,X,dup,0\n",
    "SYR6,2014-01-10,2014,1,Political violence,Battles,Armed clash,A,B,Syria,Aleppo,,Aleppo,136.2,37.1,1,X,lat,0\n",
]


def write_acled(path: Path, rows: list[str] = ACLED_ROWS) -> Path:
    path.write_text(ACLED_HEADER + "".join(rows))
    return path


def test_acled_import(tmp_path: Path, store: EventStore) -> None:
    path = write_acled(tmp_path / "acled.csv")
    summary = ingest_paths([path], store, fmt="acled", progress=False)
    assert (summary.added, summary.events_added, summary.rows_skipped, summary.rows_failed) == (1, 3, 1, 5), messages(summary)
    text = messages(summary)
    for expected in (
        "row 3 (line 4): event_date 'not a date' is not a full date (day, month and year); row not imported",
        "row 4 (line 5): expected 19 fields, found 4; row not imported",
        "1 rows skipped: outside Syria",
        "row 7 (line 8): unknown event_type 'Riot'; row not imported",
        "row 8 (line 9): duplicate event id 'SYR1' (first in row 1); row not imported",
        "row 9 (line 10): latitude 136.2 is outside [-90, 90]; row not imported",
    ):
        assert expected in text, text
    gdf = store.query().set_index("event_id")
    assert sorted(gdf.index) == ["SYR1", "SYR2", "SYR4"]
    e1 = gdf.loc["SYR1"]
    assert (e1.event_date, e1.time_precision, e1.event_type, e1.sub_event_type) == (dt.date(2014, 1, 5), 1, "Battles", "Armed clash")
    assert (e1.actor1, e1.actor2, e1.country, e1.admin1, e1.admin1_code) == ("Opposition Rebels", "ISIL", "Syria", "Aleppo", "SY-HL")
    assert (e1.location, e1.latitude, e1.longitude, e1.geo_precision) == ("Manbij", 36.5281, 37.9550, 1)
    assert (e1.fatalities, e1.notes, e1.source, e1.confidence) == (3, "Rebels seized the ISIL HQ, Manbij.", "SOHR", 1.0)
    assert e1.article_id == dataset_article_id("acled", path)
    assert (gdf.loc["SYR2", "admin1"], gdf.loc["SYR2", "time_precision"]) == ("Idlib", 2)
    assert pd.isna(gdf.loc["SYR2", "fatalities"])
    assert (gdf.loc["SYR4", "admin1"], gdf.loc["SYR4", "admin1_code"]) == ("Deir ez-Zor", "SY-DY")
    article = store.get_article(dataset_article_id("acled", path))
    assert article.title == "acled.csv" and article.source == "ACLED"

    again = ingest_paths([path], store, fmt="acled", progress=False)
    assert again.unchanged == 1 and store.count() == 3
    write_acled(path, ACLED_ROWS[:2])
    edited = ingest_paths([path], store, fmt="acled", progress=False)
    assert edited.replaced == 1
    assert sorted(ids(store.query())) == ["SYR1", "SYR2"]


def test_acled_export_with_nothing_usable_keeps_the_stored_version(tmp_path: Path, store: EventStore) -> None:
    path = write_acled(tmp_path / "acled.csv", ACLED_ROWS[:2])
    ingest_paths([path], store, fmt="acled", progress=False)
    write_acled(path, [ACLED_ROWS[2], ACLED_ROWS[4]])  # a bad date and a Lebanese row
    summary = ingest_paths([path], store, fmt="acled", progress=False)
    assert summary.skipped == 1 and "no usable ACLED rows" in messages(summary)
    assert sorted(ids(store.query())) == ["SYR1", "SYR2"]


@pytest.mark.parametrize(
    ("fmt", "content", "message"),
    [
        ("acled", "a,b,c\n1,2,3\n", "no event_id_cnty column: not an ACLED export"),
        ("acled", "event_id_cnty,event_date\nSYR1,2014-01-05\n", "missing ACLED column(s) event_type, sub_event_type, latitude, longitude"),
        ("ucdp", "id,date_start\n1,2014-01-05\n", "missing UCDP GED column(s) type_of_violence"),
        ("acled", "", "empty file"),
        ("ucdp", "id,latitude\n\x00\x01", "binary file"),
    ],
)
def test_dataset_files_that_are_not_exports(tmp_path: Path, store: EventStore, fmt: str, content: str, message: str) -> None:
    path = tmp_path / "data.csv"
    path.write_text(content)
    summary = ingest_paths([path], store, fmt=fmt, progress=False)
    assert summary.skipped == 1 and message in messages(summary)


def test_dataset_file_over_the_size_limit(tmp_path: Path, store: EventStore) -> None:
    path = write_acled(tmp_path / "acled.csv")
    summary = ingest_paths([path], store, fmt="acled", max_bytes=500, progress=False)
    assert summary.skipped == 1 and "over the 500 bytes limit" in messages(summary)


UCDP_HEADER = ("id,year,type_of_violence,side_a,side_b,source_office,source_headline,where_prec,where_coordinates,"
               "adm_1,latitude,longitude,country,date_prec,date_start,date_end,best\n")
UCDP_ROWS = [
    "1001,2014,1,Government of Syria,Syrian insurgents,AFP,Clashes in Manbij,1,Manbij town,Aleppo governorate,"
    "36.5281,37.955,Syria,1,2014-01-05 00:00:00.000,2014-01-05 00:00:00.000,5\n",
    "1002,2014,3,IS,Civilians,Reuters,Executions,4,Dayr Az Zawr governorate,Dayr Az Zawr governorate,35.33,40.14,"
    "Syria,4,2014-01-01,2014-01-31,12\n",
    "1003,2014,2,Syrian insurgents,IS,,Infighting,2,Tabqa,Ar Raqqah governorate,35.8376,38.5483,Syria,,"
    "2014-01-03,2014-01-06,\n",
    "1004,2014,9,A,B,,x,1,X,Aleppo governorate,36.2,37.1,Syria,1,2014-01-05,2014-01-05,1\n",
    "1005,2014,1,Government of Iraq,IS,,x,1,Mosul,Ninawa governorate,36.34,43.13,Iraq,1,2014-01-05,2014-01-05,1\n",
]


def test_ucdp_import(tmp_path: Path, store: EventStore) -> None:
    path = tmp_path / "ged.csv"
    path.write_text(UCDP_HEADER + "".join(UCDP_ROWS))
    summary = ingest_paths([path], store, fmt="ucdp", progress=False)
    assert (summary.added, summary.events_added) == (1, 3), messages(summary)
    assert "row 4 (line 5): type_of_violence 9 is not 1, 2 or 3; row not imported" in messages(summary)
    assert "1 rows skipped: outside Syria" in messages(summary)
    gdf = store.query().set_index("event_id")
    a, b, c = gdf.loc["UCDP-1001"], gdf.loc["UCDP-1002"], gdf.loc["UCDP-1003"]
    assert (a.event_type, a.sub_event_type, a.geo_precision, a.time_precision) == ("Battles", "Armed clash", 1, 1)
    assert (a.actor1, a.actor2, a.admin1, a.admin1_code, a.location) == ("Government of Syria", "Syrian insurgents", "Aleppo", "SY-HL", "Manbij")
    assert (a.event_date, a.fatalities, a.notes, a.source) == (dt.date(2014, 1, 5), 5, "Clashes in Manbij", "AFP")
    assert (b.event_type, b.sub_event_type, b.geo_precision, b.time_precision) == ("Violence against civilians", "Attack", 3, 3)
    assert (b.admin1, b.admin1_code) == ("Deir ez-Zor", "SY-DY")
    assert (c.event_type, c.geo_precision, c.time_precision, c.admin1, c.source) == ("Battles", 2, 2, "Raqqa", "UCDP GED")


# ---------------------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------------------


def test_cli_ingest_text_and_info(tmp_path: Path, corpus: Path, capsys) -> None:
    db = tmp_path / "cli.gpkg"
    (corpus / "broken.txt").write_bytes(b"")
    code = main_for_tests(["ingest", str(corpus), "--store", str(db), "--extractor", "fixtures_store:word_extractor", "-q"])
    out = capsys.readouterr().out
    assert code == 1  # one input was skipped
    assert f"{db}: 7 inputs, 8 articles read: 8 added" in out
    assert "skipped: " in out and "broken.txt: empty file" in out
    assert main_for_tests(["info", "--store", str(db)]) == 0
    out = capsys.readouterr().out
    assert "articles: 8" in out and "events:   10 (2 undated)" in out and "2014-01-05 to 2014-01-10" in out


def test_cli_ingest_acled_uses_the_environment_store(tmp_path: Path, monkeypatch, capsys) -> None:
    db = tmp_path / "env.gpkg"
    monkeypatch.setenv("GEO_STORE", str(db))
    path = write_acled(tmp_path / "acled.csv", ACLED_ROWS[:2])
    assert main_for_tests(["ingest", str(path), "--format", "acled", "--max-bytes", "1MB"]) == 0
    assert "2 events added" in capsys.readouterr().out
    with GpkgEventStore(db) as s:
        assert s.count() == 2


@pytest.mark.parametrize(
    ("argv", "code", "stderr"),
    [
        (["ingest"], 2, "required: PATH"),
        (["ingest", "x", "--format", "pdf"], 2, "invalid choice"),
        (["ingest", "x", "--max-bytes", "lots"], 2, "is not a size"),
        (["ingest", "x", "--extractor", "no_such_module:f"], 1, "error: the extractor no_such_module:f is not available"),
        (["ingest", "x", "--extractor", "nocolon"], 1, "expected MODULE:NAME"),
        (["ingest", "x", "--store", "postgresql://nohost.invalid/x", "--format", "acled"], 1, "cannot connect to the server"),
        (["info", "--store", "/nonexistent/x.gpkg"], 1, "error: no store at /nonexistent/x.gpkg"),
    ],
)
def test_cli_errors(argv: list[str], code: int, stderr: str, capsys) -> None:
    assert main_for_tests(argv) == code
    err = capsys.readouterr().err
    assert stderr in err
    assert "Traceback" not in err


def _pipeline_available() -> bool:
    try:
        import geo.extract.pipeline  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.skipif(not _pipeline_available(), reason="geo.extract.pipeline (the production Geoparser) is not importable")
def test_seeds_with_the_real_geoparser_through_python_m_geo(tmp_path: Path) -> None:
    db = tmp_path / "seeds.gpkg"
    run = [sys.executable, "-m", "geo"]
    first = subprocess.run([*run, "ingest", str(SEEDS), "--store", str(db), "-q"], cwd=ROOT, env=child_env(),
                           capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    assert "1 articles read: 1 added" in first.stdout
    second = subprocess.run([*run, "ingest", str(SEEDS), "--store", str(db), "-q"], cwd=ROOT, env=child_env(),
                            capture_output=True, text=True, timeout=120)
    assert "1 unchanged" in second.stdout
    with GpkgEventStore(db) as s:
        article = s.get_article(file_article_id(SEEDS / "syria-rebels-isil-2014-01-05.txt"))
        assert article is not None and article.published == dt.date(2014, 1, 5)
        assert article.title == "Syrian rebels turn on al-Qaida-linked fighters in the north"  # from manifest.csv
        events = s.query()
        assert len(events) >= 1
        assert set(events.admin1) <= set(SYRIA_GOVERNORATES)
        assert_consistent(s)
    info = subprocess.run([*run, "info", "--store", str(db)], cwd=ROOT, env=child_env(), capture_output=True, text=True)
    assert info.returncode == 0 and "articles: 1" in info.stdout
