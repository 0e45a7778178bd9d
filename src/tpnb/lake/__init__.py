"""Past one machine: the raw tables as a Parquet lake, and the same SQL models on Apache Spark.

``export`` writes a DuckDB database's raw tables as Parquet, partitioned by month (hive-style)
where a table has a time column. ``translate`` turns each model of ``tpnb/warehouse/sql`` into
Spark SQL with sqlglot (one source of truth per model; the few per-engine overrides are in
``translate.OVERRIDES``, each with a test). ``spark`` runs them on a SparkSession and writes the
marts to ``<lake>/marts``; ``aggregates`` computes what the analysis needs there with one GROUP BY,
so only per-group sums reach Python.
"""
