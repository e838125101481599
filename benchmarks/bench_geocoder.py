"""Gazetteer load time and memory, and geocoder lookups per second on a warm index.

    python -m benchmarks.bench_geocoder [--runs 5]

Load time and memory are measured in a fresh interpreter each run (cold imports included).
Lookups: exact names, normalised variants (case, diacritics, articles), skeleton variants and
unknown names, each timed over all the gazetteer's Syrian names; the baseline is a naive linear
scan comparing name_key against every name, run in the same process.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_LOAD_SNIPPET = """
import resource, time, json
t0 = time.perf_counter()
from geo.gazetteer import Gazetteer
from geo.gazetteer import LocalGeocoder
g = Gazetteer.load()
LocalGeocoder(g).geocode("Manbij")
t1 = time.perf_counter()
print(json.dumps({"load_s": t1 - t0, "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "places": len(g)}))
"""


def measure_load(runs: int) -> dict:
    results = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", _LOAD_SNIPPET], capture_output=True, text=True, cwd=ROOT,
                             check=True, env={"GEO_USER_GAZETTEER": "/nonexistent", "PATH": "/usr/bin:/bin"})
        results.append(json.loads(out.stdout))
    return {"load_s_median": round(statistics.median(r["load_s"] for r in results), 3),
            "max_rss_mb_median": round(statistics.median(r["maxrss_mb"] for r in results), 1),
            "places": results[0]["places"]}


def _rate(fn, names: list[str], runs: int) -> float:
    rates = []
    for _ in range(runs):
        t0 = time.perf_counter()
        for name in names:
            fn(name)
        rates.append(len(names) / (time.perf_counter() - t0))
    return statistics.median(rates)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)

    from geo.gazetteer import default_gazetteer
    from geo.gazetteer import LocalGeocoder
    from geo.gazetteer import name_key

    load = measure_load(args.runs)
    gaz = default_gazetteer()
    geocoder = LocalGeocoder(gaz)
    syrian = [p for p in gaz.places if p.country_code == "SY"]
    exact = [p.name for p in syrian]
    normalised = [("al-" + n.upper()) for n in exact]  # case + an article
    variants = ["Idleb", "Menbej", "Deir al-Zour", "Rakka", "Qamishly", "Boukamal", "Saraqeb", "Jarabulus"] * 50
    unknown = [f"Xq{n}zz" for n in exact[:400]]
    # Warm the caches that a long-running process would have.
    for name in exact + normalised:
        geocoder.geocode(name)

    def naive(name: str) -> object:
        key = name_key(name)
        return next((p for p in gaz.places for n in gaz.names_of(p) if name_key(n) == key), None)

    naive_sample = exact[:200]
    report = {
        **load,
        "lookups_per_s": {
            "exact": round(_rate(geocoder.geocode, exact, args.runs)),
            "normalised": round(_rate(geocoder.geocode, normalised, args.runs)),
            "skeleton_variants": round(_rate(geocoder.geocode, variants, args.runs)),
            "unknown_names_fuzzy": round(_rate(geocoder.geocode, unknown, args.runs)),
            "naive_linear_scan_baseline": round(_rate(naive, naive_sample, 1)),
        },
    }
    report["speedup_exact_vs_naive"] = round(report["lookups_per_s"]["exact"] / report["lookups_per_s"]["naive_linear_scan_baseline"], 1)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
