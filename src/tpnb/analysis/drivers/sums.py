"""The key-driver model from sums: OLS and logit coefficients, robust and account-clustered
covariances and normal intervals, computed from totals, per-unit scores and cross-products an
engine aggregated. The formulas are statsmodels' (``cov_type="cluster"`` with its small-sample
correction, ``HC3`` for OLS, ``HC0`` for a logit), so a model fitted on sums equals the one fitted
on rows (``fit.fit_model``), which a test holds them to.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from tpnb.analysis.drivers.bootstrap import Blocks


def totals(blocks: Blocks) -> tuple[np.ndarray, np.ndarray]:
    """X'X and X'y of the model with an intercept, from the blocks' sums of z = [y, x...]."""
    n = blocks.count.sum()
    s = blocks.sums.sum(axis=0)
    c = blocks.cross.sum(axis=0)
    k = len(s)
    xtx = np.empty((k, k))
    xtx[0, 0] = n
    xtx[0, 1:] = xtx[1:, 0] = s[1:]
    xtx[1:, 1:] = c[1:, 1:]
    xty = np.concatenate([[s[0]], c[1:, 0]])
    return xtx, xty


def ols_coefficients(blocks: Blocks) -> tuple[np.ndarray, np.ndarray]:
    """OLS coefficients (intercept first) and (X'X)^-1."""
    xtx, xty = totals(blocks)
    inverse = np.linalg.pinv(xtx)
    return inverse @ xty, inverse


def block_scores(blocks: Blocks, b: np.ndarray) -> np.ndarray:
    """Each block's OLS score X_g'e_g = X_g'y_g - X_g'X_g b (blocks that are whole units)."""
    g, k = blocks.sums.shape
    xty = np.column_stack([blocks.sums[:, 0], blocks.cross[:, 1:, 0]])
    xtx = np.empty((g, k, k))
    xtx[:, 0, 0] = blocks.count
    xtx[:, 0, 1:] = blocks.sums[:, 1:]
    xtx[:, 1:, 0] = blocks.sums[:, 1:]
    xtx[:, 1:, 1:] = blocks.cross[:, 1:, 1:]
    return xty - xtx @ b


def sandwich(bread: np.ndarray, meat: np.ndarray, n: float, units: int | None) -> np.ndarray:
    """``bread @ meat @ bread``; clustered (``units`` = the number of clusters) with statsmodels'
    correction G/(G-1) (N-1)/(N-K)."""
    cov = bread @ meat @ bread
    if units is not None:
        k = bread.shape[0]
        cov = cov * (units / (units - 1.0) * ((n - 1.0) / (n - k)))
    return cov


def normal_inference(b: np.ndarray, cov: np.ndarray, level: float) -> tuple[np.ndarray, ...]:
    """Standard errors, interval bounds and two-sided p-values (normal, as statsmodels' robust fits)."""
    se = np.sqrt(np.diag(cov))
    q = stats.norm.ppf(1 - (1 - level) / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = 2 * stats.norm.sf(np.abs(b / se))
    return se, b - q * se, b + q * se, p


def newton_step(hessian: np.ndarray, gradient: np.ndarray) -> np.ndarray:
    """One Newton step of the logit's log-likelihood (``hessian`` = X'WX, ``gradient`` = X'(y - p))."""
    return np.linalg.solve(hessian, gradient)
