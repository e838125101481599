"""Dashboard benchmark: the app in Chromium over stores of the seed article, 10k and 100k events,
against the stack's floor and the baseline dashboard, in the same run.

    python -m benchmarks.bench_app                              # seed, 10k, 100k; 3 runs each
    python -m benchmarks.bench_app --sizes seed 10000 --runs 5  # a quick run
    python -m benchmarks.bench_app --baseline ""                # without the before app

Three apps, each started fresh per run (``streamlit run``, cold caches) with a fresh browser
context and every non-local request blocked:

* ``after``: this tree's ``app.py``;
* ``before``: the baseline worktree's ``app.py`` (``--baseline``, default /work/wt/baseline; any
  earlier tree, with or without the details panel) over a store of the same events written by
  that tree's own code;
* ``floor``: ``benchmarks/floor_app.py``, a bare Streamlit page with one st_folium map and one
  marker on the same offline Leaflet: the stack's floor. Every run reports first render / floor.

Measured: first render (navigation -> settled markers on the Leaflet map); filter change (one
governorate picked -> markers changed); click -> details (first table row selected -> the event's
details shown: the details panel after, the "Selected:" line before); warm render; payload.
Medians over the runs go to benchmarks/results/bench_app.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

RESULTS = ROOT / "benchmarks" / "results"
STORES = RESULTS / "stores"
# The browser tests' harness: one way to start the app and Chromium, for tests and benchmark.
from tests.browser.browser_support import CHROMIUM, LAUNCH_ARGS, Server
from tests.browser.browser_support import LOCAL_PREFIXES as LOCAL

GOVERNORATES = ["Aleppo", "Idlib", "Homs", "Raqqa", "Daraa", "Hama", "Latakia"]
BASELINE = Path("/work/wt/baseline")
FLOOR_APP = ROOT / "benchmarks" / "floor_app.py"

# The probe runs every 20 ms while a measurement waits, in the page it measures: it must not
# cost the page (walking 10,000 clustered markers each time cost the page a quarter of a second
# per filter change). Our cluster layer reports its rows and events once indexed; a
# markercluster group's (the baseline's) markers are counted from its cluster tree (O(1)), and
# the events they stand for are summed again only when that count changed (loading chunks).
MARKERS_JS = """() => {
  const m = window.map; if (!m) { return null; }
  let n = 0, total = 0; const seen = new Set();
  const visit = (l) => {
    if (!l || seen.has(l)) { return; } seen.add(l);
    // a cluster group's markers and cluster icons on show also sit on the map: counted with the group
    if (l.__parent !== undefined || l._childClusters !== undefined) { return; }
    if (l.options && l.options.geoInCluster) { return; }
    // geomap.js's EventCluster (supercluster): its rows, once indexed and drawn
    if (l.eachMarker !== undefined) { if (l._index) { n += l._d.rows.length; total += l.total; } return; }
    // Leaflet.markercluster (the baseline's cluster group)
    if (l._needsClustering !== undefined) {
      const c = (l._topClusterLevel ? l._topClusterLevel.getChildCount() : 0) + (l._needsClustering || []).length;
      if (!l._probeMemo || l._probeMemo.n !== c) {
        let t = 0; l.getLayers().forEach((x) => { t += (x.options && x.options.geoCount) || 1; });
        l._probeMemo = {n: c, total: t};
      }
      n += c; total += l._probeMemo.total; return;
    }
    if (l.options && (l.options.geoKind === 'event' || l.options.geoKind === 'aggregate')) { n++; total += l.options.geoCount || 1; }
    if (l.getLayers) { l.getLayers().forEach(visit); }
  };
  m.eachLayer(visit);
  return [n, total];
}"""


# ------------------------------------------------------------------------------------------
# Stores


def _fresh(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _count(path: Path) -> int:
    import sqlite3

    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return int(con.execute("SELECT COUNT(*) FROM events").fetchone()[0])
        finally:
            con.close()
    except sqlite3.Error:
        return -1


def ensure_store(size: str, seed: int = 7, code: Path = ROOT) -> Path:
    """A GeoPackage written by the code in ``code`` (this tree or the baseline): the seed article
    through ``geo ingest`` (size "seed"), or n synthetic events (bench_store's filler, same seed,
    so both trees hold the same events). Kept in benchmarks/results/stores/ for the next run."""
    STORES.mkdir(parents=True, exist_ok=True)
    # (each before tree its own store, written by its own code; the default baseline keeps "before")
    tag = "after" if code == ROOT else ("before" if code == BASELINE else f"before-{code.name}")
    path = STORES / f"app-{tag}-{size}-{seed}.gpkg"
    if size == "seed":
        if _count(path) > 0:
            return path
        _fresh(path)
        cmd = [sys.executable, "-m", "geo", "ingest", str(code / "seeds"), "--store", str(path)]
    else:
        n = int(size)
        if _count(path) == n:
            return path
        _fresh(path)
        print(f"  filling a {tag} store of {n:,} events (once; kept in {STORES.relative_to(ROOT)})", file=sys.stderr)
        script = ("import sys; from benchmarks.bench_store import fill, load_places; "
                  "from geo.store import GpkgEventStore as S; s = S(sys.argv[1]); "
                  f"fill(s, {n}, 50_000, load_places(), {seed}, progress=False); s.close()")
        cmd = [sys.executable, "-c", script, str(path)]
    env = dict(os.environ, PYTHONPATH=str(code))
    subprocess.run(cmd, cwd=str(code), env=env, check=True, stdout=subprocess.DEVNULL)
    return path


def floor_root(tmp: Path) -> Path:
    """The floor app beside the same static/ and .streamlit/ as the dashboard (Streamlit serves
    static/ from the main script's folder)."""
    root = tmp / "floor"
    root.mkdir(exist_ok=True)
    shutil.copy(FLOOR_APP, root / "app.py")
    for name in ("static", ".streamlit"):
        if not (root / name).exists():
            (root / name).symlink_to(ROOT / name)
    return root


# ------------------------------------------------------------------------------------------
# Browser measurements


class Traffic:
    """Bytes received, from the Chrome DevTools Protocol's network events."""

    def __init__(self, page, context):
        self.http: dict[str, int] = {}
        self.urls: dict[str, str] = {}
        self.ws = 0
        self.cdp = context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.cdp.on("Network.responseReceived", lambda e: self.urls.__setitem__(e["requestId"], e["response"]["url"]))
        self.cdp.on("Network.loadingFinished", lambda e: self.http.__setitem__(e["requestId"], int(e["encodedDataLength"])))
        self.cdp.on("Network.webSocketFrameReceived", self._ws)

    def _ws(self, e: dict) -> None:
        data = e["response"].get("payloadData", "")
        # binary frames arrive base64-encoded (4 chars per 3 bytes)
        self.ws += len(data) * 3 // 4 if e["response"].get("opcode") == 2 else len(data.encode())

    def totals(self) -> dict[str, int]:
        streamlit_static = sum(
            n for rid, n in self.http.items() if "/static/" in self.urls.get(rid, "") and "/app/static/" not in self.urls.get(rid, "")
        )
        http = sum(self.http.values())
        return {"http": http, "websocket": self.ws, "total": http + self.ws, "streamlit_frontend": streamlit_static,
                "app": http + self.ws - streamlit_static}


def map_markers(page) -> tuple[int, int] | None:
    for frame in page.frames:
        try:
            r = frame.evaluate(MARKERS_JS)
        except Exception:  # noqa: BLE001, S112 - a frame without the map (or gone mid-call)
            continue
        if r is not None:
            return tuple(r)
    return None


def wait_for(page, predicate, timeout: float, start: float | None = None, settle: float = 0.6) -> tuple[float, Any]:
    """Seconds until the markers match ``predicate`` and then stop changing (the cluster layer adds
    markers in chunks), measured to the last change; and the settled (markers, events) pair."""
    t0 = time.perf_counter() if start is None else start
    last_value, last_change = None, None
    while time.perf_counter() - t0 < timeout:
        value = map_markers(page)
        now = time.perf_counter()
        if value != last_value:
            last_value, last_change = value, now
        elif value is not None and predicate(value) and now - last_change >= settle:
            return last_change - t0, value
        page.wait_for_timeout(20)
    raise TimeoutError(f"no settled markers matching within {timeout} s (last: {last_value})")


def _blocking_context(browser, blocked: list[str]):
    context = browser.new_context(viewport={"width": 1500, "height": 1100})

    def route(r):
        if r.request.url.startswith(LOCAL):
            return r.continue_()
        blocked.append(r.request.url)
        return r.abort()

    context.route("**/*", route)
    return context


def _filter_change(page, governorate: str, first: Any, timeout: float) -> float:
    box = page.locator('[data-testid="stMultiSelect"]').filter(has_text="Governorates")
    box.locator("input").click()
    page.keyboard.type(governorate)
    t1 = time.perf_counter()
    page.keyboard.press("Enter")
    seconds, _ = wait_for(page, lambda v: v != first, timeout, start=t1)
    page.keyboard.press("Escape")
    return seconds


def _click_details(page, root: Path, timeout: float) -> float | None:
    """First table row selected -> that event's details on the page: the details panel of a tree
    that has one (dashboard/event_panel.py), else the old "Selected:" line."""
    grid = page.locator('[data-testid="stDataFrame"]').last
    try:
        grid.wait_for(timeout=timeout * 1000)
    except Exception:  # noqa: BLE001 - no table (empty store)
        return None
    grid.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    box = grid.bounding_box()
    has_panel = (root / "dashboard" / "event_panel.py").is_file()
    shown = page.locator(".st-key-event_panel").get_by_text("Event id") if has_panel else page.get_by_text("Selected:")
    t0 = time.perf_counter()
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)
    shown.first.wait_for(timeout=timeout * 1000)
    return time.perf_counter() - t0


