"""The `tpnb` command.

Exit codes: 0 done; 1 done, but rows were quarantined or a report failed;
2 bad usage or a rejected input.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from tpnb import __version__
from tpnb.cli_output import echo_driver_groups, echo_loads, empty_table, json_default

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="tpnb: touchpoint analytics. Surveys and contact logs in DuckDB, NPS, key drivers, reports.")

DbOption = Annotated[Path | None, typer.Option("--db", help="Database file (default: TPNB_DB or data/tpnb.duckdb).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"tpnb: {message}", err=True)
    raise typer.Exit(code)


def _db(db: Path | None) -> Path:
    from tpnb.settings import database_path

    return database_path(db)


def _write_connection(db: Path | None):
    from tpnb import warehouse

    try:
        return warehouse.connect(_db(db), read_only=False)
    except (warehouse.DatabaseBusy, warehouse.BadSetting) as exc:
        _fail(str(exc))


def _read(db: Path | None, compute):
    """Open the database read-only, compute from it, close it."""
    con = _read_connection(db)
    try:
        return compute(con)
    finally:
        con.close()


def _read_connection(db: Path | None):
    from tpnb import warehouse

    try:
        return warehouse.connect(_db(db))
    except (warehouse.DatabaseMissing, warehouse.DatabaseBusy, warehouse.BadSetting) as exc:
        _fail(str(exc))


@app.callback(invoke_without_command=True)
def main(version: Annotated[bool, typer.Option("--version", help="Show the version and exit.")] = False) -> None:
    """Set up logging; ``--version`` prints the version."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)
    if version:
        typer.echo(__version__)
        raise typer.Exit(0)


@app.command()
def demo(db: DbOption = None,
         seed: Annotated[int, typer.Option(help="Random seed: same seed, same data.")] = 7,
         customers: Annotated[int, typer.Option(help="Number of customers (about 8 contacts each).")] = 3000,
         as_of: Annotated[str | None, typer.Option(help="Last day of the data (YYYY-MM-DD); default today.")] = None,
         out: Annotated[Path | None, typer.Option(help="Folder for the source files (default data/demo).")] = None) -> None:
    """Generate the demo data (with truth.json), load it through ingest, build the marts."""
    from tpnb import demo as demo_data
    from tpnb import warehouse
    from tpnb.ingest import ingest_sources, load_sources
    from tpnb.settings import load_settings

    settings = load_settings()
    out = out or settings.root / "data" / "demo"
    day = date.fromisoformat(as_of) if as_of else None
    data = demo_data.generate(seed=seed, customers=customers, as_of=day)
    config = demo_data.write_sources(data, out)
    con = _write_connection(db)
    try:
        results = ingest_sources(con, load_sources(config))
        warehouse.build(con, settings)
    finally:
        con.close()
    for r in results:
        typer.echo(f"{r.kind:<12} {Path(r.file).name:<20} {r.status:<9} read {r.rows_read:>9,}  "
                   f"loaded {r.rows_loaded:>9,}  quarantined {r.rows_quarantined:>6,}")
    typer.echo(f"demo data: {out} (truth: {out / 'truth.json'}); database: {_db(db)}")


