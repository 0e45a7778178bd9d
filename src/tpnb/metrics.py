"""NPS, touchpoint ratings and service-log KPIs: polars frames in, frames out.

No function here opens a file or a database; ``tpnb.warehouse`` provides the
frames (the marts), these functions compute the numbers.

NPS intervals use the adjusted-Wald method (Rocks 2016): add 3 to n and 3/4
to the promoter and detractor counts, then
``Var = (p + d - (p - d)^2) / n`` on the adjusted shares.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from statistics import NormalDist

import numpy as np
import polars as pl

# scipy.stats is imported only where the t distribution is needed: it costs most of a
# second at start-up, and `tpnb nps` should answer in well under one.


def _by(by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def _z(level: float) -> float:
    return NormalDist().inv_cdf(0.5 + level / 2)


def _normal_sf(z: np.ndarray) -> np.ndarray:
    return np.array([1 - NormalDist().cdf(v) for v in np.atleast_1d(z)])


# --- NPS -------------------------------------------------------------------

def nps_interval(promoters, detractors, n, level: float = 0.95):
    """Adjusted-Wald NPS interval on the -100..100 scale; arrays or scalars.

    Returns (adjusted_nps, standard_error, ci_low, ci_high).
    """
    promoters = np.asarray(promoters, dtype=float)
    detractors = np.asarray(detractors, dtype=float)
    n_adj = np.asarray(n, dtype=float) + 3.0
    p = (promoters + 0.75) / n_adj
    d = (detractors + 0.75) / n_adj
    adjusted = p - d
    se = np.sqrt((p + d - adjusted**2) / n_adj)
    z = _z(level)
    low = np.clip(adjusted - z * se, -1, 1)
    high = np.clip(adjusted + z * se, -1, 1)
    return adjusted * 100, se * 100, low * 100, high * 100


def nps(frame: pl.DataFrame, by: str | Sequence[str] | None = None, score: str = "nps",
        weight: str | None = None, level: float = 0.95) -> pl.DataFrame:
    """NPS per group with counts and an adjusted-Wald interval.

    ``weight`` names a column of response weights (e.g. account weights);
    weighted shares then use Kish's effective n for the interval.
    Responses without a score are left out.
    """
    keys = _by(by)
    rated = frame.filter(pl.col(score).is_not_null())
    w = pl.col(weight).cast(pl.Float64) if weight else pl.col(score).is_not_null().cast(pl.Float64)
    grouped = rated.group_by(keys, maintain_order=True) if keys else rated.group_by(pl.lit(1).alias("__all"))
    agg = grouped.agg(
        pl.len().alias("n"),
        (pl.col(score) >= 9).sum().alias("promoters"),
        pl.col(score).is_between(7, 8).sum().alias("passives"),
        (pl.col(score) <= 6).sum().alias("detractors"),
        (w * (pl.col(score) >= 9)).sum().alias("__wp"),
        (w * (pl.col(score) <= 6)).sum().alias("__wd"),
        w.sum().alias("__w"),
        (w**2).sum().alias("__w2"),
    )
    if not keys:
        agg = agg.drop("__all")
    return nps_from_sums(agg, weighted=weight is not None, level=level).sort(keys if keys else "n")


def nps_from_sums(agg: pl.DataFrame, weighted: bool = False, level: float = 0.95) -> pl.DataFrame:
    """NPS and its interval from per-group sums (``n``, ``promoters``, ``passives``,
    ``detractors``, and the weighted ``__wp``, ``__wd``, ``__w``, ``__w2``).

    The sums can come from polars (``nps``) or from SQL over a large table
    (``tpnb nps``): the statistics are the same either way.
    """
    agg = agg.with_columns(pl.col("__wp", "__wd", "__w", "__w2").cast(pl.Float64))
    n_eff = (agg["__w"] ** 2 / agg["__w2"]).to_numpy() if weighted else agg["n"].to_numpy().astype(float)
    share_p = (agg["__wp"] / agg["__w"]).to_numpy()
    share_d = (agg["__wd"] / agg["__w"]).to_numpy()
    _, se, low, high = nps_interval(share_p * n_eff, share_d * n_eff, n_eff, level)
    return agg.with_columns(
        pl.Series("nps", (share_p - share_d) * 100),
        pl.Series("ci_low", low),
        pl.Series("ci_high", high),
        pl.Series("se", se),
        pl.Series("n_effective", n_eff),
    ).drop("__wp", "__wd", "__w", "__w2")


def account_weights(frame: pl.DataFrame, account: str = "account_id") -> pl.DataFrame:
    """Add ``account_weight``: each account's responses share one unit of weight.

    The rule: a B2B account counts once, whatever the number of its people who
    answered, so one large account cannot dominate the NPS.
    """
    return frame.with_columns((1.0 / pl.len().over(account)).alias("account_weight"))


def account_nps(frame: pl.DataFrame, by: str | Sequence[str] | None = None, score: str = "nps",
                account: str = "account_id") -> pl.DataFrame:
    """NPS with every account weighted equally (see ``account_weights``)."""
    rated = account_weights(frame.filter(pl.col(score).is_not_null()), account)
    return nps(rated, by=by, score=score, weight="account_weight")


def nps_change(before: pl.DataFrame, after: pl.DataFrame, on: str | Sequence[str] | None = None,
               level: float = 0.95) -> pl.DataFrame:
    """Compare two ``nps()`` results: change, its interval and a z-test.

    Uses the adjusted-Wald variances of both periods (not a two-proportion test).
    """
    keys = _by(on)
    cols = ["n", "promoters", "detractors", "nps"]
    if keys:
        joined = before.select(*keys, *cols).join(after.select(*keys, *cols), on=keys, suffix="_after")
    else:
        joined = pl.concat([before.select(cols), after.select(cols).rename({c: f"{c}_after" for c in cols})],
                           how="horizontal")
    adj_b, se_b, _, _ = nps_interval(joined["promoters"], joined["detractors"], joined["n"])
    adj_a, se_a, _, _ = nps_interval(joined["promoters_after"], joined["detractors_after"], joined["n_after"])
    se = np.sqrt(se_b**2 + se_a**2)
    z = (adj_a - adj_b) / se
    p_value = 2 * _normal_sf(np.abs(z))
    zc = _z(level)
    return joined.rename({"n": "n_before", "nps": "nps_before", "promoters": "promoters_before",
                          "detractors": "detractors_before"}).with_columns(
        pl.Series("change", joined["nps_after"].to_numpy() - joined["nps"].to_numpy()),
        pl.Series("change_ci_low", (adj_a - adj_b) - zc * se),
        pl.Series("change_ci_high", (adj_a - adj_b) + zc * se),
        pl.Series("z", z),
        pl.Series("p_value", p_value),
        pl.Series("is_significant", p_value < (1 - level)),
    )


# --- touchpoint ratings --------------------------------------------------------

def touchpoint_ratings(frame: pl.DataFrame, by: str | Sequence[str] | None = "touchpoint_id",
                       scale: tuple[float, float] = (1, 5), level: float = 0.95) -> pl.DataFrame:
    """Reach, mean rating with interval, top-2-box and bottom-box share per group.

    ``frame`` is long: one row per response and touchpoint with
    ``is_experienced`` and ``rating``. Reach = experienced / asked; the rating
    figures use only those who experienced the touchpoint, so "not
    experienced" never counts as a low rating.
    """
    from scipy import stats

    keys = _by(by)
    lo, hi = scale
    rated = pl.col("rating").filter(pl.col("is_experienced"))
    agg = frame.group_by(keys, maintain_order=True).agg(
        pl.len().alias("asked"),
        pl.col("is_experienced").sum().alias("n"),
        rated.mean().alias("mean_rating"),
        rated.std().alias("sd_rating"),
        (rated >= hi - 1).mean().alias("top2_share"),
        (rated <= lo).mean().alias("bottom_share"),
    )
    n = agg["n"].to_numpy().astype(float)
    sd = agg["sd_rating"].fill_null(0).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(n > 1, stats.t.ppf(0.5 + level / 2, np.maximum(n - 1, 1)), np.nan)
        half = t * sd / np.sqrt(n)
    mean = agg["mean_rating"].to_numpy()
    return agg.with_columns(
        (pl.col("n") / pl.col("asked")).alias("reach"),
        pl.Series("ci_low", mean - half),
        pl.Series("ci_high", mean + half),
    ).sort(keys)


# --- small samples and freshness --------------------------------------------------

def flag_small(frame: pl.DataFrame, min_n: int = 30, n: str = "n") -> pl.DataFrame:
    """Add ``is_small``: the cell has fewer than ``min_n`` responses."""
    return frame.with_columns((pl.col(n) < min_n).alias("is_small"))


def suppress_small(frame: pl.DataFrame, min_n: int = 30, n: str = "n",
                   keep: Sequence[str] = ()) -> pl.DataFrame:
    """Blank every figure of cells under ``min_n`` (the row and its n stay).

    For published reports: a cell is shown as suppressed, never silently
    dropped, and totals are computed from all rows before suppression.
    """
    flagged = flag_small(frame, min_n, n)
    figures = [c for c, dtype in flagged.schema.items()
               if dtype.is_numeric() and c not in (n, *keep)]
    return flagged.with_columns(
        [pl.when(pl.col("is_small")).then(None).otherwise(pl.col(c)).alias(c) for c in figures]
    )


@dataclass(frozen=True)
class Freshness:
    last_survey_at: datetime | None
    last_contact_at: datetime | None
    as_of: date
    max_age_days: int

    @property
    def survey_age_days(self) -> int | None:
        return None if self.last_survey_at is None else (self.as_of - self.last_survey_at.date()).days

    @property
    def contact_age_days(self) -> int | None:
        return None if self.last_contact_at is None else (self.as_of - self.last_contact_at.date()).days

    @property
    def is_stale(self) -> bool:
        ages = [a for a in (self.survey_age_days, self.contact_age_days) if a is not None]
        return not ages or max(ages) > self.max_age_days

    def warning(self) -> str | None:
        if self.last_survey_at is None:
            return "No survey data."
        if self.is_stale:
            parts = []
            if self.survey_age_days is not None and self.survey_age_days > self.max_age_days:
                parts.append(f"the newest survey response is {self.survey_age_days} days old")
            if self.contact_age_days is not None and self.contact_age_days > self.max_age_days:
                parts.append(f"the newest contact is {self.contact_age_days} days old")
            return "Stale data: " + " and ".join(parts) + f" (limit {self.max_age_days} days)."
        return None


def freshness(last_survey_at, last_contact_at, as_of: date, max_age_days: int = 90) -> Freshness:
    """How old the newest data is relative to the report date."""
    return Freshness(last_survey_at, last_contact_at, as_of, max_age_days)


# --- service-log KPIs ---------------------------------------------------------

def _share(flag: str) -> pl.Expr:
    return pl.col(flag).cast(pl.Float64).mean()


def service_kpis(contacts: pl.DataFrame, by: str | Sequence[str] | None = None) -> pl.DataFrame:
    """The pain points of DOMAIN.md as KPIs, per group, from ``mart_contacts``.

    Shares are over the contacts a KPI applies to (callbacks over callback
    requests, interim updates over complaints); n is always the contact count.
    """
    keys = _by(by)
    grouped = contacts.group_by(keys, maintain_order=True) if keys else contacts.group_by(pl.lit(1).alias("__all"))
    complaint_hours = pl.col("resolution_hours").filter(pl.col("is_complaint"))
    out = grouped.agg(
        pl.len().alias("n"),
        pl.col("first_response_hours").median().alias("first_response_hours_median"),
        pl.col("first_response_hours").quantile(0.9, interpolation="linear").alias("first_response_hours_p90"),
        _share("is_answered_in_target").alias("answered_in_target_share"),
        _share("is_unanswered").alias("unanswered_share"),
        pl.col("is_callback_requested").sum().alias("callbacks_requested"),
        _share("is_callback_same_day").alias("callback_same_day_share"),
        _share("is_callback_missed").alias("callback_missed_share"),
        pl.col("wait_seconds").median().alias("wait_seconds_median"),
        pl.col("wait_seconds").quantile(0.9, interpolation="linear").alias("wait_seconds_p90"),
        _share("is_long_wait").alias("long_wait_share"),
        pl.col("handoffs").cast(pl.Float64).mean().alias("handoffs_per_contact"),
        _share("is_passed_around").alias("passed_around_share"),
        _share("has_follow_up").alias("follow_up_share"),
        pl.col("is_complaint").sum().alias("complaints"),
        complaint_hours.median().alias("complaint_resolution_hours_median"),
        _share("has_interim_update").alias("complaint_interim_update_share"),
        _share("is_outside_hours").alias("outside_hours_share"),
        _share("is_reopened").alias("reopen_share"),
    )
    return (out.drop("__all") if not keys else out).sort(keys if keys else "n")


def channel_mix(contacts: pl.DataFrame, by: str | Sequence[str] | None = None) -> pl.DataFrame:
    """Share of contacts per channel (within each group of ``by``)."""
    keys = _by(by)
    counts = contacts.group_by([*keys, "channel"]).agg(pl.len().alias("n"))
    total = pl.col("n").sum().over(keys) if keys else pl.col("n").sum()
    return counts.with_columns((pl.col("n") / total).alias("share")).sort([*keys, "share"], descending=[*[False] * len(keys), True])


def channel_consistency(contacts: pl.DataFrame) -> pl.DataFrame:
    """Does the same request get the same treatment on every channel?

    Per contact_type: the spread across channels (max - min) of the share
    answered in target and of the median resolution time, with the worst
    channel named. Channels with fewer than 20 contacts of a type are skipped.
    """
    per = (contacts.group_by("contact_type", "channel")
           .agg(pl.len().alias("n"), _share("is_answered_in_target").alias("answered_in_target_share"),
                pl.col("resolution_hours").median().alias("resolution_hours_median"),
                _share("is_reopened").alias("reopen_share"))
           .filter(pl.col("n") >= 20))
    return (per.sort("answered_in_target_share")
            .group_by("contact_type", maintain_order=True)
            .agg(pl.col("channel").n_unique().alias("channels"),
                 (pl.col("answered_in_target_share").max() - pl.col("answered_in_target_share").min())
                 .alias("answered_in_target_spread"),
                 (pl.col("resolution_hours_median").max() - pl.col("resolution_hours_median").min())
                 .alias("resolution_hours_spread"),
                 pl.col("channel").first().alias("worst_channel"))
            .filter(pl.col("channels") >= 2)
            .sort("answered_in_target_spread", descending=True))
