"""Commands that answer from the database: nps, drivers, measures, targets."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from tpnb.cli.common import (
    DbOption,
    EngineOption,
    JsonOption,
    LakeOption,
    WeightsOption,
    app,
    fail,
    parse_day,
    read_connection,
    read_with,
    resolve_engine,
    weights_summary,
)
from tpnb.cli.output import echo_driver_groups, empty_table, to_json

NPS_DIMENSIONS = (
    "touchpoint",
    "phase",
    "segment",
    "role",
    "account",
    "region",
    "channel",
    "month",
    "quarter",
)


@app.command()
def nps(
    db: DbOption = None,
    by: Annotated[
        str | None,
        typer.Option(help=f"Dimensions, comma-separated: {', '.join(NPS_DIMENSIONS)} or a survey attribute."),
    ] = None,
    date_from: Annotated[
        str | None, typer.Option("--from", help="First answer date (2026-03-01 or 01.03.2026).")
    ] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last answer date (2026-03-01 or 01.03.2026).")] = None,
    accounts: Annotated[bool, typer.Option("--account-weighted", help="Weight every account equally.")] = False,
    show_small: Annotated[
        bool, typer.Option("--show-small", help="Show the figures of groups below analysis.min_n too.")
    ] = False,
    weights: WeightsOption = None,
    engine: EngineOption = None,
    lake_dir: LakeOption = None,
    as_json: JsonOption = False,
) -> None:
    """NPS with adjusted-Wald 95% intervals, by any dimensions; groups below min_n are flagged and suppressed."""
    import polars as pl

    from tpnb.analysis.cells import flag_small, suppress_small
    from tpnb.analysis.nps import nps_from_sums
    from tpnb.cli.lake import duckdb_nps_sums, spark_nps_sums
    from tpnb.settings import load_settings

    dims = [d.strip() for d in by.split(",")] if by else []
    settings = load_settings()
    engine, lake_dir = resolve_engine(engine, lake_dir)
    raked = None
    if engine == "spark":
        if weights == "raked":
            fail("--weights raked runs on DuckDB only for now; use --weights none with --engine spark")
        first, last = parse_day(date_from, "--from"), parse_day(date_to, "--to")
        sums, columns, newest = spark_nps_sums(lake_dir, dims, first, last, accounts)
    else:
        sums, columns, newest, raked = duckdb_nps_sums(db, settings, dims, date_from, date_to, accounts, weights)
    weighted = accounts or raked is not None
    table = nps_from_sums(sums, weighted=weighted).rename(dict(zip(columns, dims, strict=True)))

    limit, min_n = settings.analysis.freshness_days, settings.analysis.min_n
    age = None if newest is None else (date.today() - newest).days
    freshness = {"data_as_of": newest, "data_age_days": age, "is_stale": age is None or age > limit}
    table = table.filter(pl.col("n").fill_null(0) > 0)
    # below min_n a group's figures are blanked (and one more where a single blank could be solved)
    if show_small:
        table = flag_small(table, min_n).with_columns(pl.lit(False).alias("is_suppressed"))
    else:
        table = suppress_small(table, min_n, keep=dims)
    table = table.rename({"is_small": "small", "is_suppressed": "suppressed"})
    if table.is_empty() and newest is not None:
        typer.echo("no NPS answers in the loaded surveys: `tpnb drivers` explains their other outcomes", err=True)
    if as_json:
        typer.echo(
            to_json(
                {
                    "groups": table.to_dicts(),
                    "by": dims,
                    "method": "adjusted Wald, 95%"
                    + (
                        ", accounts weighted equally"
                        if accounts
                        else ", raked weights, Taylor-linearised by account"
                        if raked is not None
                        else ", widened by the design effect of accounts"
                    ),
                    "weights": weights_summary(raked),
                    "min_n": min_n,
                    **freshness,
                }
            )
        )
        return
    hidden = 0
    for row in table.iter_rows(named=True):
        if row["suppressed"] and not show_small:
            hidden += 1
            continue
        name = " / ".join(str(row[d]) for d in dims) or "all"
        typer.echo(
            f"{name:<40} n {_count(row['n'], 7)}  NPS {_num(row['nps'])}  [{_num(row['ci_low'])}, "
            f"{_num(row['ci_high'])}]  P {_count(row['promoters'], 6)}  N {_count(row['passives'], 6)}  "
            f"D {_count(row['detractors'], 6)}"
        )
    if hidden:
        typer.echo(f"{hidden:,} group(s) below min_n ({min_n}) or protecting one not shown (--show-small)", err=True)
    if newest is None:
        typer.echo("no survey responses loaded", err=True)
    else:
        stale = f"; older than freshness_days ({limit})" if freshness["is_stale"] else ""
        typer.echo(f"data as of {newest:%Y-%m-%d} ({age} days before today{stale})", err=bool(stale))


@app.command()
def drivers(
    outcome: Annotated[
        str | None,
        typer.Option(
            help="nps, promoter, detractor, repurchase, repurchase_intent, or a numeric / yes-no survey attribute "
            "[default: nps; in a survey without NPS its first yes/no, else numeric answer]",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
    by: Annotated[str | None, typer.Option(help="One model per level of this dimension (role, segment, ...).")] = None,
    method: Annotated[str, typer.Option(help="lmg or relative_weights.")] = "lmg",
    controls: Annotated[str | None, typer.Option(help="Controls, comma-separated (e.g. segment,role).")] = None,
    strategy: Annotated[str, typer.Option(help="Not-experienced ratings: indicator or complete_case.")] = "indicator",
    bootstrap: Annotated[int, typer.Option(help="Bootstrap draws for the intervals.")] = 200,
    seed: Annotated[int, typer.Option(help="Bootstrap seed.")] = 0,
    experience: Annotated[
        bool,
        typer.Option(
            "--experience/--no-experience",
            help="Add the service-log experience features as drivers.",
        ),
    ] = True,
    min_n: Annotated[int, typer.Option(help="Minimum responses per model.")] = 100,
    date_from: Annotated[
        str | None, typer.Option("--from", help="First answer date (2026-03-01 or 01.03.2026).")
    ] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last answer date (2026-03-01 or 01.03.2026).")] = None,
    weights: WeightsOption = None,
    adjust: Annotated[
        str | None,
        typer.Option(
            "--adjust",
            help="p-value adjustment over the drivers: holm or bh [default: analysis.p_adjustment, holm]",
            show_default=False,
        ),
    ] = None,
    ordered: Annotated[
        bool,
        typer.Option("--ordered", help="Fit an ordered logit of NPS beside OLS (its coefficients in the diagnostics)."),
    ] = False,
    engine: EngineOption = None,
    lake_dir: LakeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Key drivers: coefficients, relative importance with intervals, priority matrix."""
    from tpnb.analysis import drivers as drv
    from tpnb.settings import load_settings
    from tpnb.warehouse import read
    from tpnb.weighting import survey_weights

    if method not in ("lmg", "relative_weights"):
        fail("--method must be lmg or relative_weights")
    first, last = parse_day(date_from, "--from"), parse_day(date_to, "--to")
    settings = load_settings()
    adjustment = adjust or settings.analysis.p_adjustment
    if adjustment not in ("holm", "bh"):
        fail("--adjust must be holm or bh")
    engine, lake_dir = resolve_engine(engine, lake_dir)
    model_options = {  # the same model on either engine
        "method": method,
        "strategy": strategy,
        "bootstrap": bootstrap,
        "seed": seed,
        "experience": experience,
        "controls": [c.strip() for c in controls.split(",")] if controls else [],
        "adjustment": adjustment,
    }
    if engine == "spark":
        from tpnb.cli.lake import spark_driver_groups

        if weights == "raked" or ordered:
            fail("--weights raked and --ordered run on DuckDB only for now (--engine duckdb)")
        options = {**model_options, "first_day": first, "last_day": last}
        outcome, groups = spark_driver_groups(lake_dir, outcome, by, min_n, options)
        _print_drivers(groups, by, outcome, min_n, {"from": first, "to": last}, None, as_json)
        return
    con = read_connection(db)
    try:
        if outcome is None:
            outcome = read.default_outcome(con)
            if outcome != "nps":
                typer.echo(f"outcome: {outcome} (the survey has no NPS)", err=True)
        frame = read.driver_frame(con, outcome, first, last)
        labels = read.touchpoint_labels(con)
        raked = survey_weights(con, settings, weights, first and first.isoformat(), last and last.isoformat())
    except ValueError as exc:
        fail(str(exc))
    finally:
        con.close()
    if raked is not None:
        frame = frame.join(raked.weights.rename({"weight": "__survey_weight"}), on="response_id", how="left")
    kwargs = {
        **model_options,
        "outcome": outcome,
        "labels": labels,
        "weight": "__survey_weight" if raked is not None else None,
        "ordered_check": ordered,
    }
    try:
        if by:
            if by not in frame.columns:
                fail(f"--by {by}: no such column")
            groups = drv.key_drivers_by(frame, by, min_n=min_n, **kwargs)
        else:
            groups = [drv.GroupModel(None, frame.height, result=drv.key_drivers(frame, min_n=min_n, **kwargs))]
    except (ValueError, drv.InsufficientData) as exc:
        fail(str(exc))
    _print_drivers(groups, by, outcome, min_n, {"from": first, "to": last}, raked, as_json)


