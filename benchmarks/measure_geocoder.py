"""How often the geocoder is right on real names, with and without Who's On First.

    python -m benchmarks.measure_geocoder [--eval ../shared/eval/ucdp_syria_dev.csv]
        [--seed ../shared/seeds/000_595d2e33effc656f.txt] [--wof ../shared/gazetteer/whosonfirst-data-admin-sy]
        [--baseline /work/wt/baseline]

The name list is built at run time and never stored: the dev set's ``location`` column (UCDP's
place names as its coders spell them, "Kafr Zayta town" -> "Kafr Zayta"), one entry per distinct
(name, governorate), weighted by its number of events, with UCDP's coordinates as the truth; and the
capitalised names after "in/of/near/..." in the seed article, whose events are all in Syria.

Each gazetteer variant (the baseline worktree; this tree's shipped gazetteer; this tree with WOF
imported into a temporary GEO_GAZETTEER_DIR) answers the names in a child process, bare and with
the governorate as a hint. Reported, weighted by events: the share of events whose place resolved
to a town or district (precision 1-2), of those the share within 10 km and further than 25 km of
the truth, the share answered at governorate level (precision 3) and whether that governorate is
right, and how many distinct names resolved outside Syria. Seed: names resolved outside Syria.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from geopy.distance import great_circle

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent.parent / "shared" if (ROOT.parent.parent / "shared").is_dir() else ROOT.parent / "shared"
# Type words the geocoder does not read ("town", "city", "village", "governorate" it does: kept).
_TYPE_WORDS = re.compile(r"\s+(mountain|suburb|area|locality|camp|fields?|neighbou?rhood)$", re.IGNORECASE)
_SEED_NAME = re.compile(r"\b(?:in|of|near|from|at|to|outside|around)\s+((?:al-|Al-|el-)?[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*)")

_CHILD = r"""
import json, sys
try:
    from geo.gazetteer import LocalGeocoder
except ImportError:  # the baseline's flat layout
    from geo.geocoder import LocalGeocoder
g = LocalGeocoder()
for line in sys.stdin:
    q = json.loads(line)
    try:
        loc = g.geocode(q["name"], **q["hints"])
    except Exception as exc:  # a refused query counts as unresolved
        loc = None
    print(json.dumps(None if loc is None else {"lat": loc.latitude, "lon": loc.longitude,
          "precision": loc.raw.get("geo_precision"), "cc": loc.raw.get("country_code"),
          "admin1": loc.raw.get("admin1"), "kind": loc.raw.get("kind")}))
"""


def dev_names(path: Path) -> list[dict]:
    """(name, admin1, truth, weight) from the dev set's location column."""
    groups: dict[tuple[str, str], dict] = {}
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            name = _TYPE_WORDS.sub("", " ".join(row["location"].split())).strip()
            if not name:
                continue
            entry = groups.setdefault((name, row["admin1"]), {
                "name": name, "admin1": row["admin1"], "lat": float(row["latitude"]),
                "lon": float(row["longitude"]), "weight": 0})
            entry["weight"] += 1
    return list(groups.values())


