"""Issue 12 (ingest side): nothing lost, nothing doubled, no single value stops a batch, names
printed escaped. One table per family of failures; each case failed before the fix."""

from __future__ import annotations

import codecs
import datetime as dt
import json
import os
from pathlib import Path

import pytest
from fixtures_store import assert_consistent, word_extractor

from geo.cli import main as main_for_tests
from geo.ingest import read_upload
from geo.ingest.batch import IngestSummary, ingest_paths
from geo.ingest.sources import SourceFile, file_article_id, read_articles
from geo.models import stable_id
from geo.store.gpkg import EventStore, GpkgEventStore

TEXT = "Fighting in Manbij.\n"


def ingest(paths, store: EventStore, **kwargs) -> IngestSummary:
    kwargs.setdefault("progress", False)
    return ingest_paths([str(p) if not isinstance(p, bytes) else p for p in paths], store,
                        None if kwargs.get("fmt", "text") != "text" else word_extractor, **kwargs)


def messages(summary: IngestSummary) -> str:
    return "\n".join(str(p) for p in summary.problems)


def accounted(summary: IngestSummary) -> None:
    """The summary's own arithmetic: every input and article lands in exactly one count."""
    assert summary.inputs == summary.inputs_read + summary.skipped + summary.inputs_failed, summary
    assert summary.articles_read == (summary.added + summary.unchanged + summary.replaced + summary.updated
                                     + summary.duplicates + summary.failed), summary


# ---------------------------------------------------------------------------------------
# One bad value in a dataset must not stop the batch
# ---------------------------------------------------------------------------------------

ACLED_HEADER = ("event_id_cnty,event_date,time_precision,event_type,sub_event_type,actor1,actor2,country,admin1,"
                "location,latitude,longitude,geo_precision,source,notes,fatalities\n")


def acled_row(event_id: str, **values: str) -> str:
    row = {"event_date": "2014-01-05", "time_precision": "1", "event_type": "Battles", "sub_event_type": "Armed clash",
           "actor1": "A", "actor2": "B", "country": "Syria", "admin1": "Aleppo", "location": "Manbij",
           "latitude": "36.5", "longitude": "37.9", "geo_precision": "1", "source": "S", "notes": "n",
           "fatalities": "1"} | values
    return ",".join([event_id, *row.values()]) + "\n"


UCDP_HEADER = "id,type_of_violence,side_a,side_b,where_prec,where_coordinates,adm_1,latitude,longitude,country,date_prec,date_start,date_end,best\n"


def ucdp_row(ged_id: str, **values: str) -> str:
    row = {"type_of_violence": "1", "side_a": "A", "side_b": "B", "where_prec": "1", "where_coordinates": "Manbij town",
           "adm_1": "Aleppo governorate", "latitude": "36.5", "longitude": "37.9", "country": "Syria",
           "date_prec": "1", "date_start": "2014-01-05", "date_end": "2014-01-05", "best": "2"} | values
    return ",".join([ged_id, *row.values()]) + "\n"


BAD_DATASET_VALUES = [
    ("acled", {"fatalities": "inf"}, "fatalities 'inf' is not a finite number"),
    ("acled", {"fatalities": "1e20"}, "fatalities '1e20' is not a whole number in 0..1000000"),
    ("acled", {"fatalities": "-3"}, "fatalities '-3' is not a whole number"),
    ("acled", {"geo_precision": "inf"}, "geo_precision 'inf' is not a finite number"),
    ("acled", {"geo_precision": "1e20"}, "geo_precision '1e20' is not a whole number in 1..3"),
    ("acled", {"time_precision": "nan"}, "time_precision 'nan' is not a finite number"),
    ("acled", {"latitude": "inf"}, "latitude 'inf' is not a finite number"),
    ("acled", {"event_date": "0001-01-01"}, "event_date 0001-01-01 is outside 1900-01-01..2100-12-31"),
    ("acled", {"event_date": "yesterday"}, "event_date 'yesterday' is relative"),
    ("ucdp", {"best": "inf"}, "best 'inf' is not a finite number"),
    ("ucdp", {"best": "1e20"}, "best '1e20' is not a whole number in 0..1000000"),
    ("ucdp", {"where_prec": "1e20"}, "where_prec '1e20' is not a whole number in 1..7"),
    ("ucdp", {"type_of_violence": "inf"}, "type_of_violence 'inf' is not a finite number"),
    ("ucdp", {"date_prec": "-inf"}, "date_prec '-inf' is not a finite number"),
    ("ucdp", {"date_start": "9999-12-31"}, "date_start 9999-12-31 is outside"),
]


