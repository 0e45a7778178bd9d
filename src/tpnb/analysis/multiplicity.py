"""Adjusting p-values for the many tests a page makes: Holm (the default) or Benjamini-Hochberg.

statsmodels' ``multipletests`` does the arithmetic; here missing p-values (a test that could not be
made) stay missing and do not count as tests.
"""

from __future__ import annotations

import numpy as np

METHODS = {"holm": "holm", "bh": "fdr_bh"}
NAMES = {"holm": "Holm", "bh": "Benjamini-Hochberg"}


def adjust(p_values, method: str = "holm") -> np.ndarray:
    """The adjusted p-values, in the order given (NaN where a p-value is missing)."""
    from statsmodels.stats.multitest import multipletests

    if method not in METHODS:
        raise ValueError(f"p-value adjustment '{method}': one of {', '.join(METHODS)}")
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    present = np.isfinite(p)
    if present.any():
        out[present] = multipletests(p[present], method=METHODS[method])[1]
    return out
