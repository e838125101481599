"""Map benchmark: build + render time and payload of the dashboard map at 10k and 100k events,
this tree (geo.webmap) against the baseline tree (old geo/mapping.py) and the floor (a bare map
with one marker), all in the same run.

    python -m benchmarks.bench_map                                   # 10k, 100k; 5 runs
    python -m benchmarks.bench_map --sizes 10000 --runs 3 --browser   # also time Chromium

Each variant runs in its own Python process (the two trees both name their package ``geo``),
from its own folder, on the same synthetic events (seeded; real governorates, 20% known only to
the governorate). Per run it measures what one Streamlit rerun of the map costs on the server:

* build: ``build_event_layers`` + ``build_base_map`` (the basemap data is cached by the app and
  built once, outside the timing);
* render: the strings streamlit-folium makes of them (``_get_map_string`` of the base map and
  ``_get_feature_group_string`` of each event group, the component's arguments);
* payload: the size of those strings plus the page header (bytes sent on each rerun).

With ``--browser``, each variant's standalone page is also opened in Chromium (network cut,
local assets) and timed from navigation to the first event marker (median of the runs).
Medians and ratios to the baseline are printed and written to benchmarks/results/bench_map.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BASELINE = Path(os.environ.get("GEO_BASELINE_TREE", "/work/wt/baseline"))
RESULTS = ROOT / "benchmarks" / "results" / "bench_map.json"

# Runs inside each tree's own process: {module} is the map module of that tree.
WORKER = r'''
import datetime as dt, json, statistics, sys, time
import numpy as np, pandas as pd, geopandas as gpd, folium
from streamlit_folium import _get_feature_group_string, _get_header, _get_html, _get_map_string
import {module} as mapping
import {assets} as offline_assets
offline_assets.install()  # local Leaflet for every variant (the floor too)
from geo.models import EVENT_FIELDS, EVENT_TYPES, SYRIA_GOVERNORATES

args = json.loads(sys.argv[1])

def synthetic(n, seed=0, province_share=0.2):
    rng = np.random.default_rng(seed)
    types, govs = list(EVENT_TYPES), list(SYRIA_GOVERNORATES)
    ti, gi = rng.integers(0, len(types), n), rng.integers(0, len(govs), n)
    gp = np.where(rng.random(n) < province_share, 3, rng.choice([1, 1, 2], n))
    return pd.DataFrame({{
        "event_id": [f"s{{i}}" for i in range(n)],
        "event_date": [dt.date(2013, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 3000, n)],
        "time_precision": 1, "event_type": [types[i] for i in ti],
        "sub_event_type": [EVENT_TYPES[types[i]][0] for i in ti], "actor1": "A", "actor2": "", "country": "Syria",
        "admin1": [govs[i] for i in gi], "admin1_code": [SYRIA_GOVERNORATES[govs[i]] for i in gi],
        "location": [f"Town {{i % 997}}" for i in range(n)], "latitude": np.round(33 + rng.random(n) * 4, 3),
        "longitude": np.round(36 + rng.random(n) * 5, 3), "geo_precision": gp, "fatalities": rng.integers(0, 5, n),
        "notes": "Fighting was reported.", "article_id": "synthetic", "source": "synthetic",
        "sentence_start": None, "sentence_end": None, "place_start": None, "place_end": None, "place_id": "",
        "confidence": 0.5,
    }}, columns=list(EVENT_FIELDS))

def rerun(df, basemap, floor):
    t0 = time.perf_counter()
    if floor:
        base = folium.Map(location=[35.0, 38.6], zoom_start=7, tiles=None, maxZoom=18)
        folium.Marker([35.0, 38.6]).add_to(base)
        groups = []
    else:
        groups, _ = mapping.build_event_layers(df, basemap)
        base = mapping.build_base_map(basemap)
    t1 = time.perf_counter()
    parts = [_get_header(base), _get_html(base), _get_map_string(base)]
    parts += [_get_feature_group_string(g, map=base, idx=i) for i, g in enumerate(groups)]
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1, sum(len(p.encode()) for p in parts)

admin1 = gpd.read_file("data/gazetteer/admin1.geojson")
places = pd.read_csv("data/gazetteer/places.csv")
basemap = None if args["floor"] else mapping.basemap_data(admin1, places)
out = {{}}
for n in args["sizes"]:
    df = synthetic(n)
    rerun(df, basemap, args["floor"])  # warm imports and caches
    runs = [rerun(df, basemap, args["floor"]) for _ in range(args["runs"])]
    out[str(n)] = {{"build_s": statistics.median(r[0] for r in runs), "render_s": statistics.median(r[1] for r in runs),
                   "total_s": statistics.median(r[0] + r[1] for r in runs), "payload_bytes": runs[0][2]}}
    if args.get("page_dir"):
        if args["floor"]:
            m = folium.Map(location=[35.0, 38.6], zoom_start=7, tiles=None, maxZoom=18)
            folium.Marker([35.0, 38.6]).add_to(m)
        else:
            m, _ = mapping.build_map(df, basemap)
        path = f"{{args['page_dir']}}/{{args['name']}}_{{n}}.html"
        m.save(path)
        out[str(n)]["page"] = path
print(json.dumps(out))
'''

VARIANTS = {
    # name: (tree, module, floor?, CSS selector of the first event marker)
    "floor": (ROOT, "geo.webmap.layers", True, ".leaflet-marker-icon"),
    "baseline": (BASELINE, "geo.mapping", False, ".marker-cluster"),
    "webmap": (ROOT, "geo.webmap.layers", False, ".geo-cluster"),
}
ASSETS = {"floor": "geo.webmap.assets", "baseline": "geo.offline_assets", "webmap": "geo.webmap.assets"
}


def run_variant(name: str, sizes: list[int], runs: int, page_dir: str | None) -> dict[str, Any]:
    tree, module, floor, _ = VARIANTS[name]
    env = dict(os.environ, PYTHONPATH=str(tree), GEO_ASSET_BASE_URL="static/vendor")
    payload = json.dumps({"sizes": sizes, "runs": runs, "floor": floor, "page_dir": page_dir, "name": name})
    proc = subprocess.run([sys.executable, "-c", WORKER.format(module=module, assets=ASSETS[name]), payload], cwd=tree, env=env,
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{name}: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def browser_times(pages: dict[str, dict[str, Any]], page_dir: Path, runs: int) -> dict[str, dict[str, float]]:
    """Navigation -> first event marker, per variant and size, in Chromium with the network cut."""
    import functools
    import http.server
    import threading
    import time

    from playwright.sync_api import sync_playwright

    from tests.browser.browser_support import CHROMIUM, LAUNCH_ARGS

    (page_dir / "static").symlink_to(ROOT / "static")
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(page_dir))
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{srv.server_address[1]}"
    out: dict[str, dict[str, float]] = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
            for _ in range(runs):
                for name, sizes in pages.items():
                    for n, page_path in sizes.items():
                        ctx = browser.new_context()  # cold HTTP cache each time
                        ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith(base) else r.abort())
                        page = ctx.new_page()
                        t0 = time.perf_counter()
                        page.goto(f"{base}/{Path(page_path).name}")
                        page.wait_for_selector(VARIANTS[name][3], state="attached", timeout=120_000)
                        out.setdefault(name, {}).setdefault(n, []).append(time.perf_counter() - t0)  # type: ignore[arg-type]
                        ctx.close()
            browser.close()
    finally:
        srv.shutdown()
    return {k: {n: statistics.median(v) for n, v in d.items()} for k, d in out.items()}  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--browser", action="store_true", help="also time the standalone pages in Chromium")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if not (BASELINE / "geo" / "mapping.py").exists():
        print(f"bench_map: no baseline tree at {BASELINE} (set GEO_BASELINE_TREE)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        page_dir = tmp if args.browser else None
        results = {name: run_variant(name, args.sizes, args.runs, page_dir) for name in VARIANTS}
        if args.browser:
            pages = {name: {n: r["page"] for n, r in res.items()} for name, res in results.items()}
            for name, times in browser_times(pages, Path(tmp), max(1, args.runs)).items():
                for n, t in times.items():
                    results[name][n]["browser_s"] = t
    report: dict[str, Any] = {"machine": f"{platform.machine()} {os.cpu_count()} CPUs, Python {platform.python_version()}",
                              "runs": args.runs, "results": results}
    print(f"{'size':>8} {'variant':>9} {'build s':>8} {'render s':>9} {'total s':>8} {'payload kB':>11} "
          f"{'vs base':>8} {'vs floor':>9}" + (f" {'browser s':>10}" if args.browser else ""))
    for n in map(str, args.sizes):
        for name in VARIANTS:
            r = results[name][n]
            r.pop("page", None)
            ratio = r["total_s"] / results["baseline"][n]["total_s"]
            floor = r["total_s"] / results["floor"][n]["total_s"]
            r["ratio_to_baseline"], r["ratio_to_floor"] = round(ratio, 3), round(floor, 3)
            line = (f"{n:>8} {name:>9} {r['build_s']:8.3f} {r['render_s']:9.3f} {r['total_s']:8.3f} "
                    f"{r['payload_bytes'] / 1e3:11.1f} {ratio:8.2f} {floor:9.1f}")
            if "browser_s" in r:
                line += f" {r['browser_s']:10.2f}"
            print(line)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
