"""Extraction speed on one core: headlines per second (the dev set's headlines repeated) and
seed articles per second.

    python -m benchmarks.bench_extract [--repeat 10] [--runs 5] [--dev ../shared/eval/ucdp_syria_dev.csv]
        [--large 5] [--baseline ../baseline]

``--large MB`` also times one article of that many megabytes (many place mentions, one line):
extraction is linear in the text's length. ``--baseline DIR`` runs DIR's own bench_extract in the
same run and prints the headlines/s ratio: one baseline run (``--runs 1``) after each run of this
worktree, so that both see the same machine load (the machine is shared), then the ratio of the
medians and the median of the per-pair ratios. With GEO_GAZETTEER_DIR set, this worktree's run
uses the gazetteer imported there (Who's On First); the baseline has no imports.

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

DEFAULT_DEV = ROOT.parent / "shared" / "eval" / "ucdp_syria_dev.csv"
SEED = ROOT / "seeds" / "syria-rebels-isil-2014-01-05.txt"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dev", type=Path, default=DEFAULT_DEV)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--large", type=float, default=0.0, help="also time one article of this many MB")
    parser.add_argument("--baseline", type=Path, help="a worktree whose bench_extract runs in the same run")
    args = parser.parse_args(argv)

    from geo.dates import parse_published
    from geo.models import Article
    from geo.extract import Geoparser

    t0 = time.perf_counter()
    geoparser = Geoparser()
    startup = time.perf_counter() - t0
    if args.dev.exists():
        with open(args.dev, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        headlines = [Article(r["id"], r["text"], published=parse_published(r["published"])) for r in rows]
    else:  # without the dev set, the seed's sentences stand in as headlines (said in the report)
        print(f"bench_extract: no dev set at {args.dev}; timing the seed's sentences instead", file=sys.stderr)
        text = SEED.read_text(encoding="utf-8")
        headlines = [Article(str(i), line, published=dt.date(2014, 1, 5)) for i, line in enumerate(text.split(". "))]
    batch = headlines * args.repeat
    seed = Article("seed", SEED.read_text(encoding="utf-8"), published=dt.date(2014, 1, 5))

    def rate(items: list[Article]) -> float:
        geoparser._rank_cache.clear()
        start = time.perf_counter()
        events = 0
        for article in items:
            events += len(geoparser.extract(article).events)
        return len(items) / (time.perf_counter() - start)

    headline_rates, base_rates = [], []
    for _ in range(args.runs):
        headline_rates.append(rate(batch))
        if args.baseline:
            base_rates.append(_baseline_rate(args.baseline, args.dev, args.repeat))
    seed_rates = [rate([seed] * 50) for _ in range(args.runs)]
    report = {
        "startup_s": round(startup, 3),
        "headlines": len(batch),
        "headlines_from": str(args.dev) if args.dev.exists() else "seed sentences",
        "headlines_per_s_median": round(statistics.median(headline_rates)),
        "headlines_per_s_runs": [round(r) for r in headline_rates],
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
        base = statistics.median(base_rates)
        report["baseline_headlines_per_s_median"] = round(base)
        report["baseline_headlines_per_s_runs"] = [round(r) for r in base_rates]
        report["speedup_headlines"] = round(statistics.median(headline_rates) / base, 2)
        report["speedup_headlines_paired_median"] = round(
            statistics.median(ours / theirs for ours, theirs in zip(headline_rates, base_rates)), 2)
    print(json.dumps(report, indent=2))
    return 0


def _baseline_rate(directory: Path, dev: Path, repeat: int) -> float:
    """One headlines/s run of the bench_extract in ``directory`` (its own code, no imports)."""
    out = subprocess.run([sys.executable, "-m", "benchmarks.bench_extract", "--dev", str(dev.resolve()),
                          "--repeat", str(repeat), "--runs", "1"],
                         cwd=directory, capture_output=True, text=True, check=True,
                         env={k: v for k, v in os.environ.items() if k != "GEO_GAZETTEER_DIR"})
    return float(json.loads(out.stdout)["headlines_per_s_runs"][0])


if __name__ == "__main__":
    raise SystemExit(main())
