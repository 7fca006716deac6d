"""The heavy aggregations over microdata, written once as Ibis expressions and run where the
data lives: DuckDB on a laptop, Spark in a trusted research environment (docs/scale.md)."""
