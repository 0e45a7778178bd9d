"""The command that runs and publishes the reports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tpnb.cli.common import DbOption, EngineOption, LakeOption, app, db_path, fail, resolve_engine


@app.command()
def reports(
    config: Annotated[Path | None, typer.Option("--config", help="Report runs (default reports.yaml).")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Reports folder (default reports/).")] = None,
    only: Annotated[str | None, typer.Option(help="Only runs whose name matches (glob).")] = None,
    jobs: Annotated[int, typer.Option(help="Parallel runs.")] = 1,
    wait: Annotated[float, typer.Option(help="Seconds to wait while another process writes the database.")] = 30.0,
    db: DbOption = None,
    engine: EngineOption = None,
    lake_dir: LakeOption = None,
) -> None:
    """Run the report notebooks with papermill and publish self-contained HTML with an index."""
    import tempfile

    from tpnb import warehouse
    from tpnb.report import runs as rep
    from tpnb.settings import load_settings

    settings = load_settings()
    engine, lake_dir = resolve_engine(engine, lake_dir)
    with tempfile.TemporaryDirectory(prefix="tpnb-lake-") as scratch:
        database = db_path(db)
        if engine == "spark":
            # the marts Spark built, read in place through a database of views (DuckDB scans the Parquet)
            from tpnb.lake.views import lake_database

            database = Path(scratch) / "lake.duckdb"
            try:
                lake_database(Path(lake_dir), database)
            except FileNotFoundError as exc:
                fail(str(exc))
        outcomes = _run(rep, warehouse, settings, config, out, only, jobs, wait, database)
    failed = [o for o in outcomes if o.status == "failed"]
    index = (out or settings.reports_dir) / "index.html"
    for o in outcomes:
        typer.echo(
            f"{o.name:<28} {o.status:<7} {o.seconds:6.1f} s" + (f"  {o.error.splitlines()[-1]}" if o.error else "")
        )
    typer.echo(f"reports: {index.resolve()}")
    raise typer.Exit(1 if failed else 0)


def _run(rep, warehouse, settings, config, out, only, jobs, wait, database):
    """The report runs on ``database``; bad configuration or a busy database exit 2, an unwritable
    reports folder 1."""
    try:
        return rep.run_reports(
            config or settings.report_runs,
            settings.root,
            database,
            out or settings.reports_dir,
            only=only,
            jobs=jobs,
            wait_seconds=wait,
        )
    except (rep.ReportConfigError, rep.ReportsBusy) as exc:
        fail(str(exc))
    except rep.ReportsUnwritable as exc:  # a run could not be published: 1, like a failed report
        fail(str(exc), code=1)
    except (warehouse.DatabaseBusy, warehouse.DatabaseMissing, warehouse.DatabaseDamaged) as exc:
        fail(str(exc))
