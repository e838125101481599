{% macro script(this, kwargs) %}
var {{ this.get_name() }} = GeoMap.placeLabels({{ this._parent.get_name() }}, {{ this.data | js }});
{% endmacro %}
