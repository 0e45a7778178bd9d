"""The management summary: what a manager should know first, written from the data in plain words."""

from __future__ import annotations

import polars as pl

from tpnb.analysis.drivers import InsufficientData
from tpnb.analysis.freshness import freshness
from tpnb.analysis.nps import nps_change
from tpnb.report.blocks import Html, bullets, join, notice, strong
from tpnb.report.context import ReportContext
from tpnb.report.i18n import fmt_number, fmt_share, fmt_signed, label
from tpnb.report.review import latest_targets, measure_effects, target_name
from tpnb.report.tables import format_value


def headline_nps(ctx: ReportContext) -> dict:
    """NPS now and in the comparison period, and the change between them (None where there is none)."""
    now = ctx.nps_of(ctx.responses)
    before = ctx.nps_of(ctx.comparison)
    out = {
        "now": now.row(0, named=True) if now.height else None,
        "before": before.row(0, named=True) if before.height else None,
        "change": None,
    }
    if now.height and before.height:
        out["change"] = nps_change(before, now).row(0, named=True)
    return out


def biggest_service_problem(ctx: ReportContext) -> dict | None:
    """The service-log experience that costs the most NPS, with how often it happens."""
    try:
        result = ctx.drivers("nps")
    except InsufficientData:
        return None
    service = result.drivers.filter((pl.col("kind") == "service_log") & (pl.col("coef") < 0))
    if service.height == 0:
        return None
    worst = service.sort("importance", descending=True).row(0, named=True)
    share = float(ctx.responses[worst["driver"]].mean()) if worst["driver"] in ctx.responses.columns else None
    return {**worst, "respondent_share": share}


def stale_warning(ctx: ReportContext) -> str | None:
    """A sentence when the newest data is older than ``freshness_days`` (None when fresh)."""
    state = freshness(
        ctx.responses["answered_at"].max() if ctx.responses.height else None,
        ctx.contacts["opened_at"].max() if ctx.contacts.height else None,
        ctx.as_of,
        ctx.freshness_days,
    )
    if state.last_survey_at is None:
        return ctx.text("summary.no_surveys")
    if not state.is_stale:
        return None
    parts = []
    if state.is_survey_stale:
        parts.append(ctx.text("summary.survey_age", days=state.survey_age_days))
    if state.is_contact_stale:
        parts.append(ctx.text("summary.contact_age", days=state.contact_age_days))
    sentence = ctx.text("summary.and").join(parts)
    return sentence[:1].upper() + sentence[1:] + ctx.text("summary.age_limit", days=state.max_age_days)


def nps_line(ctx: ReportContext) -> Html:
    """NPS of the period with its interval and the change against the comparison period."""
    lang = ctx.language
    if ctx.lacking("nps"):
        return join(ctx.text("missing.nps"))
    head = headline_nps(ctx)
    now = head["now"]
    if now is None:
        return join(ctx.text("summary.no_responses"))
    parts: list[str | Html] = [
        strong(ctx.text("summary.nps", nps=fmt_number(now["nps"], lang))),
        ctx.text(
            "summary.nps_detail",
            ci=ctx.t("ci"),
            low=fmt_number(now["ci_low"], lang),
            high=fmt_number(now["ci_high"], lang),
            n=fmt_number(now["n"], lang, 0),
            deff=ctx.text("summary.deff", deff=fmt_number(now["design_effect"], lang, 2))
            if now.get("design_effect", 1.0) > 1.005
            else "",
        ),
    ]
    change = head["change"]
    if change:
        key = "summary.change_significant" if change["is_significant"] else "summary.change_not_significant"
        p_text = format_value(change["p_value"], "p", lang)  # "< 0,001", never "0,000"
        p_text = p_text if p_text.startswith("<") else "= " + p_text
        parts.append(ctx.text(key, change=fmt_signed(change["change"], lang), p=p_text))
    if now["n"] < ctx.min_n:
        parts.append(ctx.text("summary.few_responses", min_n=ctx.min_n))
    if ctx.weighting is not None:  # the page says how its numbers are weighted
        margins = ", ".join(ctx.t(var) for var in ctx.weighting.margins)
        parts.append(ctx.text("summary.weighted", margins=margins, kish=fmt_number(ctx.weighting.kish_n, lang, 0)))
    return join(*parts)


