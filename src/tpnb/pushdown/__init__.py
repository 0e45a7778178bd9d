"""The analysis pushed down to an engine: the key-driver model's design as SQL, summed per bootstrap
block by DuckDB or Spark (``run(sql, params)``), solved in Python from the sums. Between the
warehouse (SQL) and the analysis (numbers), as ``tpnb.drivers`` is for frames."""
