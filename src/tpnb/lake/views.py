"""A lake's tables as a DuckDB database of views: what the reports (and any ``--db`` command) read
after Spark built the marts. DuckDB scans the Parquet files in place; nothing is copied, so the
database file is a few kilobytes at any lake size.

The raw tables are read as Spark reads them (``tpnb.lake.spark.register_raw``): the month partition
dropped, and of every key the newest load's row.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from tpnb.contracts import KINDS
from tpnb.lake.export import MONTH
from tpnb.sqlutil import ident, literal

LAYERS = ("core", "marts", "meta")


def _parquet(folder: Path, hive: bool = False) -> str:
    # a view's definition cannot hold a bound parameter: the lake's own path, quoted
    files = literal(str(folder.resolve() / "**" / "*.parquet"))
    return f"read_parquet({files}, union_by_name = true, hive_partitioning = {str(hive).lower()})"


def lake_database(lake: Path, target: Path) -> list[str]:
    """Write ``target``, a DuckDB file whose views read ``lake``'s core, mart, meta and raw tables.
    Returns the views' names."""
    if not (lake / "marts").is_dir():
        raise FileNotFoundError(f"{lake}: no marts (run `tpnb build --engine spark --lake {lake}` first)")
    target.unlink(missing_ok=True)
    names = []
    con = duckdb.connect(str(target))
    try:
        for layer in LAYERS:
            folder = lake / layer
            for table in sorted(folder.iterdir()) if folder.is_dir() else []:
                if table.is_dir() and any(table.rglob("*.parquet")):
                    con.execute(f"create view {ident(table.name)} as select * from {_parquet(table)}")
                    names.append(table.name)
        for table in sorted((lake / "raw").iterdir()) if (lake / "raw").is_dir() else []:
            kind = KINDS.get(table.name.removeprefix("raw_"))
            if kind is None or not any(table.rglob("*.parquet")):
                continue
            key = ", ".join(ident(c) for c in kind.key)
            con.execute(
                f"create view {ident(table.name)} as select * exclude ({MONTH}, __newest) from ("
                f"select *, row_number() over (partition by {key} order by load_id desc) as __newest "
                f"from {_parquet(table, hive=True)}) where __newest = 1"
            )
            names.append(table.name)
    finally:
        con.close()
    return names