@pytest.mark.parametrize(("fmt", "values", "message"), BAD_DATASET_VALUES,
                         ids=[f"{c[0]}-{next(iter(c[1]))}={next(iter(c[1].values()))}" for c in BAD_DATASET_VALUES])
def test_one_bad_dataset_value_fails_its_row_only(tmp_path: Path, gpkg_store: GpkgEventStore, fmt: str,
                                                  values: dict[str, str], message: str) -> None:
    make = acled_row if fmt == "acled" else ucdp_row
    header = ACLED_HEADER if fmt == "acled" else UCDP_HEADER
    (tmp_path / "a.csv").write_text(header + make("1") + make("2", **values) + make("3"))
    (tmp_path / "b.csv").write_text(header + make("4"))  # the next file is still read
    summary = ingest([tmp_path], gpkg_store, fmt=fmt)
    assert (summary.added, summary.events_added, summary.rows_failed) == (2, 3, 1), messages(summary)
    assert f"row 2 (line 3): {message}" in messages(summary)
    assert not summary.ok
    accounted(summary)
    assert_consistent(gpkg_store)


PLACELESS = [
    ("ucdp", ucdp_row("9", where_prec="6", adm_1="", where_coordinates="Syria"), "UCDP where_prec 6-7"),
    ("ucdp", ucdp_row("9", where_prec="7", where_coordinates="Mediterranean"), "UCDP where_prec 6-7"),
    ("ucdp", ucdp_row("9", where_prec="5", adm_1=""), "UCDP where_prec 4-5 without a known governorate"),
    ("acled", acled_row("9", latitude="", longitude=""), "no coordinates"),
    ("acled", acled_row("9", geo_precision="3", admin1="", location=""), "region precision without a governorate"),
]


@pytest.mark.parametrize(("fmt", "row", "reason"), PLACELESS, ids=[c[2] for c in PLACELESS])
def test_rows_without_a_usable_place_are_skipped_and_counted(tmp_path: Path, gpkg_store: GpkgEventStore, fmt: str,
                                                             row: str, reason: str) -> None:
    make = acled_row if fmt == "acled" else ucdp_row
    (tmp_path / "d.csv").write_text((ACLED_HEADER if fmt == "acled" else UCDP_HEADER) + make("1") + row)
    summary = ingest([tmp_path / "d.csv"], gpkg_store, fmt=fmt)
    assert (summary.events_added, summary.rows_skipped, summary.rows_failed) == (1, 1, 0), messages(summary)
    assert "1 rows skipped: no usable place" in messages(summary) and reason in messages(summary)
    assert summary.ok  # a skip with its reason is not a failure
    assert "Unknown" not in set(gpkg_store.query().admin1)


def test_ucdp_governorate_level_row_is_kept_at_its_governorate(tmp_path: Path, gpkg_store: GpkgEventStore) -> None:
    (tmp_path / "d.csv").write_text(UCDP_HEADER + ucdp_row("1", where_prec="4", adm_1="Idlib governorate",
                                                            where_coordinates="Idlib governorate"))
    ingest([tmp_path / "d.csv"], gpkg_store, fmt="ucdp")
    (event,) = gpkg_store.query().itertuples()
    assert (event.admin1, event.admin1_code, event.geo_precision) == ("Idlib", "SY-ID", 3)


# ---------------------------------------------------------------------------------------
# Files and rows that used to stop a batch or vanish
# ---------------------------------------------------------------------------------------


