"""Run the report notebooks with papermill, render HTML, publish safely, index.

Each run executes into a temporary folder; only a run that succeeded is
moved into ``reports/`` (``os.replace``, atomic on one file system). A
failed run leaves the last good report in place, publishes a failure page
beside it and makes the command exit 1. One run at a time per reports folder
(a lock file, with a clear message). Runs are archived by date.
"""

from __future__ import annotations

import fnmatch
import html
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

log = logging.getLogger("tpnb.reports")
STATUS_FILE = "status.json"


class ReportConfigError(ValueError):
    """reports.yaml cannot be used (names the file and the entry)."""


class ReportsBusy(RuntimeError):
    """Another `tpnb reports` is running on the same reports folder."""


@dataclass
class ReportRun:
    name: str
    title: str
    notebook: Path
    parameters: dict = field(default_factory=dict)
    kernel: str = "tpnb"
    timeout_seconds: int = 600


@dataclass
class RunOutcome:
    name: str
    title: str
    status: str                      # ok | failed
    parameters: dict
    html: str | None
    notebook: str | None
    seconds: float
    finished_at: str
    error: str | None = None
    data_as_of: str | None = None


# --- the run declarations ------------------------------------------------------------

def load_runs(config_path: Path, root: Path, db_path: Path, only: str | None = None) -> tuple[list[ReportRun], dict]:
    """Expand reports.yaml into concrete runs (fan-out resolved against the database)."""
    try:
        raw = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ReportConfigError(f"{config_path}: cannot read: {exc}") from exc
    defaults = raw.get("defaults") or {}
    runs: list[ReportRun] = []
    for i, entry in enumerate(raw.get("reports") or [], start=1):
        where = f"{config_path}: reports[{i}]"
        if not isinstance(entry, dict) or "name" not in entry or "notebook" not in entry:
            raise ReportConfigError(f"{where}: each report needs 'name' and 'notebook'")
        notebook = root / entry["notebook"]
        if not notebook.is_file():
            raise ReportConfigError(f"{where}: notebook not found: {notebook}")
        params = {"language": defaults.get("language", "de"), **(entry.get("parameters") or {})}
        fan_out = entry.get("fan_out") or {}
        combos = [{}]
        for key, values in fan_out.items():
            if values == "from_data":
                values = _values_from_data(db_path, key)
            combos = [{**c, key: v} for c in combos for v in values]
        for combo in combos:
            name = str(entry["name"]).format(**combo)
            enabled = entry.get("enabled", True)
            if only:
                if not fnmatch.fnmatch(name, only):
                    continue
            elif not enabled:
                continue
            runs.append(ReportRun(
                name=_safe_name(name), title=str(entry.get("title", name)).format(**combo), notebook=notebook,
                parameters={**params, **combo}, kernel=entry.get("kernel", defaults.get("kernel", "tpnb")),
                timeout_seconds=int(entry.get("timeout_seconds", defaults.get("timeout_seconds", 600))),
            ))
    return runs, raw


def _safe_name(name: str) -> str:
    keep = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)
    return keep.strip("_") or "report"


def _values_from_data(db_path: Path, dimension: str) -> list[str]:
    from tpnb import warehouse

    if dimension not in ("segment", "role", "region", "account_id"):
        raise ReportConfigError(f"fan_out from_data works for segment, role, region, account_id; not {dimension!r}")
    con = warehouse.connect(db_path)
    try:
        return [r[0] for r in con.sql(
            f"select distinct {dimension} from mart_responses where {dimension} <> 'unknown' order by 1").fetchall()]
    finally:
        con.close()


# --- executing and rendering ----------------------------------------------------------------

VEGA_LITE_VERSION = "6.4"


@lru_cache(maxsize=1)
def vega_bundle() -> str:
    """vega + vega-lite + vega-embed as one script (from vl-convert: no network).

    Bundling takes vl-convert over a second, so the result is cached on disk
    per vl-convert version (every report run of a fan-out would pay it again).
    """
    import vl_convert

    cache_root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tpnb"
    cache = cache_root / f"vega-bundle-{vl_convert.__version__}-vl{VEGA_LITE_VERSION}.js"
    try:
        return cache.read_text(encoding="utf-8")
    except OSError:
        pass
    bundle = vl_convert.javascript_bundle(vl_version=VEGA_LITE_VERSION).replace("</script", "<\\/script")
    try:
        cache_root.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(bundle, encoding="utf-8")
        os.replace(tmp, cache)
    except OSError:  # a read-only home still gets its reports, only slower
        pass
    return bundle


