"""Run the report notebooks with papermill and render their HTML; ``publish`` puts them in place.

Each run executes into a temporary folder; only a run that succeeded is
moved into ``reports/`` (``os.replace``, atomic on one file system). A
failed run leaves the last good report in place, publishes a failure page
beside it and makes the command exit 1. One run at a time per reports folder
(a lock file, with a clear message). Runs are archived by date.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import shutil
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path

from tpnb.report.declared import ReportConfigError, ReportRun, load_runs, run_name
from tpnb.report.publish import prune_archive, publish, write_index
from tpnb.report.render import PUBLISHED, page_status, render_html
from tpnb.warehouse.db import DatabaseBusy, DatabaseMissing

log = logging.getLogger("tpnb.report")
STATUS_FILE = "status.json"
__all__ = [
    "ReportConfigError",
    "ReportRun",
    "ReportsBusy",
    "ReportsUnwritable",
    "RunOutcome",
    "load_runs",
    "run_name",
    "run_reports",
]


class ReportsUnwritable(RuntimeError):
    """The reports folder cannot be written (read-only, full disk): nothing half-written is left."""


class ReportsBusy(RuntimeError):
    """Another `tpnb reports` is running on the same reports folder."""


@dataclass
class RunOutcome:
    """What a report run did: status, where its HTML and notebook are, how long it took, its error."""

    name: str
    title: str
    status: str  # ok | failed
    parameters: dict
    html: str | None
    notebook: str | None
    seconds: float
    finished_at: str
    error: str | None = None
    data_as_of: str | None = None


# --- executing and rendering ----------------------------------------------------------------


# Over TCP a kernel picks free ports and binds them a moment later; another process (a parallel run,
# a JVM) can take one in between, and the kernel dies before it answers. Kernels here use Unix
# sockets, and a start that still fails that way is tried again (no cell has run yet).
KERNEL_START_RACES = ("Address already in use", "Kernel died before replying to kernel_info")
KERNEL_START_ATTEMPTS = 3


def is_kernel_start_race(exc: BaseException) -> bool:
    """Whether an error is a kernel that died while starting over a port taken in between."""
    return any(mark in str(exc) for mark in KERNEL_START_RACES)


def _kernel_manager_class():
    """Kernels talk over Unix sockets under a private path (no TCP ports another process could take
    between their choice and their bind); on Windows, which has none, over TCP as usual."""
    if os.name == "nt":
        return None
    from jupyter_client.manager import AsyncKernelManager

    class IpcKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.transport = "ipc"
            self.ip = str(Path(tempfile.gettempdir()) / f"tpnb-kernel-{uuid.uuid4().hex}")

    return IpcKernelManager


def _execute_with_retry(pm, notebook: str, output: str, **kwargs) -> None:
    manager = _kernel_manager_class()
    if manager is not None:
        kwargs["kernel_manager_class"] = manager
    for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
        try:
            pm.execute_notebook(notebook, output, **kwargs)
            return
        except Exception as exc:  # papermill's and jupyter_client's own error types
            if attempt == KERNEL_START_ATTEMPTS or not is_kernel_start_race(exc):
                raise
            logging.getLogger("tpnb.report").info("kernel start raced for a port; starting it again")


def execute_run(run: ReportRun, db_path: str, work_dir: str) -> RunOutcome:
    """Run one notebook with papermill into ``work_dir``; render its HTML there."""
    import papermill as pm

    started = time.time()
    out_nb = Path(work_dir) / f"{run.name}.ipynb"
    out_html = Path(work_dir) / f"{run.name}.html"
    params = {**run.parameters, "db_path": str(db_path), "report_mode": True}
    try:
        _execute_with_retry(
            pm,
            str(run.notebook),
            str(out_nb),
            parameters=params,
            kernel_name=run.kernel,
            execution_timeout=run.timeout_seconds,
            cwd=str(run.notebook.parent),
            progress_bar=False,
            log_output=False,
            report_mode=True,
            # the kernel's own start-up warnings (e.g. about its local TCP transport) are not the
            # report's; they would only fill a scheduled run's log
            extra_arguments=["--IPKernelApp.log_level=ERROR"],
        )
        page = render_html(out_nb, run.title)
        out_html.write_text(page, encoding="utf-8")
        status, error = page_status(page), None
    except Exception as exc:  # papermill raises PapermillExecutionError with the cell's error
        status, error = "failed", _short_error(exc)
    return RunOutcome(
        run.name,
        run.title,
        status,
        run.parameters,
        str(out_html) if status in PUBLISHED else None,
        str(out_nb) if out_nb.exists() else None,
        round(time.time() - started, 2),
        datetime.now().isoformat(timespec="seconds"),
        error,
    )


def _short_error(exc: Exception) -> str:
    text = str(exc)
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return "\n".join(lines[-12:])[:4000]


def _data_as_of(db_path: Path) -> str | None:
    from tpnb.warehouse import connect, read

    try:
        con = connect(db_path)
        try:
            value = read.newest_answer_day(con)
        finally:
            con.close()
        return f"{value:%Y-%m-%d}" if value else None
    except Exception:  # the index must still be written when the database is gone
        return None


def run_reports(
    config_path: Path,
    root: Path,
    db_path: Path,
    reports_dir: Path,
    only: str | None = None,
    jobs: int = 1,
    progress: bool | None = None,
    wait_seconds: float = 30.0,
) -> list[RunOutcome]:
    """Run, publish and index every declared report; returns the outcomes.

    A database that another process is writing is waited for up to ``wait_seconds``; if it is still
    busy then, every run fails with a failure page naming the writer, and the last good pages stay.
    """
    from filelock import FileLock, Timeout

    try:
        reports_dir.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(reports_dir / ".tpnb-reports.lock"))
        lock.acquire(timeout=0)
    except Timeout:
        raise ReportsBusy(
            f"{reports_dir}: another `tpnb reports` run is in progress; try again when it has finished"
        ) from None
    except OSError as exc:
        raise ReportsUnwritable(_unwritable(reports_dir, exc)) from exc
    try:
        return _run_locked(config_path, root, db_path, reports_dir, only, jobs, progress, wait_seconds)
    except DatabaseMissing:  # a FileNotFoundError, but about the database, not the reports folder
        raise
    except OSError as exc:
        raise ReportsUnwritable(_unwritable(reports_dir, exc)) from exc
    finally:
        lock.release()


def _die_with_parent(parent_pid: int) -> None:
    """A report worker ends when the `tpnb reports` that started it is gone (killed, not only stopped);
    its kernels follow, as each kernel polls its parent. Workers start from a fork server, so the
    operating system's parent-death signal would name the server: a thread watches the run instead."""

    def watch() -> None:
        while True:
            time.sleep(1.0)
            try:
                os.kill(parent_pid, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:  # alive, under another user
                pass

    threading.Thread(target=watch, name="tpnb-parent-watch", daemon=True).start()


def _unwritable(reports_dir: Path, exc: OSError) -> str:
    return (
        f"{reports_dir}: cannot write the reports there ({exc.strerror or exc}); the pages published before "
        "are unchanged. Check the folder's permissions and free disk space."
    )


def _database_busy(db_path: Path, wait_seconds: float) -> str | None:
    """Wait until the database can be read; the reason it cannot after ``wait_seconds``, or None."""
    from tpnb.warehouse import connect

    try:
        connect(db_path, wait_seconds=wait_seconds).close()
    except DatabaseBusy as exc:
        return str(exc)
    return None


def _not_run(run: ReportRun, reason: str) -> RunOutcome:
    return RunOutcome(
        run.name,
        run.title,
        "failed",
        run.parameters,
        None,
        None,
        0.0,
        datetime.now().isoformat(timespec="seconds"),
        reason,
    )


def _run_locked(
    config_path: Path,
    root: Path,
    db_path: Path,
    reports_dir: Path,
    only: str | None,
    jobs: int,
    progress: bool | None,
    wait_seconds: float,
) -> list[RunOutcome]:
    for stale in reports_dir.glob("tpnb-run-*"):  # left by a run that was killed
        shutil.rmtree(stale, ignore_errors=True)
    busy = _database_busy(db_path, wait_seconds)
    runs, raw = load_runs(config_path, root, db_path, only, database_busy=busy is not None)
    if not runs:
        raise ReportConfigError(f"{config_path}: no report matches{' ' + repr(only) if only else ''}")
    as_of = None if busy else _data_as_of(db_path)
    today = date.today()
    outcomes: list[RunOutcome] = []
    with tempfile.TemporaryDirectory(prefix="tpnb-run-", dir=reports_dir) as work:
        show_bar = sys.stderr.isatty() if progress is None else progress
        if busy:
            outcomes = [_not_run(run, busy) for run in runs]
        else:
            outcomes = _execute_all(runs, db_path, work, jobs, show_bar)
        for outcome in outcomes:
            outcome.data_as_of = as_of
            publish(outcome, reports_dir, today)
    status_path = reports_dir / STATUS_FILE
    statuses = json.loads(status_path.read_text()) if status_path.exists() else {}
    for outcome in outcomes:
        previous = statuses.get(outcome.name, {})
        entry = asdict(outcome)
        # the date of the page that is published: this run's, or after a failure the last good one's
        entry["published_at"] = outcome.finished_at if outcome.status in PUBLISHED else previous.get("published_at")
        if outcome.status == "failed" and previous.get("html"):
            entry["html"] = previous["html"]
        statuses[outcome.name] = entry
    tmp = status_path.with_suffix(".tmp")
    tmp.write_text(json.dumps(statuses, indent=2, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, status_path)
    prune_archive(reports_dir, int(raw.get("retention_days", 90)), today)
    write_index(reports_dir, statuses, str((raw.get("defaults") or {}).get("language", "de")))
    return outcomes


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
            progress.update(
                tasks[outcome.name],
                completed=1,
                description=f"{outcome.name} [{'green' if outcome.status == 'ok' else 'red'}]{outcome.status}",
            )
        else:
            log.info("report %s: %s in %.1f s", outcome.name, outcome.status, outcome.seconds)

    try:
        if jobs <= 1 or len(runs) == 1:
            for run in runs:
                log.info("report %s: running %s", run.name, run.notebook.name)
                done(execute_run(run, str(db_path), work))
        else:
            # forkserver: workers start from a clean process, never a fork of one that holds DuckDB's
            # threads (a fork of a threaded process can deadlock or crash in the child)
            context = multiprocessing.get_context("forkserver" if sys.platform != "win32" else "spawn")
            with ProcessPoolExecutor(
                max_workers=jobs, mp_context=context, initializer=_die_with_parent, initargs=(os.getpid(),)
            ) as pool:
                futures = [pool.submit(execute_run, run, str(db_path), work) for run in runs]
                for future in as_completed(futures):
                    done(future.result())
    finally:
        if progress:
            progress.stop()
    order = {r.name: i for i, r in enumerate(runs)}
    return sorted(outcomes, key=lambda o: order[o.name])
