"""The key-driver report's sections: priority matrix, drivers of each outcome, roles, diagnostics."""

from __future__ import annotations

import polars as pl

from tpnb.analysis.drivers import InsufficientData, KeyDriverResult, key_drivers_by
from tpnb.report import charts, tables
from tpnb.report.blocks import Html, Section, missing, paragraph
from tpnb.report.context import ReportContext
from tpnb.report.i18n import fmt_date, fmt_number, fmt_share

NPS_OUTCOMES = ("nps", "promoter", "detractor")


def _needs(outcome: str) -> tuple[str, ...]:
    """The kinds of data a model of ``outcome`` needs."""
    if outcome in NPS_OUTCOMES:
        return ("nps", "ratings")
    return ("orders", "ratings") if outcome == "repurchase" else ("ratings",)


def _model(ctx: ReportContext, section: Section, outcome: str | None = None) -> KeyDriverResult | None:
    """The model of ``outcome`` (default: the report's), or None after adding to ``section`` the
    sentence on what is missing."""
    outcome = outcome or ctx.outcome
    if kind := ctx.lacking(*_needs(outcome)):
        section.add(missing(ctx.text(f"missing.{kind}")))
        return None
    try:
        return ctx.drivers(outcome)
    except InsufficientData as exc:
        section.add(_too_few(ctx, exc))
        return None


def _too_few(ctx: ReportContext, exc: InsufficientData) -> Html:
    return paragraph(ctx.text("drivers.too_few", n=exc.n, required=exc.required))


def model_statement(ctx: ReportContext, result: KeyDriverResult) -> Html:
    """One sentence on how the model was made: method, n, R², strategy, importance, bootstrap; and which
    data it used where the page's period held too few responses."""
    lang = ctx.language
    scope = result.diagnostics.get("data_scope") or {}
    used = ""
    if scope.get("scope") == "all periods":
        used = " " + ctx.text(
            "drivers.scope_all",
            n=tables.format_value(scope["period_n"], "int", lang),
            required=scope["required"],
            first=fmt_date(scope["first"], lang),
            last=fmt_date(scope["last"], lang),
        )
    return paragraph(
        ctx.text(
            "drivers.statement",
            model=ctx.t(result.model),
            n=tables.format_value(result.n, "int", lang),
            r2=fmt_number(result.r2, lang, 3),
            r2_controls=fmt_number(result.r2_controls, lang, 3),
            strategy=ctx.text(f"drivers.strategy_{result.strategy}"),
            method=result.method.upper(),
            basis=ctx.t(str(result.diagnostics.get("importance_basis"))),
            draws=result.diagnostics.get("bootstrap_draws"),
            unit=ctx.t(f"bootstrap.{result.diagnostics.get('bootstrap_unit')}"),
        )
        + used
    )


def drivers_table(ctx: ReportContext, result: KeyDriverResult) -> Html:
    """Every driver: effect, importance with interval, performance, reach, quadrant."""
    return tables.html_table(
        result.drivers,
        {
            "label": ctx.t("touchpoint"),
            "coef": ctx.t("coef"),
            "ci_low": "−",
            "ci_high": "+",
            "p_value": "p",
            "p_adjusted": ctx.adjusted_text("table.p_holm"),
            "importance": ctx.t("importance"),
            "importance_ci_low": "−",
            "importance_ci_high": "+",
            "performance": ctx.t("performance"),
            "reach": ctx.t("reach"),
            "impact_reach": ctx.text("drivers.impact_reach"),
            "quadrant": ctx.t("quadrant"),
            "quadrant_certainty": ctx.t("certainty"),
        },
        ctx.language,
        {
            "coef": "num2",
            "ci_low": "num2",
            "ci_high": "num2",
            "p_value": "p",
            "p_adjusted": "p",
            "importance": "num2",
            "importance_ci_low": "num2",
            "importance_ci_high": "num2",
            "performance": "num2",
            "reach": "share",
            "impact_reach": "num2",
            "quadrant_certainty": "share",
        },
        translate=("quadrant",),
    )


def priority_matrix(ctx: ReportContext) -> Section:
    """The priority matrix of the report's model (NPS by default): importance against performance."""
    section = Section(ctx.text("drivers.matrix"))
    if (result := _model(ctx, section)) is None:
        return section
    return section.add(charts.priority_matrix(result.drivers, ctx.language, result.diagnostics.get("quadrant_lines")))


