"""`python -m geo extract --jsonl`: every line answered under its own number and id, bad lines
never stop the batch, the exit code says when a line failed, and text in other encodings is
decoded or refused clearly (never "0 events, exit 0")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geo.cli import main

GOOD = {"id": "good-1", "text": "Rebels clashed with government forces in Saraqib.", "published": "2014-01-05"}


def _run(tmp_path: Path, capsys, payload: bytes) -> tuple[int, list[dict], str]:
    path = tmp_path / "in.jsonl"
    path.write_bytes(payload)
    code = main(["extract", "--jsonl", str(path)])
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


BAD_LINES = [
    ("null", "null"),
    ("list", "[1, 2]"),
    ("string", '"Rebels clashed in Saraqib"'),
    ("number", "42"),
    ("invalid-json", '{"id": "broken", "text": '),
    ("missing-text", '{"id": "no-text"}'),
    ("text-not-string", '{"id": "num-text", "text": 5}'),
    ("bad-published", '{"id": "bad-date", "text": "Clashes in Saraqib.", "published": "0214-13-45"}'),
    ("relative-published", '{"id": "rel-date", "text": "Clashes in Saraqib.", "published": "yesterday"}'),
    ("id-object", '{"id": {"x": 1}, "text": "Clashes in Saraqib."}'),
]


@pytest.mark.parametrize("kind,bad", BAD_LINES, ids=[k for k, _ in BAD_LINES])
def test_a_bad_line_gets_its_own_error_and_the_batch_goes_on(tmp_path, capsys, kind, bad):
    lines = [json.dumps(GOOD), bad, json.dumps({**GOOD, "id": "good-3"})]
    code, out, _ = _run(tmp_path, capsys, ("\n".join(lines) + "\n").encode("utf-8"))
    assert code == 1, "a failed line makes the exit code non-zero"
    assert [o["id"] for o in out][::2] == ["good-1", "good-3"]
    assert out[0]["events"] and out[2]["events"], "the lines around the bad one are extracted"
    error = out[1]
    assert error["error"].startswith("line 2: "), error
    assert error["events"] == []
    own_id = json.loads(bad).get("id") if kind not in ("invalid-json",) and bad.startswith("{") else None
    assert error["id"] == (own_id if isinstance(own_id, str) else None), "never the previous line's id"


def test_all_good_lines_exit_zero_and_blank_lines_are_skipped(tmp_path, capsys):
    payload = (json.dumps(GOOD) + "\n\n   \n" + json.dumps({**GOOD, "id": 7}) + "\n").encode("utf-8")
    code, out, _ = _run(tmp_path, capsys, payload)
    assert code == 0
    assert [o["id"] for o in out] == ["good-1", 7]


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-16", "utf-8-sig", "utf-32"])
def test_other_unicode_encodings_are_decoded(tmp_path, capsys, codec):
    code, out, _ = _run(tmp_path, capsys, (json.dumps(GOOD) + "\n").encode(codec))
    assert code == 0
    assert out[0]["id"] == "good-1" and out[0]["events"]


def test_bytes_that_are_not_text_are_refused_clearly(tmp_path, capsys):
    code, out, err = _run(tmp_path, capsys, b"\x00\x00\x00\x00\xff\x00\xff\x00\x00\x00")
    assert code == 1 and out == []
    assert "binary" in err or "not" in err


def test_latin1_is_refused_clearly(tmp_path, capsys):
    code, out, err = _run(tmp_path, capsys, '{"id": "x", "text": "Caf\u00e9 in Saraqib"}\n'.encode("latin-1"))
    assert code == 1 and out == []
    assert "UTF-8" in err


def test_a_lone_surrogate_is_answered_as_valid_json(tmp_path, capsys):
    payload = (json.dumps(GOOD) + '\n{"id": "sur\\ud800", "text": "Rebels clashed in Saraqib \\ud800."}\n').encode()
    code, out, _ = _run(tmp_path, capsys, payload)
    assert code == 0
    assert out[1]["id"] == "sur\ud800" and out[1]["events"]
