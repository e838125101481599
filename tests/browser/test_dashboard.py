"""The dashboard in Chromium with the network cut: markers, borders, filters, download, popups.

See conftest.py: a Streamlit server over a temp store (the seed article through the real
pipeline, plus one article with markup in its text), every non-local request aborted.
"""

from __future__ import annotations

import json
import math
import time

import pytest

from browser_support import ARTIFACTS, OfflinePage  # type: ignore[import-not-found]

KNOWN = {
    "Manbij": (36.5281, 37.9549),
    "Tabqa": (35.8367, 38.5481),
    "Atmeh": (36.3111, 36.6864),
}


def km(a, b) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def events(markers: list[dict]) -> list[dict]:
    return [m for m in markers if m["kind"] == "event"]


def near(markers: list[dict], town: str, radius_km: float = 10.0) -> list[dict]:
    return [m for m in events(markers) if km(KNOWN[town], (m["lat"], m["lon"])) < radius_km]


def has_all_seed_towns(markers: list[dict]) -> bool:
    return all(near(markers, t) for t in KNOWN)


def open_dashboard(offline: OfflinePage, url: str, query: str = "") -> list[dict]:
    offline.page.goto(url + "/" + query)
    return offline.wait_markers(lambda ms: len(events(ms)) > 0, timeout=45)


def test_seed_markers_and_borders_render_offline(server, offline):
    markers = open_dashboard(offline, server.url)
    markers = offline.wait_markers(has_all_seed_towns)
    for town in KNOWN:
        assert near(markers, town), f"no marker within 10 km of {town}"
    # governorate-only events are not drawn at a town
    assert [m for m in markers if m["kind"] == "province"]
    frame = offline.map_frame()
    outlines = frame.evaluate(
        """() => { let gov = 0, countries = 0, dashed = 0, shaded = 0; const fills = {};
          window.map.eachLayer(l => { const p = l.feature && l.feature.properties;
            if (p && p.admin1 && l.getLatLngs) { gov++; if (l.options.dashArray === '4 3') dashed++; }
            if (p && p.events > 0 && l.options.fillOpacity === 0.5 && l.options.fillColor === p.fill) shaded++;
            if (p && p.country_code && l.getLatLngs) { countries++; fills[p.country_code] = l.options.fillColor; } });
          return [gov, countries, dashed, fills, shaded]; }"""
    )
    # governorate borders (dashed) and the events-per-governorate shading (the seed's governorates)
    assert outlines[0] >= 14 and outlines[1] >= 5 and outlines[2] >= 14 and outlines[4] >= 3, outlines
    # Syria white, its neighbours grey: the countries' per-feature style reached Leaflet
    fills = outlines[3]
    assert fills.pop("SY") == "#ffffff" and set(fills.values()) == {"#eeeeee"}, outlines[3]
    # no tile layer is on the map by default (the basemap is the gazetteer's own layers)
    assert frame.evaluate("() => { let n = 0; window.map.eachLayer(l => { if (l instanceof L.TileLayer) n++; }); return n; }") == 0
    offline.page.wait_for_timeout(500)
    assert offline.blocked == [], f"requests left the machine: {offline.blocked[:5]}"
    assert offline.failed_local == [], f"local requests failed: {offline.failed_local[:5]}"
    ARTIFACTS.mkdir(exist_ok=True)
    offline.page.screenshot(path=str(ARTIFACTS / "dashboard-seed.png"), full_page=True)


def test_the_rest_of_the_page_follows_the_map_by_itself(server, offline):
    """The first view shows the map first; the charts, the table and the exports follow without
    any click (the page's timer), once, and the page then stays put."""
    open_dashboard(offline, server.url)
    page = offline.page
    page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=30_000)
    page.locator('[data-testid="stVegaLiteChart"]').first.wait_for(timeout=30_000)
    page.get_by_text("Export the filtered events").first.wait_for(timeout=30_000)
    assert page.get_by_text("follow the map").count() == 0
    # no rerun loop: the page's elements stay the same for longer than the timer's period
    before = page.locator('[data-testid="stElementContainer"]').count()
    page.wait_for_timeout(4_000)
    assert page.locator('[data-testid="stElementContainer"]').count() == before
    assert page.get_by_text("follow the map").count() == 0


