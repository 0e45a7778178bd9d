"""The DuckDB connection: where the database is, how a writer waits, the engine's settings.

Only ``tpnb.warehouse`` and ``tpnb.ingest`` open the database.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import duckdb

from tpnb.settings import database_path

LOCK_HINTS = ("could not set lock", "conflicting lock")
DAMAGE_HINTS = ("not a valid duckdb database", "could not read enough bytes", "corrupt", "checksum")


class DatabaseBusy(RuntimeError):
    """Another process holds the database for writing."""


class DatabaseDamaged(RuntimeError):
    """The file at the database path is not a readable DuckDB database (truncated, overwritten)."""


class DatabaseMissing(FileNotFoundError):
    """No database at the path: run `tpnb demo` or `tpnb ingest` first."""


def connect(db: str | Path | None = None, read_only: bool = True, wait_seconds: float = 30.0):
    """Open the tpnb database (read-only by default, as analysts explore).

    ``db`` defaults to TPNB_DB or the ``database`` of tpnb.yaml. A writer
    waits up to ``wait_seconds`` for another writer to finish, then raises
    DatabaseBusy with a clear message.
    """
    path = database_path(db)
    if read_only and not path.exists():
        raise DatabaseMissing(f"{path}: no tpnb database here; run `tpnb demo` or `tpnb ingest` first")
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=_engine_config())
        except duckdb.IOException as exc:
            text = str(exc).lower()
            if any(hint in text for hint in DAMAGE_HINTS):
                raise DatabaseDamaged(
                    f"{path}: the database file is damaged or not a DuckDB database ({str(exc).splitlines()[0]}); "
                    "restore it from a backup, or rebuild it with `tpnb ingest --config ...`"
                ) from exc
            if not any(hint in text for hint in LOCK_HINTS):
                raise
            if time.monotonic() >= deadline:
                pid = re.search(r"pid (\d+)", text)
                holder = f" (held by process {pid.group(1)})" if pid else ""
                raise DatabaseBusy(
                    f"{path}: the database is in use by another tpnb process{holder}; "
                    f"waited {wait_seconds:g} s. Try again when it has finished."
                ) from exc
            time.sleep(0.25)


def _engine_config() -> dict[str, str]:
    """DuckDB settings from the environment: TPNB_MEMORY_LIMIT (e.g. 4GB; DuckDB's default is 80%
    of RAM, beyond which it spills to disk) and TPNB_THREADS."""
    config = {}
    if limit := os.environ.get("TPNB_MEMORY_LIMIT"):
        config["memory_limit"] = limit
    if threads := os.environ.get("TPNB_THREADS"):
        config["threads"] = threads
    if config:
        try:
            duckdb.connect(config=config).close()
        except duckdb.Error as exc:
            shown = ", ".join(f"{k}={v!r}" for k, v in config.items())
            raise BadSetting(f"TPNB_MEMORY_LIMIT / TPNB_THREADS ({shown}): {str(exc).splitlines()[0]}") from exc
    return config


class BadSetting(ValueError):
    """An engine setting from the environment that DuckDB does not accept."""


def query(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None):
    """Run a read query and return a polars frame (values bound, never formatted in)."""
    return con.sql(sql, params=params or {}).pl()


def runner(con):
    """``run(sql, params) -> polars frame``: on a DuckDB connection (binding only the parameters
    ``sql`` names), or ``con`` itself when it already is such a function (another engine's, e.g.
    ``tpnb.lake.aggregates.spark_runner``)."""
    if callable(con):
        return con

    def run(sql: str, params: dict | None = None):
        used = {k: v for k, v in (params or {}).items() if re.search(rf"\${re.escape(k)}\b", sql)}
        return query(con, sql, used)

    return run


def has_rows(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether the table exists and holds at least one row."""
    exists = con.sql(
        "select count(*) from information_schema.tables where table_name = $name",
        params={"name": name},
    ).fetchall()[0][0]
    return bool(exists) and bool(con.sql(f"select count(*) > 0 from {name}").fetchall()[0][0])
