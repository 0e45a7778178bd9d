"""The overview report's sections: NPS by dimension and over time, ratings per touchpoint, comments."""

from __future__ import annotations

import polars as pl

from tpnb.analysis.cells import suppress_small
from tpnb.analysis.nps import nps, nps_change
from tpnb.analysis.ratings import touchpoint_ratings as rating_table
from tpnb.report import charts, tables
from tpnb.report.blocks import Html, Section, paragraph, section_or_gap
from tpnb.report.context import ReportContext
from tpnb.report.i18n import fmt_date

TOUCHPOINT_DIMENSIONS = ("touchpoint_name", "phase", "channel")


def nps_table(ctx: ReportContext, dim: str) -> tuple[pl.DataFrame, object, Html]:
    """NPS per value of ``dim`` in the period: (frame, chart, table). Small cells suppressed."""
    if dim in TOUCHPOINT_DIMENSIONS:
        # a respondent counts once per phase or channel, however many of its touchpoints they experienced
        source = ctx.ratings.filter(pl.col("is_experienced")).unique(["response_id", dim], keep="first")
    else:
        source = ctx.responses
    table = ctx.nps_of(source, by=dim)
    shown = suppress_small(table, ctx.min_n)
    chart = charts.nps_bars(shown.filter(~pl.col("is_suppressed")), dim, ctx.language)
    html_out = tables.html_table(
        shown,
        {
            dim: ctx.t(dim if dim != "touchpoint_name" else "touchpoint"),
            "n": "n",
            "nps": "NPS",
            "ci_low": "−",
            "ci_high": "+",
        },
        ctx.language,
        {"n": "int", "nps": "num", "ci_low": "num", "ci_high": "num"},
        min_n=ctx.min_n,
        translate=(dim,),
    )
    return table, chart, html_out


def nps_change_table(ctx: ReportContext, dim: str) -> Html:
    """NPS per value of ``dim`` now and in the comparison period, with the change and its test."""
    change = nps_change(
        ctx.nps_of(ctx.comparison, by=dim),
        ctx.nps_of(ctx.responses, by=dim),
        on=dim,
        adjustment=ctx.settings.analysis.p_adjustment,
    )
    change = change.with_columns(
        pl.when(pl.col("is_significant")).then(pl.lit("✔")).otherwise(pl.lit("")).alias("sig"),
        pl.min_horizontal("n_before", "n_after").alias("n"),
    )
    return tables.html_table(
        change,
        {
            dim: ctx.t(dim),
            "n_before": ctx.text("table.n_before"),
            "nps_before": ctx.text("table.nps_before"),
            "n_after": "n",
            "nps_after": "NPS",
            "change": ctx.t("change"),
            "p_value": "p",
            "p_adjusted": ctx.adjusted_text("table.p_holm"),
            "sig": ctx.adjusted_text("table.significant"),
        },
        ctx.language,
        {
            "n_before": "int",
            "nps_before": "num",
            "n_after": "int",
            "nps_after": "num",
            "change": "signed",
            "p_value": "p",
            "p_adjusted": "p",
        },
        min_n=ctx.min_n,
        translate=(dim,),
    )


def nps_trend(ctx: ReportContext) -> Section:
    """NPS per month over every period (months under min_n left out)."""
    if gap := _gap(ctx, ctx.text("overview.nps_by_month"), "nps"):
        return gap
    monthly = nps(ctx.all_responses, by="period_month").filter(pl.col("n") >= ctx.min_n)
    name = ctx.text("overview.nps_by_month")
    return Section(name, [charts.trend(monthly, "nps", ctx.language, title=name)])


def nps_by(ctx: ReportContext, dim: str) -> Section:
    """NPS per value of a response dimension, and its change against the comparison period."""
    if gap := _gap(ctx, ctx.text("overview.nps_by", dimension=ctx.t(dim)), "nps"):
        return gap
    _, chart, table = nps_table(ctx, dim)
    return Section(
        ctx.text("overview.nps_by", dimension=ctx.t(dim)),
        [
            chart,
            table,
            paragraph(ctx.text("overview.change_intro")),
            nps_change_table(ctx, dim),
            paragraph(ctx.adjusted_text("table.holm_note")),
        ],
    )


