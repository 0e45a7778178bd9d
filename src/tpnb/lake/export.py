"""A DuckDB database's raw tables as a Parquet lake: ``<lake>/raw/<table>/month=YYYY-MM/*.parquet``
for a table with a time column, ``<lake>/raw/<table>/month=all/*.parquet`` for the others; loads
append their rows as new files (``append_loads``)."""

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
META_TABLES = ("meta_load_log", "meta_quarantine")


def month_of(kind: str) -> str:
    """The SQL of a row's partition: its month for a kind with a time column, else ``all``."""
    if kind in PARTITION_BY:
        return f"coalesce(strftime({ident(PARTITION_BY[kind])}, '%Y-%m'), 'none')"
    return "'all'"


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
        if rows:
            con.execute(
                f"copy (select *, {month_of(kind)} as {MONTH} from {ident(table)}) "
                f"to $path (format parquet, partition_by ({MONTH}), overwrite_or_ignore true)",
                {"path": str(target)},
            )
        else:  # no rows: one empty file keeps the table's columns
            (target / f"{MONTH}=none").mkdir()
            con.execute(
                f"copy {ident(table)} to $path (format parquet)",
                {"path": str(target / f"{MONTH}=none" / "empty.parquet")},
            )
        out[table] = rows
    for meta in META_TABLES:  # the load log and quarantine, for the reports' statement of inputs
        if con.sql("select count(*) from duckdb_tables() where table_name = $t", params={"t": meta}).fetchall()[0][0]:
            folder = lake / "meta" / meta
            if folder.exists():
                shutil.rmtree(folder)
            folder.mkdir(parents=True)
            con.execute(f"copy {ident(meta)} to $path (format parquet)", {"path": str(folder / "export.parquet")})
    return out


def append_loads(con: duckdb.DuckDBPyConnection, lake: Path, loads: list[tuple[str, int]]) -> dict[str, int]:
    """Append the rows each load (kind, load_id) stored to the lake as new Parquet files, with the
    load's log and quarantine rows under ``lake/meta``. Nothing is rewritten: a corrected row is a
    newer file, and readers take the newest load of each key (``tpnb.lake.spark.register_raw``)."""
    out = {}
    for table in raw_tables(con):  # every raw table the models read exists, if only with its columns
        if not (lake / "raw" / table).exists():
            empty = lake / "raw" / table / f"{MONTH}=none"
            empty.mkdir(parents=True)
            con.execute(
                f"copy (select * from {ident(table)} limit 0) to $path (format parquet)",
                {"path": str(empty / "empty.parquet")},
            )
    for kind, load_id in loads:
        table = f"raw_{kind}"
        target = lake / "raw" / table
        target.mkdir(parents=True, exist_ok=True)
        params = {"path": str(target), "load": load_id, "name": f"load-{int(load_id)}-{{uuid}}"}
        rows = int(
            con.sql(f"select count(*) from {ident(table)} where load_id = $load", params={"load": load_id}).fetchall()[
                0
            ][0]
        )
        if rows:
            con.execute(
                f"copy (select *, {month_of(kind)} as {MONTH} from {ident(table)} where load_id = $load) to $path "
                f"(format parquet, partition_by ({MONTH}), append true, filename_pattern $name)",
                params,
            )
        for meta in META_TABLES:
            folder = lake / "meta" / meta
            folder.mkdir(parents=True, exist_ok=True)
            con.execute(
                f"copy (select * from {meta} where load_id = $load) to $path (format parquet)",
                {"load": load_id, "path": str(folder / f"load-{int(load_id)}.parquet")},
            )
        out[table] = out.get(table, 0) + rows
    return out
