"""The analyst's review flow end to end in Chromium with the network cut (issue 13): paste an
article, reject one event, edit another's place and actor, store, find them on the map, edit the
stored event again, undo, extract the article again (the edit stays, the rejected event stays out),
review it again (the rejected event starts unticked)."""

from __future__ import annotations

import math
import sqlite3

import pytest
from browser_support import ROOT, OfflinePage, Server  # type: ignore[import-not-found]

TIMEOUT = 45_000
MANBIJ = (36.5281, 37.9549)


def km(a, b) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


@pytest.fixture
def empty_server(tmp_path, chromium_path, assets_installed):
    from geo.store import open_store

    store = tmp_path / "review.gpkg"
    open_store(str(store)).close()
    srv = Server(store, tmp_path)
    yield srv
    srv.stop()


def rows(store, sql: str, params=()) -> list[tuple]:
    con = sqlite3.connect(store)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def actor_of(store, event_id: str) -> str | None:
    found = rows(store, "SELECT actor1 FROM events WHERE event_id = ?", (event_id,))
    return found[0][0] if found else None


def idle(page) -> None:
    """Wait until the app's script run is over (a click during a run can be dropped)."""
    page.wait_for_timeout(300)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=TIMEOUT)


def click_once(page, button, shown: str) -> None:
    """One click after the current run (a retry could undo twice)."""
    idle(page)
    button.click()
    try:
        page.get_by_text(shown).first.wait_for(timeout=2 * TIMEOUT)
    except Exception:
        (ROOT / "test-artifacts").mkdir(exist_ok=True)
        page.screenshot(path=str(ROOT / "test-artifacts" / "review-flow-failed.png"), full_page=True)
        raise


def edit_cell(offline: OfflinePage, row: int, col: int, value: str, shows: str) -> None:
    """Glide data grid: select a cell of the row, move to the column, open the editor, type; until
    the review caption shows the edit. Each try waits for the script run to end and measures the
    grid again (a click during a rerun, or on a grid that moved, is lost)."""
    page = offline.page
    caption = page.get_by_text("rejected.").first
    for _ in range(6):
        idle(page)
        if _type_in_cell(page, row, col, value):
            try:
                page.wait_for_function(
                    "([shows]) => [...document.querySelectorAll('p')].some(p => p.innerText.includes(shows))",
                    arg=[shows], timeout=10_000)
                return
            except Exception:
                pass
        page.keyboard.press("Escape")
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    page.screenshot(path=str(ROOT / "test-artifacts" / "review-edit-failed.png"), full_page=True)
    raise AssertionError(f"the edit never showed: {caption.inner_text()}")


def _type_in_cell(page, row: int, col: int, value: str) -> bool:
    """One try; False when the cell editor did not open."""
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 100, box["y"] + 35 + 35 * row + 17)
    page.wait_for_timeout(200)
    page.keyboard.press("Home")
    for _ in range(col):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    editor = page.locator("textarea.gdg-input, input.gdg-input").first
    try:
        editor.wait_for(state="visible", timeout=3_000)
    except Exception:
        return False
    editor.fill(value)
    page.keyboard.press("Enter")
    return True


def preview_seed(page, url: str):
    """Paste the seed article into the Ingest page and preview it; the review table's tally line."""
    page.goto(url + "/?view=ingest")
    page.get_by_text("Add articles").first.wait_for(timeout=TIMEOUT)
    page.get_by_label("Article text").fill((ROOT / "seeds" / "syria-rebels-isil-2014-01-05.txt").read_text())
    page.get_by_role("button", name="Preview events").click()
    tally = page.get_by_text("rejected.").first
    tally.wait_for(timeout=TIMEOUT)
    return tally


def test_paste_review_store_find_edit_undo(empty_server, offline):
    page = offline.page
    tally = preview_seed(page, empty_server.url)
    found = int(tally.inner_text().split()[0])
    assert found >= 3
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    # reject the first event (its Keep box), edit the second's actor and place
    page.mouse.click(box["x"] + 15, box["y"] + 35 + 17)
    page.wait_for_timeout(300)
    page.keyboard.press(" ")
    page.get_by_text(f"{found - 1} accepted (0 edited), 1 rejected.", exact=True).wait_for(timeout=TIMEOUT)
    page.wait_for_timeout(1_500)
    edit_cell(offline, 1, 3, "Islamic State", "event 2: actor1")
    edit_cell(offline, 1, 6, "Manbij", "event 2: actor1, location")
    assert f"{found - 1} accepted (1 edited), 1 rejected." in page.get_by_text("rejected.").first.inner_text()
    page.get_by_role("button", name="Add to store").click()
    page.get_by_text("events of").first.wait_for(timeout=TIMEOUT)

    stored = rows(empty_server.store, "SELECT event_id, actor1, location, latitude, longitude, reviewed FROM events")
    assert len(stored) == found - 1, "the rejected event was stored, or an accepted one lost"
    edited = [r for r in stored if r[1] == "Islamic State" and r[2] == "Manbij"]
    assert len(edited) == 1, stored
    event_id, _, _, lat, lon, reviewed = edited[0]
    assert km(MANBIJ, (lat, lon)) < 10 and reviewed

    # find it on the map
    page.goto(empty_server.url + "/?gov=Aleppo")
    offline.wait_markers(lambda ms: any(m["kind"] == "event" and km(MANBIJ, (m["lat"], m["lon"])) < 10 for m in ms),
                         timeout=45)

    # edit it again from its details panel (shareable link), then undo
    page.goto(empty_server.url + f"/?event={event_id}")
    panel = page.locator(".st-key-event_panel")
    panel.get_by_text("Evidence").wait_for(timeout=TIMEOUT)
    idle(page)
    panel.get_by_text("Edit", exact=True).click()
    actor = panel.get_by_label("Actor 1")
    actor.wait_for(timeout=TIMEOUT)
    assert actor.input_value() == "Islamic State"
    actor.fill("Syrian government forces")
    click_once(page, panel.get_by_role("button", name="Save changes"), "Saved: actor1")
    assert actor_of(empty_server.store, event_id) == "Syrian government forces"
    idle(page)
    panel.get_by_text("History", exact=True).click()
    undo = panel.get_by_role("button", name="Undo the last change")
    undo.wait_for(timeout=TIMEOUT)
    click_once(page, undo, "Undone.")
    assert actor_of(empty_server.store, event_id) == "Islamic State"

    # extract the article again: the reviewed edit stays, the rejected event stays out
    [(article_id,)] = rows(empty_server.store, "SELECT DISTINCT article_id FROM events")
    page.goto(empty_server.url + f"/?view=article&article={article_id}")
    idle(page)
    page.get_by_role("button", name="Extract again").first.click()
    warning = page.get_by_text("will change").first
    warning.wait_for(timeout=TIMEOUT)
    assert "1 reviewed events are kept" in warning.inner_text()
    assert "rejected by an analyst are not re-added" in warning.inner_text()
    click_once(page, page.get_by_role("button", name="Yes, replace the events"), "events.")
    again = rows(empty_server.store, "SELECT event_id, actor1, location, reviewed FROM events")
    assert len(again) == found - 1, "re-extraction brought the rejected event back, or lost one"
    assert (event_id, "Islamic State", "Manbij", 1) in again

    # reviewing the article again: the event rejected before starts unticked, and says why
    tally = preview_seed(page, empty_server.url)
    assert tally.inner_text().startswith(f"{found - 1} accepted (0 edited), 1 rejected. 1 start unticked"), \
        tally.inner_text()
    assert offline.blocked == [], offline.blocked[:5]
