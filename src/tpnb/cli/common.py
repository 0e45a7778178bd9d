"""The `tpnb` command's app, shared options and how it opens the database.

Exit codes: 0 done; 1 done, but rows were quarantined or a report failed;
2 bad usage or a rejected input.
"""

from __future__ import annotations

import logging
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from tpnb import __version__

app = typer.Typer(
    pretty_exceptions_enable=False,  # tracebacks go to the log (tpnb.cli.main), never to a user
    add_completion=False,
    no_args_is_help=True,
    help="tpnb: touchpoint analytics. Surveys and contact logs in DuckDB, NPS, key drivers, reports.",
)

DbOption = Annotated[Path | None, typer.Option("--db", help="Database file (default: TPNB_DB or data/tpnb.duckdb).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]
WeightsOption = Annotated[
    str | None,
    typer.Option(
        "--weights",
        help="raked (to the margins tpnb.yaml sets under weights:) or none "
        "[default: raked when tpnb.yaml sets weights, else none]",
        show_default=False,
    ),
]


def weights_summary(raked) -> dict:
    """The weighting a command used, for its JSON (``raked`` is a RakedWeights or None)."""
    if raked is None:
        return {"mode": "none"}
    return {
        "mode": "raked",
        "kish_n": raked.kish_n,
        "design_effect": raked.design_effect,
        "margins": raked.margins,
        "notes": raked.notes,
    }


def fail(message: str, code: int = 2) -> None:
    """Print ``tpnb: message`` on stderr and exit with ``code`` (2: bad usage or input)."""
    typer.echo(f"tpnb: {message}", err=True)
    raise typer.Exit(code)


def db_path(db: Path | None) -> Path:
    """The database a command works on: --db, else TPNB_DB, else tpnb.yaml."""
    from tpnb.settings import database_path

    return database_path(db)


def write_connection(db: Path | None):
    """A writing connection, or a clear exit when the database is busy or a setting is bad."""
    from tpnb import warehouse

    try:
        return warehouse.connect(db_path(db), read_only=False)
    except (warehouse.DatabaseBusy, warehouse.BadSetting, warehouse.DatabaseDamaged) as exc:
        fail(str(exc))


def read_with(db: Path | None, compute):
    """Open the database read-only, compute from it, close it."""
    con = read_connection(db)
    try:
        return compute(con)
    finally:
        con.close()


def read_connection(db: Path | None):
    """A read-only connection, or a clear exit when there is no database or it is busy."""
    from tpnb import warehouse

    try:
        return warehouse.connect(db_path(db))
    except (warehouse.DatabaseMissing, warehouse.DatabaseBusy, warehouse.BadSetting, warehouse.DatabaseDamaged) as exc:
        fail(str(exc))


@app.callback(invoke_without_command=True)
def main(
    version: Annotated[bool, typer.Option("--version", help="Show the version and exit.")] = False,
) -> None:
    """Set up logging, check tpnb.yaml (a bad key or value exits 2 naming it); ``--version`` prints the version."""
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if version:
        typer.echo(__version__)
        raise typer.Exit(0)
    from tpnb.settings import SettingsError, load_settings

    try:
        load_settings()
    except SettingsError as exc:
        fail(str(exc))


def parse_day(value: str | None, option: str) -> date | None:
    """A date given on the command line: ISO (2026-03-01) or German (01.03.2026); exits 2 otherwise."""
    if value is None:
        return None
    for style in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(value.strip(), style).date()
        except ValueError:
            continue
    fail(f"{option} {value!r}: not a date; write 2026-03-01 or 01.03.2026")


EngineOption = Annotated[
    str | None,
    typer.Option("--engine", help="duckdb (embedded) or spark (with --lake) [default: engine: of tpnb.yaml, duckdb]"),
]
LakeOption = Annotated[
    Path | None, typer.Option("--lake", help="The Parquet lake the spark engine reads [default: lake: of tpnb.yaml]")
]


def resolve_engine(engine: str | None, lake_dir: Path | None) -> tuple[str, Path | None]:
    """The engine and lake a command runs on: the options, else tpnb.yaml; spark needs a lake."""
    from tpnb.settings import load_settings

    settings = load_settings()
    engine = engine or settings.engine
    if engine not in ("duckdb", "spark"):
        fail(f"--engine must be duckdb or spark, got {engine!r}")
    lake_dir = lake_dir or settings.lake
    if engine == "spark" and lake_dir is None:
        fail("--engine spark needs --lake DIR (or lake: in tpnb.yaml)")
    return engine, lake_dir


def spark_or_fail():
    """A SparkSession from tpnb.yaml, or exit 2 naming what to install."""
    from tpnb.lake.spark import SparkMissing, spark_session
    from tpnb.settings import load_settings

    try:
        spark = spark_session(load_settings())
    except SparkMissing as exc:
        fail(str(exc))
    spark.sparkContext.setLogLevel("ERROR")
    logging.getLogger("py4j").setLevel(logging.WARNING)  # its INFO lines are not a scheduled run's
    return spark
