"""Bootstrap on block sufficient statistics: a draw is a weighted sum of per-block sums and cross-products."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tpnb.analysis.drivers.design import Design

MAX_BLOCKS = 2000


@dataclass
class Blocks:
    """Per-block sums of the data, so a bootstrap draw is a weighted sum of blocks."""

    count: np.ndarray  # G
    sums: np.ndarray  # G x k      (k = 1 + p + q columns: y, drivers, controls)
    cross: np.ndarray  # G x k x k
    rating_sum: np.ndarray  # G x p  (ratings among the experienced)
    seen: np.ndarray  # G x p
    top2: np.ndarray  # G x p


def make_blocks(design: Design, rng: np.random.Generator, scale_max: float = 5) -> Blocks:
    """Cut the rows into at most ``MAX_BLOCKS`` random blocks of whole clusters and sum each block."""
    n = len(design.y)
    cluster_ids = np.unique(design.clusters, return_inverse=True)[1] if design.clusters is not None else np.arange(n)
    n_clusters = int(cluster_ids.max()) + 1 if n else 0
    block_of_cluster = (rng.permutation(n_clusters) % MAX_BLOCKS) if n_clusters > MAX_BLOCKS else np.arange(n_clusters)
    block = block_of_cluster[cluster_ids]
    g = int(block.max()) + 1 if n else 0
    z = np.column_stack([design.y, design.drivers, design.controls])
    k = z.shape[1]
    w = design.w  # survey weights: a block holds weighted sums (ones when unweighted)
    count = np.bincount(block, weights=w, minlength=g).astype(float)
    sums = np.zeros((g, k))
    np.add.at(sums, block, z * w[:, None])
    # cross products per block: sort by block and reduce, done in chunks of columns
    order = np.argsort(block, kind="stable")
    zs, bs, ws = z[order], block[order], w[order]
    starts = np.searchsorted(bs, np.arange(g))
    cross = np.einsum("ni,nj->nij", zs * ws[:, None], zs) if n * k * k <= 5e7 else None
    if cross is not None:
        cross = np.add.reduceat(cross, starts, axis=0)
    else:
        cross = np.empty((g, k, k))
        for i in range(k):
            cross[:, i, :] = np.add.reduceat(zs * (zs[:, [i]] * ws[:, None]), starts, axis=0)
    raw = np.nan_to_num(design.raw_ratings) * w[:, None]
    seen = (~np.isnan(design.raw_ratings)).astype(float) * w[:, None]
    rating_sum = np.zeros((g, raw.shape[1]))
    seen_sum = np.zeros_like(rating_sum)
    top2 = np.zeros_like(rating_sum)
    np.add.at(rating_sum, block, raw)
    np.add.at(seen_sum, block, seen)
    np.add.at(top2, block, (np.nan_to_num(design.raw_ratings) >= scale_max - 1) * seen)
    return Blocks(count, sums, cross, rating_sum, seen_sum, top2)


def cov_from_blocks(blocks: Blocks, weights: np.ndarray) -> np.ndarray:
    """The covariance matrix of a bootstrap draw that takes each block ``weights`` times (with survey
    weights, the weighted covariance; the n - 1 correction then uses the weight total)."""
    n = weights @ blocks.count
    s = weights @ blocks.sums
    cross = np.tensordot(weights, blocks.cross, axes=1)
    mean = s / n
    return (cross - n * np.outer(mean, mean)) / (n - 1)


def block_performance(blocks: Blocks, w: np.ndarray, performance: str) -> np.ndarray:
    """Mean rating (or top-2 share) per driver for a draw that takes each block ``weights`` times."""
    seen = w @ blocks.seen
    with np.errstate(invalid="ignore", divide="ignore"):
        if performance == "top2_share":
            return (w @ blocks.top2) / seen
        return (w @ blocks.rating_sum) / seen
