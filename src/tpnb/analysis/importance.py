"""Relative importance from a covariance matrix: exact LMG and relative weights.

Both work on sufficient statistics (the correlation matrix of the outcome
and the drivers), never by refitting a model per subset, so the bootstrap can
reuse them cheaply. Used by ``tpnb.drivers``.

LMG (Lindeman, Merenda & Gold 1980; the Shapley value of R²): the increase
in R² from adding a driver, averaged over all orders of the drivers. Every
subset's R² is ``r_S' R_SS^-1 r_S``; ``subset_r2`` grows all 2^p subsets
with the sweep operator (no solve per subset).

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

    Subsets are grown by their highest driver, with the sweep operator: for
    the subsets whose highest driver is l, keep the residual correlations,
    given the subset, among the drivers above l (T) and between those and y
    (v). Adding a driver j above l gives R²(S + j) = R²(S) + v_j² / T_jj, and
    the child's T and v are one rank-one update of the rows above j. So no
    subset needs a solve, and a subset only carries the drivers that can
    still join it: 2^l subsets with (p - 1 - l)² numbers each.
    """
    p = len(r_xy)
    r2 = np.zeros(1 << p)
    masks_by = {-1: np.zeros(1, dtype=np.int64)}
    t_by = {-1: np.asarray(corr_xx, float)[None].copy()}
    v_by = {-1: np.asarray(r_xy, float)[None].copy()}
    r2_by = {-1: np.zeros(1)}
    for j in range(p):
        mask_parts, t_parts, v_parts, r2_parts = [], [], [], []
        for last in range(-1, j):
            t, v = t_by[last], v_by[last]
            i = j - last - 1  # j's place among the drivers above ``last``
            # 1/T_jj: the share of j that S does not explain; guard exact collinearity
            scale = 1.0 / np.sqrt(np.maximum(t[:, i, i], 1e-12))
            e = v[:, i] * scale
            r2_parts.append(r2_by[last] + e * e)
            mask_parts.append(masks_by[last] | (1 << j))
            if j < p - 1:
                col = t[:, i + 1 :, i] * scale[:, None]
                t_parts.append(t[:, i + 1 :, i + 1 :] - col[:, :, None] * col[:, None, :])
                v_parts.append(v[:, i + 1 :] - col * e[:, None])
        masks_by[j] = np.concatenate(mask_parts)
        r2[masks_by[j]] = r2_by[j] = np.concatenate(r2_parts)
        if j < p - 1:
            t_by[j] = np.concatenate(t_parts)
            v_by[j] = np.concatenate(v_parts)
    return r2


def subset_r2_groups(corr_xx: np.ndarray, r_xy: np.ndarray, sizes: list[int]) -> np.ndarray:
    """R² of every subset of groups of drivers, indexed by bit mask over the groups.

    The drivers are ordered group by group (group g holds the next ``sizes[g]`` of them). As in
    ``subset_r2``, subsets grow by their highest group; adding a group sweeps its drivers one after
    the other, each a rank-one update of the residual correlations of the drivers still to come,
    and drops the groups in between that the subset skips.
    """
    g = len(sizes)
    starts = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
    r2 = np.zeros(1 << g)
    # state of the subsets whose highest group is ``last``: the drivers of the groups above it
    masks_by = {-1: np.zeros(1, dtype=np.int64)}
    t_by = {-1: np.asarray(corr_xx, float)[None].copy()}
    v_by = {-1: np.asarray(r_xy, float)[None].copy()}
    r2_by = {-1: np.zeros(1)}
    for j in range(g):
        mask_parts, t_parts, v_parts, r2_parts = [], [], [], []
        for last in range(-1, j):
            offset = starts[j] - starts[last + 1]  # group j's first driver among those above ``last``
            t = t_by[last][:, offset:, offset:]
            v = v_by[last][:, offset:]
            gained = r2_by[last].copy()
            for _ in range(sizes[j]):
                scale = 1.0 / np.sqrt(np.maximum(t[:, 0, 0], 1e-12))
                e = v[:, 0] * scale
                gained = gained + e * e
                col = t[:, 1:, 0] * scale[:, None]
                t = t[:, 1:, 1:] - col[:, :, None] * col[:, None, :]
                v = v[:, 1:] - col * e[:, None]
            r2_parts.append(gained)
            mask_parts.append(masks_by[last] | (1 << j))
            t_parts.append(t)
            v_parts.append(v)
        masks_by[j] = np.concatenate(mask_parts)
        r2[masks_by[j]] = r2_by[j] = np.concatenate(r2_parts)
        if j < g - 1:
            t_by[j] = np.concatenate(t_parts)
            v_by[j] = np.concatenate(v_parts)
    return r2


