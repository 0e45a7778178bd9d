"""Targets and measures: the review steps of the management cycle.

Targets ("Soll") against actuals ("Ist") per touchpoint and period, and the
effect of each improvement measure on its touchpoint:

- **difference-in-differences** (the primary estimate): the change of the
  touchpoint's mean rating from the window before the start to the window
  after it, minus the same change at the touchpoints the measure did not
  touch. Assumption, stated in every result: without the measure, the
  touchpoint would have moved like the others (parallel trends). Standard
  errors are clustered by response (a respondent rates several touchpoints).
- before/after at the touchpoint alone (Welch interval), for reference;
- an interrupted time series on monthly means where there are at least
  three months on each side;
- downstream: NPS of respondents who experienced the touchpoint, before vs
  after (adjusted-Wald change), and the share of its contacts answered
  within target (difference of proportions).

A verdict says "worked" only when the interval excludes 0 on the good side.
Frames in, frames out; the only I/O is reading the marts through ``con``.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import polars as pl

WINDOW_DAYS = 180
MIN_N = 30
DID_ASSUMPTION = ("difference-in-differences against the touchpoints the measure did not touch; assumes they "
                  "show how the touchpoint would have moved without the measure (parallel trends)")
MEASURE_SCHEMA = {"measure_id": pl.String, "touchpoint_id": pl.String, "title": pl.String, "started_at": pl.Date,
                  "metric": pl.String, "effect": pl.Float64, "ci_low": pl.Float64, "ci_high": pl.Float64,
                  "method": pl.String, "verdict": pl.String, "n_before": pl.Int64, "n_after": pl.Int64,
                  "before_after_effect": pl.Float64, "its_effect": pl.Float64}


# --- the estimators (frames in, numbers out) ----------------------------------------------

def welch(before: np.ndarray, after: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Difference of means (after - before) with a Welch interval."""
    from scipy import stats

    m1, m0 = after.mean(), before.mean()
    v1, v0 = after.var(ddof=1) / len(after), before.var(ddof=1) / len(before)
    se = np.sqrt(v1 + v0)
    df = (v1 + v0) ** 2 / (v1**2 / (len(after) - 1) + v0**2 / (len(before) - 1))
    t = stats.t.ppf(0.5 + level / 2, df)
    return float(m1 - m0), float(m1 - m0 - t * se), float(m1 - m0 + t * se)


def diff_in_diff(frame: pl.DataFrame, level: float = 0.95) -> tuple[float, float, float]:
    """OLS of rating on treated, post and treated x post; SE clustered by response.

    ``frame`` has ``rating``, ``is_treated`` (the measure's touchpoint),
    ``is_post`` (answered after the start) and ``response_id``.
    """
    import statsmodels.api as sm

    treated = frame["is_treated"].cast(pl.Float64).to_numpy()
    post = frame["is_post"].cast(pl.Float64).to_numpy()
    x = np.column_stack([np.ones(len(treated)), treated, post, treated * post])
    groups = np.unique(frame["response_id"].to_numpy(), return_inverse=True)[1]
    fit = sm.OLS(frame["rating"].to_numpy(), x).fit(cov_type="cluster", cov_kwds={"groups": groups})
    low, high = fit.conf_int(alpha=1 - level)[3]
    return float(fit.params[3]), float(low), float(high)


def interrupted_time_series(monthly: pl.DataFrame, start, level: float = 0.95) -> tuple[float, float, float] | None:
    """Level change at the start in a segmented regression of monthly means (month index, post, months since start).

    ``monthly`` has ``period_month`` and ``mean_rating``; None when there are
    fewer than three months on either side.
    """
    import statsmodels.api as sm

    data = monthly.sort("period_month")
    months = data["period_month"].to_list()
    post = np.array([m >= start.replace(day=1) for m in months], dtype=float)
    if post.sum() < 3 or (1 - post).sum() < 3:
        return None
    t = np.arange(len(months), dtype=float)
    since = np.where(post > 0, t - t[post > 0][0], 0.0)
    fit = sm.OLS(data["mean_rating"].to_numpy(), np.column_stack([np.ones_like(t), t, post, since])).fit()
    low, high = fit.conf_int(alpha=1 - level)[2]
    return float(fit.params[2]), float(low), float(high)


