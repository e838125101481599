"""Reliability benchmark: the attack set of issue 12, repeated, with one line of counts.

    python -m benchmarks.reliability                    # everything, on this tree
    python -m benchmarks.reliability --root DIR         # the CLI attacks against another checkout
    python -m benchmarks.reliability --skip browser --kills 10

Four attacks, each counting *inputs tried*, *answered clearly*, *lost*, *duplicated*, *leaked*:

* ``bad-input``: hostile files and rows through ``python -m geo ingest`` (numbers ``inf``/``1e20`` in
  ACLED/UCDP, Latin-1 bytes and control characters in file names, lone surrogates in JSONL, a path
  over PATH_MAX, an unclosed CSV quote, ``text,text`` headers, unclosed front matter, UTF-16 without
  a BOM, dates out of range or relative, country-level UCDP rows, the same files through several
  paths, reordered and removed batch rows, a metadata change). A unit (a file or a row) is *answered
  clearly* when the run finishes without a traceback and either stores it or names it in a problem
  line with the exit code saying so; *lost* when it is neither stored nor reported; *duplicated* when
  it is stored more than once; *leaked* when a file name reaches the terminal unescaped.
* ``kill``: ``kill -9`` of an ingest at random moments, ``--kills`` times, then one run to the end:
  the store must pass SQLite's integrity check and hold exactly the events of an uninterrupted run.
* ``concurrent``: two writers ingesting different corpora into one store while readers run
  ``geo info`` and ``geo export`` in a loop: every command must succeed, every article be there once.
* ``browser``: articles whose title, source, url, notes and actors carry HTML/markdown/javascript
  payloads, opened in the map and article views of the app in Chromium with the network cut (every
  non-local request aborted and recorded). A payload *leaks* when a script runs or the page asks
  for a remote URL.

The store is inspected with SQLite directly (the ``articles`` and ``events`` tables), so ``--root``
can point at an older checkout for a before/after comparison of the CLI attacks.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Tally:
    tried: int = 0
    answered: int = 0
    lost: int = 0
    duplicated: int = 0
    leaked: int = 0
    notes: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for name in ("tried", "answered", "lost", "duplicated", "leaked"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.notes.extend(other.notes)

    def line(self, label: str) -> str:
        return (f"{label:<11} inputs tried {self.tried:5d}  answered clearly {self.answered:5d}  lost {self.lost:4d}  "
                f"duplicated {self.duplicated:4d}  leaked {self.leaked:4d}")


# ---------------------------------------------------------------------------------------
# Running the CLI and reading the store
# ---------------------------------------------------------------------------------------


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def traceback(self) -> bool:
        return "Traceback (most recent call last)" in self.err

    @property
    def problem_lines(self) -> list[str]:
        return [line for line in self.out.split("\n")[1:] if line.strip()]


def geo(root: Path, *args: str | bytes, timeout: float = 300) -> Run:
    env = dict(os.environ, PYTHONPATH=str(root))
    proc = subprocess.run([sys.executable, "-m", "geo", *args], cwd=root, env=env, capture_output=True,
                          timeout=timeout, check=False)
    return Run(proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"))


def ingest(root: Path, store: Path, *paths: str | bytes | Path, fmt: str = "text") -> Run:
    return geo(root, "ingest", *[os.fsencode(p) for p in paths], "--store", str(store), "--format", fmt, "-q")


def counts(store: Path) -> tuple[int, int]:
    if not store.exists():
        return 0, 0
    with sqlite3.connect(store) as conn:
        return (conn.execute("SELECT count(*) FROM articles").fetchone()[0],
                conn.execute("SELECT count(*) FROM events").fetchone()[0])


def query(store: Path, sql: str) -> list[tuple]:
    if not store.exists():
        return []
    with sqlite3.connect(store) as conn:
        return conn.execute(sql).fetchall()


# ---------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------

ACLED = ("event_id_cnty,event_date,time_precision,event_type,sub_event_type,actor1,actor2,country,admin1,location,"
         "latitude,longitude,geo_precision,source,notes,fatalities\n")
UCDP = "id,type_of_violence,side_a,side_b,where_prec,where_coordinates,adm_1,latitude,longitude,country,date_start,date_end,best\n"


def acled_row(i: int, fatalities: str = "1", geo_precision: str = "1") -> str:
    return (f"SYR{i},2014-01-05,1,Battles,Armed clash,A,B,Syria,Aleppo,Manbij,36.5,37.9,{geo_precision},S,n,"
            f"{fatalities}\n")


def ucdp_row(i: int, best: str = "2", where_prec: str = "1", adm_1: str = "Aleppo governorate") -> str:
    return f"{i},1,A,B,{where_prec},Manbij town,{adm_1},36.5,37.9,Syria,2014-01-05,2014-01-05,{best}\n"


@dataclass
class Case:
    """One attack: ``build`` writes inputs under a folder and returns the ingest runs to make
    (lists of paths, with a format); ``good`` is what must be stored (articles, or events for a
    dataset), ``bad`` the units that must be reported."""

    name: str
    build: Callable[[Path], list[tuple[list[str | bytes | Path], str]]]
    good: int
    bad: int
    measure: str = "articles"  # or "events"
    check: Callable[[Path, list[Run]], str] | None = None  # "" or what went wrong (counted as lost)
    lost_data: bool = True  # the bad units are lost data: the exit code must say so (not for a skip with a reason)


def _files(folder: Path, files: dict[str | bytes, bytes]) -> Path:
    os.makedirs(folder, exist_ok=True)
    for name, data in files.items():
        with open(os.path.join(os.fsencode(folder), os.fsencode(name)), "wb") as fh:
            fh.write(data)
    return folder


def _dataset(header: str, rows: list[str], fmt: str) -> Callable[[Path], list]:
    def build(tmp: Path) -> list:
        _files(tmp / "in", {"a.csv": (header + "".join(rows)).encode(), "b.csv": (header + rows[0].replace(
            "SYR1,", "SYR99,").replace("1,1,", "99,1,", 1)).encode()})
        return [([tmp / "in"], fmt)]
    return build


def _deep(tmp: Path) -> list:
    _files(tmp / "in", {"ok.txt": b"Fighting in Manbij.\n"})
    fd = os.open(tmp / "in", os.O_RDONLY)
    for _ in range(18):
        os.mkdir("d" * 250, dir_fd=fd)
        new = os.open("d" * 250, os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = new
    with open(os.open("deep.txt", os.O_WRONLY | os.O_CREAT, dir_fd=fd), "w") as fh:
        fh.write("Fighting in Homs.\n")
    os.close(fd)
    return [([tmp / "in"], "text")]


def _same_files(tmp: Path) -> list:
    files = {f"sub/{i}.txt": f"Fighting in Manbij, report {i}.\n".encode() for i in range(20)}
    for name, data in files.items():
        (tmp / "corpus" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp / "corpus" / name).write_bytes(data)
    return [([tmp / "corpus" / "sub"], "text"), ([tmp / "corpus"], "text"), ([tmp], "text")]


def _two_report_txt(tmp: Path) -> list:
    _files(tmp / "x", {"report.txt": b"Fighting in Manbij.\n"})
    _files(tmp / "y", {"report.txt": b"Fighting in Homs.\n"})
    return [([tmp / "x" / "report.txt"], "text"), ([tmp / "y" / "report.txt"], "text")]


def _rows_edit(before: str, after: str, suffix: str) -> Callable[[Path], list]:
    def build(tmp: Path) -> list:
        path = tmp / f"b{suffix}"
        path.write_text(before)
        first = tmp / "first"
        first.mkdir()
        # The edit happens between the two runs: the second run's file is written by a hook.
        (first / "after").write_text(after)
        return [([path], "text"), ([path], "text:rewrite")]
    return build


def _manifest_change(tmp: Path) -> list:
    _files(tmp / "in", {"a.txt": b"Fighting in Manbij.\n",
                        "manifest.csv": b"file,title,url\na.txt,Old title,https://x.example/a\n"})
    (tmp / "after").write_text("file,title,url\na.txt,New title,https://x.example/a\n")
    return [([tmp / "in"], "text"), ([tmp / "in"], "text:manifest")]


def _title_is_new(store: Path, runs: list[Run]) -> str:
    titles = [t for (t,) in query(store, "SELECT title FROM articles")]
    return "" if titles == ["New title"] else f"titles {titles}"


def _no_bad_date(store: Path, runs: list[Run]) -> str:
    bad = query(store, "SELECT published FROM articles WHERE published IS NOT NULL AND "
                       "(published < '1900-01-01' OR published > '2100-12-31' OR published = date('now'))")
    return f"stored dates {bad}" if bad else ""


def _no_country_point(store: Path, runs: list[Run]) -> str:
    bad = query(store, "SELECT event_id FROM events WHERE event_id = 'UCDP-2'")
    return "a country-level row drawn at a made-up point" if bad else ""


CSV_ROWS = "id,text\n" + "\n".join(f"r{i},Fighting in Manbij number {i}." if i != 1 else 'r1,"Unclosed quote in Homs.'
                                   for i in range(10)) + "\n"
ROWS3 = ["Manbij", "Homs", "Idlib"]

CASES: list[Case] = [
    Case("acled fatalities inf", _dataset(ACLED, [acled_row(1), acled_row(2, fatalities="inf"), acled_row(3)], "acled"),
         3, 1, "events"),
    Case("acled fatalities 1e20", _dataset(ACLED, [acled_row(1), acled_row(2, fatalities="1e20"), acled_row(3)],
                                           "acled"), 3, 1, "events"),
    Case("acled geo_precision inf", _dataset(ACLED, [acled_row(1), acled_row(2, geo_precision="inf"), acled_row(3)],
                                             "acled"), 3, 1, "events"),
    Case("ucdp best 1e20", _dataset(UCDP, [ucdp_row(1), ucdp_row(2, best="1e20"), ucdp_row(3)], "ucdp"), 3, 1, "events"),
    Case("ucdp where_prec inf", _dataset(UCDP, [ucdp_row(1), ucdp_row(2, where_prec="inf"), ucdp_row(3)], "ucdp"),
         3, 1, "events"),
    Case("ucdp country level", _dataset(UCDP, [ucdp_row(1), ucdp_row(2, where_prec="6", adm_1=""), ucdp_row(3)],
                                        "ucdp"), 3, 1, "events", _no_country_point, lost_data=False),
    Case("latin-1 file name", lambda t: [([_files(t / "in", {b"a.txt": b"Fighting in Manbij.\n",
                                                           b"b_caf\xe9.txt": b"Fighting in Homs.\n",
                                                           b"c.txt": b"Fighting in Idlib.\n"})], "text")], 3, 0),
    Case("jsonl lone surrogate", lambda t: [([_files(t / "in", {"b.jsonl": b'{"url": "http://x/\\ud800", "text": "Fighting '
                                                                b'in Homs."}\n{"text": "Fighting in Manbij."}\n'})],
                                             "text")], 2, 0),
    Case("path over PATH_MAX", _deep, 1, 1),
    Case("csv unclosed quote", lambda t: [([_files(t / "in", {"b.csv": CSV_ROWS.encode()})], "text")], 9, 1),
    Case("csv text,text header", lambda t: [([_files(t / "in", {"b.csv": b"text,text\nFighting in Homs.,x\n",
                                                              "ok.txt": b"Fighting in Idlib.\n"})], "text")], 1, 1),
    Case("unclosed front matter", lambda t: [([_files(t / "in", {"a.txt": b"---\ntitle: T\npublished: 2014-01-05\n"
                                                                b"Fighting in Manbij.\n"})], "text")], 1, 1, lost_data=False),
    Case("utf-16 without BOM", lambda t: [([_files(t / "in", {"a.txt": "Fighting in Manbij.\n".encode("utf-16-le")})],
                                           "text")], 1, 0),
    Case("dates out of range", lambda t: [([_files(t / "in", {
        f"{i}.txt": f"---\npublished: {d}\n---\nFighting in Manbij {i} yesterday.\n".encode()
        for i, d in enumerate(["9999-12-31", "0001-01-01", "0214-01-05", "yesterday"])})], "text")], 4, 4, "articles",
         _no_bad_date, lost_data=False),
    Case("report.txt in two folders", _two_report_txt, 2, 0),
    Case("folder, subfolder, parent", _same_files, 20, 0),
    Case("csv rows reordered", _rows_edit("id,text\n" + "".join(f",Fighting in {t}.\n" for t in ROWS3),
                                          "id,text\n" + "".join(f",Fighting in {t}.\n" for t in ROWS3[::-1]), ".csv"),
         3, 0),
    Case("csv first row removed", _rows_edit("text\n" + "".join(f"Fighting in {t}.\n" for t in ROWS3),
                                             "text\n" + "".join(f"Fighting in {t}.\n" for t in ROWS3[1:]), ".csv"),
         3, 0),
    Case("jsonl blank first line", _rows_edit("".join(json.dumps({"text": f"Fighting in {t}."}) + "\n" for t in ROWS3),
                                              "\n" + "".join(json.dumps({"text": f"Fighting in {t}."}) + "\n"
                                                             for t in ROWS3), ".jsonl"), 3, 0),
    Case("manifest title change", _manifest_change, 1, 0, "articles", _title_is_new),
]
NAME_ATTACKS = ["x\n  skipped: forged.txt: not ours.txt", "\x1b[2K\x1b[1Aansi.txt", "bidi\u202eexe.txt",
                "bell\x07.txt", "\x1b]0;title\x07osc.txt"]


def _run_case(root: Path, case: Case, tmp: Path) -> Tally:
    store = tmp / "store.gpkg"
    runs: list[Run] = []
    for paths, fmt in case.build(tmp):
        if fmt == "text:rewrite":
            paths[0].write_text((tmp / "first" / "after").read_text()) if isinstance(paths[0], Path) else None
            fmt = "text"
        elif fmt == "text:manifest":
            (tmp / "in" / "manifest.csv").write_text((tmp / "after").read_text())
            fmt = "text"
        runs.append(ingest(root, store, *paths, fmt=fmt))
    articles, events = counts(store)
    stored = events if case.measure == "events" else articles
    tally = Tally(tried=case.good + case.bad)
    crashed = any(r.traceback for r in runs)
    reported = sum(len(r.problem_lines) for r in runs)
    unreported_bad = max(0, case.bad - reported) if not crashed else case.bad
    if case.bad and case.lost_data and not any(r.code != 0 for r in runs):
        unreported_bad = case.bad  # lost rows must show in the exit code
    tally.lost = max(0, case.good - stored) + unreported_bad
    same_text = query(store, "SELECT count(*) - count(DISTINCT text) FROM articles")
    tally.duplicated = max(0, stored - case.good) + (same_text[0][0] if same_text else 0)
    problem = case.check(store, runs) if case.check else ""
    if problem:
        tally.lost += 1
        tally.notes.append(f"{case.name}: {problem}")
    clear = not crashed and not tally.lost and not tally.duplicated
    tally.answered = tally.tried if clear else max(0, tally.tried - tally.lost - tally.duplicated - (
        tally.tried if crashed else 0))
    if not clear:
        tally.notes.append(f"{case.name}: stored {stored}/{case.good}, reported {reported}, "
                           f"{'traceback' if crashed else 'exit ' + str([r.code for r in runs])}")
    return tally


def _run_names(root: Path, tmp: Path) -> Tally:
    tally = Tally()
    for i, name in enumerate(NAME_ATTACKS):
        folder = tmp / f"names{i}"
        _files(folder, {name: b"", "ok.txt": f"Fighting in Manbij {i}.\n".encode()})
        run = ingest(root, tmp / f"names{i}.gpkg", folder)
        tally.tried += 2
        leaked = any(c in run.out for c in "\x1b\x07\u202e") or len(run.out.strip().split("\n")) != 2
        tally.leaked += leaked
        lost = counts(tmp / f"names{i}.gpkg")[0] != 1 or run.traceback
        tally.lost += lost
        tally.answered += 2 if not (leaked or lost) else 0
        if leaked or lost:
            tally.notes.append(f"file name {name!r}: output {run.out[:120]!r}")
    return tally


def bad_input(root: Path) -> Tally:
    total = Tally()
    for case in CASES:
        with tempfile.TemporaryDirectory() as tmp:
            total.add(_run_case(root, case, Path(tmp)))
    with tempfile.TemporaryDirectory() as tmp:
        total.add(_run_names(root, Path(tmp)))
    return total


# ---------------------------------------------------------------------------------------
# kill -9 and concurrency
# ---------------------------------------------------------------------------------------


def _corpus(folder: Path, n: int, seed: int) -> None:
    sys.path.insert(0, str(ROOT))
    from benchmarks.corpus import write_corpus

    write_corpus(folder, n, seed=seed, per_file=50)


def _integrity(store: Path) -> str:
    with sqlite3.connect(store) as conn:
        ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
        bad = conn.execute("SELECT count(*) FROM articles a WHERE event_count != "
                           "(SELECT count(*) FROM events e WHERE e.article_id = a.article_id)").fetchone()[0]
    return "" if ok == "ok" and not bad else f"integrity {ok}, {bad} articles with wrong event counts"


def kill_loop(root: Path, kills: int, articles: int) -> Tally:
    tally = Tally()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        _corpus(tmp_path / "corpus", articles, seed=11)
        reference = tmp_path / "ref.gpkg"
        ingest(root, reference, tmp_path / "corpus")
        ref_events = set(query(reference, "SELECT event_id, article_id FROM events"))
        store = tmp_path / "killed.gpkg"
        rng = random.Random(5)
        env = dict(os.environ, PYTHONPATH=str(root))
        for _ in range(kills):
            proc = subprocess.Popen([sys.executable, "-m", "geo", "ingest", str(tmp_path / "corpus"), "--store",
                                     str(store), "-q"], cwd=root, env=env, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(1.0, 6.0))
            proc.kill()
            proc.wait()
            tally.tried += 1
            problem = _integrity(store) if store.exists() else ""
            if problem:
                tally.notes.append(f"after kill -9: {problem}")
            else:
                tally.answered += 1
        ingest(root, store, tmp_path / "corpus")
        events = set(query(store, "SELECT event_id, article_id FROM events"))
        tally.lost = len(ref_events - events)
        tally.duplicated = len(events - ref_events)
        if _integrity(store):
            tally.lost += 1
    return tally


def concurrent(root: Path, readers: int, articles: int) -> Tally:
    tally = Tally()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        _corpus(tmp_path / "w1", articles, seed=21)
        _corpus(tmp_path / "w2", articles, seed=22)
        store = tmp_path / "shared.gpkg"
        env = dict(os.environ, PYTHONPATH=str(root))
        ingest(root, store, tmp_path / "w1" / "corpus-0000.jsonl")  # the store exists before readers start

        def start(*args: str) -> subprocess.Popen[bytes]:
            return subprocess.Popen([sys.executable, "-m", "geo", *args], cwd=root, env=env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

        writers = [start("ingest", str(tmp_path / w), "--store", str(store), "-q") for w in ("w1", "w2")]
        reads = 0
        while any(w.poll() is None for w in writers):
            batch = [start("info", "--store", str(store)) if i % 2 else
                     start("export", "-o", os.devnull, "--format", "csv", "--store", str(store)) for i in range(readers)]
            for proc in batch:
                _, err = proc.communicate()
                reads += 1
                tally.tried += 1
                if proc.returncode == 0:
                    tally.answered += 1
                else:
                    tally.notes.append(f"reader failed: {err.decode(errors='replace')[-200:]}")
        for w in writers:
            _, err = w.communicate()
            tally.tried += 1
            if w.returncode == 0:
                tally.answered += 1
            else:
                tally.notes.append(f"writer failed: {err.decode(errors='replace')[-200:]}")
        reference = tmp_path / "ref.gpkg"
        ingest(root, reference, tmp_path / "w1", tmp_path / "w2")
        want = set(query(reference, "SELECT article_id, event_count FROM articles"))
        got = query(store, "SELECT article_id, event_count FROM articles")
        tally.lost = len(want - set(got))
        tally.duplicated = len(got) - len(set(got)) + len(set(got) - want)
        if _integrity(store):
            tally.lost += 1
    return tally


# ---------------------------------------------------------------------------------------
# Browser
# ---------------------------------------------------------------------------------------

PAYLOADS = [
    '<img src=x onerror="window.__xss=1">', "<script>window.__xss=2</script>", "![t](http://203.0.113.7/beacon.png)",
    "[click](javascript:window.__xss=3)", '<a href="javascript:window.__xss=4">x</a>', "**bold** _it_ `code`",
    '"><svg onload="window.__xss=5">', "<iframe src=http://203.0.113.7/f></iframe>",
    "<style>@import url(http://203.0.113.7/c.css)</style>", "=HYPERLINK(\"http://203.0.113.7\")",
    "![](http://203.0.113.7/x.png 'title')", "<link rel=stylesheet href=http://203.0.113.7/l.css>",
]


def _payload_store(store: Path) -> list[str]:
    sys.path.insert(0, str(ROOT))
    import datetime as dt

    from geo.models import Article, Event
    from geo.store import open_store

    ids = []
    with open_store(str(store)) as s:
        for i, payload in enumerate(PAYLOADS):
            aid = f"payload-{i}"
            text = f"Report {payload}\n\nShelling hit Daraa {payload} today."
            s.add_article(Article(article_id=aid, text=text, title=f"T {payload}", source=f"S {payload}",
                                  url=payload.replace(" ", "") if "http" in payload else f"http://203.0.113.7/{i}",
                                  published=dt.date(2014, 1, 4)),
                          [Event(event_id=f"{aid}-e", event_date=dt.date(2014, 1, 4), time_precision=1,
                                 event_type="Explosions/Remote violence",
                                 sub_event_type="Shelling/artillery/missile attack", actor1=f"A {payload}",
                                 actor2=f"B {payload}", country="Syria", admin1="Daraa", admin1_code="SY-DR",
                                 location=f"Daraa {payload}", latitude=32.62, longitude=36.10, geo_precision=1,
                                 fatalities=1, notes=f"N {payload}", article_id=aid, source=f"S {payload}")])
            ids.append(aid)
    return ids


def browser(wait_ms: int) -> Tally:
    sys.path.insert(0, str(ROOT / "tests" / "browser"))
    from browser_support import CHROMIUM, LAUNCH_ARGS, OfflinePage, Server
    from playwright.sync_api import sync_playwright

    tally = Tally()
    if not Path(CHROMIUM).exists():
        tally.notes.append(f"browser attack not run: {CHROMIUM} is absent")
        return tally
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        ids = _payload_store(tmp_path / "events.gpkg")
        server = Server(tmp_path / "events.gpkg", tmp_path)
        try:
            with sync_playwright() as p:
                chromium = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
                views = [("map", "/")] + [(aid, f"/?view=article&article={aid}") for aid in ids]
                for label, path in views:
                    page = OfflinePage(chromium)
                    try:
                        page.page.goto(server.url + path, wait_until="domcontentloaded", timeout=60_000)
                        page.page.wait_for_timeout(wait_ms)
                        xss = any(_xss_flag(f) for f in page.page.frames)
                        remote = [u for u in page.blocked if not re.match(r"^https?://(127\.0\.0\.1|localhost)", u)]
                        tally.tried += len(PAYLOADS) if label == "map" else 1
                        if xss or remote:
                            tally.leaked += 1
                            tally.notes.append(f"{label}: script ran={xss}, remote requests={remote[:3]}")
                        else:
                            tally.answered += len(PAYLOADS) if label == "map" else 1
                    finally:
                        page.close()
                chromium.close()
        finally:
            server.stop()
    return tally


def _xss_flag(frame) -> bool:  # type: ignore[no-untyped-def]
    try:
        return bool(frame.evaluate("() => window.__xss || 0"))
    except Exception:  # noqa: BLE001 - frames come and go while Streamlit renders
        return False


# ---------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="checkout whose `python -m geo` is attacked")
    parser.add_argument("--skip", nargs="*", default=[], choices=["bad-input", "kill", "concurrent", "browser"])
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--articles", type=int, default=300, help="corpus size of the kill and concurrency attacks")
    parser.add_argument("--readers", type=int, default=6)
    parser.add_argument("--wait-ms", type=int, default=6000, help="time each browser view gets to render")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    attacks: list[tuple[str, Callable[[], Tally]]] = [
        ("bad-input", lambda: bad_input(root)),
        ("kill", lambda: kill_loop(root, args.kills, args.articles)),
        ("concurrent", lambda: concurrent(root, args.readers, args.articles)),
        ("browser", lambda: browser(args.wait_ms)),
    ]
    total = Tally()
    print(f"reliability of {root}")
    for name, attack in attacks:
        if name in args.skip:
            continue
        started = time.monotonic()
        tally = attack()
        total.add(tally)
        print(tally.line(name) + f"   ({time.monotonic() - started:.0f} s)", flush=True)
        for note in tally.notes:
            print(f"    {note!r}" if any(c in note for c in "\x1b\x07\n") else f"    {note}")
    print(total.line("total"))
    return 0 if not (total.lost or total.duplicated or total.leaked) else 1


if __name__ == "__main__":
    raise SystemExit(main())
