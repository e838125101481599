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

  // Events per type under a cluster, memoised on the cluster and rebuilt from its direct markers
  // and child clusters only when its child count changed: icons are recreated on every zoom
  // and after each loading chunk, and walking all child markers each time is O(n) per icon.
  function typeCounts(cluster) {
    var childCount = cluster.getChildCount();
    if (cluster._geoMix && cluster._geoMix.childCount === childCount) { return cluster._geoMix; }
    var counts = {}, total = 0, k, t, c;
    var ms = cluster._markers || [], cs = cluster._childClusters || [];
    for (k = 0; k < ms.length; k++) {
      c = ms[k].options.geoCount || 1; t = ms[k].options.geoT;
      counts[t] = (counts[t] || 0) + c; total += c;
    }
    for (k = 0; k < cs.length; k++) {
      var sub = typeCounts(cs[k]);
      for (t in sub.counts) { counts[t] = (counts[t] || 0) + sub.counts[t]; }
      total += sub.total;
    }
    cluster._geoMix = {childCount: childCount, counts: counts, total: total};
    return cluster._geoMix;
  }

  function clusterIcon(types, colors, mix) {
    return function (cluster) {
      var mixed = typeCounts(cluster), n = mixed.total, counts = mixed.counts;
      var size = n < 100 ? 30 : (n < 1000 ? 36 : 44);
      var ring = '';
      if (mix) {
        // the type mix as a ring of proportional arcs around a neutral disc (never one colour)
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
    };
  }

  // The cluster built last, by the key of its data: streamlit-folium removes and re-evaluates
  // every layer on each rerun that changes any of them (a selection), and rebuilding 20,000
  // markers costs seconds; the same data re-adds the same cluster.
  var lastCluster = null;

  function eventCluster(parent, d) {
    if (d.key && lastCluster && lastCluster.key === d.key) {
      lastCluster.cluster.addTo(parent);
      return lastCluster.cluster;
    }
    var opts = d.options;
    opts.iconCreateFunction = clusterIcon(d.types, d.colors, d.mix);
    var cluster = L.markerClusterGroup(opts);
    var rows = d.rows, markers = new Array(rows.length);
    function popupOf(layer) { return popupFor(layer.options.geoRow); }
    function popupFor(r) {
      if (d.aggregated) {
        return '<div class="geo-popup"><div><span class="geo-dot" style="background:' + d.colors[r[2]] + '"></span><b>' +
          r[3].toLocaleString() + ' &times; ' + esc(d.types[r[2]]) + '</b></div><div><span class="geo-k">Place</span> ' +
          esc(d.locations[r[4]]) + (r[5] === 2 ? ' <span class="geo-muted">(near the town)</span>' : '') +
          '</div><div class="geo-muted">' + esc(d.fallback) + '</div></div>';
      }
      var p = d.popups[r[3]];
      return p ? p : '<div class="geo-popup"><b>' + esc(d.types[r[2]]) + '</b><div class="geo-muted">' + esc(d.fallback) + '</div></div>';
    }
    function labelFor(r) {
      if (d.aggregated) { return r[3].toLocaleString() + ' \u00d7 ' + d.types[r[2]] + ' \u00b7 ' + d.locations[r[4]]; }
      return d.types[r[2]] + (d.locations[r[4]] ? ' \u00b7 ' + d.locations[r[4]] : '');
    }
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i];
      var near = d.aggregated ? r[5] === 2 : d.precisions[r[3]] === 2;
      var radius = d.aggregated ? Math.min(5 + 1.5 * Math.sqrt(r[3]), 22) : (d.radii ? d.radii[r[3]] : d.radius);
      var id = d.aggregated ? null : d.ids[r[3]];
      var m = L.circleMarker([r[0], r[1]], {
        radius: radius,
        color: near ? '#333' : '#fff', weight: near ? 1.5 : 1, dashArray: near ? '3 2' : null,
        fillColor: d.colors[r[2]], fillOpacity: near ? 0.55 : 0.9,
        geoKind: d.aggregated ? 'aggregate' : 'event', geoIdx: d.aggregated ? i : r[3], geoType: d.types[r[2]],
        geoT: r[2], geoCount: d.aggregated ? r[3] : 1, geoId: id, geoRow: r
      });
      m.bindPopup(popupOf, {maxWidth: 360});
      markers[i] = m;
    }
    lazyTooltips(cluster, function (m) {
      return tooltipHtml(labelFor(m.options.geoRow), m.options.geoId, d.aggregated ? m.options.geoIdx : null);
    });
    cluster.addLayers(markers);
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

  window.GeoMap = {esc: esc, idToken: idToken, eventCluster: eventCluster, provinceRollup: provinceRollup,
    selected: selected, placeLabels: placeLabels, htmlControl: htmlControl, zoomGate: zoomGate};
})();
