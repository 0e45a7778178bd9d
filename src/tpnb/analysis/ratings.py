"""Touchpoint ratings: reach, mean with interval, top-2 and bottom box. Frames in, frames out."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from tpnb.analysis._util import group_keys as _by


def touchpoint_ratings(
    frame: pl.DataFrame,
    by: str | Sequence[str] | None = "touchpoint_id",
    scale: tuple[float, float] = (1, 5),
    level: float = 0.95,
    weight: str | None = None,
) -> pl.DataFrame:
    """Reach, mean rating with interval, top-2-box and bottom-box share per group.

    ``frame`` is long: one row per response and touchpoint with
    ``is_experienced`` and ``rating``. Reach = experienced / asked; the rating
    figures use only those who experienced the touchpoint, so "not
    experienced" never counts as a low rating. ``weight`` names survey weights (raked): the shares
    and the mean are weighted, and the interval uses Kish's effective n of the experienced.
    """
    from scipy import stats

    keys = _by(by)
    lo, hi = scale
    if weight is not None:
        return _weighted(frame, keys, scale, level, weight)
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


def _weighted(frame: pl.DataFrame, keys: list[str], scale, level: float, weight: str) -> pl.DataFrame:
    from scipy import stats

    lo, hi = scale
    w = pl.col(weight).cast(pl.Float64)
    seen = pl.col("is_experienced")
    we = pl.when(seen).then(w).otherwise(0.0)
    r = pl.col("rating")
    agg = frame.group_by(keys, maintain_order=True).agg(
        pl.len().alias("asked"),
        seen.sum().alias("n"),
        (we.sum() / w.sum()).alias("reach"),
        ((we * r).sum() / we.sum()).alias("mean_rating"),
        ((we * r * r).sum() / we.sum()).alias("__m2"),
        ((we * (r >= hi - 1)).sum() / we.sum()).alias("top2_share"),
        ((we * (r <= lo)).sum() / we.sum()).alias("bottom_share"),
        (we.sum() ** 2 / (we**2).sum()).alias("n_effective"),
    )
    mean = agg["mean_rating"].to_numpy()
    n_eff = agg["n_effective"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = np.sqrt(np.maximum(agg["__m2"].to_numpy() - mean**2, 0) * n_eff / (n_eff - 1))
        t = np.where(n_eff > 1, stats.t.ppf(0.5 + level / 2, np.maximum(n_eff - 1, 1)), np.nan)
        half = t * sd / np.sqrt(n_eff)
    return (
        agg.drop("__m2")
        .with_columns(pl.Series("sd_rating", sd), pl.Series("ci_low", mean - half), pl.Series("ci_high", mean + half))
        .sort(keys)
    )