@app.command()
def ingest(kind: Annotated[str | None, typer.Argument(help="Source kind: touchpoints, customers, surveys, contacts, "
                                                           "contact_events, orders, targets, measures.")] = None,
           files: Annotated[list[Path] | None, typer.Argument(help="Files to load (CSV/TSV, Parquet, XLSX, JSONL).")] = None,
           config: Annotated[Path | None, typer.Option("--config", help="Source config (YAML); alone, loads every source it declares.")] = None,
           db: DbOption = None, as_json: JsonOption = False,
           wait: Annotated[float, typer.Option(help="Seconds to wait for another writer.")] = 30.0,
           build: Annotated[bool, typer.Option("--build/--no-build", help="Rebuild the marts after loading.")] = True,
           ) -> None:
    """Load source files: validate, quarantine bad rows, upsert by key, rebuild the marts.

    Run `tpnb contract KIND` to see what each kind expects.
    """
    from tpnb import warehouse
    from tpnb.ingest import (
        ConfigError,
        RejectedFile,
        SourceOptions,
        ingest_file,
        load_sources,
    )
    from tpnb.ingest.options import Source, options_from_mapping

    try:
        if kind is None:
            if not config:
                _fail("give KIND and FILE..., or --config FILE")
            sources = load_sources(config)
        else:
            from tpnb.contracts import KINDS

            if kind not in KINDS:
                _fail(f"unknown kind '{kind}'; known: {', '.join(KINDS)}")
            if not files:
                _fail(f"no file given for '{kind}'")
            options = SourceOptions()
            if config:
                import yaml

                entries = [e for e in (yaml.safe_load(config.read_text(encoding="utf-8")) or {}).get("sources", [])
                           if e.get("kind") == kind]
                if entries:
                    options = options_from_mapping({k: v for k, v in entries[0].items() if k != "path"}, str(config))
            sources = [Source(kind, tuple(files), options)]
    except ConfigError as exc:
        _fail(str(exc))
    try:
        con = warehouse.connect(_db(db), read_only=False, wait_seconds=wait)
    except (warehouse.DatabaseBusy, warehouse.BadSetting) as exc:
        _fail(str(exc))
    results, rejected = [], []
    try:
        for source in sources:
            for path in source.paths:
                try:
                    results.append(ingest_file(con, source.kind, path, source.options))
                except RejectedFile as exc:
                    rejected.append({"kind": source.kind, "file": str(path), "message": str(exc)})
        if build and results:
            warehouse.build(con)
    finally:
        con.close()
    quarantined = sum(r.rows_quarantined for r in results)
    if as_json:
        typer.echo(json.dumps({"loads": [r.as_dict() for r in results], "rejected": rejected}, default=str))
    else:
        echo_loads(results, rejected, quarantined)
    if rejected:
        raise typer.Exit(2)
    raise typer.Exit(1 if quarantined else 0)


@app.command()
def contract(kind: Annotated[str | None, typer.Argument(help="Source kind (all kinds with --markdown).")] = None,
             markdown: Annotated[bool, typer.Option("--markdown", help="The whole contract as Markdown "
                                                    "(docs/contract.md): source kinds and marts.")] = False) -> None:
    """Show the data contract: a source kind's columns, types, ranges and keys; or all of it as Markdown."""
    from tpnb.contracts import describe
    from tpnb.contracts.docs import contract_markdown

    if markdown:
        typer.echo(contract_markdown(), nl=False)
        return
    if kind is None:
        _fail("give a KIND (tpnb contract surveys) or --markdown")
    try:
        typer.echo(describe(kind))
    except ValueError as exc:
        _fail(str(exc))


@app.command()
def build(db: DbOption = None) -> None:
    """Rebuild the core and mart tables from the loaded data."""
    from tpnb import warehouse

    con = _write_connection(db)
    try:
        for name, seconds in warehouse.build(con):
            typer.echo(f"{name:<32} {seconds:6.2f} s")
    finally:
        con.close()


NPS_DIMENSIONS = ("touchpoint", "phase", "segment", "role", "account", "region", "channel", "month", "quarter")


