"""The effect of improvement measures: before vs after at the measure's touchpoint.

This is the first, plain estimate (issue: targets and measures): the mean
rating in the window before the start against the window after it, with a
Welch interval. A verdict says "worked" only when the interval excludes 0.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import polars as pl
from scipy import stats

WINDOW_DAYS = 180
MIN_N = 30


def before_after(before: np.ndarray, after: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Difference of means (after - before) with a Welch interval."""
    m1, m0 = after.mean(), before.mean()
    v1, v0 = after.var(ddof=1) / len(after), before.var(ddof=1) / len(before)
    se = np.sqrt(v1 + v0)
    df = (v1 + v0) ** 2 / (v1**2 / (len(after) - 1) + v0**2 / (len(before) - 1))
    t = stats.t.ppf(0.5 + level / 2, df)
    return float(m1 - m0), float(m1 - m0 - t * se), float(m1 - m0 + t * se)


def evaluate_measures(con, window_days: int = WINDOW_DAYS, min_n: int = MIN_N) -> pl.DataFrame:
    measures = con.sql("select * from core_measures order by started_at, measure_id").pl()
    rows = []
    for m in measures.iter_rows(named=True):
        start = m["started_at"]
        ratings = con.sql(
            "select answered_at::date as day, rating from mart_touchpoint_ratings "
            "where touchpoint_id = $tp and is_experienced and answered_at::date between $lo and $hi",
            params={"tp": m["touchpoint_id"], "lo": start - timedelta(days=window_days),
                    "hi": start + timedelta(days=window_days)},
        ).pl()
        before = ratings.filter(pl.col("day") < start)["rating"].to_numpy()
        after = ratings.filter(pl.col("day") >= start)["rating"].to_numpy()
        row = {"measure_id": m["measure_id"], "touchpoint_id": m["touchpoint_id"], "title": m["title"],
               "metric": "mean_rating", "n_before": len(before), "n_after": len(after),
               "method": f"before/after {window_days} days, Welch interval"}
        if len(before) < min_n or len(after) < min_n:
            row.update(effect=None, ci_low=None, ci_high=None,
                       verdict=f"too little data (need {min_n} ratings before and after the start)")
        else:
            effect, low, high = before_after(before, after)
            verdict = "improved" if low > 0 else ("worsened" if high < 0 else "no clear effect")
            row.update(effect=effect, ci_low=low, ci_high=high, verdict=verdict)
        rows.append(row)
    schema = {"measure_id": pl.String, "touchpoint_id": pl.String, "title": pl.String, "metric": pl.String,
              "n_before": pl.Int64, "n_after": pl.Int64, "method": pl.String, "effect": pl.Float64,
              "ci_low": pl.Float64, "ci_high": pl.Float64, "verdict": pl.String}
    return pl.DataFrame(rows, schema=schema)
