"""The command line, run as a user runs it: a real subprocess, real files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "syria-rebels-isil-2014-01-05.txt"


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo", *args], input=stdin, capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


def test_geocode_prints_best_match_as_json():
    proc = run("geocode", "Tabqa")
    assert proc.returncode == 0, proc.stderr
    record = json.loads(proc.stdout)
    assert record["admin1"] == "Raqqa" and record["admin1_code"] == "SY-RA" and record["kind"] == "populated_place"
    assert record["geo_precision"] == 1 and abs(record["latitude"] - 35.84) < 0.1


def test_geocode_all_prints_ranked_candidates():
    proc = run("geocode", "Suran", "--all")
    candidates = json.loads(proc.stdout)
    assert len(candidates) >= 2
    assert candidates[0]["score"] >= candidates[-1]["score"] or candidates[0]["admin1"] == "Hama"


def test_geocode_batch_from_stdin_keeps_order_and_reports_unknowns():
    names = ["Manbij", "Xyzabad", "", "the province of Aleppo", "Deir al-Zour"]
    proc = run("geocode", "-", stdin="\n".join(names) + "\n")
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [line["name"] for line in lines] == names
    required = {"name", "latitude", "longitude", "admin1", "admin1_code", "country", "kind", "geo_precision", "score"}
    assert all(required <= set(line) for line in lines)
    assert lines[1]["latitude"] is None and lines[2]["latitude"] is None
    assert lines[3]["kind"] == "admin1"
    assert lines[4]["admin1"] == "Deir ez-Zor"


def test_geocode_unknown_name_exits_1():
    proc = run("geocode", "Xyzabad")
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["latitude"] is None


def test_extract_article_prints_event_json_lines():
    proc = run("extract", str(SEED), "--published", "2014-01-05")
    assert proc.returncode == 0, proc.stderr
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    assert any(e["location"] == "Manbij" and e["event_date"] == "2014-01-05" for e in events)


def test_extract_bad_date_is_a_clear_error():
    proc = run("extract", str(SEED), "--published", "not a date")
    assert proc.returncode == 1
    assert "publication date" in proc.stderr and "Traceback" not in proc.stderr


def test_extract_missing_file_is_a_clear_error(tmp_path):
    proc = run("extract", str(tmp_path / "nope.txt"))
    assert proc.returncode == 1 and "cannot read" in proc.stderr and "Traceback" not in proc.stderr


def test_extract_jsonl_batch_contract(tmp_path):
    batch = tmp_path / "in.jsonl"
    items = [
        {"id": "a", "text": "Clashes erupted in Saraqib on Friday.", "published": "2014-01-05"},
        {"id": "b", "text": "Nothing happened.", "published": "2014-01-05"},
        {"id": "c", "text": "Shelling hit the village of Kafr Zoubeydiyeh in Idlib province.", "published": None},
    ]
    batch.write_text("\n".join(json.dumps(i) for i in items) + "\n{broken json\n", encoding="utf-8")
    proc = run("extract", "--jsonl", str(batch))
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [line["id"] for line in lines[:3]] == ["a", "b", "c"]
    assert lines[0]["events"][0]["event_date"] == "2014-01-03"
    assert lines[1]["events"] == []
    assert lines[2]["events"][0]["event_date"] is None
    assert lines[2]["unresolved"][0]["text"] == "Kafr Zoubeydiyeh"
    assert "error" in lines[3]  # the broken line is reported in place, the others survive
    assert proc.returncode == 1


def test_evaluate_on_a_small_labelled_file(tmp_path):
    gold = tmp_path / "gold.csv"
    gold.write_text(
        "id,text,published,location,admin1,latitude,longitude,text_names_location\n"
        "1,Clashes erupted in Saraqib,2018-01-02,Saraqib,Idlib,35.8647,36.8006,True\n"
        "2,Warplanes struck Hama countryside,2018-01-02,Kafr Zita,Hama,35.375,36.6,False\n"
        "3,Nothing to see here,2018-01-02,Douma,Rural Damascus,33.58,36.4,False\n",
        encoding="utf-8")
    proc = run("evaluate", str(gold))
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["rows"] == 3 and report["rows_naming_place"] == 1
    assert report["within_10km_of_named"] == 1.0
    assert report["right_admin1"] == pytest.approx(2 / 3, abs=1e-3)
    assert report["no_event"] == pytest.approx(1 / 3, abs=1e-3)


def test_gazetteer_info():
    info = json.loads(run("gazetteer", "info").stdout)
    assert info["by_country"]["SY"] > 300 and info["admin1_units"] > 14
