"""From a fitted model, its covariance and its blocks to the result: importance, bootstrap intervals,
performance, reach, impact, quadrants and diagnostics.

Shared by the model fitted on rows (``model.key_drivers``) and the model fitted on an engine's
sums (``sums.key_drivers_from_sums``), so both state the same things the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from tpnb.analysis.drivers.bootstrap import Blocks, block_performance, cov_from_blocks
from tpnb.analysis.drivers.design import driver_groups
from tpnb.analysis.drivers.fit import controls_cov, r2_from_cov
from tpnb.analysis.drivers.priority import assign_quadrants
from tpnb.analysis.drivers.result import KeyDriverResult
from tpnb.analysis.importance import importance_from_cov
from tpnb.analysis.multiplicity import adjust


@dataclass
class Fitted:
    """A fitted model, for its drivers: coefficients, intervals and p-values, and what it states."""

    coef: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    p_value: np.ndarray
    label: str
    converged: bool = True
    notes: list[str] = field(default_factory=list)
    slope_factor: float = 1.0  # a logit's mean p(1 - p): coefficient -> average marginal effect


@dataclass
class Layout:
    """What the result needs to know of the design, on rows or on sums."""

    outcome: str
    driver_names: list[str]
    control_names: list[str]
    is_rating: np.ndarray
    n: int
    clustered: bool
    binary: bool
    weighted: bool = False
    kish_n: float | None = None
    at_bound_share: float | None = None


def assemble(
    layout: Layout,
    fitted: Fitted,
    cov: np.ndarray,
    blocks: Blocks,
    vif: np.ndarray,
    rng: np.random.Generator,
    *,
    bootstrap: int,
    method: str,
    performance: str,
    quadrant_lines: tuple[float, float] | None,
    labels: dict[str, str],
    level: float,
    adjustment: str,
    strategy: str,
    controls: list[str],
    info: dict,
    notes: list[str],
) -> KeyDriverResult:
    """The KeyDriverResult of a fitted model. ``cov`` is the (weighted) covariance of [y, drivers,
    controls]; ``blocks`` the per-block sums the bootstrap resamples with ``rng``."""
    drivers = layout.driver_names
    order, groups, q_true = driver_groups(drivers, layout.control_names)
    importance = importance_from_cov(cov[np.ix_(order, order)], q_true, method, groups)
    r2_full = float(r2_from_cov(cov))
    r2_controls = float(r2_from_cov(controls_cov(cov[np.ix_(order, order)], q_true))) if q_true else 0.0

    perf_point = block_performance(blocks, np.ones(len(blocks.count)), performance)
    boot_imp, boot_perf = [], []
    g = len(blocks.count)
    for _ in range(bootstrap):
        w = rng.multinomial(g, np.full(g, 1 / g)).astype(float)
        try:
            boot_imp.append(
                importance_from_cov(cov_from_blocks(blocks, w)[np.ix_(order, order)], q_true, method, groups)
            )
        except np.linalg.LinAlgError:
            continue
        boot_perf.append(block_performance(blocks, w, performance))
    boot_imp = np.array(boot_imp) if boot_imp else np.empty((0, len(drivers)))
    boot_perf = np.array(boot_perf) if boot_perf else np.empty((0, len(drivers)))

    alpha = (1 - level) / 2
    ranks = (-importance).argsort().argsort() + 1
    result = {
        "driver": drivers,
        "label": [labels.get(d, labels.get(d[3:], d)) for d in drivers],
        "kind": ["touchpoint" if r else "service_log" for r in layout.is_rating],
        "coef": fitted.coef,
        "ci_low": fitted.ci_low,
        "ci_high": fitted.ci_high,
        "p_value": fitted.p_value,
        # Holm (or Benjamini-Hochberg) over the model's drivers: a page reads them all at once
        "p_adjusted": adjust(fitted.p_value, adjustment),
        "importance": importance,
        "share": importance / importance.sum() if importance.sum() > 0 else importance,
        "rank": ranks,
    }
    if len(boot_imp):
        boot_ranks = (-boot_imp).argsort(axis=1).argsort(axis=1) + 1
        result["importance_ci_low"] = np.quantile(boot_imp, alpha, axis=0)
        result["importance_ci_high"] = np.quantile(boot_imp, 1 - alpha, axis=0)
        result["rank_ci_low"] = np.quantile(boot_ranks, alpha, axis=0, method="lower")
        result["rank_ci_high"] = np.quantile(boot_ranks, 1 - alpha, axis=0, method="higher")
    else:
        for k in ("importance_ci_low", "importance_ci_high", "rank_ci_low", "rank_ci_high"):
            result[k] = np.full(len(drivers), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        reach = blocks.seen.sum(axis=0) / blocks.count.sum()
    tp = layout.is_rating
    result["performance"] = np.where(tp, perf_point, np.nan)
    result["reach"] = np.where(tp, reach, np.nan)
    # What one rating step moves among those who experienced the touchpoint (outcome units; for a
    # logit the average marginal effect on the probability), and that spread over every respondent.
    slope = fitted.coef * fitted.slope_factor
    result["impact"] = np.where(tp, slope, np.nan)
    result["impact_reach"] = np.where(tp, slope * reach, np.nan)
    result["vif"] = vif

    # The priority matrix: touchpoints only (service-log features have no rating).
    quadrant = np.full(len(drivers), None, dtype=object)
    certainty = np.full(len(drivers), np.nan)
    if tp.any():
        x_line, y_line = quadrant_lines or (float(np.median(importance[tp])), float(np.median(perf_point[tp])))
        quadrant[tp] = assign_quadrants(importance[tp], perf_point[tp], x_line, y_line)
        if len(boot_imp):
            # In each draw the lines move with the draw when they are medians.
            agree = []
            for bi, bp in zip(boot_imp, boot_perf, strict=True):
                lines = quadrant_lines or (np.median(bi[tp]), np.median(bp[tp]))
                agree.append(assign_quadrants(bi[tp], bp[tp], *lines) == quadrant[tp])
            certainty[tp] = np.mean(agree, axis=0)
        info["quadrant_lines"] = {
            "importance": x_line,
            "performance": y_line,
            "rule": "configured" if quadrant_lines else "medians of the touchpoints",
        }
    result["quadrant"] = quadrant.tolist()
    result["quadrant_certainty"] = certainty
    table = pl.DataFrame(result, strict=False).sort("importance", descending=True)

    diagnostics = {
        **info,
        "n": layout.n,
        "bootstrap_draws": int(len(boot_imp)),
        "bootstrap_unit": "account" if layout.clustered else "respondent",
        # answers at the scale's ends: above 20 %, OLS coefficients are pulled toward 0 (a ceiling)
        "at_bound_share": layout.at_bound_share,
        "controls": list(controls),
        "control_terms": layout.control_names,
        "max_vif": float(np.max(vif)) if len(drivers) else None,
        "converged": fitted.converged,
        "importance_basis": "linear-probability R²" if layout.binary else "R²",
        "weights": "raked" if layout.weighted else "none",
        "p_adjustment": adjustment,
    }
    if layout.kish_n is not None:
        diagnostics["kish_n"] = layout.kish_n
    return KeyDriverResult(
        outcome=layout.outcome,
        model=fitted.label,
        n=layout.n,
        r2=r2_full,
        r2_controls=r2_controls,
        strategy=strategy,
        method=method,
        drivers=table,
        diagnostics=diagnostics,
        notes=[*notes, *fitted.notes]
        + ([] if fitted.converged else ["the logit did not converge; treat its coefficients with care"]),
    )


def vif_from_cov(cov: np.ndarray, p: int) -> np.ndarray:
    """Variance inflation of each of the ``p`` drivers: the diagonal of the inverse correlation
    matrix of [drivers, controls] (``cov`` without its outcome row and column)."""
    x = cov[1:, 1:]
    if x.shape[0] == 0:
        return np.array([])
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.sqrt(np.diag(x))
        corr = x / np.outer(sd, sd)
    inv = np.linalg.pinv(np.nan_to_num(np.atleast_2d(corr)))
    return np.diag(inv)[:p]