def _print_drivers(groups, by, outcome, min_n, period, raked, as_json) -> None:
    """The models of `tpnb drivers`, as JSON or as text."""
    if as_json:
        docs = {
            g.level: (
                g.result.as_dict()
                if g.result is not None
                else {"outcome": outcome, "n": g.n, "note": f"too few for a model: {g.skipped}"}
            )
            for g in groups
        }
        document = {**docs[None], "period": period} if by is None else {"by": by, "models": docs, "period": period}
        document["weights"] = weights_summary(raked)
        typer.echo(to_json(document))
        return
    echo_driver_groups(groups, by, outcome, min_n)


@app.command()
def measures(db: DbOption = None, as_json: JsonOption = False) -> None:
    """The effect of each improvement measure on its touchpoint (difference-in-differences), NPS and contacts."""
    from tpnb.analysis.measures import MEASURE_SCHEMA, evaluate_measures
    from tpnb.settings import load_settings
    from tpnb.warehouse import read

    analysis = load_settings().analysis
    inputs = read_with(db, lambda con: read.measure_inputs(con, analysis.measure_window_days))
    table = (
        empty_table(MEASURE_SCHEMA)
        if inputs is None
        else evaluate_measures(
            inputs.measures,
            inputs.ratings,
            inputs.contacts,
            window_days=analysis.measure_window_days,
            min_n=analysis.min_n,
            adjustment=analysis.p_adjustment,
        )
    )
    if as_json:
        typer.echo(to_json({"measures": table.to_dicts()}))
        return
    if table.height == 0:
        typer.echo("no measures loaded (tpnb ingest measures FILE)")
    for r in table.iter_rows(named=True):
        effect = "–" if r["effect"] is None else f"{r['effect']:+.3f} [{r['ci_low']:+.3f}, {r['ci_high']:+.3f}]"
        typer.echo(f"{r['measure_id']:<8} {r['touchpoint_id']:<18} {r['metric']:<26} {effect:<28} {r['verdict']}")


