"""What the warehouse holds and what it set aside: loaded rows per kind, and the quarantine.

Table and column names come from the source contracts (constants of the package), never from
data or users; values reach SQL only as bound parameters.
"""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import polars as pl

from tpnb.contracts import KINDS
from tpnb.contracts.sources import DATE, TIMESTAMP
from tpnb.warehouse.db import has_rows, query

# Kinds that record events as they happen: their newest row says how fresh the data are.
EVENT_KINDS = ("surveys", "contacts", "contact_events", "orders")
QUARANTINE_COLUMNS = ("load_id", "kind", "file", "line", "column", "value", "reason")


def time_column(kind: str) -> str | None:
    """The first date or timestamp column of a kind's contract (what its date range is measured on)."""
    return next((c.name for c in KINDS[kind].columns if c.type in (TIMESTAMP, DATE)), None)


def kind_status(con: duckdb.DuckDBPyConnection, today: date) -> list[dict]:
    """Per source kind: rows held, files loaded, date range, last load, age of the newest row in days,
    and rows quarantined over all loads."""
    loads = _loads_by_kind(con)
    statuses = []
    for name in KINDS:
        table = f"raw_{name}"
        rows, first, last = 0, None, None
        if has_rows(con, table):
            column = time_column(name)
            span = f"min({column}), max({column})" if column else "null, null"
            rows, first, last = con.sql(f"select count(*), {span} from {table}").fetchall()[0]
        load = loads.get(name, {})
        newest = last.date() if isinstance(last, datetime) else last
        statuses.append(
            {
                "kind": name,
                "rows": int(rows),
                "files": load.get("files", 0),
                "first": _day(first),
                "last": _day(last),
                "last_load_at": load.get("last_load_at"),
                "data_age_days": (today - newest).days if newest else None,
                "quarantined": load.get("quarantined", 0),
            }
        )
    return statuses


def _loads_by_kind(con: duckdb.DuckDBPyConnection) -> dict[str, dict]:
    if not has_rows(con, "meta_load_log"):
        return {}
    rows = con.sql(
        "select kind, count(distinct file) filter (where status = 'loaded'), max(finished_at), "
        "coalesce(sum(rows_quarantined), 0) from meta_load_log group by kind"
    ).fetchall()
    return {
        kind: {
            "files": int(files),
            "last_load_at": f"{last:%Y-%m-%dT%H:%M:%S}" if last else None,
            "quarantined": int(quarantined),
        }
        for kind, files, last, quarantined in rows
    }


def _day(value: object) -> str | None:
    if value is None:
        return None
    return f"{value:%Y-%m-%d}"


def quarantined_rows(
    con: duckdb.DuckDBPyConnection, file: str | None = None, load_id: int | None = None, limit: int | None = None
) -> pl.DataFrame:
    """The quarantined rows (value scrubbed at load), newest load first; ``file`` matches the file's
    path or its name."""
    empty = pl.DataFrame(schema=dict.fromkeys(QUARANTINE_COLUMNS, pl.String))
    if not has_rows(con, "meta_quarantine"):
        return empty.with_columns(pl.col("load_id", "line").cast(pl.Int64))
    sql = (
        'select load_id, kind, file, line, "column", value, reason from meta_quarantine '
        "where ($file is null or file = $file or file like '%/' || $file) "
        "and ($load_id is null or load_id = $load_id) "
        'order by load_id desc, file, line, "column" limit coalesce($limit, 9223372036854775807)'
    )
    return query(con, sql, {"file": file, "load_id": load_id, "limit": limit})


def quarantine_reasons(rows: pl.DataFrame) -> pl.DataFrame:
    """How many quarantined rows each reason (per kind and column) holds, most first."""
    if rows.is_empty():
        return pl.DataFrame(schema={"kind": pl.String, "column": pl.String, "reason": pl.String, "rows": pl.Int64})
    return (
        rows.group_by("kind", "column", "reason")
        .agg(pl.len().cast(pl.Int64).alias("rows"))
        .sort(["rows", "kind", "column"], descending=[True, False, False])
    )