def nps_by_touchpoint(ctx: ReportContext, dim: str) -> Section:
    """NPS of the respondents who experienced each touchpoint (or phase, channel)."""
    name = ctx.t("touchpoint" if dim == "touchpoint_name" else dim)
    if gap := _gap(ctx, ctx.text("overview.nps_by_experienced", dimension=name), "nps", "ratings"):
        return gap
    _, chart, table = nps_table(ctx, dim)
    return Section(ctx.text("overview.nps_by_experienced", dimension=name), [chart, table])


def touchpoint_ratings(ctx: ReportContext) -> Section:
    """Reach and ratings per touchpoint, by phase."""
    if gap := _gap(ctx, ctx.text("overview.ratings"), "ratings"):
        return gap
    table = rating_table(
        ctx.ratings,
        by=["phase_order", "phase", "touchpoint_kind", "touchpoint_id", "touchpoint_name"],
        weight="weight" if "weight" in ctx.ratings.columns else None,
    ).sort("phase_order", "touchpoint_name")
    shown = suppress_small(table, ctx.min_n, keep=("phase_order", "asked"))
    chart = charts.rating_bars(shown.filter(~pl.col("is_suppressed")), ctx.language)
    html_out = tables.html_table(
        shown,
        {
            "phase": ctx.t("phase"),
            "touchpoint_name": ctx.t("touchpoint"),
            "touchpoint_kind": ctx.t("touchpoint_kind"),
            "reach": ctx.t("reach"),
            "n": "n",
            "mean_rating": ctx.t("mean_rating"),
            "ci_low": "−",
            "ci_high": "+",
            "top2_share": ctx.t("top2_share"),
            "bottom_share": ctx.t("bottom_share"),
        },
        ctx.language,
        {
            "reach": "share",
            "n": "int",
            "mean_rating": "num2",
            "ci_low": "num2",
            "ci_high": "num2",
            "top2_share": "share",
            "bottom_share": "share",
        },
        min_n=ctx.min_n,
        translate=("phase", "touchpoint_kind"),
    )
    return Section(ctx.text("overview.ratings"), [chart, html_out])


VERBATIM_GROUPS = (("detractors", 0, 6), ("passives", 7, 8), ("promoters", 9, 10))


def verbatims(ctx: ReportContext, limit: int = 4) -> Section:
    """The newest survey comments of the period per NPS group (critics first), each with its own date and
    the group's count of comments; escaped (they are untrusted input)."""
    commented = ctx.responses.filter(pl.col("comment").is_not_null() & pl.col("nps").is_not_null())
    parts: list = []
    for group, low, high in VERBATIM_GROUPS:
        rows = commented.filter(pl.col("nps").is_between(low, high)).sort("answered_at", descending=True)
        parts.append(
            paragraph(
                ctx.text(
                    "verbatims.group",
                    group=ctx.text(f"verbatims.{group}"),
                    n=rows.height,
                    shown=min(limit, rows.height),
                )
            )
        )
        if rows.is_empty():
            continue
        shown = rows.head(limit).with_columns(
            pl.col("answered_at").map_elements(lambda d: fmt_date(d, ctx.language), return_dtype=pl.String).alias("day")
        )
        parts.append(
            tables.html_table(
                shown.select("day", "nps", "segment", "comment"),
                {
                    "day": ctx.text("table.date"),
                    "nps": "NPS",
                    "segment": ctx.t("segment"),
                    "comment": ctx.text("table.comment"),
                },
                ctx.language,
                {"nps": "int"},
            )
        )
    return Section(ctx.text("section.verbatims"), parts)


def _gap(ctx: ReportContext, title: str, *kinds: str) -> Section | None:
    kind = ctx.lacking(*kinds)
    return section_or_gap(title, kind, ctx.text(f"missing.{kind}") if kind else "")
