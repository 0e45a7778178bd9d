"""Which survey answers a key-driver model can explain: NPS, a yes/no answer, a numeric answer.

Part of the query catalog (``read`` re-exports these).
"""

from __future__ import annotations

import duckdb
import polars as pl

from tpnb.warehouse.db import query, runner


def yes_no_attributes(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Survey attributes that are yes/no answers (values 0 and 1, given by nearly every respondent):
    outcomes a report can explain when the survey has no NPS (e.g. ``satisfied``)."""
    return _outcome_attributes(
        con, "count(distinct value_number) = 2 and min(value_number) = 0 and max(value_number) = 1"
    )


def default_outcome(con: duckdb.DuckDBPyConnection) -> str:
    """NPS where the survey has it, else its first yes/no answer, else its first numeric answer (an
    overall rating), else NPS (whoever asks then says it is missing). ``con`` may also be a
    ``run(sql, params)`` of another engine."""
    if _column(con, "select count(nps) > 0 as x from mart_responses")[0]:
        return "nps"
    return next(iter(yes_no_attributes(con) + numeric_attributes(con)), "nps")


def numeric_attributes(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Survey attributes that are numbers with more than two values, given by nearly every respondent:
    a numeric outcome such as an overall rating (``overall``)."""
    return _outcome_attributes(con, "count(distinct value_number) > 2")


def _outcome_attributes(con: duckdb.DuckDBPyConnection, condition: str) -> list[str]:
    # condition is one of the two fixed texts above, never a value from the data
    sql = (
        "select attribute from core_survey_attributes group by attribute "
        "having count(value_number) >= 0.9 * greatest(count(*), (select count(*) from core_survey_responses)) "
        f"and {condition} order by attribute"
    )
    return _column(con, sql)


def _column(con, sql: str) -> list:
    """The first column of a query, on a DuckDB connection or through ``run(sql, params)``."""
    frame = runner(con)(sql, {})
    return frame.to_series(0).to_list()


def attribute_values(con: duckdb.DuckDBPyConnection, name: str) -> pl.DataFrame:
    """``response_id`` and the numeric value of one survey attribute, named ``name``."""
    return query(
        con,
        "select response_id, value_number as value from core_survey_attributes where attribute = $name",
        {"name": name},
    ).rename({"value": name})
