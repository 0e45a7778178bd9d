"""Read files (CSV, Parquet, XLSX, JSON Lines) -> validate -> load raw tables.

``ingest_file`` is the one path every file takes, the demo's included.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb

from tpnb.contracts import kind as get_kind
from tpnb.ingest.errors import RejectedFile
from tpnb.ingest.load import LoadResult, file_sha256, options_fingerprint, previous_load, write_load
from tpnb.ingest.options import ConfigError, Source, SourceOptions, load_sources
from tpnb.ingest.readers import drop_stage, stage_file
from tpnb.ingest.schema import ensure_schema
from tpnb.ingest.validate import build_typed, enum_macro_sql, number_macros_sql, plan_layout
from tpnb.sqlutil import drop_temp

__all__ = ["ConfigError", "LoadResult", "RejectedFile", "SourceOptions", "ingest_file", "ingest_sources",
           "load_sources"]


def _prepare(con: duckdb.DuckDBPyConnection) -> None:
    ensure_schema(con)
    for statement in [enum_macro_sql(), *number_macros_sql()]:
        con.execute(statement)


def _drop_temps(con) -> None:
    drop_stage(con)
    for name in ("typed", "incoming"):
        drop_temp(con, name)


def ingest_file(con: duckdb.DuckDBPyConnection, kind_name: str, path: Path | str,
                options: SourceOptions | None = None) -> LoadResult:
    """Load one file of one kind. Raises RejectedFile when nothing of it can be loaded."""
    kind = get_kind(kind_name)
    path = Path(path)
    options = options or SourceOptions()
    _prepare(con)
    started_at = datetime.now()
    if not path.is_file():
        raise RejectedFile(f"{path}: file not found")
    sha = file_sha256(path)
    fingerprint = options_fingerprint(options)
    earlier = previous_load(con, kind, sha, fingerprint)
    if earlier is not None:
        return LoadResult(kind.name, str(path), status="unchanged", load_id=earlier,
                          message=f"same content already loaded (load {earlier}); nothing changed")
    _drop_temps(con)
    try:
        staged = stage_file(con, path, options)
        layout = plan_layout(kind, staged, path.name)
        try:
            build_typed(con, kind, staged, layout, options)
        except duckdb.Error as exc:
            raise RejectedFile(f"{path.name}: cannot validate: {str(exc).splitlines()[0]}") from exc
        con.execute("begin transaction")
        try:
            result = write_load(con, kind, path, staged, layout, sha, fingerprint, started_at)
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        return result
    finally:
        _drop_temps(con)


def ingest_sources(con: duckdb.DuckDBPyConnection, sources: list[Source]) -> list[LoadResult]:
    """Load every file every source declares; catalogue and customers first."""
    order = ["touchpoints", "customers", "surveys", "contacts", "contact_events", "orders", "targets", "measures"]
    results = []
    for source in sorted(sources, key=lambda s: order.index(s.kind)):
        for path in source.paths:
            results.append(ingest_file(con, source.kind, path, source.options))
    return results
