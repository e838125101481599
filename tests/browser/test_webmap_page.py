"""The map page itself in Chromium with the network cut: hostile text stays text, clicks on any
marker (inside clusters too) resolve to its event id the way streamlit-folium reports them, and
an offline MBTiles archive (GEO_BASEMAP) draws tiles served from 127.0.0.1, raster or vector."""

from __future__ import annotations

import functools
import http.server
import io
import sys
import threading

import pandas as pd
import pytest
from browser_support import ROOT, OfflinePage

sys.path.insert(0, str(ROOT / "tests"))
from test_webmap_basemap import OPENMAPTILES, PROTOMAPS, make_mbtiles, make_vector_archive
from test_webmap_popups import PAYLOADS, row

from geo.webmap import assets as offline_assets
from geo.webmap import layers as mapping
from geo.webmap import tiles
from geo.webmap.select import clicked_event_id
from geo.webmap.vector_style import vector_style

# What streamlit-folium's onLayerClick does (frontend, 0.27): a click handler on every layer of the
# map after the feature groups are evaluated, reading the clicked marker's tooltip text.
CAPTURE_JS = """(name) => {
  const map = window[name]; window.__clicks = [];
  const extract = (t) => { const e = document.createElement('span'); e.innerHTML = t; return (e.textContent || e.innerText).trim(); };
  for (const k in map._layers) {
    map._layers[k].on('click', (t) => {
      let tip = null;
      if (t.sourceTarget && t.sourceTarget.getTooltip && t.sourceTarget._tooltip && t.sourceTarget._tooltip._content) {
        tip = extract(t.sourceTarget.getTooltip().getContent());
      }
      window.__clicks.push({latlng: t.latlng, tooltip: tip, id: t.sourceTarget.options.geoId || null});
    });
  }
}"""

CLICK_JS = """([name, i]) => new Promise((resolve) => {
  const map = window[name]; let cluster = null;
  map.eachLayer((l) => { if (l instanceof GeoMap.EventCluster) { cluster = l; } });
  const marker = cluster.marker(i);
  // zoom in until the cluster releases the marker (circle markers: no icon for zoomToShowLayer)
  map.setView(marker.getLatLng(), 16, {animate: false});
  setTimeout(() => {
    const shown = map.hasLayer(marker);
    marker.fire('click', {latlng: marker.getLatLng()}, true);  // propagate, as a DOM click does
    const c = window.__clicks[window.__clicks.length - 1] || {};
    resolve({shown: shown, tooltip: c.tooltip, lat: c.latlng && c.latlng.lat, lng: c.latlng && c.latlng.lng,
             expected: marker.options.geoId});
  }, 400);
})"""


@pytest.fixture
def page_server(tmp_path):
    (tmp_path / "static").symlink_to(ROOT / "static")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield tmp_path, f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()
    tiles.stop_all()
    offline_assets.install()


