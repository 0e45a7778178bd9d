"""The service-chain report's sections: KPIs of the pain points, channels, trends, loyalty."""

from __future__ import annotations

import polars as pl

from tpnb.analysis._util import wilson
from tpnb.analysis.nps import nps
from tpnb.analysis.service import channel_consistency, channel_mix, service_kpis
from tpnb.report import charts, tables
from tpnb.report.blocks import Html, Section, missing, paragraph
from tpnb.report.context import ReportContext
from tpnb.report.i18n import label
from tpnb.warehouse import read

SERVICE_KPIS = (
    "n",
    "first_response_hours_median",
    "first_response_hours_p90",
    "answered_in_target_share",
    "unanswered_share",
    "callback_same_day_share",
    "callback_missed_share",
    "wait_seconds_median",
    "wait_seconds_p90",
    "long_wait_share",
    "handoffs_per_contact",
    "passed_around_share",
    "follow_up_share",
    "complaint_resolution_hours_median",
    "complaint_interim_update_share",
    "outside_hours_share",
    "reopen_share",
)
KPIS_BY_GROUP = (
    "n",
    "first_response_hours_median",
    "answered_in_target_share",
    "callback_same_day_share",
    "passed_around_share",
    "handoffs_per_contact",
    "follow_up_share",
    "long_wait_share",
    "reopen_share",
)
EXPERIENCES = ("was_passed_around", "had_late_answer", "had_missed_callback", "had_complaint")


def _kpi_format(kpi: str) -> str:
    return "share" if kpi.endswith("_share") else ("int" if kpi == "n" else "num")


def service_table(ctx: ReportContext, by: str | None = None) -> Html:
    """The service-chain KPIs: one column of values, or one row per value of ``by``."""
    kpis = service_kpis(ctx.contacts, by=by)
    if by is None:
        row = kpis.row(0, named=True)
        frame = pl.DataFrame(
            {
                "kpi": [label(k, ctx.language) for k in SERVICE_KPIS],
                "value": [tables.format_value(row[k], _kpi_format(k), ctx.language) for k in SERVICE_KPIS],
            }
        )
        return tables.html_table(frame, {"kpi": "KPI", "value": ""}, ctx.language)
    cols = {
        by: ctx.t(by),
        **{k: label(k, ctx.language) for k in SERVICE_KPIS if k in KPIS_BY_GROUP},
    }
    return tables.html_table(kpis, cols, ctx.language, {k: _kpi_format(k) for k in SERVICE_KPIS}, translate=(by,))


def kpis(ctx: ReportContext) -> Section:
    """The service-chain KPIs of the period."""
    if ctx.lacking("contacts"):
        return Section(ctx.text("service.kpis"), [missing(ctx.text("missing.contacts"))])
    return Section(ctx.text("service.kpis"), [service_table(ctx)])


def kpis_by(ctx: ReportContext, dim: str) -> Section:
    """The main KPIs per department or channel."""
    if ctx.lacking("contacts"):
        return Section(ctx.t(dim), [missing(ctx.text("missing.contacts"))])
    return Section(ctx.t(dim), [service_table(ctx, dim)])


def channels(ctx: ReportContext) -> Section:
    """Channel mix, and whether the same request is treated alike on every channel."""
    if ctx.lacking("contacts"):
        return Section(ctx.text("service.channels"), [missing(ctx.text("missing.contacts"))])
    mix = tables.html_table(
        channel_mix(ctx.contacts),
        {"channel": ctx.t("channel"), "n": "n", "share": ctx.text("service.share")},
        ctx.language,
        {"n": "int", "share": "share"},
        translate=("channel",),
    )
    consistency = tables.html_table(
        channel_consistency(ctx.contacts),
        {
            "contact_type": ctx.text("service.request_type"),
            "channels": ctx.text("service.channels_count"),
            "answered_in_target_spread": ctx.text("service.spread_in_target"),
            "resolution_hours_spread": ctx.text("service.spread_resolution"),
            "worst_channel": ctx.text("service.worst_channel"),
        },
        ctx.language,
        {"channels": "int", "answered_in_target_spread": "share", "resolution_hours_spread": "num"},
        translate=("worst_channel", "contact_type"),
    )
    return Section(
        ctx.text("service.channels"),
        [mix, paragraph(ctx.text("service.consistency_intro")), consistency],
    )


def trends(ctx: ReportContext, kpis: tuple[str, ...] = ("passed_around_share", "answered_in_target_share")) -> Section:
    """Monthly lines of service KPIs over every period (within the filters)."""
    if ctx.lacking("contacts"):
        return Section(ctx.text("service.trends"), [missing(ctx.text("missing.contacts"))])
    monthly = service_kpis(read.contacts(ctx.con, ctx.filters), by="period_month")
    return Section(
        ctx.text("service.trends"),
        [charts.trend(monthly, kpi, ctx.language, value_format=".1%") for kpi in kpis],
    )


def loyalty(ctx: ReportContext) -> Section:
    """NPS and observed repurchase of respondents with and without each service-log experience."""
    if ctx.lacking("contacts"):
        return Section(ctx.text("service.loyalty"), [missing(ctx.text("missing.contacts"))])
    rows = []
    for flag in EXPERIENCES:
        if flag not in ctx.responses.columns:
            continue
        filled = ctx.responses.with_columns(pl.col(flag).fill_null(0))
        table = nps(filled, by=flag)
        # repurchase is known only for responses whose repurchase window has passed: its own n
        rep = filled.group_by(flag).agg(
            pl.col("repurchased").mean().alias("repurchase_share"),
            pl.col("repurchased").count().alias("repurchase_n"),
            pl.col("repurchased").cast(pl.Int64).sum().alias("repurchase_yes"),
        )
        rep = rep.with_columns(
            wilson(pl.col("repurchase_yes"), pl.col("repurchase_n"), True).alias("repurchase_low"),
            wilson(pl.col("repurchase_yes"), pl.col("repurchase_n"), False).alias("repurchase_high"),
        )
        table = table.join(rep, on=flag, how="left")
        for r in table.iter_rows(named=True):
            rows.append(
                {
                    "experience": label(flag, ctx.language),
                    "has": ctx.text("yes" if r[flag] else "no"),
                    "n": r["n"],
                    "nps": r["nps"],
                    "ci_low": r["ci_low"],
                    "ci_high": r["ci_high"],
                    "repurchase_n": r["repurchase_n"],
                    "repurchase_share": r["repurchase_share"],
                    "repurchase_low": r["repurchase_low"],
                    "repurchase_high": r["repurchase_high"],
                }
            )
    table = tables.html_table(
        pl.DataFrame(rows),
        {
            "experience": ctx.text("service.experience"),
            "has": "",
            "n": "n",
            "nps": "NPS",
            "ci_low": "−",
            "ci_high": "+",
            "repurchase_n": ctx.text("service.repurchase_n"),
            "repurchase_share": ctx.text("service.repurchase"),
            "repurchase_low": "−",
            "repurchase_high": "+",
        },
        ctx.language,
        {
            "n": "int",
            "nps": "num",
            "ci_low": "num",
            "ci_high": "num",
            "repurchase_n": "int",
            "repurchase_share": "share",
            "repurchase_low": "share",
            "repurchase_high": "share",
        },
        min_n=ctx.min_n,
    )
    note = paragraph(ctx.text("service.repurchase_note", days=ctx.settings.analysis.repurchase_window_days))
    return Section(ctx.text("service.loyalty"), [table, note])