@app.command()
def nps(db: DbOption = None,
        by: Annotated[str | None, typer.Option(help=f"Dimensions, comma-separated: {', '.join(NPS_DIMENSIONS)} "
                                                     "or a survey attribute.")] = None,
        date_from: Annotated[str | None, typer.Option("--from", help="First answer date (YYYY-MM-DD).")] = None,
        date_to: Annotated[str | None, typer.Option("--to", help="Last answer date (YYYY-MM-DD).")] = None,
        accounts: Annotated[bool, typer.Option("--account-weighted", help="Weight every account equally.")] = False,
        as_json: JsonOption = False) -> None:
    """NPS with adjusted-Wald 95% intervals, by any dimensions."""
    from tpnb.analysis.nps import nps_from_sums
    from tpnb.warehouse.read import nps_sums

    dims = [d.strip() for d in by.split(",")] if by else []
    con = _read_connection(db)
    try:
        sums, columns = nps_sums(con, dims, date_from, date_to, account_weighted=accounts)
    except ValueError as exc:
        _fail(str(exc))
    finally:
        con.close()
    table = nps_from_sums(sums, weighted=accounts).rename(dict(zip(columns, dims, strict=True)))
    if as_json:
        typer.echo(json.dumps({"groups": table.to_dicts(), "by": dims,
                               "method": "adjusted Wald, 95%" + (", accounts weighted equally" if accounts else "")},
                              default=str))
        return
    for row in table.iter_rows(named=True):
        name = " / ".join(str(row[d]) for d in dims) or "all"
        typer.echo(f"{name:<40} n {row['n']:>7,}  NPS {row['nps']:6.1f}  [{row['ci_low']:6.1f}, {row['ci_high']:6.1f}]  "
                   f"P {row['promoters']:>6,}  N {row['passives']:>6,}  D {row['detractors']:>6,}")


@app.command()
def drivers(outcome: Annotated[str, typer.Option(help="nps, promoter, detractor, repurchase, repurchase_intent, "
                                                        "or a numeric / yes-no survey attribute.")] = "nps",
            db: DbOption = None,
            by: Annotated[str | None, typer.Option(help="One model per level of this dimension (role, segment, ...).")] = None,
            method: Annotated[str, typer.Option(help="lmg or relative_weights.")] = "lmg",
            controls: Annotated[str | None, typer.Option(help="Controls, comma-separated (e.g. segment,role).")] = None,
            strategy: Annotated[str, typer.Option(help="Not-experienced ratings: indicator or complete_case.")] = "indicator",
            bootstrap: Annotated[int, typer.Option(help="Bootstrap draws for the intervals.")] = 200,
            seed: Annotated[int, typer.Option(help="Bootstrap seed.")] = 0,
            experience: Annotated[bool, typer.Option("--experience/--no-experience",
                                                     help="Add the service-log experience features as drivers.")] = True,
            min_n: Annotated[int, typer.Option(help="Minimum responses per model.")] = 100,
            as_json: JsonOption = False) -> None:
    """Key drivers: coefficients, relative importance with intervals, priority matrix."""
    from tpnb.analysis import drivers as drv
    from tpnb.warehouse import read

    if method not in ("lmg", "relative_weights"):
        _fail("--method must be lmg or relative_weights")
    con = _read_connection(db)
    try:
        frame = read.driver_frame(con, outcome)
        labels = read.touchpoint_labels(con)
    finally:
        con.close()
    kwargs = {"outcome": outcome, "method": method, "strategy": strategy, "bootstrap": bootstrap, "seed": seed,
              "experience": experience,
              "controls": [c.strip() for c in controls.split(",")] if controls else [], "labels": labels}
    try:
        if by:
            if by not in frame.columns:
                _fail(f"--by {by}: no such column")
            groups = drv.key_drivers_by(frame, by, min_n=min_n, **kwargs)
        else:
            groups = [drv.GroupModel(None, frame.height, result=drv.key_drivers(frame, min_n=min_n, **kwargs))]
    except (ValueError, drv.InsufficientData) as exc:
        _fail(str(exc))
    if as_json:
        docs = {g.level: (g.result.as_dict() if g.result is not None else
                          {"outcome": outcome, "n": g.n, "note": f"too few for a model: {g.skipped}"})
                for g in groups}
        typer.echo(json.dumps(docs[None] if by is None else {"by": by, "models": docs}, default=json_default))
        return
    echo_driver_groups(groups, by, outcome, min_n)