def act_first_line(ctx: ReportContext) -> Html | None:
    """The touchpoints to act on first: important for the report's outcome and rated below the median."""
    lang = ctx.language
    if ctx.lacking("ratings", *(("nps",) if ctx.outcome == "nps" else ())):
        return None
    try:
        result = ctx.drivers(ctx.outcome)
    except InsufficientData:
        return None
    fix = result.drivers.filter(pl.col("quadrant") == "fix first").sort("importance", descending=True).head(3)
    if fix.height == 0:
        fix = result.drivers.filter(pl.col("kind") == "touchpoint").sort("importance", descending=True).head(3)
    names: list[str | Html] = []
    for i, r in enumerate(fix.iter_rows(named=True)):
        names += [", "] if i else []
        names += [
            strong(r["label"]),
            ctx.text(
                "summary.act_first_item",
                performance=fmt_number(r["performance"], lang, 2),
                certainty=fmt_share(r["quadrant_certainty"], lang),
            ),
        ]
    why = (
        ctx.text("summary.act_first_why")
        if ctx.outcome == "nps"
        else ctx.text("summary.act_first_why_outcome", outcome=ctx.t(ctx.outcome))
    )
    return join(ctx.text("summary.act_first"), *names, why)


def summary_items(ctx: ReportContext) -> list[Html]:
    """The summary's points, each escaped HTML."""
    lang = ctx.language
    items = [nps_line(ctx)]
    if ctx.lacking("nps") is None and headline_nps(ctx)["now"] is None:
        return items
    if act := act_first_line(ctx):
        items.append(act)
    cycle = cycle_line(ctx)
    if cycle:
        items.append(join(cycle))
    problem = biggest_service_problem(ctx) if ctx.available.get("nps", True) else None
    if problem:
        share = fmt_share(problem["respondent_share"], lang) if problem["respondent_share"] is not None else "–"
        items.append(
            join(
                ctx.text("summary.biggest_problem"),
                strong(label(problem["driver"], lang)),
                ctx.text("summary.biggest_problem_detail", share=share, cost=fmt_number(-problem["coef"], lang)),
            )
        )
    items += observation_lines(ctx)
    return items


# Below these, a department's reachability or a scenario's consistency is named in the summary.
POOR_REACH = 0.8
POOR_CONSISTENCY = 0.7


def observation_lines(ctx: ReportContext) -> list[Html]:
    """Departments hard to reach at a time of day, and scenarios answered in different ways (mystery contacts)."""
    from tpnb.analysis.observations import observation_metrics, poor_spots

    if ctx.observations.is_empty():
        return []
    lines = []
    for keys, column, threshold, intro in (
        (["department", "hour_band"], "reached_share", POOR_REACH, "summary.obs_reach"),
        (["scenario_id"], "consistency", POOR_CONSISTENCY, "summary.obs_consistency"),
    ):
        metrics = observation_metrics(ctx.observations, by=keys, min_n=ctx.min_n)
        spots = poor_spots(metrics, keys, column, threshold, ctx.min_n)
        if spots:
            named = ", ".join(
                ctx.text("summary.obs_share", name=name, share=fmt_share(value, ctx.language), n=n)
                for name, value, n in spots
            )
            lines.append(join(ctx.text(intro), named))
    return lines


def summary_html(ctx: ReportContext) -> Html:
    """The summary as HTML: a stale-data warning, then the points."""
    warning = stale_warning(ctx)
    return Html((notice(ctx.text("summary.stale"), warning) if warning else "") + bullets(summary_items(ctx)))


def cycle_line(ctx: ReportContext) -> str | None:
    """One sentence on targets missed and measures that worked (steps 3 and 7 of the cycle)."""
    parts = []
    targets = latest_targets(ctx)
    if targets is not None and targets.height:
        missed = targets.filter(pl.col("status") == "not met")
        names = ", ".join(target_name(r, ctx.language) for r in missed.iter_rows(named=True))
        parts.append(
            ctx.text("summary.targets", missed=missed.height, total=targets.height)
            + (ctx.text("summary.targets_missed", names=names) if names else "")
        )
    effects = measure_effects(ctx)
    if effects is not None and effects.height:
        rated = effects.filter(pl.col("metric") == "mean_rating")
        worked = rated.filter(pl.col("verdict") == "worked")["title"].to_list()
        parts.append(
            ctx.text(
                "summary.measures_worked",
                names=", ".join(worked) or ctx.text("summary.measures_none"),
            )
            + ctx.text("summary.measures_rated", n=len(rated))
        )
    return "; ".join(parts) + "." if parts else None
