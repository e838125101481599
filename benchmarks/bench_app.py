"""Dashboard benchmark: the app in Chromium over stores of 10k, 100k and 1M events.

    python -m benchmarks.bench_app                          # 10k, 100k, 1M; 3 runs each
    python -m benchmarks.bench_app --sizes 10000 --runs 5   # a quick run

For each store size, each run starts a fresh ``streamlit run app.py`` (cold Streamlit caches) and
a fresh browser context (cold HTTP cache), with every non-local request blocked, and measures:

* first render: from navigation to the first event markers on the Leaflet map (read through
  Leaflet inside the st_folium iframe, as the browser tests do);
* filter change: from picking one governorate in the sidebar to the map's markers changing
  (a different governorate in each run, so the server's caches do not answer);
* warm render: a second page load on the same server (Streamlit's caches warm);
* payload: bytes received for the first render, from Chromium's network log (encoded HTTP
  bodies and headers, and WebSocket frames), split into Streamlit's own frontend and the rest.

Medians over the runs are printed and written to benchmarks/results/bench_app.json. Stores are
filled with ``benchmarks.bench_store``'s synthetic filler (real places, ten years, all types) and
kept in benchmarks/results/stores/ for the next run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

RESULTS = ROOT / "benchmarks" / "results"
STORES = RESULTS / "stores"
# The browser tests' harness: one way to start the app and Chromium, for tests and benchmark.
from tests.browser.browser_support import CHROMIUM, LAUNCH_ARGS, Server  # noqa: E402
from tests.browser.browser_support import LOCAL_PREFIXES as LOCAL  # noqa: E402
GOVERNORATES = ["Aleppo", "Idlib", "Homs", "Raqqa", "Daraa", "Hama", "Latakia"]

MARKERS_JS = """() => {
  const m = window.map; if (!m) { return null; }
  let n = 0, total = 0; const seen = new Set();
  const visit = (l) => {
    if (!l || seen.has(l)) { return; } seen.add(l);
    if (l.options && (l.options.geoKind === 'event' || l.options.geoKind === 'aggregate')) { n++; total += l.options.geoCount || 1; }
    if (l.getLayers) { l.getLayers().forEach(visit); }
  };
  m.eachLayer(visit);
  return [n, total];
}"""


# ------------------------------------------------------------------------------------------
# Stores


def ensure_store(n: int, seed: int = 7) -> Path:
    """A GeoPackage with n synthetic events (bench_store's filler), reused between runs."""
    from benchmarks.bench_store import fill, load_places
    from geo.store.gpkg import EventFilter, GpkgEventStore

    STORES.mkdir(parents=True, exist_ok=True)
    path = STORES / f"app-{n}-{seed}.gpkg"
    if path.exists():
        store = GpkgEventStore(path)
        try:
            if store.count(EventFilter()) == n:
                return path
        finally:
            store.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    print(f"  filling a store of {n:,} events (once; kept in {STORES.relative_to(ROOT)})", file=sys.stderr)
    store = GpkgEventStore(path)
    try:
        fill(store, n, 50_000, load_places(), seed, progress=True)
    finally:
        store.close()
    return path


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
        except Exception:  # noqa: BLE001
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


def one_run(browser, store: Path, governorate: str, timeout: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(store, Path(tmp))
        try:
            context = browser.new_context(viewport={"width": 1500, "height": 1100})
            blocked: list[str] = []

            def route(r):
                if r.request.url.startswith(LOCAL):
                    return r.continue_()
                blocked.append(r.request.url)
                return r.abort()

            context.route("**/*", route)
            page = context.new_page()
            traffic = Traffic(page, context)
            t0 = time.perf_counter()
            page.goto(server.url + "/")
            first_render, first = wait_for(page, lambda v: v[0] > 0, timeout, start=t0)
            try:  # count the bytes once the page has loaded everything it asked for
                page.wait_for_load_state("networkidle", timeout=15_000)
            except Exception:  # noqa: BLE001
                page.wait_for_timeout(1_000)
            payload = traffic.totals()

            box = page.locator('[data-testid="stMultiSelect"]').filter(has_text="Governorates")
            box.locator("input").click()
            page.keyboard.type(governorate)
            t1 = time.perf_counter()
            page.keyboard.press("Enter")
            filter_change, after = wait_for(page, lambda v: v != first, timeout, start=t1)
            page.keyboard.press("Escape")
            context.close()

            context2 = browser.new_context(viewport={"width": 1500, "height": 1100})
            context2.route("**/*", route)
            page2 = context2.new_page()
            t2 = time.perf_counter()
            page2.goto(server.url + "/")
            warm, _ = wait_for(page2, lambda v: v[0] > 0, timeout, start=t2)
            context2.close()
        finally:
            server.stop()
    return {
        "first_render_s": round(first_render, 3),
        "filter_change_s": round(filter_change, 3),
        "warm_render_s": round(warm, 3),
        "markers_first": first[0],
        "events_on_map_first": first[1],
        "markers_after_filter": after[0],
        "payload_bytes": payload,
        "blocked_requests": len(blocked),
    }


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    def med(key, sub=None):
        vals = [r[key][sub] if sub else r[key] for r in runs]
        return statistics.median(vals)

    return {
        "first_render_s": med("first_render_s"),
        "filter_change_s": med("filter_change_s"),
        "warm_render_s": med("warm_render_s"),
        "payload_mb": round(med("payload_bytes", "total") / 1e6, 2),
        "payload_app_mb": round(med("payload_bytes", "app") / 1e6, 2),
        "payload_streamlit_frontend_mb": round(med("payload_bytes", "streamlit_frontend") / 1e6, 2),
        "markers": runs[0]["markers_first"],
        "events_on_map": runs[0]["events_on_map_first"],
        "blocked_requests": max(r["blocked_requests"] for r in runs),
        "runs": runs,
    }


def report(results: dict[str, Any]) -> str:
    lines = [
        f"bench_app: {results['machine']}, {results['runs']} runs per size (median)",
        f"{'events':>10} {'first render':>13} {'filter change':>14} {'warm render':>12} {'payload':>9} "
        f"{'(app / streamlit)':>18} {'markers':>8} {'blocked':>8}",
    ]
    for n, r in results["sizes"].items():
        lines.append(
            f"{int(n):>10,} {r['first_render_s']:>12.2f}s {r['filter_change_s']:>13.2f}s {r['warm_render_s']:>11.2f}s "
            f"{r['payload_mb']:>7.2f}MB {r['payload_app_mb']:>7.2f} / {r['payload_streamlit_frontend_mb']:<6.2f}MB "
            f"{r['markers']:>8,} {r['blocked_requests']:>8}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    import signal

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the Streamlit child on kill
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=120.0)
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
            for n in args.sizes:
                store = ensure_store(n)
                runs = []
                for i in range(args.runs):
                    r = one_run(browser, store, GOVERNORATES[i % len(GOVERNORATES)], args.timeout)
                    print(f"  {n:,} events, run {i + 1}: first {r['first_render_s']} s, filter {r['filter_change_s']} s, "
                          f"warm {r['warm_render_s']} s, {r['payload_bytes']['total'] / 1e6:.2f} MB", file=sys.stderr)
                    runs.append(r)
                results["sizes"][str(n)] = summarize(runs)
        finally:
            browser.close()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    print(report(results))
    print(f"(written to {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