def test_latin1_file_name_is_ingested_and_printed_escaped(tmp_path: Path, capsys) -> None:
    folder = os.fsencode(tmp_path / "in")
    os.mkdir(folder)
    for name in (b"a.txt", b"b_caf\xe9.txt", b"c.txt"):
        with open(os.path.join(folder, name), "wb") as fh:
            fh.write(b"Fighting in Manbij " + name + b".\n")
    with open(os.path.join(folder, b"bad_\xe9.txt"), "wb") as fh:
        fh.write(b"")
    db = tmp_path / "s.gpkg"
    code = main_for_tests(["ingest", os.fsdecode(folder), "--store", str(db), "--extractor",
                           "fixtures_store:word_extractor", "-q"])
    out = capsys.readouterr().out
    assert code == 1 and "3 added" in out and "bad_\\xe9.txt: empty file" in out, out
    with GpkgEventStore(db) as s:
        assert len(s.articles()) == 3
        assert_consistent(s)


@pytest.mark.parametrize("name", ["x\n  skipped: forged.txt: a line that is not ours.txt", "\x1b[2K\x1b[1Aansi.txt",
                                  "bidi\u202eexe.txt"])
def test_file_names_cannot_forge_summary_lines(tmp_path: Path, name: str, capsys) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / name).write_bytes(b"")
    code = main_for_tests(["ingest", str(tmp_path / "in"), "--store", str(tmp_path / "s.gpkg"), "-q"])
    out = capsys.readouterr().out
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == 2, out  # the head and one problem line, however the name is made
    assert "\x1b" not in out and "\u202e" not in out


def test_jsonl_lone_surrogates_are_stored(tmp_path: Path, gpkg_store: GpkgEventStore) -> None:
    (tmp_path / "b.jsonl").write_text('{"url": "http://x/\\ud800", "title": "t\\udfff", "text": "Fighting in Homs \\ud83d."}\n'
                                      '{"text": "Fighting in Manbij."}\n')
    summary = ingest([tmp_path / "b.jsonl"], gpkg_store)
    assert (summary.added, summary.failed) == (2, 0), messages(summary)
    assert {a.url for a in gpkg_store.articles()} == {"http://x/\ufffd", ""}


def test_path_longer_than_path_max_is_reported(tmp_path: Path, gpkg_store: GpkgEventStore) -> None:
    (tmp_path / "ok.txt").write_text(TEXT)
    # A folder chain whose full path exceeds PATH_MAX (4096), built step by step with dir fds.
    fd = os.open(tmp_path, os.O_RDONLY)
    for _ in range(18):
        os.mkdir("d" * 250, dir_fd=fd)
        new = os.open("d" * 250, os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = new
    with open(os.open("deep.txt", os.O_WRONLY | os.O_CREAT, dir_fd=fd), "w") as fh:
        fh.write(TEXT)
    os.close(fd)
    too_long = tmp_path / "/".join(["d" * 250] * 18) / "deep.txt"
    summary = ingest([tmp_path, too_long, tmp_path / ("n" * 300 + ".txt")], gpkg_store)
    assert summary.added == 1
    text = messages(summary)
    assert "File name too long" in text and "folder not read" in text, text
    assert summary.inputs_failed >= 3 and not summary.ok
    accounted(summary)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads folders whatever their mode")
def test_unreadable_folders_are_reported(tmp_path: Path, gpkg_store: GpkgEventStore) -> None:
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "a.txt").write_text(TEXT)
    (tmp_path / "b.txt").write_text(TEXT.replace("Manbij", "Homs"))
    (tmp_path / "locked").chmod(0)
    try:
        summary = ingest([tmp_path, tmp_path / "locked" / "a.txt"], gpkg_store)
    finally:
        (tmp_path / "locked").chmod(0o755)
    assert summary.added == 1 and summary.inputs_failed == 2 and "Permission denied" in messages(summary)


