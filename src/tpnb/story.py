"""Building blocks the report notebooks call: the report's data, its
management summary, escaped tables and the statement of inputs.

Notebooks stay thin: parameters, calls, displays. Everything a notebook
shows is computed here or in metrics/drivers, from the marts.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import pickle
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl

import tpnb
from tpnb import metrics, warehouse
from tpnb.config import database_path, load_settings
from tpnb.i18n import fmt_number, fmt_share, fmt_signed, label

DEFAULT_PERIOD_DAYS = 182


@dataclass
class ReportContext:
    """The data one report run looks at, filtered by its parameters."""

    con: Any
    language: str
    period_start: date
    period_end: date
    comparison_start: date
    comparison_end: date
    filters: dict[str, str]
    min_n: int
    as_of: date
    freshness_days: int
    responses: pl.DataFrame            # mart_responses, in the period and filters
    comparison: pl.DataFrame           # the same for the comparison period
    ratings: pl.DataFrame              # mart_touchpoint_ratings, in the period and filters
    contacts: pl.DataFrame             # mart_contacts, in the period and filters
    all_responses: pl.DataFrame        # every period, filters applied (trends, models)
    db_file: Path | None = None
    started: float = field(default_factory=time.time)
    parameters: dict = field(default_factory=dict)
    _drivers: dict = field(default_factory=dict)

    def t(self, key: str) -> str:
        return label(key, self.language)

    def drivers(self, outcome: str = "nps", **kwargs):
        """Key drivers on every period's responses.

        Cached within the run and on disk, keyed by the database file's state and
        everything that shapes the model: the reports of one refresh share it.
        """
        from tpnb import drivers as drv

        key = (outcome, tuple(sorted(kwargs.items())))
        if key not in self._drivers:
            # 50 bootstrap draws keep a report run short; the CLI defaults to 200.
            defaults = {"controls": [c for c in ("segment", "role") if c not in self.filters],
                        "bootstrap": 50, "seed": 1}
            options = {**defaults, **kwargs}
            cache = _drivers_cache_file(self, outcome, options)
            cached = _read_cache(cache)
            if cached is not None:
                self._drivers[key] = cached
                return cached
            try:
                labels = {**warehouse.touchpoint_labels(self.con),
                          **{d: label(d, self.language) for d in drv.EXPERIENCE_DRIVERS}}
                self._drivers[key] = drv.key_drivers(self.all_responses_with_ratings(), outcome=outcome,
                                                     labels=labels, **options)
            except drv.InsufficientData as exc:
                self._drivers[key] = exc
            _write_cache(cache, self._drivers[key])
        return self._drivers[key]

    def ordered_check(self) -> dict | None:
        """The ordered-logit check of the NPS model (signs and ranks against OLS)."""
        result = self.drivers("nps", bootstrap=0, ordered_check=True)
        return None if isinstance(result, Exception) else result.diagnostics.get("ordered_logit")

    def all_responses_with_ratings(self) -> pl.DataFrame:
        wide = warehouse.query(self.con, "select * from mart_driver_ratings")
        return self.all_responses.join(wide, on="response_id", how="left")


def _drivers_cache_file(ctx: ReportContext, outcome: str, options: dict) -> Path | None:
    """Where a model's result is kept: named by the database's state and the model's inputs."""
    if ctx.db_file is None or not ctx.db_file.exists():
        return None
    stat = ctx.db_file.stat()
    wal = ctx.db_file.with_name(ctx.db_file.name + ".wal")
    state = [str(ctx.db_file.resolve()), stat.st_mtime_ns, stat.st_size,
             wal.stat().st_mtime_ns if wal.exists() else None, tpnb.__version__]
    inputs = [outcome, sorted(options.items()), sorted(ctx.filters.items()), ctx.language]
    digest = hashlib.sha256(json.dumps([state, inputs], default=str).encode()).hexdigest()[:24]
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tpnb" / "drivers"
    return root / f"{digest}.pickle"


def _read_cache(path: Path | None):
    # The cache holds only what this user's own tpnb wrote under their home folder.
    try:
        return pickle.loads(path.read_bytes()) if path else None
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        return None


