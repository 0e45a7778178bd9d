"""Commands that fill the database: demo, ingest, contract, build."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from tpnb.cli.common import (
    DbOption,
    EngineOption,
    JsonOption,
    LakeOption,
    app,
    db_path,
    fail,
    resolve_engine,
    spark_or_fail,
    write_connection,
)
from tpnb.cli.output import echo_loads, to_json


@app.command()
def demo(
    db: DbOption = None,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same data.")] = 7,
    customers: Annotated[int, typer.Option(help="Number of customers (about 8 contacts each).")] = 3000,
    as_of: Annotated[str | None, typer.Option(help="Last day of the data (YYYY-MM-DD); default today.")] = None,
    out: Annotated[Path | None, typer.Option(help="Folder for the source files (default data/demo).")] = None,
) -> None:
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
    con = write_connection(db)
    try:
        results = ingest_sources(con, load_sources(config))
        warehouse.build(con, settings)
    finally:
        con.close()
    for r in results:
        typer.echo(
            f"{r.kind:<12} {Path(r.file).name:<20} {r.status:<9} read {r.rows_read:>9,}  "
            f"loaded {r.rows_loaded:>9,}  quarantined {r.rows_quarantined:>6,}"
        )
    typer.echo(f"demo data: {out} (truth: {out / 'truth.json'}); database: {db_path(db)}")


@app.command()
def ingest(
    kind: Annotated[
        str | None,
        typer.Argument(
            help="Source kind: touchpoints, customers, surveys, contacts, contact_events, orders, targets, measures."
        ),
    ] = None,
    files: Annotated[list[Path] | None, typer.Argument(help="Files to load (CSV/TSV, Parquet, XLSX, JSONL).")] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="Source config (YAML); alone, loads every source it declares."),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
    wait: Annotated[float, typer.Option(help="Seconds to wait for another writer.")] = 30.0,
    build: Annotated[bool, typer.Option("--build/--no-build", help="Rebuild the marts after loading.")] = True,
    lake_dir: Annotated[
        Path | None,
        typer.Option("--lake", help="Also append what each load stored to this Parquet lake (for --engine spark)."),
    ] = None,
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
                fail("give KIND and FILE..., or --config FILE")
            sources = load_sources(config)
        else:
            from tpnb.contracts import KINDS

            if kind not in KINDS:
                fail(f"unknown kind '{kind}'; known: {', '.join(KINDS)}")
            if not files:
                fail(f"no file given for '{kind}'")
            options = SourceOptions()
            if config:
                import yaml

                entries = [
                    e
                    for e in (yaml.safe_load(config.read_text(encoding="utf-8")) or {}).get("sources", [])
                    if e.get("kind") == kind
                ]
                if entries:
                    options = options_from_mapping({k: v for k, v in entries[0].items() if k != "path"}, str(config))
            sources = [Source(kind, tuple(files), options)]
    except ConfigError as exc:
        fail(str(exc))
    try:
        con = warehouse.connect(db_path(db), read_only=False, wait_seconds=wait)
    except (warehouse.DatabaseBusy, warehouse.BadSetting, warehouse.DatabaseDamaged) as exc:
        fail(str(exc))
    results, rejected = [], []
    try:
        for source in sources:
            for path in source.paths:
                try:
                    results.append(ingest_file(con, source.kind, path, source.options))
                except RejectedFile as exc:
                    rejected.append({"kind": source.kind, "file": str(path), "message": str(exc)})
        quarantined = sum(r.rows_quarantined for r in results)
        reasons = _reasons_of(con, results) if quarantined else None
        if lake_dir is not None:
            from tpnb.lake.export import append_loads

            append_loads(con, lake_dir, [(r.kind, r.load_id) for r in results if r.status == "loaded" and r.load_id])
    finally:
        # each file loads in a transaction of its own: what loaded is committed, so the marts follow
        # it even when a later file stopped the command
        try:
            if build and results:
                warehouse.build(con)
        finally:
            con.close()
    if as_json:
        typer.echo(to_json({"loads": [r.as_dict() for r in results], "rejected": rejected}))
    else:
        echo_loads(results, rejected, quarantined, reasons)
    if rejected:
        raise typer.Exit(2)
    raise typer.Exit(1 if quarantined else 0)


@app.command()
def formats(
    name: Annotated[str | None, typer.Argument(help="A format (all formats when left out).")] = None,
) -> None:
    """Show the tools' export formats (format: in a source config) and where each field comes from."""
    from tpnb.contracts.formats import FORMATS, describe_format

    try:
        typer.echo("\n\n".join(describe_format(n) for n in ([name] if name else FORMATS)))
    except ValueError as exc:
        fail(str(exc))


@app.command()
def contract(
    kind: Annotated[str | None, typer.Argument(help="Source kind (all kinds with --markdown).")] = None,
    markdown: Annotated[
        bool,
        typer.Option(
            "--markdown",
            help="The whole contract as Markdown (docs/contract.md): source kinds and marts.",
        ),
    ] = False,
) -> None:
    """Show the data contract: a source kind's columns, types, ranges and keys; or all of it as Markdown."""
    from tpnb.contracts import describe
    from tpnb.contracts.docs import contract_markdown

    if markdown:
        typer.echo(contract_markdown(), nl=False)
        return
    if kind is None:
        fail("give a KIND (tpnb contract surveys) or --markdown")
    try:
        typer.echo(describe(kind))
    except ValueError as exc:
        fail(str(exc))


@app.command()
def build(db: DbOption = None, engine: EngineOption = None, lake_dir: LakeOption = None) -> None:
    """Rebuild the core and mart tables from the loaded data (on Spark: from a lake, marts to <lake>/marts)."""
    from tpnb import warehouse

    engine, lake_dir = resolve_engine(engine, lake_dir)
    if engine == "spark":
        from tpnb.lake.spark import build_spark
        from tpnb.settings import load_settings

        spark = spark_or_fail()
        try:
            for name, seconds in build_spark(spark, Path(lake_dir), load_settings()):
                typer.echo(f"{name:<32} {seconds:6.2f} s")
        except FileNotFoundError as exc:
            fail(str(exc))
        finally:
            spark.stop()
        return
    con = write_connection(db)
    try:
        for name, seconds in warehouse.build(con):
            typer.echo(f"{name:<32} {seconds:6.2f} s")
    finally:
        con.close()


def _reasons_of(con, results: list):
    """The count by reason of the rows these loads quarantined."""
    import polars as pl

    from tpnb.warehouse.inventory import quarantine_reasons, quarantined_rows

    rows = [quarantined_rows(con, load_id=r.load_id) for r in results if r.rows_quarantined and r.load_id]
    return quarantine_reasons(pl.concat(rows) if rows else quarantined_rows(con, load_id=-1))
