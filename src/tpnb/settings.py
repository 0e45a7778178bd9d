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
    p_adjustment: str = "holm"  # many tests at once: holm (family-wise) or bh (Benjamini-Hochberg, false discoveries)


@dataclass(frozen=True)
class WeightSettings:
    """Survey weights (``weights:`` in tpnb.yaml): the customer attributes responses are raked to
    (their shares in the loaded customers), or a margins file (variable, level, share)."""

    margins: tuple[str, ...] = ()
    margins_file: str | None = None

    @property
    def default(self) -> str:
        """``raked`` when margins are set, else ``none``: unweighted unless tpnb.yaml asks."""
        return "raked" if self.margins or self.margins_file else "none"


@dataclass(frozen=True)
class SparkSettings:
    """The Spark session (``spark:`` in tpnb.yaml): master URL, driver memory, any other conf."""

    master: str = "local[2]"
    driver_memory: str = "2g"
    conf: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Settings:
    """Everything tpnb.yaml and the environment set: paths, analysis and service settings."""

    root: Path
    database: Path
    reports_dir: Path
    report_runs: Path
    analysis: AnalysisSettings = field(default_factory=AnalysisSettings)
    service: ServiceSettings = field(default_factory=ServiceSettings)
    weights: WeightSettings = field(default_factory=WeightSettings)
    spark: SparkSettings = field(default_factory=SparkSettings)
    engine: str = "duckdb"  # where the models run: duckdb (embedded) or spark (with a lake)
    lake: Path | None = None  # the Parquet lake the spark engine reads and writes

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


class SettingsError(ValueError):
    """tpnb.yaml holds a key tpnb does not know or a value out of its range (names the key)."""


TOP_LEVEL = ("database", "reports_dir", "report_runs", "analysis", "service", "weights", "spark", "engine", "lake")
WEIGHT_VARIABLES = ("segment", "role", "region")
# key -> (check, what it must be); every number a whole number or a number, within its range
RULES: dict[str, tuple[Any, str]] = {
    "analysis.min_n": (lambda v: _whole(v) and v >= 1, "a whole number of at least 1"),
    "analysis.freshness_days": (lambda v: _whole(v) and v >= 1, "a whole number of days, at least 1"),
    "analysis.repurchase_window_days": (lambda v: _whole(v) and v >= 1, "a whole number of days, at least 1"),
    "analysis.experience_window_days": (lambda v: _whole(v) and v >= 1, "a whole number of days, at least 1"),
    "analysis.measure_window_days": (lambda v: _whole(v) and v >= 1, "a whole number of days, at least 1"),
    "analysis.p_adjustment": (lambda v: v in ("holm", "bh"), "holm or bh"),
    "service.hours_start": (lambda v: _clock(v), 'a time of day written "HH:MM"'),
    "service.hours_end": (lambda v: _clock(v), 'a time of day written "HH:MM"'),
    "service.weekdays": (
        lambda v: isinstance(v, list | tuple) and v and all(_whole(d) and 1 <= d <= 7 for d in v),
        "a list of ISO weekdays, 1 (Monday) to 7",
    ),
    "service.first_response_target_hours": (lambda v: _number(v) and v > 0, "a number of hours above 0"),
    "service.wait_threshold_seconds": (lambda v: _number(v) and v >= 0, "a number of seconds, 0 or more"),
    "service.follow_up_days": (lambda v: _whole(v) and v >= 0, "a whole number of days, 0 or more"),
    "weights.margins": (
        lambda v: isinstance(v, list) and all(x in WEIGHT_VARIABLES for x in v),
        "a list of customer attributes: " + ", ".join(WEIGHT_VARIABLES),
    ),
    "weights.margins_file": (lambda v: isinstance(v, str) and v.strip() != "", "the path of a CSV file"),
    "spark.master": (lambda v: isinstance(v, str) and v.strip() != "", "a Spark master URL such as local[2] or yarn"),
    "spark.driver_memory": (lambda v: isinstance(v, str) and v.strip() != "", "a size such as 2g"),
    "spark.conf": (lambda v: isinstance(v, dict), "a mapping of Spark settings"),
}


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value


def _clock(value: Any) -> bool:
    parts = str(value).split(":")
    return (
        isinstance(value, str)
        and len(parts) == 2
        and all(p.isdigit() for p in parts)
        and int(parts[0]) < 24
        and int(parts[1]) < 60
    )


def _section(raw: dict[str, Any], name: str, cls: type, path: Path) -> Any:
    values = raw.get(name) or {}
    if not isinstance(values, dict):
        raise SettingsError(f"{path}: '{name}' must be a section of settings, got {values!r}")
    unknown = sorted(set(values) - set(cls.__dataclass_fields__))
    if unknown:
        raise SettingsError(
            f"{path}: unknown setting {name}.{unknown[0]}; known: "
            + ", ".join(f"{name}.{k}" for k in cls.__dataclass_fields__)
        )
    for key, value in values.items():
        check, what = RULES[f"{name}.{key}"]
        if not check(value):
            raise SettingsError(f"{path}: {name}.{key} must be {what}, got {value!r}")
    known = dict(values)
    if "weekdays" in known:
        known["weekdays"] = tuple(int(d) for d in known["weekdays"])
    if "margins" in known:
        known["margins"] = tuple(known["margins"])
    return cls(**known)


def load_settings(root: Path | None = None) -> Settings:
    """Read tpnb.yaml of the project root (TPNB_DB overrides the database).

    Raises
    ------
    SettingsError
        An unknown key, or a value of the wrong type or out of range (the message names the key).
    """
    root = root or find_root()
    path = root / SETTINGS_FILE
    raw: dict[str, Any] = {}
    if path.is_file():
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise SettingsError(f"{path}: not valid YAML: {str(exc).splitlines()[0]}") from exc
        if not isinstance(raw, dict):
            raise SettingsError(f"{path}: expected settings (key: value), got {type(raw).__name__}")
        unknown = sorted(set(raw) - set(TOP_LEVEL))
        if unknown:
            raise SettingsError(f"{path}: unknown setting '{unknown[0]}'; known: {', '.join(TOP_LEVEL)}")
    database = Path(os.environ.get("TPNB_DB") or raw.get("database") or "data/tpnb.duckdb")
    return Settings(
        root=root,
        database=database if database.is_absolute() else root / database,
        reports_dir=root / raw.get("reports_dir", "reports"),
        report_runs=root / raw.get("report_runs", "reports.yaml"),
        analysis=_section(raw, "analysis", AnalysisSettings, path),
        service=_section(raw, "service", ServiceSettings, path),
        weights=_section(raw, "weights", WeightSettings, path),
        spark=_section(raw, "spark", SparkSettings, path),
        engine=_engine(raw.get("engine", "duckdb"), path),
        lake=(root / raw["lake"]) if raw.get("lake") else None,
    )


def _engine(value: Any, path: Path) -> str:
    if value not in ("duckdb", "spark"):
        raise SettingsError(f"{path}: engine must be duckdb or spark, got {value!r}")
    return value


def database_path(db: str | Path | None = None) -> Path:
    """The database a command works on: --db, else TPNB_DB, else tpnb.yaml."""
    if db:
        return Path(db).resolve()
    return load_settings().database