def hostile_events(n: int = 400) -> pd.DataFrame:
    rows = []
    for i in range(n):
        p = PAYLOADS[i % len(PAYLOADS)]
        rows.append(row(event_id=f"ev{i}" if i % 7 else f"ev{i}<b>{p}", latitude=35.0 + (i % 40) * 0.01,
                        longitude=37.0 + (i // 40) * 0.01, actor1=p, location=f"Town {i % 9} {p}", notes=p,
                        source=p, url="javascript:window.__xss=3", fatalities=i % 12,
                        event_date=f"2014-01-{i % 28 + 1:02d}"))
    return pd.DataFrame(rows)


def open_map(browser, page_server, m) -> tuple[OfflinePage, str]:
    """The map written as a standalone page, opened offline once its clusters are drawn: the page
    and the map's global name."""
    folder, base = page_server
    (folder / "map.html").write_text(m.get_root().render(), encoding="utf-8")
    page = OfflinePage(browser)
    page.page.goto(f"{base}/map.html")
    page.page.wait_for_function("() => document.querySelectorAll('.geo-cluster').length > 0", timeout=15_000)
    return page, page.page.evaluate("() => Object.keys(window).find((k) => k.startsWith('map_'))")


def mouse_click(pg, xy: list[float], settle_ms: int) -> dict:
    """A real mouse click at ``xy`` (page pixels), as streamlit-folium reports it (CAPTURE_JS's
    last click)."""
    pg.mouse.move(xy[0], xy[1])
    pg.mouse.click(xy[0], xy[1])
    pg.wait_for_timeout(settle_ms)
    last = pg.evaluate("() => window.__clicks[window.__clicks.length - 1]")
    return {"last_object_clicked": {"lat": last["latlng"]["lat"], "lng": last["latlng"]["lng"]},
            "last_object_clicked_tooltip": last["tooltip"]}


def click_marker(pg, name: str, i: int, df: pd.DataFrame) -> bool:
    """A real mouse click on event marker ``i`` (zoomed in until it is drawn alone): whether the
    click resolves to its event the way the dashboard reads it (CAPTURE_JS must be installed)."""
    xy = pg.evaluate("""([name, i]) => { const map = window[name]; let cluster = null;
        map.eachLayer((l) => { if (l instanceof GeoMap.EventCluster) { cluster = l; } });
        const m = cluster.marker(i); map.setView(m.getLatLng(), 16, {animate: false});
        const p = map.latLngToContainerPoint(m.getLatLng()), r = map.getContainer().getBoundingClientRect();
        window.__expected = m.options.geoId; return [r.left + p.x, r.top + p.y]; }""", [name, i])
    pg.wait_for_timeout(400)
    return clicked_event_id(mouse_click(pg, xy, 200), df) == pg.evaluate("() => window.__expected")


def test_map_page_offline(browser, page_server, monkeypatch):
    folder, _ = page_server
    archive = folder / "basemap.mbtiles"
    make_mbtiles(archive, max_zoom=3)
    monkeypatch.setenv("GEO_BASEMAP", str(archive))
    offline_assets.install("static/vendor")
    df = hostile_events()
    m, _ = mapping.build_map(df, None, selected_event_id=df.iloc[7]["event_id"],
                                options=mapping.MapOptions(size_by_fatalities=True, detail_limit=100))
    page, name = open_map(browser, page_server, m)
    try:
        pg = page.page
        # tiles from the archive, through the local server
        pg.evaluate("(name) => window[name].setZoom(3)", name)
        pg.wait_for_function("() => document.querySelectorAll('img.leaflet-tile-loaded').length > 0", timeout=10_000)
        srcs = pg.evaluate("() => [...document.querySelectorAll('img.leaflet-tile-loaded')].map((i) => i.src)")
        assert srcs and all(s.startswith("http://127.0.0.1:") and "/tiles/" in s for s in srcs)
        # every popup and tooltip, inserted the way Leaflet does (innerHTML): no element or handler
        # from user text appears or runs
        counts = pg.evaluate("""(name) => { const box = document.createElement('div'); document.body.appendChild(box);
            let n = 0; window[name].eachLayer((l) => { if (l instanceof GeoMap.EventCluster) {
              l.eachMarker((m) => { const c = m.getPopup().getContent();
                box.insertAdjacentHTML("beforeend", typeof c === 'function' ? c(m) : c); l.fire('click', {layer: m, sourceTarget: m, latlng: m.getLatLng()});
                box.insertAdjacentHTML("beforeend", m.getTooltip().getContent()); n++; }); } });
            return {n: n, bad: box.querySelectorAll('img, svg, script, [onerror], [onload], [onmouseover]').length,
                    js: [...box.querySelectorAll('a')].filter((a) => !/^(https?:|\\?view=)/.test(a.getAttribute('href'))).length}; }""",
                             name)
        pg.wait_for_timeout(500)
        assert counts == {"n": len(df), "bad": 0, "js": 0}, counts
        assert pg.evaluate("() => window.__xss || 0") == 0
        # clicks, through clusters, resolve to the marker's own event
        pg.evaluate(CAPTURE_JS, name)
        for i in (0, 7, 55, 123, 399):
            got = pg.evaluate(CLICK_JS, [name, i])
            result = {"last_object_clicked": {"lat": got["lat"], "lng": got["lng"]},
                      "last_object_clicked_tooltip": got["tooltip"]}
            assert got["shown"] and got["expected"], got
            assert clicked_event_id(result, df) == got["expected"], got
        # one real mouse click on the canvas-drawn marker
        assert click_marker(pg, name, 200, df)
        assert not page.page_errors, page.page_errors
        assert not page.blocked, page.blocked
    finally:
        page.close()


# The cluster layer's state in the page: what is drawn (cluster icons with their counts, single
# event markers) and what the view is.
DRAWN_JS = """(name) => {
  const map = window[name]; let layer = null;
  map.eachLayer((l) => { if (l instanceof GeoMap.EventCluster) { layer = l; } });
  const icons = [], events = [];
  map.eachLayer((l) => {
    if (!l.options) { return; }
    if (l.options.geoKind === 'cluster') { icons.push({id: l.options.geoClusterId, n: l.options.geoCount}); }
    if (l.options.geoKind === 'event') {
      const p = l.getLatLng(); events.push({id: l.options.geoId, lat: p.lat, lon: p.lng});
    }
  });
  return {icons: icons, events: events, zoom: map.getZoom(), total: layer.total};
}"""

SPOT = (36.2, 37.15)


def spot_and_spread_events() -> pd.DataFrame:
    """24 events at one spot (one town's coordinates) and 36 spread on a 6 x 6 grid ~5 km apart."""
    rows = [row(event_id=f"spot{i}", latitude=SPOT[0], longitude=SPOT[1], location="Spot town") for i in range(24)]
    rows += [row(event_id=f"grid{i}", latitude=35.0 + (i % 6) * 0.05, longitude=36.5 + (i // 6) * 0.05,
                 location=f"Grid {i}") for i in range(36)]
    return pd.DataFrame(rows)


def test_clusters_zoom_in_and_spread_the_events_of_one_spot(browser, page_server):
    offline_assets.install("static/vendor")
    df = spot_and_spread_events()
    m, _ = mapping.build_map(df, None, offline_tiles=False)
    page, name = open_map(browser, page_server, m)
    try:
        pg = page.page
        pg.evaluate(CAPTURE_JS, name)
        # the country view: every event is in a drawn cluster or drawn alone, once
        drawn = pg.evaluate(DRAWN_JS, name)
        assert drawn["total"] == len(df)
        assert sum(i["n"] for i in drawn["icons"]) + len(drawn["events"]) == len(df), drawn
        assert sorted(i["n"] for i in drawn["icons"]) == [24, 36], drawn  # the spot, the grid

        # a click on the grid's cluster zooms in to where it splits
        grid = next(i for i in drawn["icons"] if i["n"] == 36)
        pg.evaluate("""([name, id]) => { window[name].eachLayer((l) => {
            if (l.options && l.options.geoClusterId === id) { l.fire('click', {latlng: l.getLatLng()}); } }); }""",
                    [name, grid["id"]])
        pg.wait_for_function(f"() => window['{name}'].getZoom() > 7", timeout=5_000)
        pg.wait_for_timeout(600)  # the zoom animation, then moveend redraws
        after = pg.evaluate(DRAWN_JS, name)
        assert max([i["n"] for i in after["icons"]] + [1]) < grid["n"], (grid, after["icons"])

        # the spot's 24 events never split: a click spreads them around the spot, each its own marker
        pg.evaluate(f"(name) => window[name].setView([{SPOT[0]}, {SPOT[1]}], 17, {{animate: false}})", name)
        spot = pg.evaluate(DRAWN_JS, name)
        assert [i["n"] for i in spot["icons"]] == [24] and not spot["events"], spot
        icon = pg.locator(".geo-cluster").first
        icon.click()
        pg.wait_for_timeout(300)
        spread = pg.evaluate(DRAWN_JS, name)
        assert spread["zoom"] == 17
        assert sorted(e["id"] for e in spread["events"]) == sorted(f"spot{i}" for i in range(24))
        assert len({(round(e["lat"], 7), round(e["lon"], 7)) for e in spread["events"]}) == 24
        # a spread marker's click resolves to its own event
        got = pg.evaluate("""([name, id]) => { let hit = null; window[name].eachLayer((l) => {
            if (l.options && l.options.geoId === id) { hit = l; } });
            hit.fire('click', {latlng: hit.getLatLng()}, true);
            const c = window.__clicks[window.__clicks.length - 1] || {};
            return {tooltip: c.tooltip, lat: c.latlng && c.latlng.lat, lng: c.latlng && c.latlng.lng}; }""",
                          [name, "spot5"])
        result = {"last_object_clicked": {"lat": got["lat"], "lng": got["lng"]}, "last_object_clicked_tooltip": got["tooltip"]}
        assert clicked_event_id(result, df) == "spot5"
        # a real click on a spread marker selects it and leaves the spread open (its popup too)
        xy = pg.evaluate("""([name, id]) => { const map = window[name]; let hit = null;
            map.eachLayer((l) => { if (l.options && l.options.geoId === id) { hit = l; } });
            const p = map.latLngToContainerPoint(hit.getLatLng()), r = map.getContainer().getBoundingClientRect();
            return [r.left + p.x, r.top + p.y]; }""", [name, "spot9"])
        result = mouse_click(pg, xy, 300)
        assert clicked_event_id(result, df) == "spot9"
        assert len(pg.evaluate(DRAWN_JS, name)["events"]) == 24
        assert pg.locator(".leaflet-popup").count() == 1
        # a click on the map folds them back to the spot
        pg.evaluate("(name) => window[name].fire('click', {latlng: window[name].getCenter()})", name)
        folded = pg.evaluate(DRAWN_JS, name)
        assert [i["n"] for i in folded["icons"]] == [24] and not folded["events"], folded
        assert not page.page_errors, page.page_errors
        assert not page.blocked, page.blocked
    finally:
        page.close()


def test_a_spot_of_many_events_spreads_the_most_recent_and_says_how_many(browser, page_server):
    """300 events at one spot (a city's point, as coarse coding gives): a click spreads the 100
    most recent (MapOptions.spread_limit), not a spiral of all, and the spot says how many it holds."""
    import datetime as dt

    offline_assets.install("static/vendor")
    first = dt.date(2016, 1, 1)
    # shuffled dates: the most recent are not simply the last rows of the frame
    days = [(i * 7919) % 300 for i in range(300)]
    df = pd.DataFrame([row(event_id=f"s{i}", event_date=first + dt.timedelta(days=d), latitude=SPOT[0],
                           longitude=SPOT[1], location="Spot town") for i, d in enumerate(days)])
    most_recent = {f"s{i}" for i, d in enumerate(days) if d >= 200}
    m, _ = mapping.build_map(df, None, offline_tiles=False)
    page, name = open_map(browser, page_server, m)
    try:
        pg = page.page
        pg.evaluate(f"(name) => window[name].setView([{SPOT[0]}, {SPOT[1]}], 17, {{animate: false}})", name)
        assert [i["n"] for i in pg.evaluate(DRAWN_JS, name)["icons"]] == [300]
        pg.locator(".geo-cluster").first.click()
        pg.wait_for_timeout(300)
        spread = pg.evaluate(DRAWN_JS, name)
        assert {e["id"] for e in spread["events"]} == most_recent
        note = pg.locator(".leaflet-tooltip").filter(has_text="most recent")
        assert note.count() == 1 and "100 most recent of 300 events" in note.inner_text()
        pg.evaluate("(name) => window[name].fire('click', {latlng: window[name].getCenter()})", name)
        folded = pg.evaluate(DRAWN_JS, name)
        assert [i["n"] for i in folded["icons"]] == [300] and not folded["events"]
        assert pg.locator(".leaflet-tooltip").filter(has_text="most recent").count() == 0
        assert not page.page_errors, page.page_errors
    finally:
        page.close()


STYLE_ERRORS_JS = """(style) => new Promise((resolve) => {
  const box = document.createElement('div'); box.style.cssText = 'width:300px;height:200px;position:absolute;left:-400px';
  document.body.appendChild(box); const errors = [];
  const gl = new maplibregl.Map({container: box, style: style, center: [38.5, 35], zoom: 12, interactive: false});
  gl.on('error', (e) => errors.push(String(e.error && e.error.message || e.error || e)));
  gl.on('idle', () => { gl.remove(); resolve(errors); });
  setTimeout(() => resolve(errors.concat(['no idle in 15 s'])), 15000);
})"""

VECTOR_READY_JS = """(name) => { let gl = null;
  window[name].eachLayer((l) => { if (l.getMaplibreMap) { gl = l.getMaplibreMap(); } });
  return !!gl && gl.loaded() && gl.areTilesLoaded() && gl.getStyle().layers.length > 1; }"""


@pytest.mark.parametrize("suffix", ["mbtiles", "pmtiles"])
def test_a_vector_archive_is_drawn_offline_under_the_events(browser, page_server, monkeypatch, suffix):
    """GEO_BASEMAP names a vector archive: MapLibre (vendored) draws its water in the style's
    colour where the archive has water and the plain land colour where it has none; every request
    stays on this machine; the events stay on top and clickable."""
    from PIL import Image

    folder, _ = page_server
    archive = folder / f"vector.{suffix}"
    make_vector_archive(archive)  # one water polygon: 35-43 E, 32-38 N
    monkeypatch.setenv("GEO_BASEMAP", str(archive))
    offline_assets.install("static/vendor")
    df = hostile_events(40)
    m, _ = mapping.build_map(df, None)
    page, name = open_map(browser, page_server, m)
    try:
        pg = page.page
        pg.evaluate("(name) => window[name].setView([35, 38.5], 6, {animate: false})", name)
        pg.wait_for_function(VECTOR_READY_JS, arg=name, timeout=20_000)
        pg.wait_for_timeout(500)
        shot = Image.open(io.BytesIO(pg.screenshot())).convert("RGB")
        at = pg.evaluate("""([name, points]) => { const map = window[name]; const box = map.getContainer().getBoundingClientRect();
            return points.map(([lat, lon]) => { const p = map.latLngToContainerPoint([lat, lon]);
              return [Math.round(box.left + p.x), Math.round(box.top + p.y)]; }); }""",
                         [name, [[33.0, 41.0], [36.9, 41.8], [33.5, 44.5], [31.0, 39.0]]])
        colours = [shot.getpixel(tuple(xy)) for xy in at]

        def near(c, hex_colour):
            ref = tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
            return all(abs(a - b) <= 12 for a, b in zip(c, ref))

        assert near(colours[0], "#aad3df") and near(colours[1], "#aad3df"), colours  # water, inside the polygon
        assert near(colours[2], "#f2efe9") or near(colours[3], "#f2efe9"), colours  # land, outside it
        tiles_asked = [u for _, u in page.failed_local] + page.blocked
        assert page.blocked == [], page.blocked[:5]
        assert not [u for u in tiles_asked if "/tiles/" in u], tiles_asked[:5]
        assert page.page_errors == [], page.page_errors[:3]
        # the events are drawn above the basemap and a real mouse click still reaches them
        pg.evaluate(CAPTURE_JS, name)
        assert click_marker(pg, name, 5, df)
        # the styles made for the two common schemas are valid MapLibre styles (MapLibre reports a
        # bad layer or expression as an error event, not as an exception)
        url = tiles.serve_archive(archive).url
        for layer_ids in (OPENMAPTILES, PROTOMAPS):
            style = vector_style(layer_ids, url, min_zoom=0, max_zoom=6)
            errors = pg.evaluate(STYLE_ERRORS_JS, style)
            assert errors == [], errors[:3]
    finally:
        page.close()
