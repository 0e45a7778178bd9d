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
) -> pl.DataFrame:
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
