/* geo.webmap's browser side: one library defined once per map page (window.GeoMap).
 * Python sends data only (compact JSON); every layer is built here. User text never reaches
 * innerHTML unescaped: popups arrive as HTML rendered by an autoescaping Jinja2 template, and
 * everything else is set with textContent or passed through esc(). */
(function () {
  if (window.GeoMap) { return; }

  function esc(s) {
    return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) {
      return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c];
    });
  }

  // The token that tells the dashboard which event a click hit. It is read back from the clicked
  // marker's tooltip text (streamlit-folium returns it as last_object_clicked_tooltip); the
  // invisible separators keep it apart from the visible label.
  // Aggregate markers carry ``area:<index of the marker>`` instead: a click on one shows the single
  // events of its area.
  var SEP = '\u2063';
  function idToken(id) { return SEP + 'event:' + id + SEP; }
  function areaToken(i) { return SEP + 'area:' + i + SEP; }

  function tooltipHtml(label, id, area) {
    var token = id != null ? idToken(id) : (area != null ? areaToken(area) : null);
    return '<span>' + esc(label) + '</span>' +
      (token == null ? '' : '<span class="geo-eid" style="display:none">' + esc(token) + '</span>');
  }

  // Bind a marker's tooltip when the pointer first reaches it, or at the latest when it is clicked:
  // the cluster group hears both from its markers before streamlit-folium's click listener (added
  // later) reads the tooltip. One listener on the group, not two per marker: 20,000 markers.
  function lazyTooltips(group, labelFn) {
    group.on('mouseover click', function (e) {
      var m = e.layer || e.propagatedFrom || e.sourceTarget;
      if (!m || !m.options || m.options.geoRow === undefined) { return; }
      if (!m.getTooltip()) {
        m.bindTooltip(labelFn(m), {direction: 'top', offset: [0, -4], opacity: 0.95});
        if (e.type === 'mouseover') { m.openTooltip(); }
      }
    });
  }

  // A cluster's icon: its event count on a neutral disc (never one of the legend's colours),
  // optionally ringed by its type mix. ``counts``: events per type index.
  function clusterIcon(types, colors, mix, counts, n) {
    var size = n < 100 ? 30 : (n < 1000 ? 36 : 44);
    var ring = '';
    if (mix) {
      // the type mix as a ring of proportional arcs
      var stops = [], acc = 0;
      for (var t = 0; t < types.length; t++) {
        if (!counts[t]) { continue; }
        var a = acc / n * 100, b = (acc + counts[t]) / n * 100;
        stops.push(colors[t] + ' ' + a.toFixed(2) + '% ' + b.toFixed(2) + '%');
        acc += counts[t];
      }
      ring = ' style="background:conic-gradient(' + stops.join(',') + ')"';
    }
    return L.divIcon({
      html: '<div class="geo-cluster-ring"' + ring + '><span>' + n.toLocaleString() + '</span></div>',
      className: 'geo-cluster', iconSize: L.point(size, size)
    });
  }

  // Where the events of one spot go when its cluster is opened at the deepest zoom, in layer
  // pixels around ``center``: a circle for a few, a spiral for many (Leaflet.markercluster's
  // spiderfy geometry, so the map behaves as before).
  function spiderPoints(n, center) {
    var pts = [], i, angle;
    if (n <= 8) {
      var r = 25 * (2 + n) / (2 * Math.PI), step = 2 * Math.PI / n;
      for (i = 0; i < n; i++) {
        angle = i * step;
        pts.push(L.point(center.x + r * Math.cos(angle), center.y + r * Math.sin(angle)).round());
      }
      return pts;
    }
    var leg = 11;
    angle = 0;
    for (i = 0; i < n; i++) {
      angle += 28 / leg + i * 0.0005;
      pts.push(L.point(center.x + leg * Math.cos(angle), center.y + leg * Math.sin(angle)).round());
      leg += 2 * Math.PI * 5 / angle;
    }
    return pts;
  }

  // The events layer. supercluster indexes the rows once per data (a k-d tree per zoom); each
  // view change then draws only the clusters and events inside the view, and an event's marker is
  // made when it is first shown. Leaflet.markercluster, used before, built a marker per event and
  // clustered all of them on every filter change: ~0.4 s in the browser for 10,000 events.
  // Event markers are this group's children, so a click on one reaches streamlit-folium's
  // listener on the group with the marker as sourceTarget; cluster icons live in a separate
  // layer group on the map (a click on one zooms in, or spreads the events of one spot).
  var EventCluster = L.FeatureGroup.extend({
    initialize: function (d) {
      L.FeatureGroup.prototype.initialize.call(this, [], {geoKind: 'cluster-layer'});
      this._d = d;
      this._made = new Array(d.rows.length);
      this._icons = L.layerGroup();
      this._shown = {};  // 'c<cluster id>' or 'p<row>' -> the layer drawn for it
      this._index = null;
      this._spider = null;
      this.total = 0;  // events behind the rows (aggregate rows count several)
    },

    onAdd: function (map) {
      if (!this._index) { this._build(map); }
      L.FeatureGroup.prototype.onAdd.call(this, map);
      map.addLayer(this._icons);
      map.on('moveend', this._update, this);
      map.on('zoomstart click', this._unspider, this);
      this._update();
    },

    onRemove: function (map) {
      map.off('moveend', this._update, this);
      map.off('zoomstart click', this._unspider, this);
      this._unspider();
      map.removeLayer(this._icons);
      L.FeatureGroup.prototype.onRemove.call(this, map);
    },

    _build: function (map) {
      var d = this._d, rows = d.rows, nt = d.types.length, pts = new Array(rows.length), total = 0;
      for (var i = 0; i < rows.length; i++) {
        pts[i] = {type: 'Feature', properties: {i: i}, geometry: {type: 'Point', coordinates: [rows[i][1], rows[i][0]]}};
        total += d.aggregated ? rows[i][3] : 1;
      }
      var maxZoom = map.getMaxZoom();
      this.total = total;
      this._index = new Supercluster({
        // supercluster's radius is in units of a 256 px tile with extent 256: screen pixels
        radius: d.options.clusterRadius, extent: 256,
        minZoom: Math.max(0, Math.floor(map.getMinZoom())), maxZoom: isFinite(maxZoom) ? Math.ceil(maxZoom) : 18,
        map: function (p) {
          var c = new Array(nt).fill(0), r = rows[p.i];
          c[r[2]] = d.aggregated ? r[3] : 1;
          return {c: c};
        },
        // ``acc`` is a shallow copy of a child cluster's properties: a new array, never the child's
        reduce: function (acc, p) {
          var c = acc.c.slice();
          for (var k = 0; k < nt; k++) { c[k] += p.c[k]; }
          acc.c = c;
        }
      }).load(pts);
    },

    // The marker of row i, made once (popups and tooltips are bound lazily too).
    marker: function (i) {
      if (this._made[i]) { return this._made[i]; }
      var d = this._d, r = d.rows[i];
      var near = d.aggregated ? r[5] === 2 : d.precisions[r[3]] === 2;
      var radius = d.aggregated ? Math.min(5 + 1.5 * Math.sqrt(r[3]), 22) : (d.radii ? d.radii[r[3]] : d.radius);
      var m = L.circleMarker([r[0], r[1]], {
        radius: radius,
        color: near ? '#333' : '#fff', weight: near ? 1.5 : 1, dashArray: near ? '3 2' : null,
        fillColor: d.colors[r[2]], fillOpacity: near ? 0.55 : 0.9,
        geoKind: d.aggregated ? 'aggregate' : 'event', geoIdx: d.aggregated ? i : r[3], geoType: d.types[r[2]],
        geoT: r[2], geoCount: d.aggregated ? r[3] : 1, geoId: d.aggregated ? null : d.ids[r[3]], geoRow: r,
        geoI: i, geoInCluster: true
      });
      m.bindPopup(this._popup, {maxWidth: 360});
      m._geoLayer = this;
      this._made[i] = m;
      return m;
    },

    // Every row's marker (tests and tools; the map itself makes only those it shows).
    eachMarker: function (fn) {
      for (var i = 0; i < this._d.rows.length; i++) { fn(this.marker(i)); }
    },

    _popup: function (m) {
      var d = m._geoLayer._d, r = m.options.geoRow;
      if (d.aggregated) {
        return '<div class="geo-popup"><div><span class="geo-dot" style="background:' + d.colors[r[2]] + '"></span><b>' +
          r[3].toLocaleString() + ' &times; ' + esc(d.types[r[2]]) + '</b></div><div><span class="geo-k">Place</span> ' +
          esc(d.locations[r[4]]) + (r[5] === 2 ? ' <span class="geo-muted">(near the town)</span>' : '') +
          '</div><div class="geo-muted">' + esc(d.fallback) + '</div></div>';
      }
      var p = d.popups[r[3]];
      return p ? p : '<div class="geo-popup"><b>' + esc(d.types[r[2]]) + '</b><div class="geo-muted">' + esc(d.fallback) + '</div></div>';
    },

    label: function (m) {
      var d = this._d, r = m.options.geoRow;
      if (d.aggregated) { return r[3].toLocaleString() + ' \u00d7 ' + d.types[r[2]] + ' \u00b7 ' + d.locations[r[4]]; }
      return d.types[r[2]] + (d.locations[r[4]] ? ' \u00b7 ' + d.locations[r[4]] : '');
    },

    _update: function () {
      var map = this._map;
      if (!map || !this._index) { return; }
      var b = map.getBounds().pad(0.3), k, f;
      var found = this._index.getClusters([Math.max(-180, b.getWest()), Math.max(-85, b.getSouth()),
        Math.min(180, b.getEast()), Math.min(85, b.getNorth())], Math.floor(map.getZoom()));
      var want = {};
      for (var j = 0; j < found.length; j++) {
        f = found[j];
        want[f.properties.cluster ? 'c' + f.properties.cluster_id : 'p' + f.properties.i] = f;
      }
      for (k in this._shown) {
        if (!want[k]) { this._drop(k); }
      }
      for (k in want) {
        if (this._shown[k]) { continue; }
        f = want[k];
        if (f.properties.cluster) {
          this._shown[k] = this._clusterMarker(f).addTo(this._icons);
        } else {
          this._shown[k] = this.marker(f.properties.i);
          this.addLayer(this._shown[k]);
        }
      }
    },

    _drop: function (k) {
      var l = this._shown[k];
      delete this._shown[k];
      if (k.charAt(0) === 'c') {
        if (this._spider && this._spider.icon === l) { this._unspider(); }
        this._icons.removeLayer(l);
      } else {
        this.removeLayer(l);
      }
    },

    _clusterMarker: function (f) {
      var d = this._d, c = f.properties.c, n = 0;
      for (var t = 0; t < c.length; t++) { n += c[t]; }
      var m = L.marker([f.geometry.coordinates[1], f.geometry.coordinates[0]], {
        icon: clusterIcon(d.types, d.colors, d.mix, c, n), keyboard: false,
        geoKind: 'cluster', geoCount: n, geoClusterId: f.properties.cluster_id, geoInCluster: true
      });
      m.on('click', this._clusterClick, this);
      return m;
    },

    // Zoom to where the cluster splits; a cluster that never splits (one spot, or the deepest
    // zoom) spreads its events around it instead.
    _clusterClick: function (e) {
      var m = e.target, map = this._map, maxZoom = map.getMaxZoom();
      var to = this._index.getClusterExpansionZoom(m.options.geoClusterId);
      if (to > maxZoom || map.getZoom() >= maxZoom) {
        this._spiderfy(m);
      } else {
        map.setView(m.getLatLng(), to);
      }
    },

    // Thousands of events can share one spot (every event coded to a city's point): a spiral of
    // them all would be unreadable and slow, so the most recent ``spreadLimit`` are spread (rows
    // come most recent first) and the spot says how many more it holds.
    _spiderfy: function (icon) {
      this._unspider();
      var map = this._map, leaves = this._index.getLeaves(icon.options.geoClusterId, Infinity);
      var limit = this._d.options.spreadLimit || Infinity, total = leaves.length;
      if (total > limit) {
        leaves.sort(function (a, b) { return a.properties.i - b.properties.i; });
        leaves = leaves.slice(0, limit);
        icon.bindTooltip('The ' + limit.toLocaleString() + ' most recent of ' + total.toLocaleString() +
                         ' events here: narrow the filters, or list them in the table', {permanent: true, direction: 'top'});
      }
      var pts = spiderPoints(leaves.length, map.latLngToLayerPoint(icon.getLatLng()));
      var legs = L.layerGroup(), moved = [];
      for (var i = 0; i < leaves.length; i++) {
        var m = this.marker(leaves[i].properties.i), to = map.layerPointToLatLng(pts[i]);
        L.polyline([icon.getLatLng(), to], {color: '#222', weight: 1.5, opacity: 0.5, interactive: false}).addTo(legs);
        m.setLatLng(to);
        this.addLayer(m);
        moved.push(m);
      }
      legs.addTo(this._icons);
      icon.setOpacity(0.3);
      this._spider = {icon: icon, legs: legs, moved: moved};
    },

    _unspider: function () {
      var s = this._spider;
      if (!s) { return; }
      this._spider = null;
      for (var i = 0; i < s.moved.length; i++) {
        var m = s.moved[i], r = m.options.geoRow;
        m.setLatLng([r[0], r[1]]);
        if (this._shown['p' + m.options.geoI] !== m) { this.removeLayer(m); }
      }
      this._icons.removeLayer(s.legs);
      s.icon.unbindTooltip();
      s.icon.setOpacity(1);
    }
  });

  // The layer built last, by the key of its data: streamlit-folium removes and re-evaluates
  // every layer on each rerun that changes any of them (a selection), and the same data
  // re-adds the same layer instead of indexing it again.
  var lastCluster = null;

  function eventCluster(parent, d) {
    if (d.key && lastCluster && lastCluster.key === d.key) {
      lastCluster.cluster.addTo(parent);
      return lastCluster.cluster;
    }
    var cluster = new EventCluster(d);
    lazyTooltips(cluster, function (m) {
      return tooltipHtml(cluster.label(m), m.options.geoId, d.aggregated ? m.options.geoIdx : null);
    });
    cluster.addTo(parent);
    lastCluster = d.key ? {key: d.key, cluster: cluster} : null;
    return cluster;
  }

  function provinceRollup(parent, items) {
    var group = L.featureGroup();
    for (var i = 0; i < items.length; i++) {
      var it = items[i];
      L.circleMarker([it.lat, it.lon], {
        radius: Math.min(14 + 2 * Math.sqrt(it.count), 40), color: '#222', weight: 2,
        dashArray: '6 5', fill: true, fillColor: '#ffffff', fillOpacity: 0.15,
        geoKind: 'province', geoCount: it.count, geoAdmin1: it.admin1
      }).bindPopup(it.html, {maxWidth: 380}).addTo(group);
      var label = document.createElement('span');
      label.className = 'geo-gov-count';
      label.textContent = String(it.count);
      L.marker([it.lat, it.lon], {interactive: false, keyboard: false, geoKind: 'province-label',
        icon: L.divIcon({className: 'geo-gov-wrap', html: label.outerHTML, iconSize: null})}).addTo(group);
    }
    group.addTo(parent);
    return group;
  }

  function selected(parent, d) {
    var m = L.circleMarker([d.lat, d.lon], {radius: 13, color: '#000', weight: 3, fill: false,
      geoKind: 'selected', geoIdx: d.id, geoId: d.id});
    m.bindPopup(d.html, {maxWidth: 360, autoPan: false});
    m.bindTooltip(tooltipHtml(d.label, d.id));
    m.addTo(parent);
    setTimeout(function () { try { m.openPopup(); } catch (e) {} }, 300);
    return m;
  }

  // Place labels by zoom: each label carries the lowest zoom at which it shows (decided in Python
  // from importance and spacing); only the labels inside the view are in the DOM.
  function placeLabels(map, labels) {
    var group = L.layerGroup(), shown = {};
    function refresh() {
      var z = map.getZoom(), b = map.getBounds().pad(0.2);
      var want = {};
      for (var i = 0; i < labels.length; i++) {
        var t = labels[i];
        if (t[3] <= z && b.contains([t[0], t[1]])) { want[i] = true; }
      }
      for (var k in shown) {
        if (!want[k]) { group.removeLayer(shown[k]); delete shown[k]; }
      }
      for (var j in want) {
        if (shown[j]) { continue; }
        var l = labels[j], span = document.createElement('span');
        span.textContent = l[2];
        shown[j] = L.marker([l[0], l[1]], {interactive: false, keyboard: false, geoKind: 'town',
          icon: L.divIcon({className: 'geo-town geo-town-t' + l[4], html: '<i></i>' + span.innerHTML,
            iconSize: null, iconAnchor: [3, 8]})});
        group.addLayer(shown[j]);
      }
    }
    map.on('zoomend moveend', refresh);
    group.addTo(map);
    refresh();
    return group;
  }

  function htmlControl(map, slot, position, html) {
    window.__geoControls = window.__geoControls || {};
    if (slot && window.__geoControls[slot]) { window.__geoControls[slot].remove(); delete window.__geoControls[slot]; }
    if (!html) { return null; }
    var c = L.control({position: position});
    c.onAdd = function () {
      var div = L.DomUtil.create('div', 'geo-legend');
      div.innerHTML = html;  // rendered by an autoescaping template in Python
      L.DomEvent.disableClickPropagation(div);
      return div;
    };
    c.addTo(map);
    if (slot) { window.__geoControls[slot] = c; }
    return c;
  }

  // Popup links ("?view=article&article=ID") resolved against the dashboard's own URL: the map
  // lives in a sandboxed iframe whose URL is the component's; links open a new tab.
  document.addEventListener('click', function (e) {
    var a = e.target && e.target.closest ? e.target.closest('a.geo-article-link') : null;
    if (!a) { return; }
    try {
      var top = window.parent && window.parent !== window ? window.parent.location.href : window.location.href;
      a.href = new URL(a.getAttribute('href'), top).href;
    } catch (err) { /* a cross-origin parent: keep the relative link */ }
  }, true);

  // A layer shown only from a zoom on (district outlines would clutter the country view).
  function zoomGate(map, layer, minZoom) {
    function gate() {
      var on = map.getZoom() >= minZoom;
      if (on && !map.hasLayer(layer)) { map.addLayer(layer); }
      if (!on && map.hasLayer(layer)) { map.removeLayer(layer); }
    }
    map.on('zoomend', gate);
    gate();
    return layer;
  }

  // Borders drawn from GeoJSON, not interactive: style.base for every feature, style.values[p]
  // over it for the features whose property style.by is p.
  function outlines(data, style) {
    return L.geoJson(data, {interactive: false, style: function (f) {
      var own = style.by && f.properties ? style.values[f.properties[style.by]] : null;
      return L.extend({}, style.base, own || {});
    }});
  }

  // A vector tile archive, drawn by MapLibre GL inside the Leaflet map (below the events, which
  // keep every click). style: a MapLibre style made in Python from the archive's layers.
  function vectorBasemap(style, options) {
    return L.maplibreGL(L.extend({style: style, interactive: false}, options));
  }

  window.GeoMap = {esc: esc, idToken: idToken, eventCluster: eventCluster, EventCluster: EventCluster, provinceRollup: provinceRollup,
    selected: selected, placeLabels: placeLabels, htmlControl: htmlControl, zoomGate: zoomGate,
    outlines: outlines, vectorBasemap: vectorBasemap};
})();
