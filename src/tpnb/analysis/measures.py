"""Measures: the effect of each improvement measure on its touchpoint (step 7 of the management cycle).

- **difference-in-differences** (the primary estimate): the change of the
  touchpoint's mean rating from the window before the start to the window
  after it, minus the same change at the touchpoints the measure did not
  touch. Assumption, stated in every result: without the measure, the
  touchpoint would have moved like the others (parallel trends). Standard
  errors are clustered by response (a respondent rates several touchpoints).
- before/after at the touchpoint alone (Welch interval), for reference;
- an interrupted time series on calendar-month means of the window (weighted by n, the start month
  split at the start day, Newey-West standard errors) where there are at least three months on each
  side;
- downstream: NPS of respondents who experienced the touchpoint, before vs
  after (adjusted-Wald change), and the share of its contacts answered
  within target (difference of proportions).

A verdict says "worked" only when the interval excludes 0 on the good side, the effect holds after
Holm's adjustment across the measure's metrics, and, for a difference in differences, the event
study finds no different trends before the start (``tpnb.analysis.pretrend``; a placebo p-value from
the untouched touchpoints is reported beside it).
Frames in, frames out: ``tpnb.warehouse.read.measure_inputs`` reads them.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import polars as pl

from tpnb.analysis.pretrend import event_study, placebo_p

DID_ASSUMPTION = (
    "difference-in-differences against the touchpoints the measure did not touch; assumes they "
    "show how the touchpoint would have moved without the measure (parallel trends)"
)
MEASURE_SCHEMA = {
    "measure_id": pl.String,
    "touchpoint_id": pl.String,
    "title": pl.String,
    "started_at": pl.Date,
    "metric": pl.String,
    "effect": pl.Float64,
    "ci_low": pl.Float64,
    "ci_high": pl.Float64,
    "method": pl.String,
    "verdict": pl.String,
    "n_before": pl.Int64,
    "n_after": pl.Int64,
    "before_after_effect": pl.Float64,
    "its_effect": pl.Float64,
    "its_ci_low": pl.Float64,
    "its_ci_high": pl.Float64,
    "p_value": pl.Float64,
    "p_adjusted": pl.Float64,  # Holm across the measure's metrics
    "pretrend_p": pl.Float64,  # the event study's joint test of the leads (DiD metrics)
    "placebo_p": pl.Float64,  # the effect among the placebo effects of untouched touchpoints
    "n_placebo": pl.Int64,
}
PRETREND_FAILED = "trends differed before the start"


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


def monthly_cells(ratings: pl.DataFrame, start) -> pl.DataFrame:
    """Mean rating and n per calendar month, the start month split at the start day into the part
    before and the part after it; ``t`` counts calendar months from the first (gaps kept)."""
    cells = (
        ratings.with_columns(
            pl.col("day").dt.truncate("1mo").alias("month"),
            (pl.col("day") >= start).alias("post"),
        )
        .group_by("month", "post")
        .agg(pl.len().alias("n"), pl.col("rating").mean().alias("mean_rating"))
        .sort("month", "post")
    )
    first = cells["month"].min()
    return cells.with_columns(
        ((pl.col("month").dt.year() - first.year) * 12 + pl.col("month").dt.month() - first.month).alias("t")
    )


def interrupted_time_series(ratings: pl.DataFrame, start, level: float = 0.95) -> tuple[float, float, float] | None:
    """Level change at the start in a segmented regression of monthly mean ratings.

    ``ratings`` has ``day`` and ``rating`` (one row per rating). Months are calendar months (a month
    without ratings is a gap, not a neighbour), each weighted by its number of ratings; the start month
    is split at the start day, so ratings given before the start count as before. The model is mean =
    b0 + b1 t + b2 post + b3 (t - t_start) post, fitted by weighted least squares. Its variance is the
    larger of two: the sampling variance of the ratings (the pooled within-month variance over the
    weights) and the Newey-West (autocorrelation-robust) variance from the monthly residuals, so
    neither a few well-fitting months nor autocorrelated ones make the interval too narrow. b2 is
    returned with its interval. None with fewer than three months on either side.
    """
    import statsmodels.api as sm

    if ratings.is_empty():
        return None
    cells = monthly_cells(ratings, start)
    post = cells["post"].cast(pl.Float64).to_numpy()
    if (post > 0).sum() < 3 or (post == 0).sum() < 3:
        return None
    t = cells["t"].cast(pl.Float64).to_numpy()
    t_start = t[post > 0].min()
    x = np.column_stack([np.ones_like(t), t, post, np.where(post > 0, t - t_start, 0.0)])
    from scipy import stats

    n = cells["n"].to_numpy().astype(float)
    lags = max(1, int(4 * (len(t) / 100) ** (2 / 9)))
    fit = sm.WLS(cells["mean_rating"].to_numpy(), x, weights=n).fit(cov_type="HAC", cov_kwds={"maxlags": lags})
    within = (
        ratings.with_columns(pl.col("day").dt.truncate("1mo").alias("month"), (pl.col("day") >= start).alias("post"))
        .with_columns((pl.col("rating") - pl.col("rating").mean().over("month", "post")).alias("dev"))
        .select((pl.col("dev") ** 2).sum() / (pl.len() - cells.height))
        .item()
    )
    sampling = within * np.linalg.inv(x.T @ (x * n[:, None]))[2, 2]
    se = float(np.sqrt(max(sampling, fit.cov_params()[2, 2])))
    z = stats.norm.ppf(0.5 + level / 2)
    effect = float(fit.params[2])
    return effect, effect - z * se, effect + z * se


def proportion_change(before: np.ndarray, after: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Difference of two shares (after - before) with a Wald interval."""
    from statistics import NormalDist

    p0, p1 = before.mean(), after.mean()
    se = np.sqrt(p0 * (1 - p0) / len(before) + p1 * (1 - p1) / len(after))
    z = NormalDist().inv_cdf(0.5 + level / 2)
    return float(p1 - p0), float(p1 - p0 - z * se), float(p1 - p0 + z * se)


