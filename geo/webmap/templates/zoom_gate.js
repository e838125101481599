{% macro script(this, kwargs) %}
GeoMap.zoomGate({{ this.map_name }}, {{ this.layer_name }}, {{ this.min_zoom | js }});
{% endmacro %}