def one_run(browser, app: str, server_args: dict[str, Any], governorate: str, timeout: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        args = dict(server_args)
        if app == "floor":
            args["root"] = floor_root(Path(tmp))
            args["extra_env"] = {"PYTHONPATH": str(ROOT)}
        server = Server(tmp=Path(tmp), **args)
        blocked: list[str] = []
        out: dict[str, Any] = {}
        try:
            context = _blocking_context(browser, blocked)
            page = context.new_page()
            traffic = Traffic(page, context)
            t0 = time.perf_counter()
            page.goto(server.url + "/")
            out["first_render_s"], first = wait_for(page, lambda v: v[0] > 0, timeout, start=t0)
            if app != "floor":  # the rest of a first view follows the map (dashboard/map_page.py)
                try:
                    page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=timeout * 1000)
                except Exception:  # noqa: BLE001 - no table (empty store)
                    pass
            try:  # count the bytes once the page has loaded everything it asked for
                page.wait_for_load_state("networkidle", timeout=15_000)
            except Exception:  # noqa: BLE001
                page.wait_for_timeout(1_000)
            out["payload_bytes"] = traffic.totals()
            out["markers_first"], out["events_on_map_first"] = first
            if app != "floor":
                out["click_details_s"] = _click_details(page, Path(args.get("root") or ROOT), timeout)
                out["filter_change_s"] = _filter_change(page, governorate, first, timeout)
            context.close()
            context2 = _blocking_context(browser, blocked)
            page2 = context2.new_page()
            t2 = time.perf_counter()
            page2.goto(server.url + "/")
            out["warm_render_s"], _ = wait_for(page2, lambda v: v[0] > 0, timeout, start=t2)
            context2.close()
        finally:
            server.stop()
    out["blocked_requests"] = len(blocked)
    out["blocked_urls"] = sorted(set(blocked))[:5]  # what the app asked the internet for: a bug to fix
    return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in out.items()}


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    def med(key: str, sub: str | None = None) -> float | None:
        vals = [(r[key][sub] if sub else r[key]) for r in runs if r.get(key) is not None]
        return round(statistics.median(vals), 3) if vals else None

    return {
        "first_render_s": med("first_render_s"),
        "filter_change_s": med("filter_change_s"),
        "click_details_s": med("click_details_s"),
        "warm_render_s": med("warm_render_s"),
        "payload_mb": round((med("payload_bytes", "total") or 0) / 1e6, 2),
        "markers": runs[0]["markers_first"],
        "blocked_requests": max(r["blocked_requests"] for r in runs),
        "runs": runs,
    }