def render_html(notebook_path: Path, title: str) -> str:
    """Executed notebook -> HTML without code, prompts, parameter cells or stderr."""
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    nb = nbformat.read(str(notebook_path), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.get("outputs", []) if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
    nb.metadata["title"] = title
    templates = str(resources.files("tpnb") / "templates")
    exporter = HTMLExporter(template_name="tpnb", extra_template_basedirs=[templates])
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    remover = TagRemovePreprocessor(remove_cell_tags={"parameters", "injected-parameters", "remove-cell"})
    exporter.register_preprocessor(remover, enabled=True)
    body, _ = exporter.from_notebook_node(nb, resources={"tpnb_vega_bundle": vega_bundle()})
    return body


def execute_run(run: ReportRun, db_path: str, work_dir: str) -> RunOutcome:
    """Run one notebook with papermill into ``work_dir``; render its HTML there."""
    import papermill as pm

    started = time.time()
    out_nb = Path(work_dir) / f"{run.name}.ipynb"
    out_html = Path(work_dir) / f"{run.name}.html"
    params = {**run.parameters, "db_path": str(db_path), "report_mode": True}
    try:
        pm.execute_notebook(
            str(run.notebook), str(out_nb), parameters=params, kernel_name=run.kernel,
            execution_timeout=run.timeout_seconds, cwd=str(run.notebook.parent), progress_bar=False,
            log_output=False, report_mode=True,
            # the kernel's own start-up warnings (e.g. about its local TCP transport) are not the
            # report's; they would only fill a scheduled run's log
            extra_arguments=["--IPKernelApp.log_level=ERROR"],
        )
        out_html.write_text(render_html(out_nb, run.title), encoding="utf-8")
        status, error = "ok", None
    except Exception as exc:  # papermill raises PapermillExecutionError with the cell's error
        status, error = "failed", _short_error(exc)
    return RunOutcome(run.name, run.title, status, run.parameters, str(out_html) if status == "ok" else None,
                      str(out_nb) if out_nb.exists() else None, round(time.time() - started, 2),
                      datetime.now().isoformat(timespec="seconds"), error)


def _short_error(exc: Exception) -> str:
    text = str(exc)
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return "\n".join(lines[-12:])[:4000]


# --- publishing --------------------------------------------------------------------------------

def publish(outcome: RunOutcome, reports_dir: Path, archive_day: date) -> RunOutcome:
    """Move a finished run into place; on failure keep the last good HTML."""
    runs_dir = reports_dir / "runs"
    archive = reports_dir / "archive" / archive_day.isoformat()
    runs_dir.mkdir(parents=True, exist_ok=True)
    archive.mkdir(parents=True, exist_ok=True)
    final_html = reports_dir / f"{outcome.name}.html"
    failure_page = reports_dir / f"{outcome.name}.failed.html"
    if outcome.notebook:
        os.replace(outcome.notebook, runs_dir / f"{outcome.name}.ipynb")
        outcome.notebook = str((runs_dir / f"{outcome.name}.ipynb").relative_to(reports_dir))
    if outcome.status == "ok":
        shutil.copyfile(outcome.html, archive / f"{outcome.name}.html")
        os.replace(outcome.html, final_html)
        outcome.html = final_html.name
        failure_page.unlink(missing_ok=True)
    else:
        tmp = failure_page.with_suffix(".tmp")
        tmp.write_text(failure_html(outcome, final_html.exists()), encoding="utf-8")
        os.replace(tmp, failure_page)
        outcome.html = final_html.name if final_html.exists() else None
    return outcome


def failure_html(outcome: RunOutcome, has_previous: bool) -> str:
    keep = ("The last good report is still published." if has_previous else "There is no earlier report.")
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Failed: {html.escape(outcome.title)}</title>"
            "</head><body style='font-family:sans-serif;max-width:900px;margin:2rem auto'>"
            f"<h1>Report run failed: {html.escape(outcome.title)}</h1><p>{html.escape(outcome.finished_at)} · {keep}</p>"
            f"<pre style='white-space:pre-wrap;background:#fee;padding:1rem'>{html.escape(outcome.error or '')}</pre>"
            "<p><a href='index.html'>All reports</a></p></body></html>")


def prune_archive(reports_dir: Path, retention_days: int, today: date) -> list[str]:
    removed = []
    archive = reports_dir / "archive"
    if not archive.is_dir():
        return removed
    for folder in sorted(archive.iterdir()):
        try:
            day = date.fromisoformat(folder.name)
        except ValueError:
            continue
        if day < today - timedelta(days=retention_days):
            shutil.rmtree(folder)
            removed.append(folder.name)
    return removed