def _write_cache(path: Path | None, value) -> None:
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        old = time.time() - 30 * 86400  # results of databases long gone
        for stale in path.parent.glob("*.pickle"):
            if stale.stat().st_mtime < old:
                stale.unlink(missing_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(pickle.dumps(value))
        os.replace(tmp, path)
    except OSError:
        pass


def _parse_date(value) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


FILTER_SQL = ("($segment is null or segment = $segment) and ($role is null or role = $role) "
              "and ($account is null or account_id = $account)")


def open_report(db_path: str | None = None, period_start=None, period_end=None, comparison_start=None,
                comparison_end=None, segment: str | None = None, role: str | None = None,
                account: str | None = None, min_n: int | None = None, language: str = "de",
                as_of=None) -> ReportContext:
    """Read what a report needs from the database, with its parameters applied.

    Without dates, the period is the half year up to the newest survey
    response and the comparison is the half year before it.
    """
    settings = load_settings()
    con = warehouse.connect(db_path)
    filters = {"segment": segment, "role": role, "account": account}
    params = dict(filters)
    newest = con.sql("select max(answered_at)::date from mart_responses").fetchall()[0][0]
    end = _parse_date(period_end) or newest or date.today()
    start = _parse_date(period_start) or end - timedelta(days=DEFAULT_PERIOD_DAYS)
    comp_end = _parse_date(comparison_end) or start - timedelta(days=1)
    comp_start = _parse_date(comparison_start) or comp_end - (end - start)

    def responses(lo: date, hi: date) -> pl.DataFrame:
        return warehouse.query(
            con, f"select * from mart_responses where answered_on between $lo and $hi and {FILTER_SQL}",
            {**params, "lo": lo, "hi": hi})

    ctx = ReportContext(
        db_file=database_path(db_path), con=con, language=language, period_start=start, period_end=end, comparison_start=comp_start,
        comparison_end=comp_end, filters={k: v for k, v in filters.items() if v}, as_of=_parse_date(as_of) or end,
        min_n=min_n or settings.analysis.min_n, freshness_days=settings.analysis.freshness_days,
        responses=responses(start, end), comparison=responses(comp_start, comp_end),
        ratings=warehouse.query(
            con, f"select * from mart_touchpoint_ratings where answered_at::date between $lo and $hi and {FILTER_SQL}",
            {**params, "lo": start, "hi": end}),
        contacts=warehouse.query(
            con, f"select * from mart_contacts where opened_at::date between $lo and $hi and {FILTER_SQL}",
            {**params, "lo": start, "hi": end}),
        all_responses=warehouse.query(con, f"select * from mart_responses where {FILTER_SQL}", params),
    )
    ctx.parameters = {"period": f"{start} – {end}", "comparison": f"{comp_start} – {comp_end}",
                      **ctx.filters, "min_n": ctx.min_n, "language": language}
    return ctx


# --- what the summary says -----------------------------------------------------------

def headline_nps(ctx: ReportContext) -> dict:
    now = metrics.nps(ctx.responses)
    before = metrics.nps(ctx.comparison)
    out = {"now": now.row(0, named=True) if now.height else None,
           "before": before.row(0, named=True) if before.height else None, "change": None}
    if now.height and before.height:
        out["change"] = metrics.nps_change(before, now).row(0, named=True)
    return out


def biggest_service_problem(ctx: ReportContext) -> dict | None:
    """The service-log experience that costs the most NPS, with how often it happens."""
    result = ctx.drivers("nps")
    if isinstance(result, Exception):
        return None
    service = result.drivers.filter((pl.col("kind") == "service_log") & (pl.col("coef") < 0))
    if service.height == 0:
        return None
    worst = service.sort("importance", descending=True).row(0, named=True)
    share = float(ctx.responses[worst["driver"]].mean()) if worst["driver"] in ctx.responses.columns else None
    return {**worst, "respondent_share": share}


def summary_markdown(ctx: ReportContext) -> str:
    """The management summary, written from the data in plain words."""
    de = ctx.language == "de"
    lines = []
    warn = metrics.freshness(ctx.responses["answered_at"].max() if ctx.responses.height else None,
                             ctx.contacts["opened_at"].max() if ctx.contacts.height else None,
                             ctx.as_of, ctx.freshness_days).warning()
    if warn:
        lines.append(f"> ⚠ **{'Veraltete Daten' if de else 'Stale data'}:** {html.escape(warn)}")
        lines.append("")
    head = headline_nps(ctx)
    now = head["now"]
    if now is None:
        lines.append("- " + ("Keine Antworten im Zeitraum." if de else "No responses in the period."))
        return "\n".join(lines)
    nps_text = (f"**NPS {fmt_number(now['nps'], ctx.language)}** "
                f"({ctx.t('ci')} {fmt_number(now['ci_low'], ctx.language)} … {fmt_number(now['ci_high'], ctx.language)}, "
                f"n = {fmt_number(now['n'], ctx.language, 0)})")
    change = head["change"]
    if change:
        sig = change["is_significant"]
        if de:
            moved = "eine signifikante Veränderung" if sig else "keine gesicherte Veränderung"
            nps_text += (f"; gegenüber dem Vorzeitraum {fmt_signed(change['change'], 'de')} Punkte ({moved}, "
                         f"p = {fmt_number(change['p_value'], 'de', 3)}).")
        else:
            moved = "a significant change" if sig else "not a reliable change"
            nps_text += (f"; {fmt_signed(change['change'], 'en')} points against the previous period ({moved}, "
                         f"p = {fmt_number(change['p_value'], 'en', 3)}).")
    if now["n"] < ctx.min_n:
        nps_text += (" Achtung: weniger als " if de else " Caution: fewer than ") + f"{ctx.min_n} " + \
            ("Antworten." if de else "responses.")
    lines.append("- " + nps_text)

    result = ctx.drivers("nps")
    if not isinstance(result, Exception):
        fix = result.drivers.filter(pl.col("quadrant") == "fix first").sort("importance", descending=True).head(3)
        if fix.height == 0:
            fix = result.drivers.filter(pl.col("kind") == "touchpoint").sort("importance", descending=True).head(3)
        names = ", ".join(
            f"**{html.escape(r['label'])}** (Ø {fmt_number(r['performance'], ctx.language, 2)}, "
            f"{fmt_share(r['quadrant_certainty'], ctx.language)} {'sicher' if de else 'certain'})"
            for r in fix.iter_rows(named=True))
        lines.append("- " + ("Zuerst handeln bei: " if de else "Act first on: ") + names + (
            " – wichtig für die Weiterempfehlung und unterdurchschnittlich bewertet." if de
            else " – they matter for recommendation and are rated below the median."))
    cycle = cycle_line(ctx)
    if cycle:
        lines.append("- " + cycle)
    problem = biggest_service_problem(ctx)
    if problem:
        share = fmt_share(problem["respondent_share"], ctx.language) if problem["respondent_share"] is not None else "–"
        if de:
            lines.append(f"- Größtes Problem in der Servicekette: **{label(problem['driver'], 'de')}** "
                         f"(betrifft {share} der Befragten; kostet im Mittel {fmt_number(-problem['coef'], 'de')} "
                         "NPS-Skalenpunkte je Betroffenem).")
        else:
            lines.append(f"- Biggest service-chain problem: **{label(problem['driver'], 'en')}** "
                         f"(affects {share} of respondents; costs {fmt_number(-problem['coef'], 'en')} "
                         "points on the 0-10 scale per affected respondent).")
    return "\n".join(lines)


# --- tables ------------------------------------------------------------------------------

def html_table(frame: pl.DataFrame, columns: dict[str, str], language: str = "de",
               formats: dict[str, str] | None = None, min_n: int | None = None,
               translate: tuple[str, ...] = ()) -> str:
    """An HTML table with every cell escaped and numbers formatted per language.

    ``columns`` maps frame columns to headers. ``formats`` per column:
    ``int``, ``num`` (1 decimal), ``num2``, ``share``, ``signed``. With
    ``min_n``, rows whose ``n`` is below it show their figures as suppressed.
    """
    formats = formats or {}
    head = "".join(f"<th>{html.escape(h)}</th>" for h in columns.values())
    body = []
    for row in frame.iter_rows(named=True):
        small = min_n is not None and "n" in row and row["n"] is not None and row["n"] < min_n
        cells = []
        for col in columns:
            value = row.get(col)
            kind = formats.get(col)
            if small and kind and col != "n":
                text = label("suppressed", language)
            elif kind == "int":
                text = fmt_number(value, language, 0)
            elif kind == "num":
                text = fmt_number(value, language, 1)
            elif kind == "num2":
                text = fmt_number(value, language, 2)
            elif kind == "share":
                text = fmt_share(value, language)
            elif kind == "signed":
                text = fmt_signed(value, language)
            elif col in translate:
                text = label(str(value), language)
            else:
                text = "" if value is None else str(value)
            cells.append(f"<td class=\"{'num' if kind else 'txt'}\">{html.escape(text)}</td>")
        row_class = ' class="small"' if small else ""
        body.append(f"<tr{row_class}>{''.join(cells)}</tr>")
    return f"<table class=\"tpnb-table\"><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def verbatims(ctx: ReportContext, limit: int = 12) -> str:
    """The newest survey comments as escaped text (they are untrusted input)."""
    rows = (ctx.responses.filter(pl.col("comment").is_not_null())
            .sort("answered_at", descending=True).head(limit)
            .select("answered_on", "nps", "segment", "comment"))
    return html_table(rows, {"answered_on": "Datum" if ctx.language == "de" else "Date", "nps": "NPS",
                             "segment": ctx.t("segment"), "comment": "Kommentar" if ctx.language == "de" else "Comment"},
                      ctx.language)


def inputs_table(ctx: ReportContext) -> str:
    """What the report was made from: parameters, data as of, row counts, version, run time."""
    newest = ctx.con.sql("select max(answered_at) from mart_responses").fetchall()[0][0]
    newest_contact = ctx.con.sql("select max(opened_at) from mart_contacts").fetchall()[0][0]
    loads = ctx.con.sql("select count(*), max(finished_at) from meta_load_log").fetchall()[0]
    rows = [
        ("Parameter" if ctx.language == "de" else "Parameters",
         "; ".join(f"{k} = {v}" for k, v in ctx.parameters.items())),
        ("Daten bis" if ctx.language == "de" else "Data as of",
         f"{ctx.t('nps')}-Umfrage {newest:%Y-%m-%d}, Kontakte {newest_contact:%Y-%m-%d}" if newest and newest_contact else "–"),
        ("Antworten im Zeitraum" if ctx.language == "de" else "Responses in period", fmt_number(ctx.responses.height, ctx.language, 0)),
        ("Kontakte im Zeitraum" if ctx.language == "de" else "Contacts in period", fmt_number(ctx.contacts.height, ctx.language, 0)),
        ("Ladevorgänge" if ctx.language == "de" else "Loads", f"{loads[0]}, zuletzt {loads[1]:%Y-%m-%d %H:%M}" if loads[1] else "–"),
        ("tpnb-Version" if ctx.language == "de" else "tpnb version", tpnb.__version__),
        ("Laufzeit" if ctx.language == "de" else "Run time",
         f"{datetime.now():%Y-%m-%d %H:%M}, {fmt_number(time.time() - ctx.started, ctx.language)} s"),
    ]
    frame = pl.DataFrame({"k": [r[0] for r in rows], "v": [r[1] for r in rows]})
    return html_table(frame, {"k": "", "v": ""}, ctx.language)


# --- sections the notebooks display -----------------------------------------------------

TITLES = {
    "overview": {"de": "Kontaktpunkte: Überblick", "en": "Touchpoints: overview"},
    "drivers": {"de": "Schlüsseltreiber von Weiterempfehlung und Wiederkauf",
                "en": "Key drivers of recommendation and repurchase"},
    "service_chain": {"de": "Servicekette: Schmerzpunkte aus den Kontaktlogs",
                      "en": "Service chain: pain points from the contact logs"},
    "targets_measures": {"de": "Ziele und Maßnahmen", "en": "Targets and measures"},
}
SECTION = {
    "summary": {"de": "Management-Zusammenfassung", "en": "Management summary"},
    "inputs": {"de": "Eingaben dieses Berichts", "en": "Inputs of this report"},
    "verbatims": {"de": "Stimmen der Kunden", "en": "Customer comments"},
}


def title(ctx: ReportContext, report: str) -> str:
    scope = ", ".join(f"{label(k, ctx.language)} {v}" for k, v in ctx.filters.items())
    period = f"{ctx.period_start:%d.%m.%Y} – {ctx.period_end:%d.%m.%Y}" if ctx.language == "de" else \
        f"{ctx.period_start:%Y-%m-%d} – {ctx.period_end:%Y-%m-%d}"
    return f"# {TITLES[report][ctx.language]}\n\n{period}{' · ' + scope if scope else ''}"


def section(ctx: ReportContext, key: str) -> str:
    return f"## {SECTION[key][ctx.language]}"


def nps_by(ctx: ReportContext, dim: str) -> tuple[pl.DataFrame, Any, str]:
    """NPS per value of ``dim`` in the period: (frame, chart, table html). Small cells suppressed."""
    from tpnb import charts

    if dim in ("touchpoint_name", "phase", "channel"):
        source = ctx.ratings.filter(pl.col("is_experienced"))
    else:
        source = ctx.responses
    table = metrics.nps(source, by=dim)
    shown = metrics.suppress_small(table, ctx.min_n, keep=("promoters", "passives", "detractors"))
    chart = charts.nps_bars(shown.filter(~pl.col("is_small")), dim, ctx.language)
    html_out = html_table(shown, {dim: ctx.t(dim if dim != "touchpoint_name" else "touchpoint"), "n": "n",
                                  "nps": "NPS", "ci_low": "−", "ci_high": "+"},
                          ctx.language, {"n": "int", "nps": "num", "ci_low": "num", "ci_high": "num"},
                          min_n=ctx.min_n, translate=(dim,))
    return table, chart, html_out


def nps_change_by(ctx: ReportContext, dim: str) -> str:
    now = metrics.nps(ctx.responses, by=dim)
    before = metrics.nps(ctx.comparison, by=dim)
    change = metrics.nps_change(before, now, on=dim)
    change = change.with_columns(
        pl.when(pl.col("is_significant")).then(pl.lit("✔")).otherwise(pl.lit("")).alias("sig"),
        pl.min_horizontal("n_before", "n_after").alias("n"))
    return html_table(change, {dim: ctx.t(dim), "n_before": "n (vorher)" if ctx.language == "de" else "n (before)",
                               "nps_before": "NPS vorher" if ctx.language == "de" else "NPS before",
                               "n_after": "n", "nps_after": "NPS", "change": ctx.t("change"),
                               "p_value": "p", "sig": "signifikant" if ctx.language == "de" else "significant"},
                      ctx.language, {"n_before": "int", "nps_before": "num", "n_after": "int", "nps_after": "num",
                                     "change": "signed", "p_value": "num2"}, min_n=ctx.min_n, translate=(dim,))


def touchpoint_table(ctx: ReportContext) -> tuple[pl.DataFrame, Any, str]:
    from tpnb import charts

    table = metrics.touchpoint_ratings(
        ctx.ratings, by=["phase_order", "phase", "touchpoint_kind", "touchpoint_id", "touchpoint_name"]
    ).sort("phase_order", "touchpoint_name")
    shown = metrics.suppress_small(table, ctx.min_n, keep=("phase_order", "asked"))
    chart = charts.rating_bars(shown.filter(~pl.col("is_small")), ctx.language)
    html_out = html_table(
        shown, {"phase": ctx.t("phase"), "touchpoint_name": ctx.t("touchpoint"), "touchpoint_kind": ctx.t("touchpoint_kind"),
                "reach": ctx.t("reach"), "n": "n", "mean_rating": ctx.t("mean_rating"), "ci_low": "−", "ci_high": "+",
                "top2_share": ctx.t("top2_share"), "bottom_share": ctx.t("bottom_share")},
        ctx.language, {"reach": "share", "n": "int", "mean_rating": "num2", "ci_low": "num2", "ci_high": "num2",
                       "top2_share": "share", "bottom_share": "share"}, min_n=ctx.min_n,
        translate=("phase", "touchpoint_kind"))
    return table, chart, html_out


def nps_trend(ctx: ReportContext):
    from tpnb import charts

    monthly = metrics.nps(ctx.all_responses, by="period_month").filter(pl.col("n") >= ctx.min_n)
    return charts.trend(monthly, "nps", ctx.language, title="NPS" + (" je Monat" if ctx.language == "de" else " by month"))


def drivers_table(ctx: ReportContext, result) -> str:
    return html_table(
        result.drivers,
        {"label": ctx.t("touchpoint"), "coef": ctx.t("coef"), "ci_low": "−", "ci_high": "+", "p_value": "p",
         "importance": ctx.t("importance"), "importance_ci_low": "−", "importance_ci_high": "+",
         "performance": ctx.t("performance"), "reach": ctx.t("reach"), "quadrant": ctx.t("quadrant"),
         "quadrant_certainty": ctx.t("certainty")},
        ctx.language, {"coef": "num2", "ci_low": "num2", "ci_high": "num2", "p_value": "num2", "importance": "num2",
                       "importance_ci_low": "num2", "importance_ci_high": "num2", "performance": "num2",
                       "reach": "share", "quadrant_certainty": "share"}, translate=("quadrant",))


def model_statement(ctx: ReportContext, result) -> str:
    de = ctx.language == "de"
    strategy = {"indicator": ("nicht erlebte Kontaktpunkte bleiben im Modell (Indikator, Bewertung zentriert)"
                              if de else "not-experienced touchpoints kept (indicator, rating centred)"),
                "complete_case": "nur vollständige Antworten" if de else "complete cases only"}[result.strategy]
    text = (f"{result.model}; n = {fmt_number(result.n, ctx.language, 0)}; R² = {fmt_number(result.r2, ctx.language, 3)} "
            f"({'davon Kontrollen' if de else 'controls'} {fmt_number(result.r2_controls, ctx.language, 3)}); {strategy}; "
            f"{'Wichtigkeit' if de else 'importance'}: {result.method.upper()} "
            f"({result.diagnostics.get('importance_basis')}), {result.diagnostics.get('bootstrap_draws')} "
            f"Bootstrap-{'Ziehungen' if de else 'draws'} ({result.diagnostics.get('bootstrap_unit')}).")
    return html.escape(text)


def diagnostics_table(ctx: ReportContext, result, ordered: dict | None = None) -> str:
    d = {**result.diagnostics, **({"ordered_logit": ordered} if ordered else {})}
    rows = [("n", fmt_number(result.n, ctx.language, 0)), ("R²", fmt_number(result.r2, ctx.language, 3)),
            ("max VIF", fmt_number(d.get("max_vif"), ctx.language, 2)),
            ("straight-liners", fmt_share(d.get("straightliner_share"), ctx.language, 1)),
            ("converged", str(d.get("converged"))),
            ("quadrant lines", str(d.get("quadrant_lines", {}).get("rule", "–"))),
            ("notes", "; ".join(result.notes) or "–")]
    if "ordered_logit" in d:
        rows.append(("ordered logit vs OLS (Spearman)", fmt_number(d["ordered_logit"]["spearman_with_ols"], ctx.language, 3)))
    frame = pl.DataFrame({"k": [r[0] for r in rows], "v": [r[1] for r in rows]})
    return html_table(frame, {"k": "", "v": ""}, ctx.language)


SERVICE_KPIS = ("n", "first_response_hours_median", "first_response_hours_p90", "answered_in_target_share",
                "unanswered_share", "callback_same_day_share", "callback_missed_share", "wait_seconds_median",
                "wait_seconds_p90", "long_wait_share", "handoffs_per_contact", "passed_around_share",
                "follow_up_share", "complaint_resolution_hours_median", "complaint_interim_update_share",
                "outside_hours_share", "reopen_share")


def service_table(ctx: ReportContext, by: str | None = None) -> str:
    kpis = metrics.service_kpis(ctx.contacts, by=by)
    formats = {k: ("share" if k.endswith("_share") else ("int" if k == "n" else "num")) for k in SERVICE_KPIS}
    if by is None:
        row = kpis.row(0, named=True)
        frame = pl.DataFrame({"kpi": [label(k, ctx.language) for k in SERVICE_KPIS],
                              "value": [_format(row[k], formats[k], ctx.language) for k in SERVICE_KPIS]})
        return html_table(frame, {"kpi": "KPI", "value": ""}, ctx.language)
    cols = {by: ctx.t(by), **{k: label(k, ctx.language) for k in SERVICE_KPIS if k in (
        "n", "first_response_hours_median", "answered_in_target_share", "callback_same_day_share",
        "passed_around_share", "handoffs_per_contact", "follow_up_share", "long_wait_share", "reopen_share")}}
    return html_table(kpis, cols, ctx.language, formats, translate=(by,))


def _format(value, kind: str, language: str) -> str:
    return {"share": fmt_share, "int": lambda v, lang: fmt_number(v, lang, 0)}.get(
        kind, lambda v, lang: fmt_number(v, lang, 1))(value, language)


def service_trend(ctx: ReportContext, kpi: str):
    from tpnb import charts

    contacts = warehouse.query(ctx.con, f"select * from mart_contacts where {FILTER_SQL}",
                               {"segment": ctx.filters.get("segment"), "role": ctx.filters.get("role"),
                                "account": ctx.filters.get("account")})
    monthly = metrics.service_kpis(contacts, by="period_month")
    return charts.trend(monthly, kpi, ctx.language, value_format=".1%")


def experience_vs_nps(ctx: ReportContext) -> str:
    """NPS and observed repurchase of respondents with and without each service-log experience."""
    rows = []
    for flag in ("was_passed_around", "had_late_answer", "had_missed_callback", "had_complaint"):
        if flag not in ctx.responses.columns:
            continue
        table = metrics.nps(ctx.responses.with_columns(pl.col(flag).fill_null(0)), by=flag)
        rep = ctx.responses.group_by(flag).agg(pl.col("repurchased").mean().alias("repurchase_share"))
        table = table.join(rep, on=flag, how="left")
        for r in table.iter_rows(named=True):
            rows.append({"experience": label(flag, ctx.language), "has": ("ja" if ctx.language == "de" else "yes")
                         if r[flag] else ("nein" if ctx.language == "de" else "no"),
                         "n": r["n"], "nps": r["nps"], "ci_low": r["ci_low"], "ci_high": r["ci_high"],
                         "repurchase_share": r["repurchase_share"]})
    frame = pl.DataFrame(rows)
    return html_table(frame, {"experience": "Erlebnis" if ctx.language == "de" else "Experience", "has": "",
                              "n": "n", "nps": "NPS", "ci_low": "−", "ci_high": "+",
                              "repurchase_share": "Wiederkauf" if ctx.language == "de" else "Repurchase"},
                      ctx.language, {"n": "int", "nps": "num", "ci_low": "num", "ci_high": "num",
                                     "repurchase_share": "share"}, min_n=ctx.min_n)


def channel_tables(ctx: ReportContext) -> tuple[str, str]:
    """Channel mix, and whether the same request is treated alike on every channel."""
    mix = metrics.channel_mix(ctx.contacts)
    consistency = metrics.channel_consistency(ctx.contacts)
    de = ctx.language == "de"
    mix_html = html_table(mix, {"channel": ctx.t("channel"), "n": "n", "share": "Anteil" if de else "Share"},
                          ctx.language, {"n": "int", "share": "share"}, translate=("channel",))
    cons_html = html_table(
        consistency,
        {"contact_type": "Anliegen" if de else "Request type", "channels": "Kanäle" if de else "Channels",
         "answered_in_target_spread": ("Spanne: in Zielzeit beantwortet" if de else "Spread: answered within target"),
         "resolution_hours_spread": ("Spanne: Lösungszeit, Median (h)" if de else "Spread: resolution median (h)"),
         "worst_channel": "schwächster Kanal" if de else "weakest channel"},
        ctx.language, {"channels": "int", "answered_in_target_spread": "share", "resolution_hours_spread": "num"},
        translate=("worst_channel", "contact_type"))
    return mix_html, cons_html


# --- targets and measures --------------------------------------------------------------------

def latest_targets(ctx: ReportContext) -> pl.DataFrame | None:
    from tpnb import evaluation

    if not warehouse.has_rows(ctx.con, "core_targets"):
        return None
    return evaluation.latest_targets(evaluation.targets_vs_actual(ctx.con))


def measure_effects(ctx: ReportContext) -> pl.DataFrame | None:
    from tpnb import evaluation

    if not warehouse.has_rows(ctx.con, "core_measures"):
        return None
    return evaluation.evaluate_measures(ctx.con)


def cycle_line(ctx: ReportContext) -> str | None:
    """One sentence on targets missed and measures that worked (steps 3 and 7 of the cycle)."""
    de = ctx.language == "de"
    parts = []
    targets = latest_targets(ctx)
    if targets is not None and targets.height:
        missed = targets.filter(pl.col("status") == "not met")
        names = ", ".join(f"{_target_name(r, ctx.language)}" for r in missed.iter_rows(named=True))
        parts.append((f"Ziele: {targets.height - missed.height} von {targets.height} nicht verfehlt"
                      if de else f"Targets: {targets.height - missed.height} of {targets.height} not missed")
                     + (f" (verfehlt: {names})" if de and names else f" (missed: {names})" if names else ""))
    effects = measure_effects(ctx)
    if effects is not None and effects.height:
        rated = effects.filter(pl.col("metric") == "mean_rating")
        worked = rated.filter(pl.col("verdict") == "worked")["title"].to_list()
        text = ", ".join(html.escape(t) for t in worked) or ("keine" if de else "none")
        parts.append((f"Maßnahmen mit nachweisbarer Wirkung: {text}" if de else f"Measures that worked: {text}")
                     + (f" ({len(rated)} bewertet)" if de else f" ({len(rated)} evaluated)"))
    return "; ".join(parts) + "." if parts else None


def _target_name(row: dict, language: str) -> str:
    where = ("alle" if language == "de" else "all") if row["touchpoint_id"] == "*" else row["touchpoint_id"]
    return f"{label(row['metric'], language)} ({where})"


def targets_table(ctx: ReportContext, frame: pl.DataFrame) -> str:
    de = ctx.language == "de"
    return html_table(frame, {"touchpoint_id": ctx.t("touchpoint"), "metric": "Kennzahl" if de else "Metric",
                              "period_quarter": "Quartal" if de else "Quarter", "n": "n",
                              "actual": "Ist" if de else "Actual", "ci_low": "−", "ci_high": "+",
                              "target": "Soll" if de else "Target", "gap": "Abstand" if de else "Gap",
                              "status": "Status", "trend": "Trend"},
                      ctx.language, {"n": "int", "actual": "num2", "ci_low": "num2", "ci_high": "num2",
                                     "target": "num2", "gap": "signed", "trend": "signed"},
                      translate=("touchpoint_id", "metric", "status"))


def measures_table(ctx: ReportContext, frame: pl.DataFrame) -> str:
    de = ctx.language == "de"
    return html_table(frame, {"measure_id": "ID", "title": "Maßnahme" if de else "Measure",
                              "touchpoint_id": ctx.t("touchpoint"), "started_at": "Start",
                              "metric": "Kennzahl" if de else "Metric", "effect": "Wirkung" if de else "Effect",
                              "ci_low": "−", "ci_high": "+", "n_before": "n vorher" if de else "n before",
                              "n_after": "n nachher" if de else "n after", "verdict": "Urteil" if de else "Verdict"},
                      ctx.language, {"effect": "num2", "ci_low": "num2", "ci_high": "num2", "n_before": "int",
                                     "n_after": "int"}, translate=("metric", "verdict"))
