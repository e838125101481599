{% macro script(this, kwargs) %}
// The map's view (centre, zoom) goes to the page's URL from the browser: returning it to Python
// through st_folium would rerun the whole page after the first render and after every pan.
(function (map) {
  var write = function () {
    try {
      var w = window.parent, c = map.getCenter(), url = new URL(w.location.href);
      url.searchParams.set('lat', c.lat.toFixed(4));
      url.searchParams.set('lon', c.lng.toFixed(4));
      url.searchParams.set('z', String(map.getZoom()));
      if (url.href !== w.location.href) { w.history.replaceState(w.history.state, '', url.href); }
    } catch (e) { /* a parent of another origin: the view stays out of the URL */ }
  };
  map.on('moveend', write);
})({{ this.map_name }});
{% endmacro %}
