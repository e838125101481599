{% macro script(this, kwargs) %}
var {{ this.get_name() }} = GeoMap.selected({{ this._parent.get_name() }}, {{ this.data | js }});
{% endmacro %}
