"""The model runner: builds the core and mart tables from ``sql/`` in one transaction, then checks them.

Models live in ``sql/core`` and ``sql/marts``, one ``create or replace`` per
file, named after the table it builds; the runner orders them by the tables
their SQL names. Checks are ``sql/checks/*.sql`` plus the key checks that
follow from the mart declarations in ``tpnb.contracts.marts``.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from graphlib import TopologicalSorter
from importlib import resources

import duckdb

from tpnb.contracts.marts import key_checks
from tpnb.ingest.schema import ensure_schema
from tpnb.settings import Settings, load_settings
from tpnb.sqlutil import ident

LAYERS = ("core", "marts")
CHECKS = "checks"


@dataclass(frozen=True)
class Model:
    """One SQL model file: its table, its layer and its SQL."""

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
        """The bound parameters (``$name``) its SQL reads."""
        code = re.sub(r"--[^\n]*", "", self.sql)
        return sorted(set(re.findall(r"\$([a-z_]+)", code)))


def load_models() -> list[Model]:
    """Every model of ``sql/core`` and ``sql/marts``."""
    root = resources.files("tpnb.warehouse") / "sql"
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
        m.name: {
            dep
            for dep in re.findall(r"\b((?:core|mart)_[a-z0-9_]+)\b", re.sub(r"--[^\n]*", "", m.sql))
            if dep in by_name and dep != m.name
        }
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
    found = con.sql(
        f"select count(*) from {catalog} where {column} = $name and not temporary and schema_name = 'main'",
        params={"name": model.name},
    ).fetchall()[0][0]
    if found:
        con.execute(f"drop {other} {ident(model.name)}")


class ModelCheckFailed(RuntimeError):
    """A key or identity check of the built tables failed (a bug, or data the models do not expect)."""


def run_checks(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Run the declared key checks and ``sql/checks/*.sql``; each returns rows only when its rule is broken."""
    root = resources.files("tpnb.warehouse") / "sql" / CHECKS
    checks = key_checks() + [
        entry.read_text(encoding="utf-8")
        for entry in sorted(root.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".sql")
    ]
    return [row[0] for sql in checks for row in con.sql(sql).fetchall()]
