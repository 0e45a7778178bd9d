"""Key drivers under the name analysts call: ``tpnb.drivers.key_drivers(con_or_frame, outcome="nps")``.

The models live in ``tpnb.analysis.drivers`` and take frames; the two
conveniences here also take a DuckDB connection and read the frame and the
touchpoint names through ``tpnb.warehouse.read``.
"""

from __future__ import annotations

import duckdb
import polars as pl

from tpnb.analysis import drivers as _analysis
from tpnb.analysis.drivers import (
    EXPERIENCE_DRIVERS,
    OUTCOME_COLUMNS,
    QUADRANTS,
    GroupModel,
    InsufficientData,
    KeyDriverResult,
    lmg,
    relative_importance,
    truth_recovery,
)

__all__ = [
    "EXPERIENCE_DRIVERS",
    "OUTCOME_COLUMNS",
    "QUADRANTS",
    "GroupModel",
    "InsufficientData",
    "KeyDriverResult",
    "key_drivers",
    "key_drivers_by",
    "lmg",
    "relative_importance",
    "truth_recovery",
]


def _frame(
    source: pl.DataFrame | duckdb.DuckDBPyConnection, outcome: str, labels: dict[str, str] | None
) -> tuple[pl.DataFrame, dict[str, str]]:
    if isinstance(source, pl.DataFrame):
        return source, dict(labels or {})
    from tpnb.warehouse import read

    return read.driver_frame(source, outcome), {**read.touchpoint_labels(source), **(labels or {})}


def key_drivers(
    source: pl.DataFrame | duckdb.DuckDBPyConnection,
    outcome: str = "nps",
    labels: dict[str, str] | None = None,
    **kwargs,
) -> KeyDriverResult:
    """``tpnb.analysis.drivers.key_drivers`` on a frame, or on the marts of a connection.

    Parameters
    ----------
    source : polars.DataFrame or duckdb.DuckDBPyConnection
        One row per response (see ``tpnb.warehouse.read.driver_frame``), or a
        connection to read it from (touchpoint names come along).
    outcome : str
        As for ``tpnb.analysis.drivers.key_drivers``.
    labels : dict, optional
        Names shown for columns (over the catalogue's).
    **kwargs
        Passed on.
    """
    frame, names = _frame(source, outcome, labels)
    return _analysis.key_drivers(frame, outcome=outcome, labels=names, **kwargs)


def key_drivers_by(
    source: pl.DataFrame | duckdb.DuckDBPyConnection,
    by: str,
    min_n: int = 200,
    outcome: str = "nps",
    labels: dict[str, str] | None = None,
    **kwargs,
) -> list[GroupModel]:
    """``tpnb.analysis.drivers.key_drivers_by`` on a frame, or on the marts of a connection."""
    frame, names = _frame(source, outcome, labels)
    return _analysis.key_drivers_by(frame, by, min_n=min_n, outcome=outcome, labels=names, **kwargs)
