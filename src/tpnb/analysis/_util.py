"""Helpers the analysis modules share: group keys and normal quantiles."""

from __future__ import annotations

from collections.abc import Sequence
from statistics import NormalDist

import numpy as np


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
