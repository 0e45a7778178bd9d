"""`tpnb lake export`: the raw tables as a Parquet lake for the Spark engine."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tpnb.cli.common import DbOption, app, fail, read_connection


@app.command()
def lake(
    action: Annotated[str, typer.Argument(help="export: write the database's raw tables to the lake.")],
    db: DbOption = None,
    out: Annotated[Path | None, typer.Option("--out", help="The lake's folder [default: lake: of tpnb.yaml].")] = None,
) -> None:
    """The raw tables as a Parquet lake, partitioned by month: what `build --engine spark` reads."""
    from tpnb.lake.export import export_lake
    from tpnb.settings import load_settings

    if action != "export":
        fail(f"unknown lake action '{action}'; known: export")
    target = out or load_settings().lake
    if target is None:
        fail("give --out DIR (or lake: in tpnb.yaml)")
    con = read_connection(db)
    try:
        rows = export_lake(con, Path(target))
    finally:
        con.close()
    for table, n in rows.items():
        typer.echo(f"{table:<24} {n:>12,} rows")
    typer.echo(f"lake: {Path(target).resolve()}")


def duckdb_nps_sums(db, settings, dims, date_from, date_to, accounts, weights):
    """`tpnb nps` on DuckDB: (sums, columns, newest day, raked weights or None)."""
    from tpnb.cli.common import parse_day
    from tpnb.warehouse.read import newest_answer_day, nps_sums
    from tpnb.weighting import survey_weights

    con = read_connection(db)
    try:
        first, last = parse_day(date_from, "--from"), parse_day(date_to, "--to")
        lo, hi = first and first.isoformat(), last and last.isoformat()
        raked = survey_weights(con, settings, weights, lo, hi)
        if raked is not None and accounts:
            fail("--account-weighted and raked weights: choose one (--weights none)")
        frame = raked.weights if raked is not None else None
        sums, columns = nps_sums(con, dims, lo, hi, account_weighted=accounts, weights=frame)
        return sums, columns, newest_answer_day(con), raked
    except ValueError as exc:
        fail(str(exc))
    finally:
        con.close()


def spark_nps_sums(lake_dir: Path, dims, first, last, accounts):
    """`tpnb nps` on Spark: the same per-group sums, computed by one GROUP BY over the lake's marts."""
    from tpnb.cli.common import spark_or_fail
    from tpnb.lake.aggregates import spark_runner
    from tpnb.lake.spark import register_marts
    from tpnb.warehouse.read import nps_sums

    spark = spark_or_fail()
    try:
        register_marts(spark, Path(lake_dir))
        run = spark_runner(spark)
        lo, hi = first and first.isoformat(), last and last.isoformat()
        sums, columns = nps_sums(run, dims, lo, hi, account_weighted=accounts)
        newest = run("select max(answered_at)::date as day from mart_responses")["day"][0]
        return sums, columns, newest
    except (ValueError, FileNotFoundError) as exc:
        fail(str(exc))
    finally:
        spark.stop()


def spark_driver_groups(lake_dir: Path, outcome, by, min_n: int, options: dict):
    """`tpnb drivers` on Spark: (outcome, models) from per-block sums the engine aggregates."""
    from tpnb.analysis.drivers import GroupModel, InsufficientData
    from tpnb.cli.common import spark_or_fail
    from tpnb.lake.aggregates import spark_runner
    from tpnb.lake.spark import register_marts
    from tpnb.pushdown.drivers import key_drivers_by_on, key_drivers_on, touchpoint_labels_on
    from tpnb.warehouse.outcomes import default_outcome

    spark = spark_or_fail()
    try:
        register_marts(spark, Path(lake_dir))
        run = spark_runner(spark)
        if outcome is None:
            outcome = default_outcome(run)
            if outcome != "nps":
                typer.echo(f"outcome: {outcome} (the survey has no NPS)", err=True)
        kwargs = {**options, "outcome": outcome, "labels": touchpoint_labels_on(run)}
        if by:
            return outcome, key_drivers_by_on(run, by, min_n=min_n, **kwargs)
        result = key_drivers_on(run, min_n=min_n, **kwargs)
        return outcome, [GroupModel(None, result.n, result=result)]
    except (ValueError, FileNotFoundError, InsufficientData) as exc:
        fail(str(exc))
    finally:
        spark.stop()
