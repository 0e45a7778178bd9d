"""Read files (CSV, Parquet, XLSX, JSON Lines) -> validate -> load raw tables.

``ingest_file`` is the one path every file takes, the demo's included.
"""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path

import duckdb

from tpnb.contracts import kind as get_kind
from tpnb.ingest import personal
from tpnb.ingest.errors import RejectedFile
from tpnb.ingest.load import (
    LoadResult,
    count_rows,
    drop_load_temps,
    finish_load,
    insert_rows,
    loaded_before,
    options_fingerprint,
)
from tpnb.ingest.options import ConfigError, Source, SourceOptions, known_time_zones, load_sources
from tpnb.ingest.readers import Scan, Staged, drop_stage, scan_bytes, settle_csv, stage_file
from tpnb.ingest.schema import ensure_schema
from tpnb.ingest.staging import remove_leftovers
from tpnb.ingest.validate import (
    enum_macro_sql,
    number_macros_sql,
    plan_layout,
    reader_candidates,
    set_aside_personal,
)

BACKGROUND_SCAN_BYTES = 32 * 1024 * 1024  # larger files are hashed while DuckDB reads them

__all__ = [
    "ConfigError",
    "LoadResult",
    "RejectedFile",
    "SourceOptions",
    "ingest_file",
    "ingest_sources",
    "load_sources",
]


def _prepare(con: duckdb.DuckDBPyConnection) -> None:
    ensure_schema(con)
    remove_leftovers(con)  # of a load that was killed: this connection holds the write lock now
    personal.register(con)
    for statement in [enum_macro_sql(), *number_macros_sql()]:
        con.execute(statement)


def _drop_temps(con, staged: Staged | None = None) -> None:
    drop_stage(con)
    drop_load_temps(con)
    if staged is not None and staged.temp_file is not None:
        staged.temp_file.unlink(missing_ok=True)


class _Unchanged(Exception):
    def __init__(self, load_id: int):
        self.load_id = load_id


class _Scanner:
    """The file's hash (and CSV counts), beside DuckDB's read for a large file.

    When the hash shows the file was loaded before, the read is interrupted.
    """

    def __init__(self, con, path: Path, loaded: dict[str, int]):
        self.loaded = loaded
        self.result: Scan | None = None
        self.error: BaseException | None = None
        if path.stat().st_size < BACKGROUND_SCAN_BYTES:
            self.result = scan_bytes(path)
            self.thread = None
        else:
            self.thread = threading.Thread(target=self._run, args=(con, path), daemon=True)
            self.thread.start()

    def _run(self, con, path: Path) -> None:
        try:
            self.result = scan_bytes(path)
        except BaseException as exc:  # handed to the caller in scan()
            self.error = exc
            return
        if self.result.sha256 in self.loaded:
            con.interrupt()

    def unchanged(self) -> int | None:
        """The earlier load of the same content, once the hash is known (None if not yet)."""
        return None if self.result is None else self.loaded.get(self.result.sha256)

    def scan(self) -> Scan:
        if self.thread is not None:
            self.thread.join()
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result


def ingest_file(
    con: duckdb.DuckDBPyConnection,
    kind_name: str,
    path: Path | str,
    options: SourceOptions | None = None,
) -> LoadResult:
    """Load one file of one kind. Raises RejectedFile when nothing of it can be loaded."""
    kind = get_kind(kind_name)
    path = Path(path)
    options = options or SourceOptions()
    _prepare(con)
    started_at = datetime.now()
    if not path.is_file():
        raise RejectedFile(f"{path}: file not found")
    if options.time_zone not in known_time_zones():
        raise RejectedFile(f"{path.name}: time_zone {options.time_zone!r} is not a time zone name (e.g. Europe/Berlin)")
    fingerprint = options_fingerprint(options)
    # DuckDB's expression rewriter and common-subexpression pass grow faster than linearly with the
    # load statement's expression (checks per column): a 300-column survey took 117 s with them and
    # 2 s without, 1,000 columns 8 s; a narrow file loads as fast either way (2M contacts: 1.5 s).
    # They are off for the load and restored after.
    before = con.sql("select current_setting('disabled_optimizers')").fetchall()[0][0]
    con.execute("set disabled_optimizers = 'expression_rewriter,common_subexpressions'")
    try:
        return _ingest(con, kind, path, options, fingerprint, started_at)
    finally:
        con.execute("set disabled_optimizers = $before", {"before": before or ""})


