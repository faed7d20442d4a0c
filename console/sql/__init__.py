"""SQL models on an embedded DuckDB warehouse: dbt projects, ``@p.sql`` tasks, tests as checks.

Nothing here is imported until a SQL project or command needs it (duckdb and jinja2 load
lazily), so ``opsconsole --no-ui runs`` stays light.
"""