def _s(v: float | None) -> str:
    return "   -  " if v is None else f"{v:6.2f}"


def report(results: dict[str, Any]) -> str:
    lines = [
        f"bench_app: {results['machine']}, {results['runs']} runs per app and size (medians; same run)",
        (f"{'store':>8} {'app':>7} {'first':>7} {'/floor':>7} {'filter':>7} {'click->det':>10} {'warm':>7} "
         f"{'payload':>8} {'markers':>8} {'blocked':>7}"),
    ]
    for size, apps in results["sizes"].items():
        floor = (apps.get("floor") or {}).get("first_render_s")
        for app, r in apps.items():
            ratio = f"{r['first_render_s'] / floor:6.2f}x" if floor and r["first_render_s"] else "   -   "
            lines.append(f"{size:>8} {app:>7} {_s(r['first_render_s'])}s {ratio} {_s(r['filter_change_s'])}s "
                         f"{_s(r['click_details_s'])}s    {_s(r['warm_render_s'])}s {r['payload_mb']:6.2f}MB "
                         f"{r['markers']:>8,} {r['blocked_requests']:>7}")
    return "\n".join(lines)


def measure_size(browser, size: str, args: argparse.Namespace) -> dict[str, Any]:
    """The apps interleaved run by run (floor, after, before, floor, ...): load on the shared
    machine hits all of them alike."""
    apps = [a for a in args.apps if a != "before" or args.baseline]
    server_args: dict[str, dict[str, Any]] = {}
    for app in apps:
        if app == "before":
            base = Path(args.baseline)
            server_args[app] = {"store": ensure_store(size, code=base), "root": base}
        else:
            server_args[app] = {"store": ensure_store(size)}
    runs: dict[str, list[dict[str, Any]]] = {a: [] for a in apps}
    for i in range(args.runs):
        for app in apps:
            r = one_run(browser, app, server_args[app], GOVERNORATES[i % len(GOVERNORATES)], args.timeout)
            print(f"  {size} {app} run {i + 1}: first {r['first_render_s']} s, filter {r.get('filter_change_s')} s, "
                  f"click->details {r.get('click_details_s')} s", file=sys.stderr)
            runs[app].append(r)
    return {app: summarize(rs) for app, rs in runs.items()}


def main(argv: list[str] | None = None) -> int:
    import signal

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the Streamlit child on kill
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", nargs="+", default=["seed", "10000", "100000"],
                        help='"seed" (the seed article) or a number of synthetic events')
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--baseline", default=str(BASELINE), help="the before tree ('' to skip)")
    parser.add_argument("--apps", nargs="+", default=["floor", "after", "before"])
    parser.add_argument("--out", type=Path, default=RESULTS / "bench_app.json")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"bench_app: {CHROMIUM} is absent; install chromium (scripts/install_test_deps.sh)", file=sys.stderr)
        return 2
    from geo.webmap import assets as offline_assets

    if offline_assets.missing_assets():
        print("bench_app: map assets missing; run bash scripts/install_assets.sh", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    results: dict[str, Any] = {
        "machine": f"{platform.machine()} {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "runs": args.runs,
        "sizes": {},
    }
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            for size in args.sizes:
                results["sizes"][size] = measure_size(browser, size, args)
        finally:
            browser.close()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    print(report(results))
    print(f"(written to {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