def test_csv_unclosed_quote_loses_one_row_and_says_which(tmp_path: Path, gpkg_store: GpkgEventStore) -> None:
    rows = [f"r{i},Fighting in Manbij number {i}." for i in range(10)]
    rows[1] = 'r1,"Fighting in Manbij with an unclosed quote.'
    (tmp_path / "b.csv").write_text("id,text\n" + "\n".join(rows) + "\n")
    summary = ingest([tmp_path / "b.csv"], gpkg_store)
    assert (summary.added, summary.rows_failed) == (9, 1), messages(summary)
    assert "row 2 (line 3): unclosed quote" in messages(summary)
    assert not summary.ok
    accounted(summary)


def test_csv_quote_closed_later_accounts_for_every_row(tmp_path: Path, gpkg_store: GpkgEventStore) -> None:
    body = ['r0,Fighting in Manbij.', 'r1,"Open quote in Homs.', 'r2,Fighting in Idlib.', 'r3,"Quoted, in Raqqa."',
            'r4,Fighting in Aleppo.']
    (tmp_path / "b.csv").write_text("id,text\n" + "\n".join(body) + "\n")
    summary = ingest([tmp_path / "b.csv"], gpkg_store)
    # The quote opened on line 3 closes on line 5: those lines are one malformed row, named by its
    # lines (re-reading them could turn article text into rows); the rows around it go in.
    assert (summary.added, summary.rows_failed) == (2, 1), messages(summary)
    assert "row 2 (lines 3-5): malformed CSV" in messages(summary) and not summary.ok


def test_duplicate_header_is_refused(tmp_path: Path, gpkg_store: GpkgEventStore) -> None:
    (tmp_path / "b.csv").write_text("text,text\nFighting in Manbij.,Fighting in Homs.\n")
    summary = ingest([tmp_path / "b.csv"], gpkg_store)
    assert summary.skipped == 1 and "'text' named more than once in the header" in messages(summary)
    assert gpkg_store.count() == 0


def test_front_matter_without_closing_line_is_reported(tmp_path: Path, gpkg_store: GpkgEventStore) -> None:
    (tmp_path / "a.txt").write_text("---\ntitle: Never closed\npublished: 2014-01-05\nFighting in Manbij.\n")
    summary = ingest([tmp_path / "a.txt"], gpkg_store)
    assert "front matter opened by '---' on line 1 has no closing '---'" in messages(summary)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_text(tmp_path: Path, gpkg_store: GpkgEventStore, encoding: str) -> None:
    (tmp_path / "a.txt").write_bytes("Fighting in Manbij — 5 killed.\n".encode(encoding))
    summary = ingest([tmp_path / "a.txt"], gpkg_store)
    assert summary.added == 1 and summary.events_added == 1, messages(summary)


# ---------------------------------------------------------------------------------------
# Identity: nothing overwritten, nothing doubled, metadata updates land
# ---------------------------------------------------------------------------------------


def test_same_name_in_two_folders_is_two_articles(tmp_path: Path, gpkg_store: GpkgEventStore) -> None:
    for folder, town in (("x", "Manbij"), ("y", "Homs")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "report.txt").write_text(f"Fighting in {town}.\n")
    first = ingest([tmp_path / "x" / "report.txt"], gpkg_store)
    second = ingest([tmp_path / "y" / "report.txt"], gpkg_store)
    assert (first.added, second.added, second.replaced) == (1, 1, 0)
    assert len(gpkg_store.articles()) == 2 and gpkg_store.count() == 2


def test_the_same_files_through_any_path_are_one_article_each(tmp_path: Path, gpkg_store: GpkgEventStore,
                                                              monkeypatch) -> None:
    sub = tmp_path / "corpus" / "sub"
    sub.mkdir(parents=True)
    for i, town in enumerate(["Manbij", "Homs", "Idlib"]):
        (sub / f"{i}.txt").write_text(f"Fighting in {town}.\n")
    (tmp_path / "corpus" / "top.txt").write_text("Fighting in Raqqa.\n")
    monkeypatch.chdir(tmp_path)
    runs = [[sub], [tmp_path / "corpus"], [tmp_path], ["corpus/sub/0.txt"], ["./corpus/../corpus/sub"],
            [tmp_path / "corpus", sub]]
    for paths in runs:
        accounted(ingest(paths, gpkg_store))
    assert len(gpkg_store.articles()) == 4 and gpkg_store.count() == 4
    assert gpkg_store.get_article(file_article_id(sub / "0.txt")) is not None