def verdict(effect: float | None, low: float | None, high: float | None, higher_is_better: bool = True) -> str:
    """``worked`` / ``worsened`` when the interval excludes 0 on one side, else ``no clear effect``."""
    if effect is None:
        return "too little data"
    if (low > 0 and higher_is_better) or (high < 0 and not higher_is_better):
        return "worked"
    if (high < 0 and higher_is_better) or (low > 0 and not higher_is_better):
        return "worsened"
    return "no clear effect"


# --- measures ----------------------------------------------------------------------------------


def evaluate_measures(
    measures: pl.DataFrame,
    ratings: pl.DataFrame,
    contacts: pl.DataFrame,
    window_days: int,
    min_n: int,
    level: float = 0.95,
    adjustment: str = "holm",
) -> pl.DataFrame:
    """One row per measure and metric: effect, interval, method and verdict.

    Parameters
    ----------
    measures : polars.DataFrame
        ``core_measures``: ``measure_id``, ``touchpoint_id``, ``title``, ``started_at``.
    ratings : polars.DataFrame
        Touchpoint ratings with ``response_id``, ``touchpoint_id``, ``rating``,
        ``is_experienced``, ``nps``, ``day`` (answer date), ``period_month``.
    contacts : polars.DataFrame
        ``touchpoint_id``, ``day`` (opened), ``is_answered_in_target``.
    window_days : int
        Days before and after the start that are compared.
    min_n : int
        Fewest ratings (contacts) on each side for an estimate.

    Returns
    -------
    polars.DataFrame
        ``MEASURE_SCHEMA``: per measure the metrics ``mean_rating`` (DiD),
        ``nps`` (DiD) and ``answered_in_target_share`` (difference of shares).
    """
    rows: list[dict] = []
    for m in measures.iter_rows(named=True):
        start = m["started_at"]
        lo, hi = start - timedelta(days=window_days), start + timedelta(days=window_days)
        # Touchpoints with a measure of their own in the window are no fair comparison.
        busy = measures.filter(
            pl.col("started_at").is_between(lo, hi) & (pl.col("touchpoint_id") != m["touchpoint_id"])
        )["touchpoint_id"].to_list()
        window = ratings.filter(pl.col("day").is_between(lo, hi)).with_columns(
            (pl.col("touchpoint_id") == m["touchpoint_id"]).alias("is_treated"),
            (pl.col("day") >= start).alias("is_post"),
        )
        experienced = window.filter(pl.col("is_experienced") & ~pl.col("touchpoint_id").is_in(busy))
        own_contacts = contacts.filter(
            (pl.col("touchpoint_id") == m["touchpoint_id"]) & pl.col("day").is_between(lo, hi)
        )
        base = {
            "measure_id": m["measure_id"],
            "touchpoint_id": m["touchpoint_id"],
            "title": m["title"],
            "started_at": start,
        }
        metrics = [
            _rating_effect(experienced, start, min_n, level),
            _nps_effect(window.filter(pl.col("is_treated")), start, min_n, level),
            _contact_effect(own_contacts, start, min_n, level),
        ]
        rows += [{**base, **row} for row in _judge(metrics, level, adjustment)]
    return pl.DataFrame(rows, schema=MEASURE_SCHEMA)