def proportion_change(before: np.ndarray, after: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    from statistics import NormalDist

    p0, p1 = before.mean(), after.mean()
    se = np.sqrt(p0 * (1 - p0) / len(before) + p1 * (1 - p1) / len(after))
    z = NormalDist().inv_cdf(0.5 + level / 2)
    return float(p1 - p0), float(p1 - p0 - z * se), float(p1 - p0 + z * se)


def verdict(effect: float | None, low: float | None, high: float | None, higher_is_better: bool = True) -> str:
    if effect is None:
        return "too little data"
    if (low > 0 and higher_is_better) or (high < 0 and not higher_is_better):
        return "worked"
    if (high < 0 and higher_is_better) or (low > 0 and not higher_is_better):
        return "worsened"
    return "no clear effect"


# --- measures ----------------------------------------------------------------------------------

def evaluate_measures(con, window_days: int = WINDOW_DAYS, min_n: int = MIN_N, level: float = 0.95) -> pl.DataFrame:
    """One row per measure and metric: effect, interval, method and verdict."""
    measures = con.sql("select * from core_measures order by started_at, measure_id").pl()
    rows: list[dict] = []
    for m in measures.iter_rows(named=True):
        start = m["started_at"]
        lo, hi = start - timedelta(days=window_days), start + timedelta(days=window_days)
        # Touchpoints with a measure of their own in the window are no fair comparison.
        busy = measures.filter(pl.col("started_at").is_between(lo, hi)
                               & (pl.col("touchpoint_id") != m["touchpoint_id"]))["touchpoint_id"].to_list()
        ratings = con.sql(
            "select response_id, touchpoint_id, rating, is_experienced, nps, answered_at::date as day, period_month "
            "from mart_touchpoint_ratings where answered_at::date between $lo and $hi",
            params={"lo": lo, "hi": hi}).pl().with_columns(
            (pl.col("touchpoint_id") == m["touchpoint_id"]).alias("is_treated"),
            (pl.col("day") >= start).alias("is_post"))
        experienced = ratings.filter(pl.col("is_experienced") & ~pl.col("touchpoint_id").is_in(busy))
        base = {"measure_id": m["measure_id"], "touchpoint_id": m["touchpoint_id"], "title": m["title"],
                "started_at": start}
        rows.append({**base, **_rating_effect(con, experienced, m, min_n, level)})
        rows.append({**base, **_nps_effect(ratings.filter(pl.col("is_treated")), min_n, level)})
        rows.append({**base, **_contact_effect(con, m, lo, hi, min_n, level)})
    return pl.DataFrame(rows, schema=MEASURE_SCHEMA)


def _rating_effect(con, ratings: pl.DataFrame, m: dict, min_n: int, level: float) -> dict:
    own = ratings.filter(pl.col("is_treated"))
    before = own.filter(~pl.col("is_post"))["rating"].to_numpy()
    after = own.filter(pl.col("is_post"))["rating"].to_numpy()
    row = {"metric": "mean_rating", "n_before": len(before), "n_after": len(after),
           "method": DID_ASSUMPTION, "before_after_effect": None, "its_effect": None}
    if len(before) < min_n or len(after) < min_n:
        return {**row, "effect": None, "ci_low": None, "ci_high": None,
                "verdict": f"too little data (need {min_n} ratings before and after the start)"}
    row["before_after_effect"] = welch(before, after, level)[0]
    effect, low, high = diff_in_diff(ratings, level)
    monthly = con.sql(
        "select period_month, avg(rating) as mean_rating from mart_touchpoint_ratings "
        "where is_experienced and touchpoint_id = $tp group by 1", params={"tp": m["touchpoint_id"]}).pl()
    its = interrupted_time_series(monthly, m["started_at"], level)
    row["its_effect"] = its[0] if its else None
    return {**row, "effect": effect, "ci_low": low, "ci_high": high, "verdict": verdict(effect, low, high)}


def _nps_effect(own: pl.DataFrame, min_n: int, level: float) -> dict:
    """NPS points: difference-in-differences between respondents who experienced the touchpoint and
    those who did not (both asked about it), so a general rise in NPS is not credited to the measure."""
    scored = own.filter(pl.col("nps").is_not_null()).with_columns(
        (100.0 * (pl.col("nps") >= 9).cast(pl.Float64) - 100.0 * (pl.col("nps") <= 6).cast(pl.Float64)).alias("rating"),
        pl.col("is_experienced").alias("is_treated"))
    treated = scored.filter(pl.col("is_treated"))
    n_before = treated.filter(~pl.col("is_post")).height
    n_after = treated.filter(pl.col("is_post")).height
    row = {"metric": "nps", "n_before": n_before, "n_after": n_after,
           "method": "NPS points, difference-in-differences: respondents who experienced the touchpoint "
                     "against those who did not",
           "before_after_effect": None, "its_effect": None}
    untreated = scored.height - treated.height
    if n_before < min_n or n_after < min_n or untreated < 2 * min_n:
        return {**row, "effect": None, "ci_low": None, "ci_high": None, "verdict": "too little data"}
    before = treated.filter(~pl.col("is_post"))["rating"].to_numpy()
    after = treated.filter(pl.col("is_post"))["rating"].to_numpy()
    row["before_after_effect"] = float(after.mean() - before.mean())
    effect, low, high = diff_in_diff(scored, level)
    return {**row, "effect": effect, "ci_low": low, "ci_high": high, "verdict": verdict(effect, low, high)}


def _contact_effect(con, m: dict, lo, hi, min_n: int, level: float) -> dict:
    contacts = con.sql(
        "select opened_at::date as day, is_answered_in_target from mart_contacts "
        "where touchpoint_id = $tp and opened_at::date between $lo and $hi",
        params={"tp": m["touchpoint_id"], "lo": lo, "hi": hi}).pl()
    before = contacts.filter(pl.col("day") < m["started_at"])["is_answered_in_target"].cast(pl.Float64).to_numpy()
    after = contacts.filter(pl.col("day") >= m["started_at"])["is_answered_in_target"].cast(pl.Float64).to_numpy()
    row = {"metric": "answered_in_target_share", "n_before": len(before), "n_after": len(after),
           "method": "share of the touchpoint's contacts answered within target, before vs after",
           "before_after_effect": None, "its_effect": None}
    if len(before) < min_n or len(after) < min_n:
        return {**row, "effect": None, "ci_low": None, "ci_high": None, "verdict": "too little data"}
    effect, low, high = proportion_change(before, after, level)
    return {**row, "effect": effect, "ci_low": low, "ci_high": high, "before_after_effect": effect,
            "verdict": verdict(effect, low, high)}


# --- targets -------------------------------------------------------------------------------------

HIGHER_IS_BETTER = {"mean_rating": True, "top2_share": True, "nps": True, "same_day_callback_share": True,
                    "answered_in_target_share": True, "first_response_hours_p90": False}


def actuals(con, metric: str, touchpoint_id: str, level: float = 0.95) -> pl.DataFrame:
    """Quarterly actual (with interval where one exists) of one metric at one touchpoint (or '*')."""
    from tpnb import metrics

    tp = None if touchpoint_id == "*" else touchpoint_id
    if metric in ("mean_rating", "top2_share"):
        frame = con.sql("select period_quarter, is_experienced, rating from mart_touchpoint_ratings "
                        "where ($tp is null or touchpoint_id = $tp)", params={"tp": tp}).pl()
        table = metrics.touchpoint_ratings(frame, by="period_quarter", level=level)
        if metric == "mean_rating":
            return table.select("period_quarter", "n", pl.col("mean_rating").alias("actual"), "ci_low", "ci_high")
        half = 1.96 * (table["top2_share"] * (1 - table["top2_share"]) / table["n"]).sqrt()
        return table.select("period_quarter", "n", pl.col("top2_share").alias("actual"),
                            (table["top2_share"] - half).alias("ci_low"), (table["top2_share"] + half).alias("ci_high"))
    if metric == "nps":
        if tp is None:
            frame = con.sql("select period_quarter, nps from mart_responses").pl()
        else:
            frame = con.sql("select period_quarter, nps from mart_touchpoint_ratings where is_experienced "
                            "and touchpoint_id = $tp", params={"tp": tp}).pl()
        return metrics.nps(frame, by="period_quarter", level=level).select(
            "period_quarter", "n", pl.col("nps").alias("actual"), "ci_low", "ci_high")
    if metric in ("first_response_hours_p90", "same_day_callback_share", "answered_in_target_share"):
        frame = con.sql(
            "select strftime(opened_at, '%Y') || '-Q' || quarter(opened_at)::varchar as period_quarter, * "
            "from mart_contacts where ($tp is null or touchpoint_id = $tp)", params={"tp": tp}).pl()
        kpis = metrics.service_kpis(frame, by="period_quarter")
        column = {"first_response_hours_p90": "first_response_hours_p90",
                  "same_day_callback_share": "callback_same_day_share",
                  "answered_in_target_share": "answered_in_target_share"}[metric]
        n = "callbacks_requested" if metric == "same_day_callback_share" else "n"
        out = kpis.select("period_quarter", pl.col(n).alias("n"), pl.col(column).alias("actual"))
        if metric.endswith("_share"):
            half = 1.96 * (out["actual"] * (1 - out["actual"]) / out["n"]).sqrt()
            return out.with_columns((pl.col("actual") - half).alias("ci_low"), (pl.col("actual") + half).alias("ci_high"))
        return out.with_columns(pl.lit(None, pl.Float64).alias("ci_low"), pl.lit(None, pl.Float64).alias("ci_high"))
    raise ValueError(f"unknown target metric '{metric}'; known: {', '.join(HIGHER_IS_BETTER)}")


def status(actual: float | None, low: float | None, high: float | None, target: float, direction: str) -> str:
    """met / not met / not sure (the interval straddles the target)."""
    if actual is None:
        return "no data"
    if low is None or high is None:
        low = high = actual
    if direction == "at_least":
        return "met" if low >= target else ("not met" if high < target else "not sure")
    return "met" if high <= target else ("not met" if low > target else "not sure")


def targets_vs_actual(con, level: float = 0.95) -> pl.DataFrame:
    """Per target and quarter: actual with interval, the target valid then, gap, status, trend."""
    targets = con.sql("select * from core_targets order by touchpoint_id, metric, valid_from").pl()
    rows = []
    for (tp, metric), group in targets.group_by(["touchpoint_id", "metric"], maintain_order=True):
        table = actuals(con, metric, tp, level).sort("period_quarter")
        previous = None
        for r in table.iter_rows(named=True):
            quarter_end = _quarter_end(r["period_quarter"])
            valid = group.filter(pl.col("valid_from") <= quarter_end).sort("valid_from")
            if valid.height == 0:
                continue
            t = valid.row(-1, named=True)
            rows.append({"touchpoint_id": tp, "metric": metric, "period_quarter": r["period_quarter"], "n": r["n"],
                         "actual": r["actual"], "ci_low": r["ci_low"], "ci_high": r["ci_high"],
                         "target": t["target"], "direction": t["direction"],
                         "gap": None if r["actual"] is None else r["actual"] - t["target"],
                         "status": status(r["actual"], r["ci_low"], r["ci_high"], t["target"], t["direction"]),
                         "trend": None if previous is None or r["actual"] is None else r["actual"] - previous})
            previous = r["actual"]
    schema = {"touchpoint_id": pl.String, "metric": pl.String, "period_quarter": pl.String, "n": pl.Int64,
              "actual": pl.Float64, "ci_low": pl.Float64, "ci_high": pl.Float64, "target": pl.Float64,
              "direction": pl.String, "gap": pl.Float64, "status": pl.String, "trend": pl.Float64}
    return pl.DataFrame(rows, schema=schema)


def latest_targets(table: pl.DataFrame) -> pl.DataFrame:
    """The newest period of each target (touchpoint and metric)."""
    return table.group_by("touchpoint_id", "metric", maintain_order=True).agg(pl.all().last())


def _quarter_end(period_quarter: str):
    from datetime import date

    year, q = period_quarter.split("-Q")
    month = int(q) * 3
    return (date(int(year) + (month == 12), month % 12 + 1, 1) - timedelta(days=1))