BATCH_EDITS = [
    ("csv", "id,text\n" + "".join(f",Fighting in {t}.\n" for t in ["Manbij", "Homs", "Idlib"]),
     "id,text\n" + "".join(f",Fighting in {t}.\n" for t in ["Idlib", "Manbij", "Homs"])),
    ("csv", "text\n" + "".join(f"Fighting in {t}.\n" for t in ["Manbij", "Homs", "Idlib"]),
     "text\n" + "".join(f"Fighting in {t}.\n" for t in ["Homs", "Idlib"])),
    ("jsonl", "".join(json.dumps({"text": f"Fighting in {t}."}) + "\n" for t in ["Manbij", "Homs", "Idlib"]),
     "\n" + "".join(json.dumps({"text": f"Fighting in {t}."}) + "\n" for t in ["Manbij", "Homs", "Idlib"])),
]


@pytest.mark.parametrize(("suffix", "before", "after"), BATCH_EDITS, ids=["reordered CSV", "first CSV row removed",
                                                                          "blank first JSONL line"])
def test_batch_rows_keep_their_ids(tmp_path: Path, gpkg_store: GpkgEventStore, suffix: str, before: str,
                                   after: str) -> None:
    path = tmp_path / f"b.{suffix}"
    path.write_text(before)
    ingest([path], gpkg_store)
    path.write_text(after)
    summary = ingest([path], gpkg_store)
    assert summary.added == 0 and len(gpkg_store.articles()) == 3, messages(summary)


@pytest.mark.parametrize(("field", "value"), [("title", "A new title"), ("url", "https://news.example/moved"),
                                              ("source", "Other wire")])
def test_manifest_metadata_change_updates_the_article(tmp_path: Path, gpkg_store: GpkgEventStore, field: str,
                                                      value: str) -> None:
    (tmp_path / "a.txt").write_text(TEXT)
    (tmp_path / "manifest.csv").write_text("file,id,title,source,url\na.txt,a1,Old title,Wire,https://news.example/a\n")
    ingest([tmp_path], gpkg_store)
    columns = {"title": "Old title", "source": "Wire", "url": "https://news.example/a"} | {field: value}
    (tmp_path / "manifest.csv").write_text(f"file,id,title,source,url\na.txt,a1,{columns['title']},"
                                           f"{columns['source']},{columns['url']}\n")
    summary = ingest([tmp_path], gpkg_store)
    assert (summary.updated, summary.unchanged, summary.replaced) == (1, 0, 0), summary
    assert getattr(gpkg_store.get_article("a1"), field) == value
    assert gpkg_store.count() == 1
    assert ingest([tmp_path], gpkg_store).unchanged == 1


def test_one_url_with_two_texts_in_a_batch_is_not_overwritten(tmp_path: Path, gpkg_store: GpkgEventStore) -> None:
    (tmp_path / "b.jsonl").write_text(json.dumps({"url": "https://x/1", "text": "Fighting in Manbij."}) + "\n"
                                      + json.dumps({"url": "https://x/1", "text": "Fighting in Homs."}) + "\n"
                                      + json.dumps({"url": "https://x/2", "text": "Fighting in Manbij."}) + "\n")
    summary = ingest([tmp_path], gpkg_store)
    # x/2 has the text of x/1 under its own url: another outlet's copy, kept.
    assert (summary.added, summary.failed, summary.duplicates) == (2, 1, 0), messages(summary)
    assert gpkg_store.get_article(stable_id("url", "https://x/1")).text == "Fighting in Manbij."
    assert "already used by" in messages(summary) and not summary.ok


# ---------------------------------------------------------------------------------------
# Dates at the edge; the upload reads as the CLI does
# ---------------------------------------------------------------------------------------

