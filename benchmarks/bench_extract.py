"""Extraction speed on one core: headlines per second (the dev set's headlines repeated) and
seed articles per second.

    python -m benchmarks.bench_extract [--repeat 10] [--runs 5] [--dev ../shared/eval/ucdp_syria_dev.csv]
        [--large 5] [--baseline ../baseline]

``--large MB`` also times one article of that many megabytes (many place mentions, one line):
extraction is linear in the text's length.

``--baseline DIR`` times DIR's code in the same run with this file's own timing loop, in a worker
process started in DIR (so DIR's ``geo`` is imported: ``geo.extract.Geoparser``, or
``geo.pipeline.Geoparser`` in the old flat layout). Runs are paired, one of this worktree and one
of the baseline over the same headlines, so that each pair sees the same machine load (the
machine is shared); both time warm runs (one untimed pass over the headlines first). Within a
pair the two take turns by slices (``--slices``, 10 by default): this worktree times the first
tenth of the run's headlines, then the baseline the same tenth, and so on, each run's rate being
its headlines over the sum of its slices' times (the worker times its own slices; the hand-over
between the processes is not timed). A pair so spans the same seconds of load, where whole runs
one after the other (``--slices 1``, as before) spanned different ones. It prints the ratio of
the medians and the median of the per-pair ratios, for wall-clock time and for CPU time
(``time.process_time``: what the process itself spent, which other processes' load disturbs
less than the wall clock). Many short runs (``--runs 15 --repeat 2``) pair better than a few
long ones. With GEO_GAZETTEER_DIR set, this worktree's run uses the gazetteer imported there
(Who's On First); the baseline has no imports unless ``--baseline-imports``.

The pipeline's per-name resolution cache is cleared before every run so that repeated
headlines are not answered from it (the name-key cache, which any long-running process keeps,
stays warm).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# ../shared next to the project, or next to the folder of its git worktrees (/work/wt/<name>).
DEV_CANDIDATES = [base / "shared" / "eval" / "ucdp_syria_dev.csv" for base in (ROOT.parent, ROOT.parent.parent)]
DEFAULT_DEV = next((p for p in DEV_CANDIDATES if p.exists()), DEV_CANDIDATES[0])
SEED = ROOT / "seeds" / "syria-rebels-isil-2014-01-05.txt"


def _geoparser_class():
    try:
        from geo.extract import Geoparser
    except ImportError:  # the flat layout before geo/extract/ (the baseline commit)
        from geo.pipeline import Geoparser
    return Geoparser


def _headlines(dev: Path) -> list:
    from geo.dates import parse_published
    from geo.models import Article

    if dev.exists():
        with open(dev, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        return [Article(r["id"], r["text"], published=parse_published(r["published"])) for r in rows]
    # Without the dev set, the seed's sentences stand in as headlines (said in the report).
    print(f"bench_extract: no dev set at {dev}; timing the seed's sentences instead", file=sys.stderr)
    text = SEED.read_text(encoding="utf-8")
    return [Article(str(i), line, published=dt.date(2014, 1, 5)) for i, line in enumerate(text.split(". "))]


def _clear(geoparser) -> None:
    """Empty the per-name resolution caches (older trees have only _rank_cache, no clear_caches)."""
    (getattr(geoparser, "clear_caches", None) or geoparser._rank_cache.clear)()


def _time(geoparser, items: list) -> tuple[float, float]:
    """(wall-clock seconds, CPU seconds) to extract ``items``, caches as they are."""
    wall, cpu = time.perf_counter(), time.process_time()
    for article in items:
        geoparser.extract(article)
    return time.perf_counter() - wall, time.process_time() - cpu


def _rate(geoparser, items: list) -> tuple[float, float]:
    """(items per wall-clock second, items per CPU second) for one pass over ``items``."""
    _clear(geoparser)
    wall, cpu = _time(geoparser, items)
    return len(items) / wall, len(items) / cpu


def _slices(count: int, parts: int) -> list[tuple[int, int]]:
    """``parts`` consecutive (start, end) ranges covering ``count`` items, as even as can be."""
    parts = max(1, min(parts, count))
    bounds = [count * i // parts for i in range(parts + 1)]
    return list(zip(bounds, bounds[1:]))


def worker(dev: str, repeat: int) -> None:
    """The baseline side: load the code in the current folder, warm up, then answer each line
    read on stdin with one JSON line: "clear" empties the per-name caches (a run's start);
    "START END" times headlines[START:END] of the run (wall and CPU seconds)."""
    geoparser = _geoparser_class()()
    headlines = _headlines(Path(dev))
    _rate(geoparser, headlines)  # warm-up, as in the main process: name-key caches filled once
    batch = headlines * repeat
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        if line.strip() == "clear":
            _clear(geoparser)
            print(json.dumps({"cleared": True}), flush=True)
            continue
        start, end = map(int, line.split())
        wall, cpu = _time(geoparser, batch[start:end])
        print(json.dumps({"wall": wall, "cpu": cpu}), flush=True)


class _Baseline:
    """A worker process running :func:`worker` in the baseline's folder (its own ``geo``)."""

    def __init__(self, directory: Path, dev: Path, repeat: int, imports: bool) -> None:
        code = ("import sys, importlib.util as u; sys.path.insert(0, ''); "
                f"s = u.spec_from_file_location('bench_extract_worker', {str(Path(__file__).resolve())!r}); "
                "m = u.module_from_spec(s); s.loader.exec_module(m); "
                f"m.worker({str(dev.resolve())!r}, {repeat})")
        env = {k: v for k, v in os.environ.items() if imports or k != "GEO_GAZETTEER_DIR"}
        self.proc = subprocess.Popen([sys.executable, "-c", code], cwd=directory, env=env, text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self._read()  # loaded and warm

    def _read(self) -> dict:
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"baseline worker ended (exit code {self.proc.wait()})")
        return json.loads(line)

    def _ask(self, line: str) -> dict:
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return self._read()

    def clear(self) -> None:
        self._ask("clear")

    def time(self, start: int, end: int) -> tuple[float, float]:
        """(wall, CPU) seconds the baseline took for headlines[start:end] of a run."""
        result = self._ask(f"{start} {end}")
        return result["wall"], result["cpu"]

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dev", type=Path, default=DEFAULT_DEV)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--large", type=float, default=0.0, help="also time one article of this many MB")
    parser.add_argument("--baseline", type=Path, help="a worktree whose code is timed in the same run")
    parser.add_argument("--baseline-imports", action="store_true",
                        help="the baseline also loads the imports in GEO_GAZETTEER_DIR")
    parser.add_argument("--slices", type=int, default=10,
                        help="with --baseline: the two take turns by this many slices of each run")
    args = parser.parse_args(argv)
    if args.dev != DEFAULT_DEV and not args.dev.exists():
        # A path given but wrong: never time something else in its place.
        parser.error(f"no dev set at {args.dev}" + (f" (there is one at {DEFAULT_DEV})" if DEFAULT_DEV.exists() else ""))

    from geo.models import Article

    t0 = time.perf_counter()
    geoparser = _geoparser_class()()
    startup = time.perf_counter() - t0
    headlines = _headlines(args.dev)
    batch = headlines * args.repeat
    seed = Article("seed", SEED.read_text(encoding="utf-8"), published=dt.date(2014, 1, 5))

    _rate(geoparser, headlines)  # warm-up (untimed), as the baseline worker does
    baseline = _Baseline(args.baseline, args.dev, args.repeat, args.baseline_imports) if args.baseline else None
    ours, base = [], []
    slices = _slices(len(batch), args.slices) if baseline is not None else [(0, len(batch))]
    for _ in range(args.runs):  # paired runs, taking turns by slices: each pair sees the same load
        _clear(geoparser)
        if baseline is not None:
            baseline.clear()
        mine, theirs = [0.0, 0.0], [0.0, 0.0]
        for start, end in slices:
            wall, cpu = _time(geoparser, batch[start:end])
            mine[0] += wall
            mine[1] += cpu
            if baseline is not None:
                wall, cpu = baseline.time(start, end)
                theirs[0] += wall
                theirs[1] += cpu
        ours.append((len(batch) / mine[0], len(batch) / mine[1]))
        if baseline is not None:
            base.append((len(batch) / theirs[0], len(batch) / theirs[1]))
    if baseline is not None:
        baseline.close()
    seed_rates = [_rate(geoparser, [seed] * 50)[0] for _ in range(args.runs)]
    report = {
        "startup_s": round(startup, 3),
        "headlines": len(batch),
        "headlines_from": str(args.dev) if args.dev.exists() else "seed sentences",
        "headlines_per_s_median": round(statistics.median(w for w, _ in ours)),
        "headlines_per_s_runs": [round(w) for w, _ in ours],
        "headlines_per_cpu_s_median": round(statistics.median(c for _, c in ours)),
        "slices_per_run": len(slices),
        "seed_articles_per_s_median": round(statistics.median(seed_rates), 1),
        "seed_chars": len(seed.text),
        "gazetteer_places": len(geoparser.gazetteer),
    }
    if args.large:
        unit = ("Rebels clashed with government forces in Saraqib and Aleppo on Friday, killing 5 people. "
                "Russian warplanes struck Idlib, Maarat al-Numan and the village of Kafr Nubl near Hama. ")
        text = unit * int(args.large * 1e6 / len(unit))
        start = time.perf_counter()
        result = geoparser.extract_text(text, published=dt.date(2014, 1, 5))
        report["large_mb"] = round(len(text) / 1e6, 2)
        report["large_s"] = round(time.perf_counter() - start, 2)
        report["large_mentions"] = len(result.mentions)
    if args.baseline:
        for i, label in ((0, ""), (1, "_cpu")):
            mine, theirs = [r[i] for r in ours], [r[i] for r in base]
            report[f"baseline_headlines_per{label}_s_median"] = round(statistics.median(theirs))
            report[f"baseline_headlines_per{label}_s_runs"] = [round(r) for r in theirs]
            report[f"speedup_headlines{label}"] = round(statistics.median(mine) / statistics.median(theirs), 2)
            report[f"speedup_headlines{label}_paired_median"] = round(
                statistics.median(a / b for a, b in zip(mine, theirs)), 2)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
