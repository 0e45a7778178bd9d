"""The mystery-contacts sections (observations): reachability, consistency, accuracy and virtues, test vs customers."""

from __future__ import annotations

import polars as pl

from tpnb.analysis import observations as obs
from tpnb.report import charts, tables
from tpnb.report.blocks import Section, missing, paragraph
from tpnb.report.context import ReportContext
from tpnb.report.i18n import label

WEEKDAYS = {"de": ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"), "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}
CHANNEL_COLUMNS = ("n", "reached_share", "correct_share", "partly_share", "wrong_share", "consistency")


def _gap(ctx: ReportContext, title: str) -> Section | None:
    if ctx.lacking("observations") or ctx.observations.is_empty():
        return Section(title, [missing(ctx.text("missing.observations"))])
    return None


def _outside_marked(ctx: ReportContext, grid: pl.DataFrame) -> pl.DataFrame:
    """Hour bands outside the customers' business hours get a star."""
    start = int(ctx.settings.service.hours_start.split(":")[0])
    end = int(ctx.settings.service.hours_end.split(":")[0])
    bands = {band: (lo, hi) for lo, hi, band in obs.HOUR_BANDS} | {"18-24": (18, 24)}
    outside = {band for band, (lo, hi) in bands.items() if lo < start or hi > end}
    return grid.with_columns(
        pl.col("hour_band").map_elements(lambda b: f"{b}*" if b in outside else b, return_dtype=pl.String)
    )


def reachability(ctx: ReportContext) -> Section:
    """Reached share per department and per weekday, by time of day: where and when nobody answers."""
    title = ctx.text("obs.reachability")
    if gap := _gap(ctx, title):
        return gap
    frame = ctx.observations.with_columns(obs.hour_band(pl.col("hour")).alias("hour_band"))
    hours = f"{ctx.settings.service.hours_start}-{ctx.settings.service.hours_end}"
    parts = []
    for rows in ("department", "weekday"):
        grid = frame.group_by(rows, "hour_band").agg(
            pl.len().alias("n"), pl.col("reached").cast(pl.Float64).mean().alias("reached_share")
        )
        grid = grid.with_columns(
            pl.when(pl.col("n") >= ctx.min_n).then(pl.col("reached_share")).alias("reached_share")
        ).sort(rows, "hour_band")
        if rows == "weekday":
            names = dict(enumerate(WEEKDAYS[ctx.language], start=1))
            grid = grid.with_columns(pl.col("weekday").replace_strict(names, return_dtype=pl.String))
        grid = _outside_marked(ctx, grid)
        parts.append(
            paragraph(
                ctx.text("obs.reachability_intro", rows=ctx.t(rows), n=frame.height, hours=hours, min_n=ctx.min_n)
            )
        )
        parts.append(charts.share_heatmap(grid, "hour_band", rows, "reached_share", ctx.language))
    return Section(title, parts)


def consistency(ctx: ReportContext) -> Section:
    """Per scenario: reached, correct, the share giving the reference answer, the number of answers."""
    title = ctx.text("obs.consistency")
    if gap := _gap(ctx, title):
        return gap
    table = obs.observation_metrics(ctx.observations, by="scenario_id", min_n=ctx.min_n).sort("consistency")
    columns = {
        "scenario_id": ctx.t("scenario_id"),
        "n": "n",
        "reached_share": ctx.t("reached_share"),
        "correct_share": ctx.t("correct_share"),
        "consistency": ctx.t("consistency"),
        "distinct_answers": ctx.t("distinct_answers"),
    }
    formats = {"n": "int", "reached_share": "share", "correct_share": "share", "consistency": "share"}
    formats["distinct_answers"] = "int"
    return Section(
        title,
        [
            paragraph(ctx.text("obs.consistency_intro")),
            tables.html_table(table, columns, ctx.language, formats, min_n=ctx.min_n),
        ],
    )


def channels(ctx: ReportContext) -> Section:
    """Accuracy per channel and the mean virtue scores per channel."""
    title = ctx.text("obs.channels")
    if gap := _gap(ctx, title):
        return gap
    table = obs.observation_metrics(ctx.observations, by="channel", min_n=ctx.min_n)
    accuracy = tables.html_table(
        table,
        {"channel": ctx.t("channel"), **{c: ctx.t(c) for c in CHANNEL_COLUMNS}},
        ctx.language,
        {"n": "int", **{c: "share" for c in CHANNEL_COLUMNS[1:]}},
        min_n=ctx.min_n,
        translate=("channel",),
    )
    parts = [accuracy]
    if not ctx.observation_scores.is_empty():
        virtues = obs.virtue_scores(ctx.observation_scores, "channel")
        wide = virtues.with_columns(
            pl.col("criterion").map_elements(lambda v: label(v, ctx.language), return_dtype=pl.String),
            pl.col("channel").map_elements(lambda v: label(v, ctx.language), return_dtype=pl.String),
        ).pivot(on="channel", index="criterion", values="score_mean")
        shown = [c for c in wide.columns if c != "criterion"]
        parts.append(
            tables.html_table(
                wide,
                {"criterion": ctx.t("score_mean"), **{c: c for c in shown}},
                ctx.language,
                dict.fromkeys(shown, "num"),
            )
        )
    return Section(title, parts)


def observed_vs_experienced(ctx: ReportContext) -> Section:
    """Per touchpoint: the testers' score beside the customers' rating, largest gap first."""
    title = ctx.text("obs.gap")
    if gap := _gap(ctx, title):
        return gap
    ratings = ctx.ratings.filter(pl.col("is_experienced")) if ctx.ratings.height else ctx.ratings
    if ratings.is_empty():
        return Section(title, [paragraph(ctx.text("obs.no_gap"))])
    table = obs.observed_vs_experienced(ctx.observations, ratings.select("touchpoint_id", "rating"))
    if table.is_empty():
        return Section(title, [paragraph(ctx.text("obs.no_gap"))])
    names = dict(ctx.ratings.select("touchpoint_id", "touchpoint_name").unique().iter_rows())
    table = table.with_columns(
        pl.col("touchpoint_id").map_elements(lambda t: names.get(t, t), return_dtype=pl.String).alias("touchpoint")
    )
    columns = {
        "touchpoint": ctx.t("touchpoint"),
        "observations": ctx.t("observations"),
        "observed_mean": ctx.t("observed_mean"),
        "ratings": "n",
        "experienced_mean": ctx.t("experienced_mean"),
        "gap": ctx.t("gap"),
    }
    formats = {"observations": "int", "observed_mean": "num2", "ratings": "int", "experienced_mean": "num2"}
    formats["gap"] = "signed"
    return Section(
        title, [paragraph(ctx.text("obs.gap_intro")), tables.html_table(table, columns, ctx.language, formats)]
    )
