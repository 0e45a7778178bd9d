"""Bootstrap on block sufficient statistics: a draw is a weighted sum of per-block sums and cross-products.

The blocks are the same on every engine: the resampling units (accounts, or respondents) sorted by
their key when there are at most ``MAX_BLOCKS``, else each unit in block ``hash_block(seed, key)``
(the first 32 bits of the MD5 of ``"<seed>:<key>"``, modulo ``MAX_BLOCKS``), which DuckDB and Spark
compute in SQL alike (``tpnb.pushdown.drivers``); blocks are then ordered by number.
"""

from __future__ import annotations

import hashlib
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


def hash_block(seed: int, key: str) -> int:
    """The block of a resampling unit when there are more than ``MAX_BLOCKS`` units."""
    return int(hashlib.md5(f"{seed}:{key}".encode()).hexdigest()[:8], 16) % MAX_BLOCKS


def unit_keys(design: Design) -> np.ndarray:
    """Each row's resampling unit: its cluster, else its response_id, else its row number."""
    if design.clusters is not None:
        return np.asarray(design.clusters, dtype=object)
    if "response_id" in design.frame.columns:
        return np.asarray(design.frame["response_id"].cast(str).to_list(), dtype=object)
    return np.array([str(i) for i in range(len(design.y))], dtype=object)


def make_blocks(design: Design, seed: int, scale_max: float = 5) -> Blocks:
    """Cut the rows into at most ``MAX_BLOCKS`` blocks of whole units (seeded) and sum each block."""
    n = len(design.y)
    units, unit_of_row = np.unique(unit_keys(design), return_inverse=True) if n else (np.array([]), np.array([]))
    if len(units) > MAX_BLOCKS:
        numbers = np.array([hash_block(seed, key) for key in units])
        block = np.unique(numbers, return_inverse=True)[1][unit_of_row]
    else:
        block = unit_of_row
    block = block.astype(int)
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
