{% macro script(this, kwargs) %}
var {{ this.get_name() }} = GeoMap.htmlControl({{ this.map_name }}, {{ this.slot | js }}, {{ this.position | js }}, {{ this.html | js }});
{% endmacro %}