def p_from_interval(effect: float, low: float, high: float, level: float) -> float:
    """The two-sided p-value of a normal-theory interval (effect +- z se)."""
    from scipy import stats

    se = (high - low) / (2 * stats.norm.ppf(0.5 + level / 2))
    return float(2 * stats.norm.sf(abs(effect) / se)) if se > 0 else (0.0 if effect else 1.0)


def _judge(metrics: list[dict], level: float, adjustment: str = "holm") -> list[dict]:
    """Holm (or BH) across the measure's metrics; a verdict holds only after it and a passed pre-trend check."""
    from tpnb.analysis.multiplicity import adjust

    p = [m.get("p_value") if m.get("p_value") is not None else np.nan for m in metrics]
    adjusted = adjust(p, adjustment)
    out = []
    for m, p_adj in zip(metrics, adjusted, strict=True):
        m = {**m, "p_adjusted": None if np.isnan(p_adj) else float(p_adj)}
        if m["verdict"] in ("worked", "worsened"):
            if m["p_adjusted"] is not None and m["p_adjusted"] >= 1 - level:
                m["verdict"] = "no clear effect"
            elif m.get("pretrend_p") is not None and m["pretrend_p"] < 1 - level:
                m["verdict"] = PRETREND_FAILED
        out.append(m)
    return out


def _placebos(ratings: pl.DataFrame, min_n: int) -> list[float]:
    """The difference in differences of each untouched touchpoint as if it had had the measure
    (the others untouched as comparison): in the 2x2 design, the difference of the cell means."""
    control = ratings.filter(~pl.col("is_treated"))
    cells = control.group_by("touchpoint_id", "is_post").agg(pl.len().alias("n"), pl.col("rating").sum().alias("sum"))
    totals = cells.group_by("is_post").agg(pl.col("n").sum().alias("n_all"), pl.col("sum").sum().alias("sum_all"))
    cells = cells.join(totals, on="is_post").with_columns(
        (pl.col("sum") / pl.col("n")).alias("own"),
        ((pl.col("sum_all") - pl.col("sum")) / (pl.col("n_all") - pl.col("n"))).alias("others"),
    )
    effects = []
    for tp in cells["touchpoint_id"].unique().sort().to_list():
        pre = cells.filter((pl.col("touchpoint_id") == tp) & ~pl.col("is_post"))
        post = cells.filter((pl.col("touchpoint_id") == tp) & pl.col("is_post"))
        if pre.height and post.height and min(pre["n"][0], post["n"][0]) >= min_n:
            effects.append(float((post["own"][0] - pre["own"][0]) - (post["others"][0] - pre["others"][0])))
    return effects


