"""Targets and measures as a report sees them (steps 3 and 7 of the management cycle)."""

from __future__ import annotations

import polars as pl

from tpnb.analysis.measures import evaluate_measures
from tpnb.analysis.targets import complete_quarters, targets_vs_actual
from tpnb.analysis.targets import latest_targets as newest_per_target
from tpnb.report.context import ReportContext
from tpnb.report.i18n import label
from tpnb.warehouse import read


def latest_targets(ctx: ReportContext) -> pl.DataFrame | None:
    """The newest complete quarter inside the page's period of each target against its actual, with
    the touchpoint's name; None when no targets are loaded."""
    inputs = read.target_inputs(ctx.con)
    if inputs is None:
        return None
    table = complete_quarters(targets_vs_actual(inputs), ctx.period_start, ctx.period_end)
    names = touchpoint_names(ctx)
    return newest_per_target(table).with_columns(
        pl.col("touchpoint_id")
        .map_elements(lambda t: label("*", ctx.language) if t == "*" else names.get(t, t), return_dtype=pl.String)
        .alias("touchpoint")
    )


def touchpoint_names(ctx: ReportContext) -> dict[str, str]:
    """touchpoint_id -> the catalogue's name."""
    return {key[3:]: name for key, name in read.touchpoint_labels(ctx.con).items()}


def measure_effects(ctx: ReportContext) -> pl.DataFrame | None:
    """The evaluation of every measure; None when no measures are loaded."""
    window = ctx.settings.analysis.measure_window_days
    inputs = read.measure_inputs(ctx.con, window)
    if inputs is None:
        return None
    return evaluate_measures(
        inputs.measures,
        inputs.ratings,
        inputs.contacts,
        window_days=window,
        min_n=ctx.settings.analysis.min_n,
        adjustment=ctx.settings.analysis.p_adjustment,
    )


def target_name(row: dict, language: str) -> str:
    """A target as a reader names it: its metric and where it applies (the touchpoint's name)."""
    where = row.get("touchpoint") or (label("*", language) if row["touchpoint_id"] == "*" else row["touchpoint_id"])
    return f"{label(row['metric'], language)} ({where})"
