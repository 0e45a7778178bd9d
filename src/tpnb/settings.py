"""Settings and paths: loaded once per command or report run and passed down.

Settings come from ``tpnb.yaml`` in the project root and from environment
variables, never from edited code. The project root is ``TPNB_HOME`` if set,
else the nearest folder at or above the working directory that holds a
``tpnb.yaml``, else the working directory.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SETTINGS_FILE = "tpnb.yaml"


@dataclass(frozen=True)
class ServiceSettings:
    """The service promises the contact-log KPIs are measured against (``service:`` in tpnb.yaml)."""

    hours_start: str = "08:00"
    hours_end: str = "17:00"
    weekdays: tuple[int, ...] = (1, 2, 3, 4, 5)
    first_response_target_hours: float = 24.0
    wait_threshold_seconds: float = 120.0
    follow_up_days: int = 7


@dataclass(frozen=True)
class AnalysisSettings:
    """Minimum cell size, freshness limit and the windows of the analysis (``analysis:`` in tpnb.yaml)."""

    min_n: int = 30
    freshness_days: int = 90
    repurchase_window_days: int = 180
    experience_window_days: int = 180
    measure_window_days: int = 180


@dataclass(frozen=True)
class Settings:
    """Everything tpnb.yaml and the environment set: paths, analysis and service settings."""

    root: Path
    database: Path
    reports_dir: Path
    report_runs: Path
    analysis: AnalysisSettings = field(default_factory=AnalysisSettings)
    service: ServiceSettings = field(default_factory=ServiceSettings)

    def sql_parameters(self) -> dict[str, Any]:
        """Values the SQL models read as bound parameters ($name)."""
        start_h, start_m = (int(x) for x in self.service.hours_start.split(":"))
        end_h, end_m = (int(x) for x in self.service.hours_end.split(":"))
        return {
            "service_start_minute": start_h * 60 + start_m,
            "service_end_minute": end_h * 60 + end_m,
            "service_weekdays": list(self.service.weekdays),
            "first_response_target_hours": float(self.service.first_response_target_hours),
            "wait_threshold_seconds": float(self.service.wait_threshold_seconds),
            "follow_up_days": int(self.service.follow_up_days),
            "experience_window_days": int(self.analysis.experience_window_days),
            "repurchase_window_days": int(self.analysis.repurchase_window_days),
        }


def find_root(start: Path | None = None) -> Path:
    """The project root: TPNB_HOME, else the nearest folder up from ``start`` with a tpnb.yaml."""
    env = os.environ.get("TPNB_HOME")
    if env:
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / SETTINGS_FILE).is_file():
            return folder
    return here


def _section(raw: dict[str, Any], name: str, cls: type) -> Any:
    values = dict(raw.get(name) or {})
    known = {k: v for k, v in values.items() if k in cls.__dataclass_fields__}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ValueError(f"{SETTINGS_FILE}: unknown setting(s) in '{name}': {', '.join(unknown)}")
    if "weekdays" in known:
        known["weekdays"] = tuple(int(d) for d in known["weekdays"])
    return cls(**known)


def load_settings(root: Path | None = None) -> Settings:
    """Read tpnb.yaml of the project root (TPNB_DB overrides the database)."""
    root = root or find_root()
    path = root / SETTINGS_FILE
    raw: dict[str, Any] = {}
    if path.is_file():
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    database = Path(os.environ.get("TPNB_DB") or raw.get("database") or "data/tpnb.duckdb")
    return Settings(
        root=root,
        database=database if database.is_absolute() else root / database,
        reports_dir=root / raw.get("reports_dir", "reports"),
        report_runs=root / raw.get("report_runs", "reports.yaml"),
        analysis=_section(raw, "analysis", AnalysisSettings),
        service=_section(raw, "service", ServiceSettings),
    )


def database_path(db: str | Path | None = None) -> Path:
    """The database a command works on: --db, else TPNB_DB, else tpnb.yaml."""
    if db:
        return Path(db).resolve()
    return load_settings().database
