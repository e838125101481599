"""The map page itself in Chromium with the network cut: hostile text stays text, clicks on any
marker (inside clusters too) resolve to its event id the way streamlit-folium reports them, and
an offline MBTiles archive (GEO_BASEMAP) draws tiles served from 127.0.0.1."""

from __future__ import annotations

import functools
import http.server
import sys
import threading

import pandas as pd
import pytest
from browser_support import ROOT, OfflinePage

sys.path.insert(0, str(ROOT / "tests"))
from test_webmap_basemap import make_mbtiles
from test_webmap_popups import PAYLOADS, row

from geo.webmap import assets as offline_assets
from geo.webmap import layers as mapping
from geo.webmap import tiles
from geo.webmap.select import clicked_event_id

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
  map.eachLayer((l) => { if (l instanceof L.MarkerClusterGroup) { cluster = l; } });
  const marker = cluster.getLayers()[i];
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


def test_map_page_offline(browser, page_server, monkeypatch):
    folder, base = page_server
    archive = folder / "basemap.mbtiles"
    make_mbtiles(archive, max_zoom=3)
    monkeypatch.setenv("GEO_BASEMAP", str(archive))
    offline_assets.install("static/vendor")
    df = hostile_events()
    m, _ = mapping.build_map(df, None, selected_event_id=df.iloc[7]["event_id"],
                                options=mapping.MapOptions(size_by_fatalities=True, detail_limit=100))
    (folder / "map.html").write_text(m.get_root().render(), encoding="utf-8")

    page = OfflinePage(browser)
    try:
        pg = page.page
        pg.goto(f"{base}/map.html")
        pg.wait_for_function("() => document.querySelectorAll('.geo-cluster').length > 0", timeout=15_000)
        name = pg.evaluate("() => Object.keys(window).find((k) => k.startsWith('map_'))")
        # tiles from the archive, through the local server
        pg.evaluate("(name) => window[name].setZoom(3)", name)
        pg.wait_for_function("() => document.querySelectorAll('img.leaflet-tile-loaded').length > 0", timeout=10_000)
        srcs = pg.evaluate("() => [...document.querySelectorAll('img.leaflet-tile-loaded')].map((i) => i.src)")
        assert srcs and all(s.startswith("http://127.0.0.1:") and "/tiles/" in s for s in srcs)
        # every popup and tooltip, inserted the way Leaflet does (innerHTML): no element or handler
        # from user text appears or runs
        counts = pg.evaluate("""(name) => { const box = document.createElement('div'); document.body.appendChild(box);
            let n = 0; window[name].eachLayer((l) => { if (l instanceof L.MarkerClusterGroup) {
              l.getLayers().forEach((m) => { const c = m.getPopup().getContent();
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
        xy = pg.evaluate("""(name) => { const map = window[name]; let cluster = null;
            map.eachLayer((l) => { if (l instanceof L.MarkerClusterGroup) { cluster = l; } });
            const m = cluster.getLayers()[200]; map.setView(m.getLatLng(), 16, {animate: false});
            const p = map.latLngToContainerPoint(m.getLatLng()), r = map.getContainer().getBoundingClientRect();
            window.__expected = m.options.geoId; return [r.left + p.x, r.top + p.y]; }""", name)
        pg.wait_for_timeout(400)
        pg.mouse.move(xy[0], xy[1])
        pg.mouse.click(xy[0], xy[1])
        pg.wait_for_timeout(200)
        last = pg.evaluate("() => window.__clicks[window.__clicks.length - 1]")
        result = {"last_object_clicked": {"lat": last["latlng"]["lat"], "lng": last["latlng"]["lng"]},
                  "last_object_clicked_tooltip": last["tooltip"]}
        assert clicked_event_id(result, df) == pg.evaluate("() => window.__expected")
        assert not page.page_errors, page.page_errors
        assert not page.blocked, page.blocked
    finally:
        page.close()
