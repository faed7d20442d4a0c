{# 1 when a transaction happened at night (the hours fraud likes), else 0 #}
{% macro is_night(hour_column) -%}
    case when {{ hour_column }} <= 4 or {{ hour_column }} >= 23 then 1 else 0 end
{%- endmacro %}
