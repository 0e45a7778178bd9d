"""Checks of a difference-in-differences estimate: the event study with its pre-trend test, and the
placebo distribution from the touchpoints without a measure.

- **Event study**: rating on month-relative-to-start fixed effects and their interaction with the
  treated group (the last month before the start with ratings in both groups is the reference), standard errors clustered by
  response. The leads (months before the start) show whether the two groups already moved apart
  before the measure; their joint Wald test is the pre-trend check. It passes when that test does
  not reject parallel trends at the report's level. A passed check is no proof of parallel trends,
  only no evidence against them.
- **Placebo**: the same difference-in-differences with each untouched touchpoint as if it had had
  the measure (same start, same window, the other untouched touchpoints as comparison). The
  measure's placebo p-value is the share of placebo effects at least as large in absolute value,
  (1 + count) / (1 + placebos): a real effect stands out from what untouched touchpoints show.

Frames in, numbers out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

DAYS_PER_MONTH = 30.44


@dataclass(frozen=True)
class EventStudy:
    """The leads and lags of an event study and the pre-trend test."""

    months: list[int]  # months relative to the start (the reference, the last month before it, left out)
    effects: list[float]
    ci_low: list[float]
    ci_high: list[float]
    pretrend_p: float | None  # joint test of the leads; None when fewer than one lead is estimable

    def passes(self, level: float = 0.95) -> bool | None:
        """Whether the pre-trend check finds no evidence against parallel trends (None: not testable)."""
        return None if self.pretrend_p is None else bool(self.pretrend_p >= 1 - level)


def relative_month(frame: pl.DataFrame, start) -> pl.Series:
    """Whole months from the start: 0 is the first month after it, -1 the last before it."""
    days = frame.select((pl.col("day").cast(pl.Date) - pl.lit(start, dtype=pl.Date)).dt.total_days()).to_series()
    return (days / DAYS_PER_MONTH).floor().cast(pl.Int64).alias("month")


def event_study(frame: pl.DataFrame, start, level: float = 0.95) -> EventStudy | None:
    """The event study of ``frame`` (``rating``, ``is_treated``, ``day``, ``response_id``) around ``start``."""
    import statsmodels.api as sm
    from scipy import stats

    if frame.is_empty():
        return None
    month = relative_month(frame, start).to_numpy()
    treated = frame["is_treated"].cast(pl.Float64).to_numpy()
    if treated.min() == treated.max():
        return None
    # a month enters only where both groups have ratings in it; the last such month before the
    # start is the reference (surveys in waves leave months empty)
    both = [k for k in sorted(set(month.tolist())) if treated[month == k].min() == 0 and treated[month == k].max() == 1]
    before = [k for k in both if k < 0]
    if not before or len(both) < 2:
        return None
    reference = max(before)
    both = [k for k in both if k != reference]
    keep = np.isin(month, [reference, *both])
    month, treated = month[keep], treated[keep]
    columns = [np.ones(len(month)), treated]
    columns += [(month == k).astype(float) for k in both]
    columns += [treated * (month == k) for k in both]
    x = np.column_stack(columns)
    y = frame["rating"].to_numpy()[keep].astype(float)
    groups = np.unique(frame["response_id"].to_numpy()[keep], return_inverse=True)[1]
    fit = sm.OLS(y, x).fit(cov_type="cluster", cov_kwds={"groups": groups})
    first = 2 + len(both)
    params = np.asarray(fit.params)[first:]
    cov = np.asarray(fit.cov_params())[first:, first:]
    z = stats.norm.ppf(0.5 + level / 2)
    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    leads = [i for i, k in enumerate(both) if k < reference]
    pretrend_p = None
    if leads:
        b, v = params[leads], cov[np.ix_(leads, leads)]
        try:
            wald = float(b @ np.linalg.solve(v, b))
            pretrend_p = float(stats.chi2.sf(wald, len(leads)))
        except np.linalg.LinAlgError:
            pretrend_p = None
    return EventStudy(
        both,
        [float(p) for p in params],
        [float(p - z * s) for p, s in zip(params, se, strict=True)],
        [float(p + z * s) for p, s in zip(params, se, strict=True)],
        pretrend_p,
    )


def placebo_p(effect: float, placebo_effects: list[float]) -> float | None:
    """The share of placebo effects at least as large as ``effect`` in absolute value, counting the
    estimate itself ((1 + count) / (1 + placebos)); None without placebos."""
    if not placebo_effects:
        return None
    larger = sum(1 for p in placebo_effects if abs(p) >= abs(effect))
    return (1 + larger) / (1 + len(placebo_effects))
