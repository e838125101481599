{% macro script(this, kwargs) %}
var {{ this.get_name() }} = GeoMap.eventCluster({{ this._parent.get_name() }}, {{ this.data_json }});
{% endmacro %}