def seed_names(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return sorted({m.group(1) for m in _SEED_NAME.finditer(text)})


def answer(worktree: Path, queries: list[dict], env: dict[str, str]) -> list[dict | None]:
    data = "".join(json.dumps(q) + "\n" for q in queries)
    out = subprocess.run([sys.executable, "-c", _CHILD], input=data, capture_output=True, text=True,
                         cwd=worktree, env=env, check=True)
    return [json.loads(line) for line in out.stdout.splitlines()]


def score(names: list[dict], answers: list[dict | None], misses: list[str]) -> dict:
    total = sum(n["weight"] for n in names)
    placed = near10 = far25 = gov = gov_right = 0
    foreign: Counter[str] = Counter()
    for n, a in zip(names, answers, strict=True):
        if a is None:
            misses.append(f"unresolved x{n['weight']}: {n['name']} ({n['admin1']})")
            continue
        if a["cc"] != "SY":
            foreign[n["name"]] += 1
        if a["precision"] in (1, 2):
            placed += n["weight"]
            km = great_circle((n["lat"], n["lon"]), (a["lat"], a["lon"])).km
            near10 += n["weight"] * (km <= 10)
            far25 += n["weight"] * (km > 25)
            if km > 25:
                misses.append(f"{km:.0f} km x{n['weight']}: {n['name']} ({n['admin1']}) -> {a}")
        else:
            gov += n["weight"]
            gov_right += n["weight"] * (a["admin1"] == n["admin1"])
    pct = lambda x, d: round(100.0 * x / d, 1) if d else None
    return {"events": total, "names": len(names), "placed_pct": pct(placed, total),
            "within_10km_pct_of_placed": pct(near10, placed), "over_25km_pct_of_placed": pct(far25, placed),
            "governorate_only_pct": pct(gov, total), "governorate_right_pct_of_those": pct(gov_right, gov),
            "names_resolved_abroad": len(foreign)}


def measure(label: str, worktree: Path, names: list[dict], seed: list[str], env: dict[str, str],
            show: bool = False) -> dict:
    bare = answer(worktree, [{"name": n["name"], "hints": {}} for n in names], env)
    hinted = answer(worktree, [{"name": n["name"], "hints": {"admin1": n["admin1"]}} for n in names], env)
    seed_answers = answer(worktree, [{"name": s, "hints": {}} for s in seed], env) if seed else []
    # A country named ("Iraq") is a right answer; a town or village abroad is not (the seed's events are in Syria).
    abroad = sorted(s for s, a in zip(seed, seed_answers, strict=True)
                    if a and a["cc"] != "SY" and a.get("kind") not in ("country", "admin1"))
    misses: dict[str, list[str]] = {"bare": [], "with_governorate": []}
    result = {"variant": label, "bare": score(names, bare, misses["bare"]),
              "with_governorate": score(names, hinted, misses["with_governorate"]),
              "seed_names": len(seed), "seed_towns_resolved_abroad": len(abroad)}
    if show:  # to the terminal only: the names are the dev set's, never stored
        for mode, lines in misses.items():
            for line in lines:
                print(f"  [{label} | {mode}] {line}", file=sys.stderr)
        print(f"  [{label}] seed names abroad: {abroad}", file=sys.stderr)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--eval", type=Path, default=SHARED / "eval" / "ucdp_syria_dev.csv")
    parser.add_argument("--seed", type=Path, default=SHARED / "seeds" / "000_595d2e33effc656f.txt")
    parser.add_argument("--wof", type=Path, default=SHARED / "gazetteer" / "whosonfirst-data-admin-sy")
    parser.add_argument("--baseline", type=Path, default=ROOT.parent / "baseline")
    parser.add_argument("--misses", action="store_true", help="print the misses to stderr (not stored)")
    parser.add_argument("--only", choices=["baseline", "shipped", "wof"], action="append",
                        help="measure only these variants (default: all)")
    args = parser.parse_args(argv)
    if not args.eval.exists():
        print(f"no dev set at {args.eval}: nothing to measure", file=sys.stderr)
        return 2
    names = dev_names(args.eval)
    seed = seed_names(args.seed) if args.seed.exists() else []
    base_env = {"PATH": "/usr/bin:/bin", "GEO_USER_GAZETTEER": "/nonexistent",
                "HOME": os.environ.get("HOME", "/tmp")}
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        empty = {**base_env, "GEO_GAZETTEER_DIR": str(Path(tmp) / "none")}
        only = set(args.only or ["baseline", "shipped", "wof"])
        if args.baseline.is_dir() and "baseline" in only:
            results.append(measure("baseline (shipped)", args.baseline, names, seed, empty, args.misses))
        if "shipped" in only:
            results.append(measure("this tree, shipped only", ROOT, names, seed, empty, args.misses))
        if args.wof.is_dir() and "wof" in only:
            wof_env = {**base_env, "GEO_GAZETTEER_DIR": str(Path(tmp) / "wof")}
            subprocess.run([sys.executable, "-m", "geo", "gazetteer", "import-wof", str(args.wof)], cwd=ROOT,
                           env=wof_env, check=True, capture_output=True)
            results.append(measure("this tree + WOF", ROOT, names, seed, wof_env, args.misses))
    for r in results:
        print(json.dumps(r))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
