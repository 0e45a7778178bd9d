"""The DuckDB connection and the runner that builds the SQL models.

Only this module and ``tpnb.ingest`` open the database. Models live in
``sql/core`` and ``sql/marts``, one ``create or replace table`` per file,
named after the table it builds; the runner orders them by the tables
their SQL names.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from graphlib import TopologicalSorter
from importlib import resources
from pathlib import Path

import duckdb

from tpnb.config import Settings, database_path, load_settings
from tpnb.ingest.schema import ensure_schema
from tpnb.sqlutil import ident

LAYERS = ("core", "marts")
CHECKS = "checks"
LOCK_HINTS = ("could not set lock", "conflicting lock")


class DatabaseBusy(RuntimeError):
    """Another process holds the database for writing."""


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


@dataclass(frozen=True)
class Model:
    name: str
    layer: str
    sql: str

    @property
    def kind(self) -> str:
        """'table' or 'view': what the model's SQL creates."""
        found = re.search(r"create\s+or\s+replace\s+(table|view)\s", re.sub(r"--[^\n]*", "", self.sql), re.I)
        return found.group(1).lower() if found else "table"

    @property
    def parameters(self) -> list[str]:
        code = re.sub(r"--[^\n]*", "", self.sql)
        return sorted(set(re.findall(r"\$([a-z_]+)", code)))


def load_models() -> list[Model]:
    root = resources.files("tpnb") / "sql"
    models = []
    for layer in LAYERS:
        for entry in sorted((root / layer).iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".sql"):
                models.append(Model(entry.name[:-4], layer, entry.read_text(encoding="utf-8")))
    return models


def ordered_models(models: list[Model]) -> list[Model]:
    """Topological order by the model names each SQL file mentions (outside comments)."""
    by_name = {m.name: m for m in models}
    graph = {
        m.name: {dep for dep in re.findall(r"\b((?:core|mart)_[a-z0-9_]+)\b", re.sub(r"--[^\n]*", "", m.sql))
                 if dep in by_name and dep != m.name}
        for m in models
    }
    return [by_name[name] for name in TopologicalSorter(graph).static_order()]


def build(con: duckdb.DuckDBPyConnection, settings: Settings | None = None) -> list[tuple[str, float]]:
    """(Re)build every core and mart table in one transaction; returns (model, seconds)."""
    settings = settings or load_settings()
    ensure_schema(con)
    values = settings.sql_parameters()
    timings = []
    con.execute("begin transaction")
    try:
        for model in ordered_models(load_models()):
            started = time.perf_counter()
            params = {name: values[name] for name in model.parameters}
            _drop_other_kind(con, model)
            try:
                con.execute(model.sql, params)
            except duckdb.Error as exc:
                raise RuntimeError(f"model {model.layer}/{model.name}.sql failed: {exc}") from exc
            timings.append((model.name, time.perf_counter() - started))
        problems = run_checks(con)
        if problems:
            raise ModelCheckFailed("the built tables fail their checks: " + "; ".join(problems))
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return timings


def _drop_other_kind(con: duckdb.DuckDBPyConnection, model: Model) -> None:
    """A model that became a view (or a table) replaces what an older tpnb built under its name."""
    other = "view" if model.kind == "table" else "table"
    catalog = "duckdb_views()" if other == "view" else "duckdb_tables()"
    column = "view_name" if other == "view" else "table_name"
    found = con.sql(f"select count(*) from {catalog} where {column} = $name and not temporary "
                    "and schema_name = 'main'", params={"name": model.name}).fetchall()[0][0]
    if found:
        con.execute(f"drop {other} {ident(model.name)}")


class ModelCheckFailed(RuntimeError):
    """A key or identity check of the built tables failed (a bug, or data the models do not expect)."""


def run_checks(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Run sql/checks/*.sql; each returns rows only when its rule is broken."""
    root = resources.files("tpnb") / "sql" / CHECKS
    problems = []
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".sql"):
            problems += [row[0] for row in con.sql(entry.read_text(encoding="utf-8")).fetchall()]
    return problems


def query(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None):
    """Run a read query and return a polars frame (values bound, never formatted in)."""
    return con.sql(sql, params=params or {}).pl()


def table(con: duckdb.DuckDBPyConnection, name: str):
    """A whole mart or core table as a polars frame."""
    if not re.fullmatch(r"(raw|core|mart|meta)_[a-z0-9_]+", name):
        raise ValueError(f"not a tpnb table name: {name!r}")
    return con.sql(f"select * from {name}").pl()


def has_rows(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    exists = con.sql(
        "select count(*) from information_schema.tables where table_name = $name", params={"name": name}
    ).fetchall()[0][0]
    return bool(exists) and bool(con.sql(f"select count(*) > 0 from {name}").fetchall()[0][0])


def driver_frame(con: duckdb.DuckDBPyConnection, outcome: str | None = None):
    """One row per response: outcomes, dimensions, experience features and tp_ ratings.

    An outcome that is not a standard column is looked up among the survey
    attributes (e.g. ``satisfied``) and added as a number.
    """
    frame = con.sql(
        "select r.*, d.* exclude (response_id) from mart_responses r "
        "left join mart_driver_ratings d using (response_id)"
    ).pl()
    from tpnb.drivers import OUTCOME_COLUMNS

    if outcome and OUTCOME_COLUMNS.get(outcome, outcome) not in frame.columns:
        import polars as pl

        values = con.sql(
            "select response_id, value_number from core_survey_attributes where attribute = $name",
            params={"name": outcome},
        ).pl()
        if values.height:
            frame = frame.join(values.rename({"value_number": outcome}), on="response_id", how="left")
            frame = frame.with_columns(pl.col(outcome).cast(pl.Float64))
    return frame


def touchpoint_labels(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    rows = con.sql("select touchpoint_id, touchpoint_name from core_touchpoints").fetchall()
    return {f"tp_{tp}": name for tp, name in rows}
