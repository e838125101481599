"""Browser-test support: a Streamlit server over a temp store, and Chromium with the network cut.

Playwright (sync API) drives Debian's /usr/bin/chromium through ``executable_path``; every request
that is not to the local server is aborted and recorded, so the tests prove the dashboard works
offline. The tests skip (with the reason) only when /usr/bin/chromium is absent.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("GEO_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_PREFIXES = ("http://127.0.0.1", "ws://127.0.0.1", "http://localhost", "ws://localhost", "data:", "blob:", "about:")

# JavaScript run inside the st_folium iframe: every marker we drew (not the town labels), through
# Leaflet itself (prefer_canvas: circle markers are not DOM elements), including clustered ones.
MARKERS_JS = """() => {
  const m = window.map; if (!m) { return null; }
  const out = [], seen = new Set();
  const visit = (l) => {
    if (!l || seen.has(l)) { return; } seen.add(l);
    // the cluster layer: every event behind it, drawn or clustered; its cluster icons are not events
    if (l.eachMarker) { l.eachMarker(visit); return; }
    if (l.options && l.options.geoKind && l.options.geoKind !== 'town' && l.options.geoKind !== 'cluster' && l.getLatLng) {
      const p = l.getLatLng();
      out.push({kind: l.options.geoKind, lat: p.lat, lon: p.lng, type: l.options.geoType || null,
                count: l.options.geoCount || 1});
    }
    if (l.getLayers) { l.getLayers().forEach(visit); }
  };
  m.eachLayer(visit);
  return out;
}"""

# An ACLED-style dataset (imported, not extracted: no article text) and an article whose title and
# url are markdown that would fetch an image if rendered (issue 12: a tracking beacon offline).
ACLED_CSV = """event_id_cnty,event_date,event_type,sub_event_type,actor1,actor2,admin1,location,latitude,longitude,geo_precision,fatalities,notes
SYR1,2014-01-04,Battles,Armed clash,Rebels,Army,Homs,Homs,34.7324,36.7137,1,3,Clashes in Homs
SYR2,2014-01-05,Battles,Armed clash,Rebels,Army,Homs,Homs,34.7324,36.7137,1,0,More clashes in Homs
SYR3,2014-01-05,Protests,Peaceful protest,Protesters,,Homs,Homs,34.7324,36.7137,1,0,Protest in Homs
"""
BEACON = "http://beacon.invalid/x.png"
MD_TITLE = f"Hama ![t]({BEACON}) report"

XSS_NOTES = 'Shelling hit Daraa <img src=x onerror="window.__xss=1"> <script>window.__xss=2</script> today.'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_store(path: Path) -> None:
    """The seed article through the real pipeline, plus one hostile article (markup in its text)."""
    from geo.extract.pipeline import Geoparser
    from geo.ingest.batch import ingest_paths
    from geo.models import Article, Event
    from geo.store import open_store

    store = open_store(str(path))
    try:
        summary = ingest_paths([str(ROOT / "seeds")], store, Geoparser().extract, progress=False)
        assert summary.events_added > 0, str(summary)
        text = "Daraa report\n\n" + XSS_NOTES
        start = text.index(XSS_NOTES)
        store.add_article(
            Article(article_id="xss-probe", text=text, title="Daraa <b>report</b>", source="<i>probe</i>",
                    published=dt.date(2014, 1, 4)),
            [
                Event(
                    event_id="xss-probe-1", event_date=dt.date(2014, 1, 4), time_precision=1,
                    event_type="Explosions/Remote violence", sub_event_type="Shelling/artillery/missile attack",
                    actor1='Military Forces <script>alert("a")</script>', actor2="", country="Syria",
                    admin1="Daraa", admin1_code="SY-DR", location="Daraa", latitude=32.6189, longitude=36.1021,
                    geo_precision=1, fatalities=2, notes=XSS_NOTES, article_id="xss-probe", source="<i>probe</i>",
                    sentence_start=start, sentence_end=start + len(XSS_NOTES),
                    place_start=start + XSS_NOTES.index("Daraa"), place_end=start + XSS_NOTES.index("Daraa") + 5,
                )
            ],
        )
        dataset = path.parent / "acled_sample.csv"
        dataset.write_text(ACLED_CSV)
        imported = ingest_paths([str(dataset)], store, fmt="acled", progress=False)
        assert imported.events_added == 3, str(imported)
        notes = "Clashes were reported in Hama."
        store.add_article(
            # A paragraph after a blank line: markdown would read it again after a raw HTML block.
            Article(article_id="md-probe", text=notes + f"\n\nA photo: ![b]({BEACON})", title=MD_TITLE, source=f"![s]({BEACON})",
                    url=f"{BEACON}) ![u]({BEACON}", published=dt.date(2014, 1, 5)),
            [Event(event_id="md-probe-1", event_date=dt.date(2014, 1, 5), time_precision=1, event_type="Battles",
                   sub_event_type="Armed clash", actor1=f"![a]({BEACON})", actor2="", country="Syria",
                   admin1="Hama", admin1_code="SY-HM", location="Hama", latitude=35.1318, longitude=36.7578,
                   geo_precision=1, fatalities=1, notes=notes, article_id="md-probe", source="probe",
                   sentence_start=0, sentence_end=len(notes), place_start=notes.index("Hama"),
                   place_end=notes.index("Hama") + 4),
             # a later day, so that the span has days without events (playback)
             Event(event_id="md-probe-2", event_date=dt.date(2014, 1, 10), time_precision=1, event_type="Battles",
                   sub_event_type="Armed clash", actor1="", actor2="", country="Syria", admin1="Hama",
                   admin1_code="SY-HM", location="Hama", latitude=35.1318, longitude=36.7578, geo_precision=1,
                   fatalities=None, notes=notes, article_id="md-probe", source="probe")],
        )
    finally:
        store.close()


class Server:
    """``streamlit run`` of the dashboard (or ``app`` run from ``root``: the benchmark's floor
    app, the baseline worktree's dashboard) over ``store``."""

    def __init__(self, store: Path, tmp: Path, extra_env: dict[str, str] | None = None, base_path: str = "",
                 app: Path | None = None, root: Path | None = None):
        root = root or ROOT
        app = app or root / "app.py"
        self.store = store
        self.port = free_port()
        self.base_path = base_path.strip("/")
        self.url = f"http://127.0.0.1:{self.port}" + (f"/{self.base_path}" if self.base_path else "")
        env = dict(os.environ)
        env.update(
            GEO_STORE=str(store),
            GEO_USER_GAZETTEER=str(tmp / "user_gazetteer.csv"),
            PYTHONPATH=str(root),
        )
        env.update(extra_env or {})
        self.log = open(tmp / f"streamlit-{self.port}.log", "w")
        self.proc = subprocess.Popen(
            [
                sys.executable, "-m", "streamlit", "run", str(app),
                "--server.port", str(self.port), "--server.address", "127.0.0.1",
                "--server.headless", "true", "--browser.gatherUsageStats", "false",
                "--server.fileWatcherType", "none",
                *(["--server.baseUrlPath", self.base_path] if self.base_path else []),
            ],
            cwd=str(root), env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        self._wait_healthy(90)

    def _wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.proc.returncode}; see {self.log.name}")
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"streamlit did not become healthy in {timeout} s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.log.close()


class OfflinePage:
    """A page whose context aborts (and records) every request that leaves the machine."""

    def __init__(self, browser, viewport=(1500, 1150)):
        self.context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, accept_downloads=True)
        self.blocked: list[str] = []
        self.failed_local: list[tuple[int, str]] = []
        self.page_errors: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("response", lambda r: self.failed_local.append((r.status, r.url)) if r.status >= 400 else None)
        self.page.on("pageerror", lambda e: self.page_errors.append(str(e)))

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(LOCAL_PREFIXES):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def close(self) -> None:
        self.context.close()

    # -- the map inside the st_folium iframe ---------------------------------------------------
    def map_frame(self):
        for frame in self.page.frames:
            try:
                if frame.evaluate("() => !!(window.map && window.L)"):
                    return frame
            except Exception:  # noqa: BLE001 - frames come and go while Streamlit renders
                continue
        return None

    def markers(self) -> list[dict] | None:
        frame = self.map_frame()
        if frame is None:
            return None
        try:
            return frame.evaluate(MARKERS_JS)
        except Exception:  # noqa: BLE001
            return None

    def wait_markers(self, predicate, timeout: float = 30.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            last = self.markers()
            if last is not None and predicate(last):
                return last
            self.page.wait_for_timeout(100)
        raise AssertionError(f"markers never matched within {timeout} s; last seen: {last}")
