"""The report runs reports.yaml declares: each entry, its parameters, and its fan-out over the data."""

from __future__ import annotations

import fnmatch
import hashlib
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

log = logging.getLogger("tpnb.report")


class ReportConfigError(ValueError):
    """reports.yaml cannot be used (names the file and the entry)."""


@dataclass
class ReportRun:
    """One report to run: its name, title, notebook, parameters, kernel and cell timeout."""

    name: str
    title: str
    notebook: Path
    parameters: dict = field(default_factory=dict)
    kernel: str = "tpnb"
    timeout_seconds: int = 600


def load_runs(
    config_path: Path, root: Path, db_path: Path, only: str | None = None, database_busy: bool = False
) -> tuple[list[ReportRun], dict]:
    """Expand reports.yaml into concrete runs (fan-out resolved against the database; while the
    database is busy, an entry whose fan-out comes from the data is left out with a warning)."""
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
        if database_busy and "from_data" in fan_out.values():
            log.warning("%s: %s is not expanded: the database is busy", where, entry["name"])
            continue
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
            runs.append(
                ReportRun(
                    name=run_name(name, combo),
                    title=str(entry.get("title", name)).format(**combo),
                    notebook=notebook,
                    parameters={**params, **combo},
                    kernel=entry.get("kernel", defaults.get("kernel", "tpnb")),
                    timeout_seconds=int(entry.get("timeout_seconds", defaults.get("timeout_seconds", 600))),
                )
            )
    _check_unique(runs, config_path)
    return runs, raw


MAX_SLUG = 60


def slug(text: str) -> str:
    """ASCII letters, digits, ``-`` and ``_`` only (runs of others become one ``_``), at most 60 characters."""
    out = re.sub(r"[^A-Za-z0-9_-]+", "_", text).strip("_")[:MAX_SLUG].strip("_")
    return out or "report"


def run_name(name: str, combo: dict) -> str:
    """The file name of a run: a declared report's slug; for a fan-out run, the slug plus a short hash of
    its values, so values that differ ("a/b", "a b", "!!!") never share a file or take a declared report's."""
    if not combo:
        return slug(name)
    values = json.dumps(combo, sort_keys=True, ensure_ascii=False, default=str)
    return f"{slug(name)}-{hashlib.sha256(values.encode('utf-8')).hexdigest()[:8]}"


def _check_unique(runs: list[ReportRun], config_path: Path) -> None:
    seen: dict[str, ReportRun] = {}
    for run in runs:
        if run.name in seen:
            raise ReportConfigError(
                f"{config_path}: reports '{seen[run.name].title}' and '{run.title}' would "
                f"both publish {run.name}.html; give them different names"
            )
        seen[run.name] = run


def _values_from_data(db_path: Path, dimension: str) -> list[str]:
    from tpnb.warehouse import connect, read

    if dimension not in read.FAN_OUT_DIMENSIONS:
        raise ReportConfigError(f"fan_out from_data works for {', '.join(read.FAN_OUT_DIMENSIONS)}; not {dimension!r}")
    con = connect(db_path)
    try:
        return read.dimension_values(con, dimension)
    finally:
        con.close()