def _ingest(con, kind, path: Path, options: SourceOptions, fingerprint: str, started_at: datetime) -> LoadResult:
    scanner = _Scanner(con, path, loaded_before(con, kind, fingerprint))
    staged: Staged | None = None
    try:
        if (earlier := scanner.unchanged()) is not None:
            raise _Unchanged(earlier)
        candidates = reader_candidates(kind, options)
        encoding, normalize = None, False
        # A CSV file is read again, at most three times: as text when a value did not fit the type
        # the reader was given, as Windows-1252 when bytes were not UTF-8, through a copy with
        # LF line ends when CRLF and LF were mixed.
        for _ in range(4):
            _drop_temps(con, staged)
            staged = stage_file(con, path, options, candidates, encoding, normalize, kind.name)
            layout = plan_layout(kind, staged, path.name)
            set_aside_personal(con, layout, options)
            layout.personal = [*staged.dropped, *layout.personal]
            con.execute("begin transaction")
            try:
                load_id = int(con.sql("select nextval('meta_load_seq')").fetchall()[0][0])
                _insert(con, kind, path, staged, layout, options, load_id)
                retry = None
                if staged.format == "csv":
                    retry = settle_csv(con, path, staged, options, scanner.scan(), count_rows(con, kind, load_id))
                if retry is None:
                    sha = scanner.scan().sha256  # known from here on
                    if (earlier := scanner.unchanged()) is not None:
                        raise _Unchanged(earlier)
                    result = finish_load(con, kind, path, staged, layout, load_id, sha, fingerprint, started_at)
                    con.execute("commit")
                    return result
                con.execute("rollback")
            except _MixedLineEnds:
                con.execute("rollback")
                normalize, retry = True, "lf"
            except BaseException:
                con.execute("rollback")
                raise
            if retry == "lf":
                continue
            if retry == "text":
                candidates = {}
            else:
                encoding = retry
        raise AssertionError("a CSV file is read at most four times")
    except _Unchanged as same:
        return _unchanged(kind, path, same.load_id)
    except duckdb.InterruptException:  # the scanner found the content loaded before
        if (earlier := scanner.unchanged()) is not None:
            return _unchanged(kind, path, earlier)
        raise
    finally:
        if scanner.thread is not None:
            scanner.thread.join()
        _drop_temps(con, staged)


class _MixedLineEnds(Exception):
    """The CSV reader stopped at a line end unlike the others: read a normalised copy."""


def _unchanged(kind, path: Path, load_id: int) -> LoadResult:
    return LoadResult(
        kind.name,
        str(path),
        status="unchanged",
        load_id=load_id,
        message=f"same content already loaded (load {load_id}); nothing changed",
    )


def _insert(con, kind, path: Path, staged: Staged, layout, options: SourceOptions, load_id: int) -> None:
    try:
        insert_rows(con, kind, staged, layout, options, load_id)
    except duckdb.InterruptException:
        raise
    except duckdb.Error as exc:
        if staged.format == "csv" and staged.temp_file is None and "state machine" in str(exc):
            raise _MixedLineEnds from exc
        what = "cannot read as CSV" if staged.lazy else "cannot validate"
        raise RejectedFile(f"{path.name}: {what}: {str(exc).strip().splitlines()[0]}") from exc


def ingest_sources(con: duckdb.DuckDBPyConnection, sources: list[Source]) -> list[LoadResult]:
    """Load every file every source declares, in the contracts' order: catalogue and customers first."""
    from tpnb.contracts import KINDS

    order = list(KINDS)
    results = []
    for source in sorted(sources, key=lambda s: order.index(s.kind)):
        for path in source.paths:
            results.append(ingest_file(con, source.kind, path, source.options))
    return results
