"""The command that answers from observations (mystery contacts, test calls)."""

from __future__ import annotations

from typing import Annotated

import typer

from tpnb.cli.common import DbOption, JsonOption, app, fail, parse_day, read_connection
from tpnb.cli.output import to_json

OBSERVATION_DIMENSIONS = {
    "channel": "channel",
    "department": "department",
    "scenario": "scenario_id",
    "touchpoint": "touchpoint_id",
    "hour": "hour_band",
    "weekday": "weekday",
}
JSON_FIELDS = (
    "n",
    "reached_share",
    "reached_ci_low",
    "reached_ci_high",
    "attempts_mean",
    "correct_share",
    "correct_ci_low",
    "correct_ci_high",
    "partly_share",
    "wrong_share",
    "consistency",
    "distinct_answers",
    "wait_seconds_median",
    "wait_seconds_p90",
    "wait_in_target_share",
    "response_hours_median",
    "response_hours_p90",
    "response_in_target_share",
    "small",
)


@app.command()
def observations(
    db: DbOption = None,
    by: Annotated[
        str, typer.Option(help=f"Dimensions, comma-separated: {', '.join(OBSERVATION_DIMENSIONS)}.")
    ] = "channel",
    date_from: Annotated[str | None, typer.Option("--from", help="First observation date.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last observation date.")] = None,
    show_small: Annotated[bool, typer.Option("--show-small", help="Show groups below min_n too.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Mystery contacts: reached share (Wilson 95% interval), accuracy, consistency of answers, wait and response times."""
    from tpnb.analysis.observations import observation_metrics
    from tpnb.settings import load_settings
    from tpnb.warehouse import has_rows, read

    dims = [d.strip() for d in by.split(",") if d.strip()]
    if not dims or any(d not in OBSERVATION_DIMENSIONS for d in dims):
        fail(f"--by {by}: one or more of {', '.join(OBSERVATION_DIMENSIONS)}")
    settings = load_settings()
    con = read_connection(db)
    try:
        first, last = parse_day(date_from, "--from"), parse_day(date_to, "--to")
        frame = read.observations(con, first, last) if has_rows(con, "mart_observations") else None
    finally:
        con.close()
    if frame is None or frame.is_empty():
        if as_json:
            typer.echo(to_json({"groups": [], "by": dims}))
        else:
            typer.echo("no observations loaded (tpnb ingest observations FILE)")
        return
    min_n = settings.analysis.min_n
    columns = {OBSERVATION_DIMENSIONS[d]: d for d in dims}
    table = observation_metrics(
        frame,
        by=list(columns),
        min_n=min_n,
        wait_target_seconds=settings.service.wait_threshold_seconds,
        response_target_hours=settings.service.first_response_target_hours,
    ).rename(columns)
    if as_json:
        groups = [{**{d: r[d] for d in dims}, **{f: r[f] for f in JSON_FIELDS}} for r in table.iter_rows(named=True)]
        typer.echo(to_json({"groups": groups, "by": dims, "min_n": min_n, "interval": "Wilson 95%"}))
        return
    hidden = 0
    for r in table.iter_rows(named=True):
        if r["small"] and not show_small:
            hidden += 1
            continue
        name = " / ".join(str(r[d]) for d in dims)
        typer.echo(
            f"{name:<36} n {r['n']:>5}  reached {_pct(r['reached_share'])} [{_pct(r['reached_ci_low'])}, "
            f"{_pct(r['reached_ci_high'])}]  correct {_pct(r['correct_share'])}  consistency "
            f"{_pct(r['consistency'])}  answers {r['distinct_answers'] or '–'}" + ("  (small)" if r["small"] else "")
        )
    if hidden:
        typer.echo(f"{hidden} group(s) below min_n ({min_n}) not shown (--show-small)", err=True)


def _pct(value: float | None) -> str:
    return "   –" if value is None else f"{value * 100:3.0f}%"
