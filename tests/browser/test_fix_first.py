"""Issue 13's "fix first" bugs and issue 12's markdown leak, in Chromium with the network cut.

Each test failed on the dashboard before this branch (app.py at e63b06d):
filters reset on Map -> Ingest -> Map; Play raised StreamlitWidgetAlreadyInstantiatedError and
left the map empty; the place-correction form started at 35.0/38.0; "Extract again" wiped an
imported dataset in one click; an uploaded "published: 5 January 2014" was undated; markdown in a
title or an article id made the browser fetch an image.
"""

from __future__ import annotations

import sqlite3

from browser_support import BEACON, OfflinePage  # type: ignore[import-not-found]

TIMEOUT = 45_000


def events_on_map(offline: OfflinePage) -> list[dict]:
    return offline.wait_markers(lambda ms: any(m["kind"] == "event" for m in ms), timeout=45)


def sidebar(offline: OfflinePage):
    return offline.page.locator('[data-testid="stSidebar"]')


def metric(offline: OfflinePage, label: str) -> str:
    box = offline.page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return box.locator('[data-testid="stMetricValue"]').inner_text()


def precision_shown(offline: OfflinePage) -> str:
    return sidebar(offline).locator('[data-testid="stSelectbox"]').filter(has_text="Location precision").locator("input").input_value()


def undated_on(offline: OfflinePage) -> bool:
    return sidebar(offline).get_by_label("Include undated events").is_checked()


def pick_governorate(offline: OfflinePage, name: str) -> None:
    box = sidebar(offline).locator('[data-testid="stMultiSelect"]').filter(has_text="Governorates")
    box.locator("input").click()
    offline.page.keyboard.type(name)
    offline.page.keyboard.press("Enter")
    offline.page.keyboard.press("Escape")


def go_to(offline: OfflinePage, page_name: str) -> None:
    sidebar(offline).get_by_text(page_name, exact=True).first.click()


def no_exception(offline: OfflinePage) -> None:
    errors = offline.page.locator('[data-testid="stException"]')
    assert errors.count() == 0, errors.first.inner_text()


def article_id(store_path, title: str) -> str:
    con = sqlite3.connect(store_path)
    try:
        return con.execute("SELECT article_id FROM articles WHERE title = ?", (title,)).fetchone()[0]
    finally:
        con.close()


def article_events(store_path, title: str) -> int:
    aid = article_id(store_path, title)
    con = sqlite3.connect(store_path)
    try:
        return con.execute("SELECT COUNT(*) FROM events WHERE article_id = ?", (aid,)).fetchone()[0]
    finally:
        con.close()


def test_filters_survive_a_page_switch_and_a_reload(server, offline):
    offline.page.goto(server.url + "/")
    events_on_map(offline)
    all_events = metric(offline, "Events")
    pick_governorate(offline, "Raqqa")
    offline.page.wait_for_function("() => window.location.search.includes('gov=Raqqa')", timeout=TIMEOUT)
    raqqa = metric(offline, "Events")
    assert raqqa != all_events
    assert undated_on(offline) and "Any" in precision_shown(offline)
    go_to(offline, "Ingest")
    offline.page.get_by_text("Add articles").first.wait_for(timeout=TIMEOUT)
    go_to(offline, "Map")
    events_on_map(offline)
    offline.page.wait_for_function("() => window.location.search.includes('gov=Raqqa')", timeout=TIMEOUT)
    assert undated_on(offline), "undated events silently hidden after Map -> Ingest -> Map"
    assert "Any" in precision_shown(offline), precision_shown(offline)
    assert "Raqqa" in sidebar(offline).locator('[data-testid="stMultiSelect"]').filter(has_text="Governorates").inner_text()
    assert metric(offline, "Events") == raqqa
    offline.page.reload()
    events_on_map(offline)
    assert metric(offline, "Events") == raqqa and undated_on(offline) and "Any" in precision_shown(offline)
    no_exception(offline)


