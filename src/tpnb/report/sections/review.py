"""The targets-and-measures report's sections (steps 3 and 7 of the management cycle)."""

from __future__ import annotations

import polars as pl

from tpnb.report import charts, tables
from tpnb.report.blocks import Section, missing, paragraph
from tpnb.report.context import ReportContext
from tpnb.report.i18n import fmt_number, fmt_share, label
from tpnb.report.review import latest_targets, measure_effects, touchpoint_names


def targets(ctx: ReportContext) -> Section:
    """The newest quarter of each target: actual with interval against the target, status and trend."""
    section = Section(ctx.text("targets.heading"))
    frame = latest_targets(ctx)
    if frame is None:
        return section.add(missing(ctx.text("targets.none")))
    # shares as shares (43 %), other metrics as numbers: each row in its own unit
    shown = frame.with_columns(
        *[
            pl.struct("metric", c)
            .map_elements(lambda r, c=c: _target_value(r["metric"], r[c], ctx.language), return_dtype=pl.String)
            .alias(c)
            for c in ("actual", "ci_low", "ci_high", "target")
        ]
    )
    table = tables.html_table(
        shown,
        {
            "touchpoint": ctx.t("touchpoint"),
            "metric": ctx.text("targets.metric"),
            "period_quarter": ctx.text("targets.quarter"),
            "n": "n",
            "actual": ctx.text("targets.actual"),
            "ci_low": "−",
            "ci_high": "+",
            "target": ctx.text("targets.target"),
            "gap": ctx.text("targets.gap"),
            "status": ctx.text("targets.status"),
            "trend": ctx.text("targets.trend"),
        },
        ctx.language,
        {"n": "int", "gap": "signed", "trend": "signed"},
        translate=("metric", "status"),
    )
    named = frame.with_columns(
        pl.struct("metric", "touchpoint")
        .map_elements(lambda r: f"{label(r['metric'], ctx.language)} ({r['touchpoint']})", return_dtype=pl.String)
        .alias("name")
    )
    return section.add(paragraph(ctx.text("targets.intro")), charts.target_bullets(named, ctx.language), table)


def _target_value(metric: str, value: float | None, language: str) -> str:
    if metric.endswith("_share") or metric == "consistency":
        return fmt_share(value, language)
    return fmt_number(value, language, 2)


def measures(ctx: ReportContext) -> Section:
    """Each measure's effect on its touchpoint, with interval and verdict."""
    section = Section(ctx.text("measures.heading"))
    frame = measure_effects(ctx)
    if frame is None:
        return section.add(missing(ctx.text("measures.none")))
    names = touchpoint_names(ctx)
    frame = frame.with_columns(
        pl.col("touchpoint_id").map_elements(lambda t: names.get(t, t), return_dtype=pl.String).alias("touchpoint")
    )
    table = tables.html_table(
        frame,
        {
            "measure_id": "ID",
            "title": ctx.text("measures.measure"),
            "touchpoint": ctx.t("touchpoint"),
            "started_at": ctx.text("measures.start"),
            "metric": ctx.text("targets.metric"),
            "effect": ctx.text("measures.effect"),
            "ci_low": "−",
            "ci_high": "+",
            "n_before": ctx.text("measures.n_before"),
            "n_after": ctx.text("measures.n_after"),
            "p_adjusted": ctx.adjusted_text("table.p_holm"),
            "pretrend_p": label("pretrend_p", ctx.language),
            "placebo_p": label("placebo_p", ctx.language),
            "verdict": ctx.text("measures.verdict"),
        },
        ctx.language,
        {
            "effect": "num2",
            "ci_low": "num2",
            "ci_high": "num2",
            "n_before": "int",
            "n_after": "int",
            "p_adjusted": "p",
            "pretrend_p": "p",
            "placebo_p": "num2",
        },
        translate=("metric", "verdict"),
    )
    intro = ctx.text("measures.intro", days=ctx.settings.analysis.measure_window_days)
    rating = frame.filter(pl.col("metric") == "mean_rating")
    forest = pl.concat(
        [
            rating.select("title", pl.lit(label("did", ctx.language)).alias("method"), "effect", "ci_low", "ci_high"),
            rating.select(
                "title",
                pl.lit(label("its", ctx.language)).alias("method"),
                pl.col("its_effect").alias("effect"),
                pl.col("its_ci_low").alias("ci_low"),
                pl.col("its_ci_high").alias("ci_high"),
            ),
        ]
    ).rename({"title": "name"})
    checks = paragraph(ctx.adjusted_text("measures.checks"))
    return section.add(paragraph(intro), charts.measure_forest(forest, ctx.language), table, checks)
