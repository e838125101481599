"""Gazetteer import, load time, memory and geocoder lookups per second, with and without Who's On First.

    python -m benchmarks.bench_geocoder [--runs 5] [--wof PATH] [--baseline /work/wt/baseline]

Variants, measured in the same run, each in fresh child processes (cold imports included):

- ``baseline``: the baseline worktree (before this round), shipped gazetteer;
- ``shipped``: this tree, shipped gazetteer only (an empty GEO_GAZETTEER_DIR);
- ``wof``: this tree with WOF imported into a temporary GEO_GAZETTEER_DIR (``--wof``, default
  ../shared/gazetteer/whosonfirst-data-admin-sy; skipped when absent). Its import time is measured
  into a fresh folder each run; its load time both with the load cache the import leaves and
  without it ("cold", cache deleted).

Lookups use the same names in every variant: exact names (the shipped gazetteer's Syrian places),
variants (upper case with an "al-" article; and skeleton spellings), unknown made-up names; the
``wof`` variant also times names only WOF has. Medians of ``--runs``; ratios against ``shipped``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_WOF = ROOT.parent.parent / "shared" / "gazetteer" / "whosonfirst-data-admin-sy"

_LOAD = r"""
import json, resource, time
t0 = time.perf_counter()
try:
    from geo.gazetteer import LocalGeocoder, default_gazetteer
except ImportError:  # the baseline's flat layout
    from geo.gazetteer import default_gazetteer
    from geo.geocoder import LocalGeocoder
t1 = time.perf_counter()
g = default_gazetteer()
LocalGeocoder(g).geocode("Manbij")
t2 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "load_s": t2 - t1,
                  "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "places": len(g)}))
"""

_LOOKUPS = r"""
import json, statistics, sys, time
try:
    from geo.gazetteer import LocalGeocoder, default_gazetteer
except ImportError:
    from geo.gazetteer import default_gazetteer
    from geo.geocoder import LocalGeocoder
lists, runs = json.loads(sys.stdin.read())
geocoder = LocalGeocoder(default_gazetteer())
for names in lists.values():  # warm the caches a long-running process would have
    for n in names:
        geocoder.geocode(n)
out = {}
for label, names in lists.items():
    rates = []
    for _ in range(runs):
        t0 = time.perf_counter()
        for n in names:
            geocoder.geocode(n)
        rates.append(len(names) / (time.perf_counter() - t0))
    out[label] = round(statistics.median(rates))
print(json.dumps(out))
"""

_NAMES = r"""
import json, sys
from geo.gazetteer import Gazetteer
from geo.gazetteer.gazetteer import read_places_csv
from pathlib import Path
shipped = Gazetteer.load(with_imports=False)
exact = sorted({p.name for p in shipped.places if p.country_code == "SY" and p.kind == "populated_place"})
wof_only = []
if len(sys.argv) > 1:
    known = {n for p in shipped.places for n in Gazetteer.names_of(p)}
    wof_only = sorted({p.name for p in read_places_csv(Path(sys.argv[1])) if p.name not in known})[:2000]
print(json.dumps({"exact": exact, "wof_only": wof_only}))
"""


def _child(code: str, cwd: Path, env: dict[str, str], stdin: str = "", args: tuple[str, ...] = ()) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *args], input=stdin, capture_output=True, text=True, cwd=cwd,
                         env=env, check=True)
    return json.loads(out.stdout)


def _median(results: list[dict], key: str, digits: int = 3) -> float:
    return round(statistics.median(r[key] for r in results), digits)


def measure_load(cwd: Path, env: dict[str, str], runs: int, before_each=None) -> dict:  # type: ignore[no-untyped-def]
    results = []
    for _ in range(runs):
        if before_each:
            before_each()
        results.append(_child(_LOAD, cwd, env))
    return {"load_s_median": _median(results, "load_s"), "python_imports_s_median": _median(results, "import_s"),
            "max_rss_mb_median": _median(results, "maxrss_mb", 1), "places": results[0]["places"]}


def name_lists(env: dict[str, str], wof_csv: Path | None) -> dict[str, list[str]]:
    got = _child(_NAMES, ROOT, env, args=(str(wof_csv),) if wof_csv else ())
    exact = got["exact"]
    return {
        "exact": exact,
        "variant_normalised": [f"al-{n.upper()}" for n in exact],
        "variant_skeleton": ["Idleb", "Menbej", "Deir al-Zour", "Rakka", "Qamishly", "Boukamal", "Saraqeb",
                             "Jarabulus"] * 50,
        "unknown": [f"Xq{n}zz" for n in exact[:400]],
        "wof_only": got["wof_only"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--wof", type=Path, default=DEFAULT_WOF)
    parser.add_argument("--baseline", type=Path, default=ROOT.parent / "baseline")
    args = parser.parse_args(argv)
    base_env = {"PATH": "/usr/bin:/bin", "GEO_USER_GAZETTEER": "/nonexistent"}
    report: dict = {"runs": args.runs}
    with tempfile.TemporaryDirectory(prefix="bench-gaz-") as tmp:
        shipped_env = {**base_env, "GEO_GAZETTEER_DIR": str(Path(tmp) / "none")}
        variants: dict[str, tuple[Path, dict[str, str]]] = {}
        if args.baseline.is_dir():
            variants["baseline"] = (args.baseline, shipped_env)
        variants["shipped"] = (ROOT, shipped_env)
        wof_dir = Path(tmp) / "wof"
        if args.wof.is_dir():
            imports = []
            for i in range(max(1, min(args.runs, 3))):
                target = Path(tmp) / f"import-{i}"
                t0 = time.perf_counter()
                subprocess.run([sys.executable, "-m", "geo", "gazetteer", "import-wof", str(args.wof)], cwd=ROOT,
                               env={**base_env, "GEO_GAZETTEER_DIR": str(target)}, check=True, capture_output=True)
                imports.append(time.perf_counter() - t0)
                shutil.move(target, wof_dir) if i == 0 else shutil.rmtree(target)
            report["wof_import_s_median"] = round(statistics.median(imports), 2)
            variants["wof"] = (ROOT, {**base_env, "GEO_GAZETTEER_DIR": str(wof_dir)})
        lists = name_lists(shipped_env, wof_dir / "wof_SY.csv" if "wof" in variants else None)
        for label, (cwd, env) in variants.items():
            entry = measure_load(cwd, env, args.runs)
            use = {k: v for k, v in lists.items() if v and (k != "wof_only" or label == "wof")}
            entry["lookups_per_s"] = _child(_LOOKUPS, cwd, env, stdin=json.dumps([use, args.runs]))
            report[label] = entry
        if "wof" in variants:
            cache = wof_dir / ".index-cache.json"
            report["wof"]["cold_load_without_cache"] = measure_load(
                ROOT, variants["wof"][1], max(1, min(args.runs, 3)), before_each=lambda: cache.unlink(missing_ok=True))
    ref = report["shipped"]
    for label in ("baseline", "wof"):
        if label in report:
            report[label]["ratio_vs_shipped"] = {
                "load_s": round(report[label]["load_s_median"] / ref["load_s_median"], 2),
                "max_rss_mb": round(report[label]["max_rss_mb_median"] / ref["max_rss_mb_median"], 2),
                **{f"lookups_{k}": round(v / ref["lookups_per_s"][k], 2)
                   for k, v in report[label]["lookups_per_s"].items() if k in ref["lookups_per_s"]},
            }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