def test_play_through_days_without_events_keeps_the_map(server, offline):
    # 2014-01-03..2014-01-10 by day: events on four of these days only
    offline.page.goto(server.url + "/")
    events_on_map(offline)
    play = sidebar(offline).locator('[data-testid="stExpander"]').filter(has_text="Time playback")
    play.get_by_text("Time playback").first.click()
    play.get_by_text("Step through time").click()
    play.get_by_role("button", name="Play").wait_for(timeout=TIMEOUT)
    play.get_by_role("button", name="Play").click()
    caption = play.locator('[data-testid="stCaptionContainer"]').filter(has_text="Showing")
    seen = []
    for _ in range(30):  # ~15 s: eight days, four of them without events
        offline.page.wait_for_timeout(500)
        errors = offline.page.locator('[data-testid="stException"]').count()
        seen.append((caption.inner_text() if caption.count() else None, errors, offline.map_frame() is not None))
        if seen[-1][0] and "(8 of 8)" in seen[-1][0]:
            break
    assert all(errors == 0 for _, errors, _ in seen), f"an exception during playback: {seen}"
    assert all(has_map for _, _, has_map in seen), f"the map went away during playback: {seen}"
    assert "(8 of 8)" in seen[-1][0], seen
    offline.wait_markers(lambda ms: len(events_only(ms)) >= 1, timeout=10)  # the last day's event is drawn


def events_only(markers: list[dict]) -> list[dict]:
    return [m for m in markers if m["kind"] == "event"]


def test_correction_form_starts_empty_and_rows_do_not_leak(server, offline):
    offline.page.goto(server.url + "/?view=ingest")
    offline.page.get_by_text("Add articles").first.wait_for(timeout=TIMEOUT)
    offline.page.get_by_label("Article text").fill(
        "Government forces shelled the village of Qaryat Zzyzx in the province of Idlib on Sunday. "
        "Rebels attacked the village of Kafr Qwxyz in the province of Hama on Monday.")
    offline.page.get_by_role("button", name="Preview events").click()
    save = offline.page.get_by_role("button", name="Save place")
    save.first.wait_for(timeout=TIMEOUT)
    assert save.count() >= 2, "the pipeline did not report both villages as unknown"

    # neither name has gazetteer candidates: each row offers typed coordinates at once
    lat, lon = offline.page.get_by_label("Latitude"), offline.page.get_by_label("Longitude")
    lat.first.wait_for(timeout=TIMEOUT)
    assert lat.count() == 2
    values = [x.input_value() for x in (*lat.all(), *lon.all())]
    assert values == ["", "", "", ""], f"the correction form is prefilled: {values}"
    lat.first.fill("35.9")
    lat.first.press("Enter")
    lon.first.fill("36.6")
    lon.first.press("Enter")
    offline.page.wait_for_timeout(800)
    save.first.click()
    offline.page.get_by_text("Saved").first.wait_for(timeout=TIMEOUT)
    lat, lon = offline.page.get_by_label("Latitude"), offline.page.get_by_label("Longitude")
    for _ in range(100):  # the saved name is now known: its row goes
        if lat.count() == 1:
            break
        offline.page.wait_for_timeout(200)
    assert lat.count() == 1
    values = [lat.first.input_value(), lon.first.input_value()]
    assert values == ["", ""], f"the next row inherited the saved row's coordinates: {values}"
    no_exception(offline)


def test_an_imported_dataset_cannot_be_wiped_by_one_click(server, offline):
    before = article_events(server.store, "acled_sample.csv")
    assert before == 3
    offline.page.goto(server.url + "/?view=article&article=" + article_id(server.store, "acled_sample.csv"))
    offline.page.get_by_role("heading", name="acled_sample").first.wait_for(timeout=TIMEOUT)
    offline.page.wait_for_timeout(1_000)
    again = offline.page.get_by_role("button", name="Extract again")
    if again.count():
        again.first.click()
        offline.page.wait_for_timeout(3_000)
    assert article_events(server.store, "acled_sample.csv") == before, "one click wiped the imported events"


