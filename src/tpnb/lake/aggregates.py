"""What the analysis needs, aggregated on Spark: the catalog's DuckDB SQL (one source of truth)
transpiled by sqlglot and run there, so only one row per group reaches Python."""

from __future__ import annotations

import polars as pl
import sqlglot

from tpnb.lake.translate import rewrite


def bind(sql: str, params: dict) -> str:
    """DuckDB SQL with ``$name`` parameters, as Spark SQL with the values as literals (quoted by
    sqlglot; dates as their ISO text, None as NULL)."""
    return rewrite(sqlglot.parse_one(sql, read="duckdb"), params).sql(dialect="spark")


def spark_runner(spark):
    """``run(sql, params)`` for ``tpnb.warehouse.sums.nps_sums`` and friends: on ``spark``, as polars."""

    def run(sql: str, params: dict | None = None) -> pl.DataFrame:
        frame = spark.sql(bind(sql, params or {}))
        return pl.from_arrow(frame.toArrow())

    return run
