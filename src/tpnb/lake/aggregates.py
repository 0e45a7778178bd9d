"""What the analysis needs, aggregated on Spark: the catalog's DuckDB SQL (one source of truth)
transpiled by sqlglot and run there, so only one row per group reaches Python."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import sqlglot
from sqlglot import exp

from tpnb.lake.translate import OVERRIDES, literal


def bind(sql: str, params: dict) -> str:
    """DuckDB SQL with ``$name`` parameters, as Spark SQL with the values as literals (quoted by
    sqlglot; dates as DATE literals, None as NULL)."""
    tree = sqlglot.parse_one(sql, read="duckdb")

    def replace(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Placeholder) and node.name in params:
            value = params[node.name]
            if value is None:
                return exp.Null()
            if isinstance(value, date | datetime):
                return exp.Literal.string(value.isoformat())
            return literal(value)
        if type(node) in OVERRIDES:
            return OVERRIDES[type(node)](node)
        return node

    return tree.transform(replace).sql(dialect="spark")


def spark_runner(spark):
    """``run(sql, params)`` for ``tpnb.warehouse.sums.nps_sums`` and friends: on ``spark``, as polars."""

    def run(sql: str, params: dict | None = None) -> pl.DataFrame:
        frame = spark.sql(bind(sql, params or {}))
        return pl.from_arrow(frame.toArrow())

    return run
