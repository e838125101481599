{% macro script(this, kwargs) %}
{{ this.library }}
{% endmacro %}
