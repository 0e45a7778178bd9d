"""Sections every report page has: title, management summary, statement of inputs."""

from __future__ import annotations

import time
from datetime import datetime

import tpnb
from tpnb.report.blocks import Section, paragraph
from tpnb.report.context import ReportContext
from tpnb.report.i18n import fmt_date, fmt_number, label
from tpnb.report.summary import summary_html
from tpnb.report.tables import key_value_table
from tpnb.warehouse import read


def title(ctx: ReportContext, report: str) -> Section:
    """The page title, its period and its filters."""
    scope = ", ".join(f"{label(k, ctx.language)} {v}" for k, v in ctx.filters.items())
    period = f"{fmt_date(ctx.period_start, ctx.language)} – {fmt_date(ctx.period_end, ctx.language)}"
    return Section(ctx.text(f"title.{report}"), [paragraph(period + (" · " + scope if scope else ""))], level=1)


def summary(ctx: ReportContext) -> Section:
    """The management summary."""
    return Section(ctx.text("section.summary"), [summary_html(ctx)])


def inputs(ctx: ReportContext) -> Section:
    """What the report was made from: parameters, data as of, row counts, version, run time."""
    lang = ctx.language
    loaded = read.load_summary(ctx.con)
    data_as_of = (
        ctx.text(
            "inputs.data_as_of_value",
            survey=fmt_date(loaded.newest_answer_at, lang),
            contacts=fmt_date(loaded.newest_contact_at, lang),
        )
        if loaded.newest_answer_at and loaded.newest_contact_at
        else "–"
    )
    loads = (
        ctx.text("inputs.loads_value", n=loaded.loads, when=f"{loaded.last_load_at:%Y-%m-%d %H:%M}")
        if loaded.last_load_at
        else "–"
    )
    rows = [
        (ctx.text("inputs.parameters"), "; ".join(f"{k} = {v}" for k, v in ctx.parameters.items())),
        (ctx.text("inputs.data_as_of"), data_as_of),
        (ctx.text("inputs.responses"), fmt_number(ctx.responses.height, lang, 0)),
        (ctx.text("inputs.contacts"), fmt_number(ctx.contacts.height, lang, 0)),
        (ctx.text("inputs.loads"), loads),
        (ctx.text("inputs.version"), tpnb.__version__),
        (
            ctx.text("inputs.run"),
            f"{datetime.now():%Y-%m-%d %H:%M}, {fmt_number(time.time() - ctx.started, lang)} s",
        ),
    ]
    return Section(ctx.text("section.inputs"), [key_value_table(rows, lang)])