def write_index(reports_dir: Path, statuses: dict[str, dict]) -> Path:
    """reports/index.html: every report with title, parameters, data as of, run time and status."""
    rows = []
    for name in sorted(statuses):
        s = statuses[name]
        link = (f"<a href='{html.escape(s['html'])}'>{html.escape(s['title'])}</a>" if s.get("html")
                else html.escape(s["title"]))
        failed = (f" · <a href='{html.escape(name)}.failed.html'>error</a>" if s["status"] == "failed" else "")
        params = ", ".join(f"{k}={v}" for k, v in sorted(s.get("parameters", {}).items()))
        color = "#2ca02c" if s["status"] == "ok" else "#d62728"
        rows.append(
            f"<tr><td>{link}</td><td>{html.escape(params)}</td><td>{html.escape(s.get('data_as_of') or '–')}</td>"
            f"<td>{html.escape(s['finished_at'])} ({s['seconds']} s)</td>"
            f"<td style='color:{color}'>{html.escape(s['status'])}{failed}</td></tr>")
    archive = reports_dir / "archive"
    days = sorted((p.name for p in archive.iterdir() if p.is_dir()), reverse=True) if archive.is_dir() else []
    archive_links = " · ".join(
        " ".join(f"<a href='archive/{d}/{html.escape(f.name)}'>{d}/{html.escape(f.stem)}</a>"
                 for f in sorted((archive / d).glob("*.html"))) for d in days[:30])
    page = f"""<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>tpnb reports</title>
<style>body{{font-family:system-ui,sans-serif;max-width:1100px;margin:2rem auto;padding:0 1rem}}
table{{border-collapse:collapse;width:100%}}td,th{{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;vertical-align:top}}
th{{background:#f3f3f3}}</style></head><body>
<h1>tpnb – Berichte / reports</h1>
<table><thead><tr><th>Bericht / report</th><th>Parameter</th><th>Daten bis / data as of</th><th>Lauf / run</th><th>Status</th></tr></thead>
<tbody>{''.join(rows)}</tbody></table>
<h2>Archiv / archive</h2><p>{archive_links or '–'}</p>
<p style="color:#777">Generated {datetime.now():%Y-%m-%d %H:%M} by tpnb.</p></body></html>"""
    tmp = reports_dir / "index.html.tmp"
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, reports_dir / "index.html")
    return reports_dir / "index.html"


def _data_as_of(db_path: Path) -> str | None:
    from tpnb import warehouse

    try:
        con = warehouse.connect(db_path)
        try:
            value = con.sql("select max(answered_at) from mart_responses").fetchall()[0][0]
        finally:
            con.close()
        return f"{value:%Y-%m-%d}" if value else None
    except Exception:  # the index must still be written when the database is gone
        return None


def run_reports(config_path: Path, root: Path, db_path: Path, reports_dir: Path, only: str | None = None,
                jobs: int = 1, progress: bool | None = None) -> list[RunOutcome]:
    """Run, publish and index every declared report; returns the outcomes."""
    from filelock import FileLock, Timeout

    reports_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(reports_dir / ".tpnb-reports.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise ReportsBusy(f"{reports_dir}: another `tpnb reports` run is in progress; try again when it has finished") from None
    try:
        for stale in reports_dir.glob("tpnb-run-*"):  # left by a run that was killed
            shutil.rmtree(stale, ignore_errors=True)
        runs, raw = load_runs(config_path, root, db_path, only)
        if not runs:
            raise ReportConfigError(f"{config_path}: no report matches{' ' + repr(only) if only else ''}")
        as_of = _data_as_of(db_path)
        today = date.today()
        outcomes: list[RunOutcome] = []
        with tempfile.TemporaryDirectory(prefix="tpnb-run-", dir=reports_dir) as work:
            show_bar = sys.stderr.isatty() if progress is None else progress
            outcomes = _execute_all(runs, db_path, work, jobs, show_bar)
            for outcome in outcomes:
                outcome.data_as_of = as_of
                publish(outcome, reports_dir, today)
        status_path = reports_dir / STATUS_FILE
        statuses = json.loads(status_path.read_text()) if status_path.exists() else {}
        for outcome in outcomes:
            previous = statuses.get(outcome.name, {})
            entry = asdict(outcome)
            if outcome.status == "failed" and previous.get("html"):
                entry["html"] = previous["html"]
            statuses[outcome.name] = entry
        tmp = status_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(statuses, indent=2, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, status_path)
        prune_archive(reports_dir, int(raw.get("retention_days", 90)), today)
        write_index(reports_dir, statuses)
        return outcomes
    finally:
        lock.release()


def _execute_all(runs: list[ReportRun], db_path: Path, work: str, jobs: int, show_bar: bool) -> list[RunOutcome]:
    outcomes: list[RunOutcome] = []
    if show_bar:
        from rich.progress import Progress

        progress = Progress(transient=False)
        progress.start()
        tasks = {r.name: progress.add_task(r.name, total=1) for r in runs}
    else:
        progress, tasks = None, {}

    def done(outcome: RunOutcome) -> None:
        outcomes.append(outcome)
        if progress:
            progress.update(tasks[outcome.name], completed=1,
                            description=f"{outcome.name} [{'green' if outcome.status == 'ok' else 'red'}]{outcome.status}")
        else:
            log.info("report %s: %s in %.1f s", outcome.name, outcome.status, outcome.seconds)

    try:
        if jobs <= 1 or len(runs) == 1:
            for run in runs:
                log.info("report %s: running %s", run.name, run.notebook.name)
                done(execute_run(run, str(db_path), work))
        else:
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                futures = [pool.submit(execute_run, run, str(db_path), work) for run in runs]
                for future in as_completed(futures):
                    done(future.result())
    finally:
        if progress:
            progress.stop()
    order = {r.name: i for i, r in enumerate(runs)}
    return sorted(outcomes, key=lambda o: order[o.name])