def lmg_groups(corr_xx: np.ndarray, r_xy: np.ndarray, groups: list[list[int]]) -> np.ndarray:
    """Exact LMG of groups of drivers (relaimpo's ``groups``): each group enters as one player,
    e.g. a touchpoint's rating together with its not-experienced indicator. One share per group."""
    g = len(groups)
    if g > MAX_LMG_DRIVERS:
        raise ValueError(f"exact LMG needs 2^p subsets; {g} drivers is over the limit of {MAX_LMG_DRIVERS}")
    order = [i for group in groups for i in group]
    corr = np.asarray(corr_xx, float)[np.ix_(order, order)]
    r2 = subset_r2_groups(corr, np.asarray(r_xy, float)[order], [len(group) for group in groups])
    return _shapley_shares(r2, g)


def relative_weights_groups(corr_xx: np.ndarray, r_xy: np.ndarray, groups: list[list[int]]) -> np.ndarray:
    """Relative weights of groups of drivers: the sum of their members' weights."""
    weights = relative_weights(corr_xx, r_xy)
    return np.array([weights[group].sum() for group in groups])


def _shapley_shares(r2: np.ndarray, p: int) -> np.ndarray:
    """Each player's LMG share from the R² of every subset of ``p`` players (indexed by bit mask)."""
    _, weights = _lmg_weights(p)
    shares = np.empty(p)
    for j in range(p):
        # masks viewed as (above j, bit j, below j): [:, 0, :] lack j, [:, 1, :] hold it
        shape = (1 << (p - 1 - j), 2, 1 << j)
        with_j, without = r2.reshape(shape)[:, 1, :], r2.reshape(shape)[:, 0, :]
        shares[j] = np.sum(weights.reshape(shape)[:, 0, :] * (with_j - without))
    return shares


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
    return _shapley_shares(r2, p)


def relative_weights(corr_xx: np.ndarray, r_xy: np.ndarray) -> np.ndarray:
    """Johnson's relative weights (they add up to the full model's R²)."""
    values, vectors = np.linalg.eigh(np.asarray(corr_xx, float))
    values = np.clip(values, 0, None)
    lam = vectors @ np.diag(np.sqrt(values)) @ vectors.T  # R^{1/2}, symmetric
    beta = np.linalg.pinv(lam) @ np.asarray(r_xy, float)
    return (lam**2) @ (beta**2)


METHODS = {"lmg": lmg, "relative_weights": relative_weights}
GROUPED = {"lmg": lmg_groups, "relative_weights": relative_weights_groups}


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


def importance_from_cov(
    cov: np.ndarray, n_controls: int = 0, method: str = "lmg", groups: list[list[int]] | None = None
) -> np.ndarray:
    """Importance of each driver (or each group of drivers) as a share of the outcome's total variance.

    ``cov`` is ordered [y, drivers..., controls...]. Without controls these add up to R². With
    controls they add up to R²(all) - R²(controls only). ``groups`` (indices into the drivers) makes
    each group one player, e.g. a rating and its not-experienced indicator.
    """
    corr_xx, r_xy, residual_share = correlation_parts(cov, n_controls)
    if groups is not None:
        return GROUPED[method](corr_xx, r_xy, groups) * residual_share
    return METHODS[method](corr_xx, r_xy) * residual_share