DATES = [
    ("5 January 2014", dt.date(2014, 1, 5), ""),
    ("Sunday, 5 January 2014", dt.date(2014, 1, 5), ""),
    ("2014-01-05T08:00:00Z", dt.date(2014, 1, 5), ""),
    ("yesterday", None, "is relative"),
    ("9999-12-31", None, "outside 1900-01-01..2100-12-31"),
    ("0214-01-05", None, "outside 1900-01-01..2100-12-31"),
]


@pytest.mark.parametrize(("value", "expected", "message"), DATES, ids=[d[0] for d in DATES])
def test_upload_and_ingest_agree_on_front_matter_dates(tmp_path: Path, value: str, expected, message: str) -> None:
    data = f"---\ntitle: T\npublished: {value}\n---\nFighting in Manbij.\n".encode()
    (tmp_path / "a.txt").write_bytes(data)
    cli = read_articles(SourceFile(tmp_path / "a.txt", "a.txt"))
    upload = read_upload("a.txt", data)
    for result in (cli, upload):
        ((_, article),) = result.articles
        assert article.published == expected and article.title == "T"
        assert message in "\n".join(p.message for p in result.problems)


def test_upload_reads_batches_like_the_cli(tmp_path: Path) -> None:
    data = b"id,published,text\nr1,5 January 2014,Fighting in Manbij.\nr2,2014-01-06\n"
    (tmp_path / "b.csv").write_bytes(data)
    cli = read_articles(SourceFile(tmp_path / "b.csv", "b.csv"))
    upload = read_upload("b.csv", data)
    assert [a for _, a in cli.articles] == [a for _, a in upload.articles]
    assert (cli.rows_failed, upload.rows_failed) == (1, 1)


def test_upload_of_utf16_without_bom(tmp_path: Path) -> None:
    ((_, article),) = read_upload("a.txt", "Fighting in Manbij.\n".encode("utf-16-le")).articles
    assert article.text == "Fighting in Manbij.\n"
    assert codecs.BOM_UTF16_LE not in article.text.encode("utf-16-le")


def test_imported_events_keep_their_provenance(tmp_path: Path, gpkg_store: GpkgEventStore) -> None:
    (tmp_path / "a.csv").write_text(ACLED_HEADER.replace("fatalities\n", "fatalities,interaction,admin2\n")
                                    + acled_row("SYR7", notes="Rebels took the HQ").replace("\n", ",12,Manbij\n"))
    (tmp_path / "u.csv").write_text(UCDP_HEADER.replace("best\n", "best,source_headline,adm_2\n")
                                    + ucdp_row("4242").replace("\n", ",Clashes reported,Manbij district\n"))
    ingest([tmp_path / "a.csv"], gpkg_store, fmt="acled")
    ingest([tmp_path / "u.csv"], gpkg_store, fmt="ucdp")
    events = gpkg_store.query().set_index("event_id")
    acled, ucdp = events.loc["SYR7"], events.loc["UCDP-4242"]
    assert (acled.source_ref, acled.notes, acled.interaction, acled.admin2) == ("acled:SYR7", "Rebels took the HQ", 12,
                                                                                 "Manbij")
    assert (ucdp.source_ref, ucdp.notes, ucdp.admin2) == ("ucdp:4242", "Clashes reported", "Manbij")


def test_copies_are_stored_once_but_named_articles_are_kept(tmp_path: Path, gpkg_store: GpkgEventStore) -> None:
    tmp_path = tmp_path / "in"
    tmp_path.mkdir()
    (tmp_path / "report.txt").write_text(TEXT)
    (tmp_path / "report (1).txt").write_text(TEXT)  # a copy: no id or url of its own
    (tmp_path / "b.jsonl").write_text(json.dumps({"id": "wire-1", "text": "Fighting in Homs."}) + "\n"
                                      + json.dumps({"id": "wire-2", "text": "Fighting in Homs."}) + "\n")
    summary = ingest([tmp_path], gpkg_store)
    assert (summary.added, summary.duplicates) == (3, 1), messages(summary)
    assert "the same text as" in messages(summary) and summary.ok
    accounted(summary)