def test_choosing_a_governorate_changes_the_markers(server, offline):
    open_dashboard(offline, server.url)
    offline.wait_markers(has_all_seed_towns)
    box = offline.page.locator('[data-testid="stMultiSelect"]').filter(has_text="Governorates")
    box.locator("input").click()
    offline.page.keyboard.type("Raqqa")
    offline.page.keyboard.press("Enter")
    offline.page.keyboard.press("Escape")
    markers = offline.wait_markers(lambda ms: bool(events(ms)) and all(near([m], "Tabqa") for m in events(ms)))
    assert not near(markers, "Manbij") and not near(markers, "Atmeh")
    # the filter is mirrored in the URL, and the URL restores it
    offline.page.wait_for_function("() => window.location.search.includes('gov=Raqqa')", timeout=10_000)
    url = offline.page.url
    fresh = OfflinePage(offline.context.browser)
    try:
        fresh.page.goto(url)
        again = fresh.wait_markers(lambda ms: bool(events(ms)), timeout=45)
        assert all(near([m], "Tabqa") for m in events(again))
    finally:
        fresh.close()


def test_narrowing_the_dates_changes_the_markers(server, offline):
    markers = open_dashboard(offline, server.url)
    before = offline.wait_markers(has_all_seed_towns)
    n_before = len([m for m in before if m["kind"] in ("event", "province")])
    start = offline.page.locator('[data-testid="stSlider"]').filter(has_text="Dates").locator("input[type=range]").first
    start.focus()
    dates = [start.get_attribute("aria-valuetext")]
    offline.page.keyboard.press("ArrowRight")
    offline.page.keyboard.press("ArrowRight")
    # (the slider's text follows when the browser is free: the rest of the first view may be drawing)
    deadline = time.monotonic() + 10
    while start.get_attribute("aria-valuetext") == dates[0] and time.monotonic() < deadline:
        offline.page.wait_for_timeout(100)
    dates.append(start.get_attribute("aria-valuetext"))
    assert dates[0] < dates[1], dates
    after = offline.wait_markers(lambda ms: len([m for m in ms if m["kind"] in ("event", "province")]) < n_before)
    assert after != markers
    offline.page.wait_for_function("() => window.location.search.includes('from=')", timeout=10_000)


def test_geojson_download_produces_a_file(server, offline, tmp_path):
    open_dashboard(offline, server.url)
    button = offline.page.get_by_role("button", name="GeoJSON")
    button.wait_for(timeout=30_000)
    with offline.page.expect_download(timeout=30_000) as info:
        button.click()
    download = info.value
    target = tmp_path / download.suggested_filename
    download.save_as(str(target))
    data = json.loads(target.read_text())
    assert data["type"] == "FeatureCollection" and data["features"]
    lonlats = [f["geometry"]["coordinates"] for f in data["features"]]
    assert any(km(KNOWN["Manbij"], (lat, lon)) < 10 for lon, lat in lonlats)
    assert target.suffix == ".geojson"


def test_popups_escape_markup(server, offline):
    open_dashboard(offline, server.url, "?gov=Daraa")
    markers = offline.wait_markers(lambda ms: len(events(ms)) == 1)
    assert km((markers[0]["lat"], markers[0]["lon"]), (32.6189, 36.1021)) < 1
    frame = offline.map_frame()
    html = frame.evaluate(
        """() => { let html = null, seen = new Set();
          const visit = (l) => { if (!l || seen.has(l)) return; seen.add(l);
            if (l.options && l.options.geoKind === 'event') { l.openPopup(); html = l.getPopup().getElement().innerHTML; }
            if (l.getLayers) l.getLayers().forEach(visit); };
          window.map.eachLayer(visit); return html; }"""
    )
    offline.page.wait_for_timeout(300)
    assert html and "&lt;img src=x" in html and "&lt;script&gt;" in html
    assert '<mark class="geo-place">Daraa</mark>' in html
    assert "?view=article&amp;article=xss-probe" in html
    assert frame.evaluate("() => window.__xss === undefined")
    assert offline.page.evaluate("() => window.__xss === undefined")
    # the popup's article link opens the article view of the dashboard (a new tab: the map's
    # iframe may not navigate the page)
    with offline.context.expect_page(timeout=15_000) as new_page:
        frame.locator("a.geo-article-link").first.click()
    article = new_page.value
    article.wait_for_load_state()
    assert "view=article" in article.url and "article=xss-probe" in article.url
    assert article.url.startswith(server.url)
    article.locator("mark.hl-place").first.wait_for(timeout=30_000)


