{% macro script(this, kwargs) %}
var {{ this.get_name() }} = GeoMap.outlines({{ this.data_json }}, {{ this.style | js }});
{% endmacro %}