def _rating_effect(ratings: pl.DataFrame, start, min_n: int, level: float) -> dict:
    own = ratings.filter(pl.col("is_treated"))
    before = own.filter(~pl.col("is_post"))["rating"].to_numpy()
    after = own.filter(pl.col("is_post"))["rating"].to_numpy()
    row = {
        "metric": "mean_rating",
        "n_before": len(before),
        "n_after": len(after),
        "method": DID_ASSUMPTION,
        "before_after_effect": None,
        "its_effect": None,
    }
    if len(before) < min_n or len(after) < min_n:
        return {
            **row,
            "effect": None,
            "ci_low": None,
            "ci_high": None,
            "verdict": f"too little data (need {min_n} ratings before and after the start)",
        }
    row["before_after_effect"] = welch(before, after, level)[0]
    effect, low, high = diff_in_diff(ratings, level)
    its = interrupted_time_series(own.select("day", "rating"), start, level)
    if its:
        row["its_effect"], row["its_ci_low"], row["its_ci_high"] = its
    study = event_study(ratings, start, level)
    placebos = _placebos(ratings, min_n)
    return {
        **row,
        "effect": effect,
        "ci_low": low,
        "ci_high": high,
        "p_value": p_from_interval(effect, low, high, level),
        "pretrend_p": study.pretrend_p if study else None,
        "placebo_p": placebo_p(effect, placebos),
        "n_placebo": len(placebos),
        "verdict": verdict(effect, low, high),
    }


def _nps_effect(own: pl.DataFrame, start, min_n: int, level: float) -> dict:
    """NPS points: difference-in-differences between respondents who experienced the touchpoint and
    those who did not (both asked about it), so a general rise in NPS is not credited to the measure."""
    scored = own.filter(pl.col("nps").is_not_null()).with_columns(
        (100.0 * (pl.col("nps") >= 9).cast(pl.Float64) - 100.0 * (pl.col("nps") <= 6).cast(pl.Float64)).alias("rating"),
        pl.col("is_experienced").alias("is_treated"),
    )
    treated = scored.filter(pl.col("is_treated"))
    n_before = treated.filter(~pl.col("is_post")).height
    n_after = treated.filter(pl.col("is_post")).height
    row = {
        "metric": "nps",
        "n_before": n_before,
        "n_after": n_after,
        "method": "NPS points, difference-in-differences: respondents who experienced the touchpoint "
        "against those who did not",
        "before_after_effect": None,
        "its_effect": None,
    }
    untreated = scored.height - treated.height
    if n_before < min_n or n_after < min_n or untreated < 2 * min_n:
        return {
            **row,
            "effect": None,
            "ci_low": None,
            "ci_high": None,
            "verdict": "too little data",
        }
    before = treated.filter(~pl.col("is_post"))["rating"].to_numpy()
    after = treated.filter(pl.col("is_post"))["rating"].to_numpy()
    row["before_after_effect"] = float(after.mean() - before.mean())
    effect, low, high = diff_in_diff(scored, level)
    study = event_study(scored, start, level)
    return {
        **row,
        "effect": effect,
        "ci_low": low,
        "ci_high": high,
        "p_value": p_from_interval(effect, low, high, level),
        "pretrend_p": study.pretrend_p if study else None,
        "verdict": verdict(effect, low, high),
    }


def _contact_effect(contacts: pl.DataFrame, start, min_n: int, level: float) -> dict:
    before = contacts.filter(pl.col("day") < start)["is_answered_in_target"].cast(pl.Float64).to_numpy()
    after = contacts.filter(pl.col("day") >= start)["is_answered_in_target"].cast(pl.Float64).to_numpy()
    row = {
        "metric": "answered_in_target_share",
        "n_before": len(before),
        "n_after": len(after),
        "method": "share of the touchpoint's contacts answered within target, before vs after",
        "before_after_effect": None,
        "its_effect": None,
    }
    if len(before) < min_n or len(after) < min_n:
        return {
            **row,
            "effect": None,
            "ci_low": None,
            "ci_high": None,
            "verdict": "too little data",
        }
    effect, low, high = proportion_change(before, after, level)
    return {
        **row,
        "effect": effect,
        "ci_low": low,
        "ci_high": high,
        "p_value": p_from_interval(effect, low, high, level),
        "before_after_effect": effect,
        "verdict": verdict(effect, low, high),
    }
