"""Parallel ingest benchmark: articles per second, plain single-process ingest against the
Dask ingest with 1 and 2 workers, into a GeoPackage store in a temporary folder.

    python -m benchmarks.bench_parallel_ingest                        # 20,000 articles, 3 runs
    python -m benchmarks.bench_parallel_ingest --articles 2000 --runs 1   # a quick run

The corpus is built by benchmarks/corpus.py (real UCDP headlines and seed sentences,
seeded). Two measures per configuration, medians over ``--runs``:

* ``end_to_end``: ``python -m geo ingest CORPUS --store NEW.gpkg -q [--workers N]`` in a
  fresh process, as a user runs it: interpreter start, imports, gazetteer load, the
  cluster's start and stop, extraction, writes;
* ``warm``: in this process, with the extractor built (plain) or the cluster started and
  its workers' extractors built (Dask) beforehand, kept across runs: the steady rate of a
  long ingest.

The machine's 1-minute load average is recorded with each run: other work on a small
machine skews a run, which is why the medians are reported.

Every store is checked against the plain one: the same events, field by field.
Results are printed and written as JSON to benchmarks/results/bench_parallel_ingest.json.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.corpus import UCDP_CSV, write_corpus
from geo.ingest import ingest_paths
from geo.ingest.parallel import (
    build_extractor,
    dask_client,
    ingest_paths_parallel,
    worker_extractor,
)
from geo.store.gpkg import GpkgEventStore

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "bench_parallel_ingest.json"
_SUMMARY = re.compile(r"(\d+) articles read: (\d+) added.*?(\d+) events added")


def _rows(path: Path) -> list[tuple]:
    with GpkgEventStore(path) as s:
        return sorted(s.query_rows())


def _end_to_end(corpus: Path, store: Path, workers: int | None) -> dict[str, Any]:
    argv = [sys.executable, "-m", "geo", "ingest", str(corpus), "--store", str(store), "-q"]
    if workers:
        argv += ["--workers", str(workers)]
    started = time.perf_counter()
    proc = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    load = os.getloadavg()[0]
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    match = _SUMMARY.search(proc.stdout)
    if not match:
        raise RuntimeError(f"no summary in: {proc.stdout}")
    return {"seconds": seconds, "articles": int(match[1]), "added": int(match[2]), "events": int(match[3]),
            "load_1min": load}


def _warm_plain(corpus: Path, store: Path, extract: Any) -> dict[str, Any]:
    with GpkgEventStore(store) as s:
        started = time.perf_counter()
        summary = ingest_paths([corpus], s, extract, progress=False)
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "articles": summary.articles_read, "added": summary.added,
            "events": summary.events_added, "load_1min": os.getloadavg()[0]}


def _warm_dask(corpus: Path, store: Path, client: Any, batch_size: int) -> dict[str, Any]:
    with GpkgEventStore(store) as s:
        started = time.perf_counter()
        summary = ingest_paths_parallel([corpus], s, client=client, progress=False, batch_size=batch_size)
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "articles": summary.articles_read, "added": summary.added,
            "events": summary.events_added, "load_1min": os.getloadavg()[0]}


def _median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    seconds = statistics.median(r["seconds"] for r in runs)
    articles = runs[0]["articles"]
    return {
        "median_s": round(seconds, 2),
        "articles_per_s": round(articles / seconds, 1),
        "runs_s": [round(r["seconds"], 2) for r in runs],
        "load_1min": [round(r.get("load_1min", os.getloadavg()[0]), 2) for r in runs],
        "articles": articles,
        "events": runs[0]["events"],
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_parallel_ingest",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--mode", choices=("both", "end_to_end", "warm"), default="both")
    parser.add_argument("--json", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    results: dict[str, Any] = {
        "articles": args.articles,
        "runs": args.runs,
        "seed": args.seed,
        "batch_size": args.batch_size,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "corpus_source": "UCDP headlines + seed sentences" if UCDP_CSV.exists() else "seed sentences only",
    }
    with tempfile.TemporaryDirectory(prefix="bench-parallel-") as tmp_name:
        tmp = Path(tmp_name)
        started = time.perf_counter()
        corpus = tmp / "corpus"
        write_corpus(corpus, args.articles, args.seed)
        results["corpus_build_s"] = round(time.perf_counter() - started, 2)
        results["corpus_bytes"] = sum(p.stat().st_size for p in corpus.iterdir())
        print(f"corpus: {args.articles} articles, {results['corpus_bytes'] / 1e6:.1f} MB, "
              f"built in {results['corpus_build_s']} s", flush=True)
        configs: list[tuple[str, int | None]] = [("plain", None)] + [(f"dask_{n}", n) for n in args.workers]
        reference: list[tuple] | None = None

        def check(name: str, store: Path) -> None:
            nonlocal reference
            rows = _rows(store)
            if reference is None:
                reference = rows
            elif rows != reference:
                raise AssertionError(f"{name}: the events differ from the plain ingest's")

        if args.mode in ("both", "end_to_end"):
            e2e: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in configs}
            for run in range(args.runs):
                for name, workers in configs:  # interleaved, so drift hits every configuration alike
                    store = tmp / f"e2e-{name}-{run}.gpkg"
                    outcome = _end_to_end(corpus, store, workers)
                    e2e[name].append(outcome)
                    check(name, store)
                    print(f"end_to_end {name} run {run + 1}: {outcome['seconds']:.1f} s, "
                          f"{outcome['articles'] / outcome['seconds']:.0f} articles/s, {outcome['events']} events",
                          flush=True)
                    store.unlink()
            results["end_to_end"] = {name: _median(r) for name, r in e2e.items()}

        if args.mode in ("both", "warm"):
            warm: dict[str, list[dict[str, Any]]] = {}
            for name, workers in configs:
                warm[name] = []
                if workers is None:
                    extract = build_extractor(None)  # one extractor for every run, as a worker keeps its own
                    for run in range(args.runs):
                        store = tmp / f"warm-{name}-{run}.gpkg"
                        warm[name].append(_warm_plain(corpus, store, extract))
                        check(name, store)
                        store.unlink()
                else:
                    with dask_client(workers) as client:
                        client.run(worker_extractor, "geo.extract.pipeline:Geoparser")
                        for run in range(args.runs):
                            store = tmp / f"warm-{name}-{run}.gpkg"
                            warm[name].append(_warm_dask(corpus, store, client, args.batch_size))
                            check(name, store)
                            store.unlink()
                m = _median(warm[name])
                print(f"warm {name}: {m['median_s']} s, {m['articles_per_s']} articles/s", flush=True)
            results["warm"] = {name: _median(r) for name, r in warm.items()}

    for mode in ("end_to_end", "warm"):
        if mode not in results:
            continue
        base = results[mode]["plain"]["articles_per_s"]
        for name, row in results[mode].items():
            row["speedup_vs_plain"] = round(row["articles_per_s"] / base, 2)
    print(json.dumps({k: v for k, v in results.items() if k in ("end_to_end", "warm")}, indent=2))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
