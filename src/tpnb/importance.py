"""Relative importance from a covariance matrix: exact LMG and relative weights.

Both work on sufficient statistics (the correlation matrix of the outcome
and the drivers), never by refitting a model per subset, so the bootstrap can
reuse them cheaply. Used by ``tpnb.drivers``.

LMG (Lindeman, Merenda & Gold 1980; the Shapley value of R²): the increase
in R² from adding a driver, averaged over all orders of the drivers. Every
subset's R² is ``r_S' R_SS^-1 r_S``; the 2^p subsets are solved in batches
of equal size with one stacked ``numpy.linalg.solve`` each.

Relative weights (Johnson 2000): regress the outcome on the orthogonal
counterparts of the drivers (``R^{1/2}``) and share out R² through them.
"""

from __future__ import annotations

from functools import lru_cache
from math import factorial

import numpy as np

MAX_LMG_DRIVERS = 20


def subset_r2(corr_xx: np.ndarray, r_xy: np.ndarray) -> np.ndarray:
    """R² of every subset of drivers, indexed by bit mask (entry 0 = empty set).

    Level by level: each subset of size k+1 is a subset S of size k plus a
    driver j above S's last one, and R²(S + j) = R²(S) + e² d with
    e = r_j - b'beta_S, d = 1 / (1 - b'R_SS^-1 b), b = R[S, j]. The inverse
    and beta of S + j follow from S's by the block-inverse formula, so no
    subset needs a full solve.
    """
    p = len(r_xy)
    r2 = np.zeros(1 << p)
    diag = np.diag(corr_xx)
    idx = np.arange(p)[:, None]
    masks = np.left_shift(1, np.arange(p))
    inv = (1.0 / diag)[:, None, None]
    beta = (r_xy / diag)[:, None]
    r2[masks] = r_xy * beta[:, 0]
    for k in range(1, p):
        last = idx[:, -1]
        reps = p - 1 - last
        parent = np.repeat(np.arange(len(idx)), reps)
        offsets = np.arange(parent.size) - np.repeat(np.cumsum(reps) - reps, reps)
        j = last[parent] + 1 + offsets
        parent_idx = idx[parent]
        b = corr_xx[parent_idx, j[:, None]]
        a = inv[parent]
        bt = beta[parent]
        u = np.einsum("mij,mj->mi", a, b)
        # 1 - b'A b is the share of j not explained by S; guard exact collinearity.
        d = 1.0 / np.maximum(1.0 - np.einsum("mi,mi->m", b, u), 1e-12)
        e = r_xy[j] - np.einsum("mi,mi->m", b, bt)
        child_masks = masks[parent] | np.left_shift(1, j)
        r2[child_masks] = r2[masks[parent]] + e * e * d
        # Only children that end below the last driver have children of their own.
        grows = j < p - 1
        if not grows.any():
            break
        u, d, e, a, bt = u[grows], d[grows], e[grows], a[grows], bt[grows]
        m = int(grows.sum())
        inv = np.empty((m, k + 1, k + 1))
        np.multiply(u[:, :, None], (d[:, None] * u)[:, None, :], out=inv[:, :k, :k])
        inv[:, :k, :k] += a
        inv[:, :k, k] = inv[:, k, :k] = -d[:, None] * u
        inv[:, k, k] = d
        beta = np.empty((m, k + 1))
        beta[:, :k] = bt - u * (e * d)[:, None]
        beta[:, k] = e * d
        idx = np.column_stack([parent_idx[grows], j[grows]])
        masks = child_masks[grows]
    return r2


@lru_cache(maxsize=8)
def _lmg_weights(p: int) -> tuple[np.ndarray, np.ndarray]:
    masks = np.arange(1 << p)
    sizes = np.array([bin(m).count("1") for m in masks])
    weight_by_size = np.array([factorial(s) * factorial(p - s - 1) / factorial(p) for s in range(p)])
    return masks, np.where(sizes < p, weight_by_size[np.minimum(sizes, p - 1)], 0.0)


def lmg(corr_xx: np.ndarray, r_xy: np.ndarray) -> np.ndarray:
    """Exact LMG shares of R² (they add up to the full model's R²)."""
    p = len(r_xy)
    if p > MAX_LMG_DRIVERS:
        raise ValueError(f"exact LMG needs 2^p subsets; {p} drivers is over the limit of {MAX_LMG_DRIVERS}")
    r2 = subset_r2(np.asarray(corr_xx, float), np.asarray(r_xy, float))
    masks, weights = _lmg_weights(p)
    shares = np.empty(p)
    for j in range(p):
        bit = 1 << j
        without = masks[(masks & bit) == 0]
        shares[j] = np.sum(weights[without] * (r2[without | bit] - r2[without]))
    return shares


def relative_weights(corr_xx: np.ndarray, r_xy: np.ndarray) -> np.ndarray:
    """Johnson's relative weights (they add up to the full model's R²)."""
    values, vectors = np.linalg.eigh(np.asarray(corr_xx, float))
    values = np.clip(values, 0, None)
    lam = vectors @ np.diag(np.sqrt(values)) @ vectors.T  # R^{1/2}, symmetric
    beta = np.linalg.pinv(lam) @ np.asarray(r_xy, float)
    return (lam**2) @ (beta**2)


METHODS = {"lmg": lmg, "relative_weights": relative_weights}


def correlation_parts(cov: np.ndarray, n_controls: int = 0) -> tuple[np.ndarray, np.ndarray, float]:
    """Split a covariance matrix ordered [y, drivers..., controls...].

    Controls are partialled out of y and the drivers first (they enter every
    model before the drivers). Returns (corr_xx, r_xy, share of variance left
    after the controls).
    """
    cov = np.asarray(cov, float)
    if n_controls:
        k = cov.shape[0] - n_controls
        a, b, c = cov[:k, :k], cov[:k, k:], cov[k:, k:]
        cov = a - b @ np.linalg.pinv(c) @ b.T
        residual_share = cov[0, 0] / a[0, 0] if a[0, 0] > 0 else 0.0
    else:
        residual_share = 1.0
    sd = np.sqrt(np.clip(np.diag(cov), 1e-300, None))
    corr = cov / np.outer(sd, sd)
    return corr[1:, 1:], corr[1:, 0], float(residual_share)


def importance_from_cov(cov: np.ndarray, n_controls: int = 0, method: str = "lmg") -> np.ndarray:
    """Importance of each driver as a share of the outcome's total variance.

    Without controls these add up to R². With controls they add up to
    R²(all) - R²(controls only).
    """
    corr_xx, r_xy, residual_share = correlation_parts(cov, n_controls)
    return METHODS[method](corr_xx, r_xy) * residual_share


def weighted_cov(x: np.ndarray, w: np.ndarray | None = None) -> np.ndarray:
    """Covariance of the columns of ``x`` with optional frequency weights."""
    if w is None:
        return np.cov(x, rowvar=False, ddof=1)
    w = np.asarray(w, float)
    mean = (w @ x) / w.sum()
    centred = x - mean
    return (centred * w[:, None]).T @ centred / (w.sum() - 1)