def test_selecting_a_table_row_centres_the_map_on_it(server, offline):
    open_dashboard(offline, server.url, "?gov=Aleppo&prec=1")
    offline.wait_markers(lambda ms: len(events(ms)) == 1)
    # tag the event cluster: the selection's rerun sends the same events, so the browser must
    # re-add this cluster rather than build its markers again
    clusters_js = "() => { const out = []; window.map.eachLayer(l => { if (l instanceof GeoMap.EventCluster) out.push(l); }); return out; }"
    assert offline.map_frame().evaluate(f"() => ({clusters_js})().map(c => {{ c.__probe = 1; return 1; }}).length") == 1
    grid = offline.page.locator('[data-testid="stDataFrame"]').first
    grid.wait_for(timeout=30_000)
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    # the row-selection column is the leftmost; row 1 sits under the 35 px header
    offline.page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)
    marker = offline.wait_markers(lambda ms: any(m["kind"] == "selected" for m in ms))
    sel = [m for m in marker if m["kind"] == "selected"][0]
    assert km(KNOWN["Manbij"], (sel["lat"], sel["lon"])) < 10
    frame = offline.map_frame()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        zoom, lat, lon = frame.evaluate("() => { const c = window.map.getCenter(); return [window.map.getZoom(), c.lat, c.lng]; }")
        if zoom >= 10 and km(KNOWN["Manbij"], (lat, lon)) < 5:
            break
        offline.page.wait_for_timeout(200)
    assert zoom >= 10 and km(KNOWN["Manbij"], (lat, lon)) < 5, (zoom, lat, lon)
    assert frame.evaluate(f"() => ({clusters_js})().map(c => c.__probe || 0)") == [1]


def test_article_view_highlights_evidence(server, offline):
    offline.page.goto(server.url + "/?view=article&article=xss-probe")
    offline.page.get_by_text("Daraa <b>report</b>").first.wait_for(timeout=30_000)
    marks = offline.page.locator("mark.hl-place")
    marks.first.wait_for(timeout=30_000)
    assert marks.count() >= 1 and marks.first.inner_text() == "Daraa"
    assert offline.page.evaluate("() => window.__xss === undefined")
    assert offline.blocked == []


@pytest.mark.parametrize("view", ["ingest"])
def test_ingest_view_loads(server, offline, view):
    offline.page.goto(server.url + f"/?view={view}")
    offline.page.get_by_text("Add articles").first.wait_for(timeout=30_000)
    assert offline.page_errors == []


def test_map_assets_load_under_a_url_prefix(server_under_prefix, offline):
    """The asset URLs are relative, so the map renders when the app is mounted below a prefix;
    the vector basemap (GEO_BASEMAP) is drawn by the vendored MapLibre from the local tile server."""
    assert server_under_prefix.url.endswith("/conflict/map")
    markers = open_dashboard(offline, server_under_prefix.url)
    offline.wait_markers(has_all_seed_towns)
    assert events(markers)
    frame = offline.map_frame()
    frame.wait_for_function("""() => { let gl = null;
        window.map.eachLayer((l) => { if (l.getMaplibreMap) { gl = l.getMaplibreMap(); } });
        return !!gl && gl.loaded() && gl.areTilesLoaded() && gl.getStyle().layers.some((x) => x.id === 'water-fill')
          && gl.querySourceFeatures('basemap', {sourceLayer: 'water'}).length > 0; }""", timeout=30_000)
    assert offline.blocked == [] and offline.failed_local == [], (offline.blocked, offline.failed_local)
    assert offline.page_errors == [], offline.page_errors[:3]


def _wait_url(offline: OfflinePage, pred, timeout: float = 15.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred(offline.page.url):
            return offline.page.url
        offline.page.wait_for_timeout(200)
    return offline.page.url


def test_a_pan_goes_to_the_url_and_a_reload_restores_it(server, offline):
    """The view is written into the URL by the map itself (no rerun per pan), survives the page's
    own URL updates, and a reload opens the map there."""
    open_dashboard(offline, server.url)
    offline.map_frame().evaluate("() => window.map.setView([36.2, 37.1], 10)")
    url = _wait_url(offline, lambda u: "z=10" in u)
    assert "z=10" in url and "lat=36.2000" in url and "lon=37.1000" in url, url
    offline.page.reload()
    offline.wait_markers(lambda ms: len(ms) > 0, timeout=45)
    frame = offline.map_frame()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        zoom, lat, lon = frame.evaluate("() => { const c = window.map.getCenter(); return [window.map.getZoom(), c.lat, c.lng]; }")
        if zoom == 10:
            break
        offline.page.wait_for_timeout(200)
    assert zoom == 10 and km((36.2, 37.1), (lat, lon)) < 1, (zoom, lat, lon)
    assert offline.page_errors == []
