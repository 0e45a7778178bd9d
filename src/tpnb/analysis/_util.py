"""Helpers the analysis modules share: group keys, normal quantiles and the Wilson interval of a share."""

from __future__ import annotations

from collections.abc import Sequence
from statistics import NormalDist

import numpy as np
import polars as pl


def group_keys(by: str | Sequence[str] | None) -> list[str]:
    """``by`` as a list of column names (None: no grouping)."""
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def z_value(level: float) -> float:
    """The two-sided normal quantile of a confidence level (1.96 for 0.95)."""
    return NormalDist().inv_cdf(0.5 + level / 2)


def normal_sf(z: np.ndarray) -> np.ndarray:
    """The upper tail of the standard normal at each ``z``."""
    return np.array([1 - NormalDist().cdf(v) for v in np.atleast_1d(z)])


Z95 = 1.959963984540054


def wilson(successes: pl.Expr, n: pl.Expr, low: bool) -> pl.Expr:
    """The Wilson score interval's bound for a share (null where n is 0)."""
    p = successes / n
    centre = (p + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
    half = Z95 * ((p * (1 - p) / n + Z95**2 / (4 * n**2)).sqrt()) / (1 + Z95**2 / n)
    bound = centre - half if low else centre + half
    return pl.when(n > 0).then(bound.clip(0.0, 1.0)).otherwise(None)