@app.command()
def measures(db: DbOption = None, as_json: JsonOption = False) -> None:
    """The effect of each improvement measure on its touchpoint (difference-in-differences), NPS and contacts."""
    from tpnb.analysis.measures import MEASURE_SCHEMA, evaluate_measures
    from tpnb.settings import load_settings
    from tpnb.warehouse import read

    analysis = load_settings().analysis
    inputs = _read(db, lambda con: read.measure_inputs(con, analysis.measure_window_days))
    table = (empty_table(MEASURE_SCHEMA) if inputs is None else
             evaluate_measures(inputs.measures, inputs.ratings, inputs.monthly_ratings, inputs.contacts,
                               window_days=analysis.measure_window_days, min_n=analysis.min_n))
    if as_json:
        typer.echo(json.dumps({"measures": table.to_dicts()}, default=json_default))
        return
    if table.height == 0:
        typer.echo("no measures loaded (tpnb ingest measures FILE)")
    for r in table.iter_rows(named=True):
        effect = "–" if r["effect"] is None else f"{r['effect']:+.3f} [{r['ci_low']:+.3f}, {r['ci_high']:+.3f}]"
        typer.echo(f"{r['measure_id']:<8} {r['touchpoint_id']:<18} {r['metric']:<26} {effect:<28} {r['verdict']}")


@app.command()
def targets(db: DbOption = None, as_json: JsonOption = False,
            latest: Annotated[bool, typer.Option("--latest/--all", help="Only the newest period per target.")] = True,
            ) -> None:
    """Target vs actual per touchpoint and quarter: met, not met, or not sure (interval straddles the target)."""
    from tpnb.analysis.targets import TARGET_SCHEMA, latest_targets, targets_vs_actual
    from tpnb.warehouse import read

    inputs = _read(db, read.target_inputs)
    table = empty_table(TARGET_SCHEMA) if inputs is None else targets_vs_actual(inputs)
    if latest and table.height:
        table = latest_targets(table)
    if as_json:
        typer.echo(json.dumps({"targets": table.to_dicts()}, default=json_default))
        return
    if table.height == 0:
        typer.echo("no targets loaded (tpnb ingest targets FILE)")
    for r in table.iter_rows(named=True):
        actual = "–" if r["actual"] is None else f"{r['actual']:.2f}"
        typer.echo(f"{r['touchpoint_id']:<18} {r['metric']:<26} {r['period_quarter']}  actual {actual:>8}  "
                   f"target {r['direction']} {r['target']:g}: {r['status']}")


@app.command()
def reports(config: Annotated[Path | None, typer.Option("--config", help="Report runs (default reports.yaml).")] = None,
            out: Annotated[Path | None, typer.Option("--out", help="Reports folder (default reports/).")] = None,
            only: Annotated[str | None, typer.Option(help="Only runs whose name matches (glob).")] = None,
            jobs: Annotated[int, typer.Option(help="Parallel runs.")] = 1,
            db: DbOption = None) -> None:
    """Run the report notebooks with papermill and publish self-contained HTML with an index."""
    from tpnb.report import runs as rep
    from tpnb.settings import load_settings

    settings = load_settings()
    try:
        outcomes = rep.run_reports(config or settings.report_runs, settings.root, _db(db), out or settings.reports_dir,
                                   only=only, jobs=jobs)
    except (rep.ReportConfigError, rep.ReportsBusy) as exc:
        _fail(str(exc))
    failed = [o for o in outcomes if o.status != "ok"]
    index = (out or settings.reports_dir) / "index.html"
    for o in outcomes:
        typer.echo(f"{o.name:<28} {o.status:<7} {o.seconds:6.1f} s" + (f"  {o.error.splitlines()[-1]}" if o.error else ""))
    typer.echo(f"reports: {index.resolve()}")
    raise typer.Exit(1 if failed else 0)


if __name__ == "__main__":
    app()
