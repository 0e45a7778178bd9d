"""A DuckDB database's raw tables as a Parquet lake: ``<lake>/raw/<table>/month=YYYY-MM/*.parquet``
for a table with a time column, ``<lake>/raw/<table>/*.parquet`` for the others."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from tpnb.contracts import KINDS
from tpnb.sqlutil import ident

# The column a kind's rows are partitioned by (its month); the other kinds are small lists.
PARTITION_BY = {
    "surveys": "answered_at",
    "contacts": "opened_at",
    "contact_events": "event_at",
    "orders": "ordered_at",
    "observations": "observed_at",
}
MONTH = "month"  # the partition column's name (hive-style: month=2026-03)


def raw_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The raw tables of the contract's kinds that the database holds."""
    present = {r[0] for r in con.sql("select table_name from duckdb_tables()").fetchall()}
    return [f"raw_{k}" for k in KINDS if f"raw_{k}" in present]


def export_lake(con: duckdb.DuckDBPyConnection, lake: Path) -> dict[str, int]:
    """Write every raw table to ``lake/raw`` (replacing what an earlier export left); rows per table."""
    out = {}
    for table in raw_tables(con):
        target = lake / "raw" / table
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        rows = int(con.sql(f"select count(*) from {ident(table)}").fetchall()[0][0])
        kind = table.removeprefix("raw_")
        if kind in PARTITION_BY and rows:
            column = ident(PARTITION_BY[kind])
            con.execute(
                f"copy (select *, coalesce(strftime({column}, '%Y-%m'), 'none') as {MONTH} from {ident(table)}) "
                f"to $path (format parquet, partition_by ({MONTH}), overwrite_or_ignore true)",
                {"path": str(target)},
            )
        else:
            con.execute(f"copy {ident(table)} to $path (format parquet)", {"path": str(target / "part-0.parquet")})
        out[table] = rows
    return out
