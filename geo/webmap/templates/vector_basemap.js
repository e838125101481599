{% macro script(this, kwargs) %}
var {{ this.get_name() }} = GeoMap.vectorBasemap({{ this.style | js }}, {{ this.options | js }});
{% endmacro %}