def nps_drivers(ctx: ReportContext) -> Section:
    """The drivers of the report's outcome (NPS by default): how the model was made, importance bars
    and the full table."""
    title = ctx.text("drivers.nps") if ctx.outcome == "nps" else ctx.text("drivers.outcome", outcome=ctx.t(ctx.outcome))
    section = Section(title)
    if (result := _model(ctx, section)) is None:
        return section
    return section.add(
        model_statement(ctx, result),
        charts.importance_bars(result.drivers, ctx.language),
        drivers_table(ctx, result),
        paragraph(ctx.adjusted_text("drivers.holm_note")),
        *_ceiling_note(ctx, result),
    )


def _ceiling_note(ctx: ReportContext, result: KeyDriverResult) -> list[Html]:
    share = result.diagnostics.get("at_bound_share")
    if share is None or share <= 0.2:
        return []
    return [paragraph(ctx.text("drivers.at_bound_note", share=fmt_share(share, ctx.language, 0)))]


def outcome_drivers(ctx: ReportContext, outcome: str) -> Section:
    """The drivers of another outcome (promoter, detractor, repurchase): statement and importance bars."""
    section = Section(ctx.text(f"drivers.{outcome}"))
    if (result := _model(ctx, section, outcome)) is None:
        return section
    return section.add(model_statement(ctx, result), charts.importance_bars(result.drivers, ctx.language))


def drivers_by_role(ctx: ReportContext, min_n: int = 300) -> Section:
    """The three strongest touchpoints per buying-centre role (roles under ``min_n`` say so)."""
    section = Section(ctx.text("drivers.by_role"))
    if kind := ctx.lacking(*_needs(ctx.outcome)):
        return section.add(missing(ctx.text(f"missing.{kind}")))
    models = key_drivers_by(
        ctx.with_ratings(ctx.responses),
        "role",
        outcome=ctx.outcome,
        min_n=min_n,
        bootstrap=0,
        controls=["segment"],
        labels=ctx.driver_labels(),
    )
    for group in models:
        level = ctx.t(group.level)
        if group.result is None:
            section.add(
                paragraph(
                    ctx.text(
                        "drivers.by_role_skipped",
                        level=level,
                        n=group.n,
                        required=group.skipped.required,
                    )
                )
            )
            continue
        top = group.result.drivers.filter(pl.col("kind") == "touchpoint")["label"].head(3).to_list()
        section.add(paragraph(ctx.text("drivers.by_role_model", level=level, n=group.result.n, top=", ".join(top))))
    return section


def _rule(ctx: ReportContext, rule: str | None) -> str:
    if rule is None:
        return "–"
    return ctx.text("diag.rule.configured" if rule == "configured" else "diag.rule.medians")


def diagnostics(ctx: ReportContext) -> Section:
    """The model's diagnostics: n, R², VIF, straight-liners, convergence, notes, the ordered-logit check."""
    section = Section(ctx.text("drivers.diagnostics"))
    if (result := _model(ctx, section)) is None:
        return section
    ordered = ctx.ordered_check()
    d = {**result.diagnostics, **({"ordered_logit": ordered} if ordered else {})}
    lang = ctx.language
    rows = [
        ("n", tables.format_value(result.n, "int", lang)),
        ("R²", fmt_number(result.r2, lang, 3)),
        (ctx.text("diag.max_vif"), fmt_number(d.get("max_vif"), lang, 2)),
        (ctx.text("diag.straightliners"), fmt_share(d.get("straightliner_share"), lang, 1)),
        (ctx.text("diag.at_bound"), fmt_share(d.get("at_bound_share"), lang, 0)),
        (ctx.text("diag.converged"), ctx.text("yes") if d.get("converged") else ctx.text("no")),
        (ctx.text("diag.quadrant_lines"), _rule(ctx, d.get("quadrant_lines", {}).get("rule"))),
        (ctx.text("diag.notes"), "; ".join(result.notes) or "–"),
    ]
    if "ordered_logit" in d:
        rows.append(
            (
                ctx.text("diag.ordered_logit"),
                fmt_number(d["ordered_logit"]["spearman_with_ols"], lang, 3),
            )
        )
    return section.add(tables.key_value_table(rows, lang))
