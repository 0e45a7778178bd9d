"""Commands that show what the warehouse holds and what it set aside: status, quarantine."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from tpnb.cli.common import DbOption, JsonOption, app, read_connection
from tpnb.cli.output import to_json


@app.command()
def status(db: DbOption = None, as_json: JsonOption = False) -> None:
    """What is loaded per kind: rows, files, date range, last load, age of the newest row, quarantined rows."""
    from tpnb.settings import load_settings
    from tpnb.warehouse.inventory import EVENT_KINDS, kind_status

    con = read_connection(db)
    try:
        kinds = kind_status(con, date.today())
    finally:
        con.close()
    limit = load_settings().analysis.freshness_days
    for k in kinds:
        age = k["data_age_days"]
        k["is_stale"] = k["kind"] in EVENT_KINDS and k["rows"] > 0 and age is not None and age > limit
    if as_json:
        typer.echo(to_json({"kinds": kinds, "freshness_days": limit}))
        return
    typer.echo(
        f"{'kind':<15}{'rows':>11}{'files':>7}  {'from':<11} {'to':<11}{'age (d)':>8}  {'last load':<20}{'quar.':>7}"
    )
    for k in kinds:
        age = "" if k["data_age_days"] is None else f"{k['data_age_days']:,}"
        typer.echo(
            f"{k['kind']:<15}{k['rows']:>11,}{k['files']:>7}  {k['first'] or '–':<11} {k['last'] or '–':<11}"
            f"{age:>8}  {(k['last_load_at'] or '–').replace('T', ' '):<20}{k['quarantined']:>7,}"
            + ("  stale" if k["is_stale"] else "")
        )
    if any(k["is_stale"] for k in kinds):
        typer.echo(f"stale: the newest row is older than freshness_days ({limit})", err=True)


@app.command()
def quarantine(
    db: DbOption = None,
    file: Annotated[str | None, typer.Option("--file", help="Only rows of this file (its name or path).")] = None,
    load: Annotated[int | None, typer.Option("--load", help="Only rows of this load (load_id).")] = None,
    limit: Annotated[int, typer.Option(help="Rows to list (the count by reason covers all).")] = 50,
    as_json: JsonOption = False,
) -> None:
    """The rows set aside at load: file, line, column, value (personal data scrubbed) and reason, with a count by reason."""
    from tpnb.warehouse.inventory import quarantine_reasons, quarantined_rows

    con = read_connection(db)
    try:
        rows = quarantined_rows(con, file=file, load_id=load)
    finally:
        con.close()
    reasons = quarantine_reasons(rows)
    if as_json:
        typer.echo(to_json({"rows": rows.to_dicts(), "reasons": reasons.to_dicts(), "total": rows.height}))
        return
    if rows.is_empty():
        typer.echo("no quarantined rows" + (" for that selection" if file or load else ""))
        return
    for r in rows.head(limit).iter_rows(named=True):
        name = r["file"].rsplit("/", 1)[-1]
        typer.echo(f"load {r['load_id']}  {name} line {r['line']}  {r['column']} = {r['value']!r}: {r['reason']}")
    if rows.height > limit:
        typer.echo(f"... {rows.height - limit:,} more (--limit, --json)")
    typer.echo("by reason:")
    for r in reasons.iter_rows(named=True):
        typer.echo(f"  {r['rows']:>7,}  {r['kind']}.{r['column']}: {r['reason']}")
