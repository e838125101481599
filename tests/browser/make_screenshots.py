"""README screenshots, taken in Chromium with the network cut (offline, as the browser tests).

    .venv/bin/python tests/browser/make_screenshots.py            # writes docs/screenshots/*.png

* dashboard.png - the seed article (real pipeline output) on the map, charts, table;
* dashboard-synthetic.png - 10,000 synthetic events (benchmarks.bench_store's filler), clustered;
* ingest.png - the ingest view previewing the seed article (places, triggers, dates highlighted);
* article.png - the article view of the seed article with its events' evidence highlighted.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
for p in (str(ROOT), str(HERE)):
    if p not in sys.path:
        sys.path.insert(0, p)

from browser_support import CHROMIUM, LAUNCH_ARGS, OfflinePage, Server  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def seed_store(path: Path) -> str:
    from geo.ingest.batch import ingest_paths
    from geo.extract.pipeline import Geoparser
    from geo.store import open_store

    store = open_store(str(path))
    try:
        ingest_paths([str(ROOT / "seeds")], store, Geoparser().extract, progress=False)
        return store.articles()[0].article_id
    finally:
        store.close()


def synthetic_store(path: Path, n: int = 10_000) -> None:
    from benchmarks.bench_store import fill, load_places
    from geo.store.gpkg import GpkgEventStore

    store = GpkgEventStore(path)
    try:
        fill(store, n, 10_000, load_places(), 11, progress=False)
    finally:
        store.close()


def shoot(op: OfflinePage, path: Path, clip_height: int | None = None) -> None:
    op.page.wait_for_timeout(1500)
    if clip_height:
        op.page.screenshot(path=str(path), clip={"x": 0, "y": 0, "width": 1500, "height": clip_height})
    else:
        op.page.screenshot(path=str(path), full_page=True)
    assert not op.blocked, op.blocked
    print(f"wrote {path.relative_to(ROOT)}")


def main() -> int:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is absent", file=sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        tmp = Path(tmp)
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        seed = tmp / "seed.gpkg"
        article_id = seed_store(seed)
        server = Server(seed, tmp)
        try:
            op = OfflinePage(browser, viewport=(1500, 1100))
            op.page.goto(server.url + "/")
            op.wait_markers(lambda ms: len([m for m in ms if m["kind"] == "event"]) >= 3, timeout=60)
            shoot(op, OUT / "dashboard.png", clip_height=1100)
            op.page.goto(server.url + f"/?view=article&article={article_id}")
            op.page.locator("mark.hl-place").first.wait_for(timeout=30_000)
            op.wait_markers(lambda ms: len(ms) > 0, timeout=60)
            shoot(op, OUT / "article.png", clip_height=1000)
            op.page.goto(server.url + "/?view=ingest")
            op.page.get_by_text("Add articles").first.wait_for(timeout=30_000)
            text = (ROOT / "seeds" / "syria-rebels-isil-2014-01-05.txt").read_text()
            op.page.get_by_role("textbox", name="Title").fill("Syrian rebels turn on al-Qaida-linked fighters in the north")
            op.page.get_by_role("textbox", name="Source").fill("Associated Press (rewritten)")
            op.page.get_by_role("textbox", name="Article text").fill(text)
            op.page.get_by_role("button", name="Preview events").click()
            op.page.locator("mark.hl-trigger").first.wait_for(timeout=60_000)
            shoot(op, OUT / "ingest.png", clip_height=1300)
            op.close()
        finally:
            server.stop()

        synth = tmp / "synthetic.gpkg"
        synthetic_store(synth)
        server = Server(synth, tmp)
        try:
            op = OfflinePage(browser, viewport=(1500, 1100))
            op.page.goto(server.url + "/")
            op.wait_markers(lambda ms: len(ms) > 100, timeout=90)
            shoot(op, OUT / "dashboard-synthetic.png", clip_height=1100)
            op.close()
        finally:
            server.stop()
        browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