@app.command()
def targets(
    db: DbOption = None,
    as_json: JsonOption = False,
    latest: Annotated[bool, typer.Option("--latest/--all", help="Only the newest period per target.")] = True,
) -> None:
    """Target vs actual per touchpoint and quarter: met, not met, or not sure (interval straddles the target)."""
    from tpnb.analysis.targets import TARGET_SCHEMA, latest_targets, targets_vs_actual
    from tpnb.warehouse import read

    inputs = read_with(db, read.target_inputs)
    table = empty_table(TARGET_SCHEMA) if inputs is None else targets_vs_actual(inputs)
    if latest and table.height:
        table = latest_targets(table)
    if as_json:
        typer.echo(to_json({"targets": table.to_dicts()}))
        return
    if table.height == 0:
        typer.echo("no targets loaded (tpnb ingest targets FILE)")
    for r in table.iter_rows(named=True):
        actual = "–" if r["actual"] is None else f"{r['actual']:.2f}"
        typer.echo(
            f"{r['touchpoint_id']:<18} {r['metric']:<26} {r['period_quarter']}  actual {actual:>8}  "
            f"target {r['direction']} {r['target']:g}: {r['status']}"
        )


def _count(value: int | None, width: int) -> str:
    return f"{value:>{width},}" if value is not None else "–".rjust(width)


def _num(value: float | None) -> str:
    return "     –" if value is None or value != value else f"{value:6.1f}"