def test_reextracting_an_article_asks_first(server, offline):
    offline.page.goto(server.url + "/?view=article&article=xss-probe")
    offline.page.get_by_text("Daraa <b>report</b>").first.wait_for(timeout=TIMEOUT)
    before = article_events(server.store, "Daraa <b>report</b>")
    offline.page.get_by_role("button", name="Extract again").first.click()
    offline.page.get_by_text("will change").first.wait_for(timeout=TIMEOUT)
    assert article_events(server.store, "Daraa <b>report</b>") == before
    offline.page.get_by_role("button", name="Cancel").click()
    offline.page.wait_for_timeout(1_000)
    assert article_events(server.store, "Daraa <b>report</b>") == before


def test_upload_reads_front_matter_dates_like_geo_ingest(server, offline, tmp_path):
    upload = tmp_path / "report.txt"
    upload.write_text("---\ntitle: Front matter probe\npublished: 5 January 2014\n---\n"
                      "Rebels clashed with government forces in Manbij on Saturday.\n")
    offline.page.goto(server.url + "/?view=ingest")
    offline.page.get_by_text("Upload files").click()
    offline.page.locator('[data-testid="stFileUploader"] input[type=file]').set_input_files(str(upload))
    offline.page.get_by_role("heading", name="Front matter probe").wait_for(timeout=TIMEOUT)
    caption = offline.page.locator('[data-testid="stCaptionContainer"]').filter(has_text="events,").first.inner_text()
    assert caption.startswith("2014-01-05"), caption


def test_markdown_in_titles_and_urls_fetches_nothing(server, offline):
    offline.page.goto(server.url + "/?view=article&article=md-probe")
    offline.page.get_by_text("Clashes were reported in Hama").first.wait_for(timeout=TIMEOUT)
    offline.page.wait_for_timeout(1_500)
    offline.page.goto(server.url + "/?view=article&article=" + f"![t]({BEACON})".replace("(", "%28").replace(")", "%29"))
    offline.page.get_by_text("No article with id").first.wait_for(timeout=TIMEOUT)
    offline.page.wait_for_timeout(1_500)
    offline.page.goto(server.url + "/?gov=Hama")
    events_on_map(offline)
    offline.page.wait_for_timeout(1_500)
    beacons = [u for u in offline.blocked if "beacon.invalid" in u]
    assert beacons == [], f"user markdown made the browser fetch: {beacons}"
    assert offline.page.locator("img[src*='beacon']").count() == 0


def test_clicking_a_marker_opens_its_details(server, offline):
    """Select on the map: a click on an event marker opens that event's record beside the map."""
    offline.page.goto(server.url + "/?gov=Daraa")
    offline.wait_markers(lambda ms: len(events_only(ms)) == 1, timeout=45)
    frame = offline.map_frame()
    x, y = frame.evaluate(
        """() => { let p = null, seen = new Set();
          const visit = (l) => { if (!l || seen.has(l)) return; seen.add(l);
            if (l.options && l.options.geoKind === 'event' && l.getLatLng) {
              p = window.map.latLngToContainerPoint(l.getLatLng()); }
            if (l.getLayers) l.getLayers().forEach(visit); };
          window.map.eachLayer(visit); return [p.x, p.y]; }""")
    frames = [f for f in offline.page.locator("iframe").all() if f.bounding_box() and f.bounding_box()["height"] > 500]
    box = frames[0].bounding_box()
    offline.page.mouse.click(box["x"] + x, box["y"] + y)
    panel = offline.page.locator(".st-key-event_panel")
    panel.get_by_text("Evidence").wait_for(timeout=TIMEOUT)
    assert "xss\\-probe\\-1" not in panel.inner_text() and "xss-probe-1" in panel.inner_text()
    assert offline.page.evaluate("() => window.__xss === undefined")
    offline.page.wait_for_function("() => window.location.search.includes('event=xss-probe-1')", timeout=TIMEOUT)
