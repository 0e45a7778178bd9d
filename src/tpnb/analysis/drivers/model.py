"""Key drivers: which touchpoints and service-log experiences move NPS and repurchase.

Frames in, results out: ``tpnb.warehouse.read.driver_frame`` gives the frame,
``touchpoint_labels`` the names; nothing here opens the database.

Models
    numeric outcome (NPS 0-10, intent, any numeric attribute): OLS with HC3
    standard errors, or standard errors clustered by account when accounts
    group several respondents. Binary outcome (promoter, detractor, observed
    repurchase, yes/no attributes): logit, same covariance choice.

"Not experienced" ratings (the declared strategy, stated in every result)
    ``indicator`` (default): keep every respondent. The rating enters centred
    on the mean of those who experienced the touchpoint, 0 for those who did
    not, plus a not-experienced indicator; the rating's coefficient is then
    the effect of one rating point among those who experienced it.
    ``complete_case``: only respondents who rated every driver touchpoint.

Importance
    Exact LMG (or Johnson's relative weights) of R² for the drivers, with
    the controls entered first in every order (their R² is reported apart).
    A touchpoint's rating and its not-experienced indicator are one driver
    (a group, as relaimpo's ``groups``). For binary outcomes the same decomposition
    is applied to the linear-probability R² (documented choice: it is the
    Shapley value of the squared correlation between outcome and fit, and it
    shares the bootstrap machinery); coefficients come from the logit.

Bootstrap
    Seeded resampling of respondents, or of whole accounts when clustered.
    The data are cut once into at most 2,000 random blocks of whole clusters
    and each draw resamples blocks with their sufficient statistics, so 200
    draws cost little more than one fit; for independent rows this has the
    same variance as resampling rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl
from scipy import stats

from tpnb.analysis.drivers.bootstrap import block_performance, cov_from_blocks, make_blocks
from tpnb.analysis.drivers.design import (
    EXPERIENCE_DRIVERS,
    at_bound_share,
    driver_groups,
    is_binary,
    prepare_design,
    rating_columns,
    resolve_outcome,
)
from tpnb.analysis.drivers.fit import (
    controls_cov,
    fit_model,
    ordered_logit_check,
    r2_from_cov,
    variance_inflation,
)
from tpnb.analysis.drivers.priority import assign_quadrants
from tpnb.analysis.drivers.result import GroupModel, InsufficientData, KeyDriverResult
from tpnb.analysis.importance import METHODS, importance_from_cov
from tpnb.analysis.multiplicity import adjust


def relative_importance(
    frame: pl.DataFrame,
    outcome: str,
    drivers: Sequence[str],
    method: str = "lmg",
    controls: Sequence[str] = (),
) -> pl.DataFrame:
    """One row per driver with ``driver``, ``importance`` (adds up to R²) and ``share`` (adds up to 1).

    Rows with a missing value in any used column are dropped. ``controls`` are
    entered before the drivers in every order.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    cols = [outcome, *drivers, *controls]
    data = frame.select(cols).drop_nulls().to_numpy().astype(float)
    importance = importance_from_cov(np.cov(data, rowvar=False), len(controls), method)
    return pl.DataFrame(
        {
            "driver": list(drivers),
            "importance": importance,
            "share": importance / importance.sum() if importance.sum() else importance,
        }
    )


def key_drivers(
    frame: pl.DataFrame,
    outcome: str = "nps",
    drivers: Sequence[str] | None = None,
    controls: Sequence[str] = (),
    experience: bool = True,
    strategy: str = "indicator",
    cluster: str | None = "account_id",
    method: str = "lmg",
    bootstrap: int = 200,
    seed: int = 0,
    performance: str = "mean_rating",
    quadrant_lines: tuple[float, float] | None = None,
    exclude_straightliners: bool = False,
    min_n: int = 50,
    labels: dict[str, str] | None = None,
    scale: tuple[float, float] = (1, 5),
    ordered_check: bool = False,
    level: float = 0.95,
    weight: str | None = None,
    adjustment: str = "holm",
) -> KeyDriverResult:
    """Fit the key-driver model of ``outcome`` and rank its drivers.

    Parameters
    ----------
    frame : polars.DataFrame
        One row per response: the outcome, ``tp_<id>`` rating columns (null =
        not experienced), the service-log features and the controls
        (``tpnb.warehouse.read.driver_frame``).
    outcome : str
        ``nps``, ``promoter``, ``detractor``, ``repurchase``, ``repurchase_intent``
        or any numeric / 0-1 column of ``frame``.
    drivers : sequence of str, optional
        Columns to rank; default every ``tp_`` column plus, with ``experience``,
        the service-log features that vary.
    controls : sequence of str
        Columns entered first in every model and every LMG order (e.g. segment, role).
    strategy : {"indicator", "complete_case"}
        How "not experienced" ratings enter (see the module notes).
    cluster : str or None
        Column whose groups share errors (accounts); None for independent rows.
    method : {"lmg", "relative_weights"}
        Relative-importance method.
    bootstrap : int
        Draws for the importance and rank intervals (0: none).
    seed : int
        Seed of the bootstrap.
    min_n : int
        Fewest responses to fit a model.
    labels : dict, optional
        Column -> the name shown for it.

    Returns
    -------
    KeyDriverResult
        ``drivers`` has one row per driver: ``driver``, ``label``, ``kind``,
        ``coef``, ``ci_low``, ``ci_high``, ``p_value``, ``importance`` (adds up
        to R² less the controls' part), ``share``, ``rank``, bootstrap
        intervals, ``performance``, ``reach``, ``vif``, ``quadrant`` and
        ``quadrant_certainty``.

    Raises
    ------
    InsufficientData
        Fewer than ``min_n`` responses (or fewer than the parameters) have the outcome.

    Notes
    -----
    LMG importance of driver j is the average over all orders of the R² it adds
    when it enters: ``LMG_j = sum_S |S|!(p-|S|-1)!/p! (R²(S+j) - R²(S))``,
    computed exactly from the covariance matrix.

    References
    ----------
    Grömping, U. (2006). Relative importance for linear regression in R: the
    package relaimpo. Journal of Statistical Software 17(1).
    """
    if not isinstance(frame, pl.DataFrame):
        raise TypeError("key_drivers takes a polars frame; read one with tpnb.warehouse.read.driver_frame(con)")
    labels = dict(labels or {})
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    outcome_column = resolve_outcome(frame, outcome)
    if drivers is None:
        drivers = rating_columns(frame)
        if experience:
            drivers += [d for d in EXPERIENCE_DRIVERS if d in frame.columns and frame[d].drop_nulls().n_unique() > 1]
    drivers = list(drivers)
    missing = [d for d in [*drivers, *controls] if d not in frame.columns]
    if missing:
        raise ValueError(f"column(s) not in the data: {', '.join(missing)}")
    design, info = prepare_design(
        frame, outcome_column, drivers, controls, strategy, cluster, exclude_straightliners, weight
    )
    n = len(design.y)
    notes: list[str] = []
    if n < max(min_n, len(drivers) + len(design.control_names) + 2):
        required = max(min_n, len(drivers) + len(design.control_names) + 2)
        raise InsufficientData(
            f"{n} responses with '{outcome}' are too few for {len(drivers)} drivers (minimum {min_n}); no model fitted",
            n=n,
            required=required,
        )
    # Drop drivers without variance (e.g. a touchpoint nobody experienced).
    keep = design.drivers.std(axis=0) > 0
    if not keep.all():
        notes.append("no variation, left out: " + ", ".join(d for d, k in zip(drivers, keep, strict=True) if not k))
        drivers = [d for d, k in zip(drivers, keep, strict=True) if k]
        design, info = prepare_design(
            frame, outcome_column, drivers, controls, strategy, cluster, exclude_straightliners, weight
        )
    binary = is_binary(design.y)
    fit, names, model_label, converged, fit_notes = fit_model(design, binary)
    notes += fit_notes
    if not converged:
        notes.append("the logit did not converge; treat its coefficients with care")

    # survey weights: the weighted covariance, so LMG decomposes the weighted R²
    cov = np.cov(np.column_stack([design.y, design.drivers, design.controls]), rowvar=False, aweights=design.weights)
    order, groups, q_true = driver_groups(design)
    importance = importance_from_cov(cov[np.ix_(order, order)], q_true, method, groups)
    r2_full = float(r2_from_cov(cov))
    r2_controls = float(r2_from_cov(controls_cov(cov[np.ix_(order, order)], q_true))) if q_true else 0.0

    rng = np.random.default_rng(seed)
    blocks = make_blocks(design, rng, scale[1])
    perf_point = block_performance(blocks, np.ones(len(blocks.count)), performance)
    boot_imp, boot_perf = [], []
    for _ in range(bootstrap):
        w = rng.multinomial(len(blocks.count), np.full(len(blocks.count), 1 / len(blocks.count))).astype(float)
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
    conf = fit.conf_int(alpha=1 - level)
    coef_index = [names.index(d) for d in drivers]
    ranks = (-importance).argsort().argsort() + 1
    result = {
        "driver": drivers,
        "label": [labels.get(d, labels.get(d[3:], d)) for d in drivers],
        "kind": ["touchpoint" if r else "service_log" for r in design.is_rating],
        "coef": np.asarray(fit.params)[coef_index],
        "ci_low": np.asarray(conf)[coef_index, 0],
        "ci_high": np.asarray(conf)[coef_index, 1],
        "p_value": np.asarray(fit.pvalues)[coef_index],
        # Holm (or Benjamini-Hochberg) over the model's drivers: a page reads them all at once
        "p_adjusted": adjust(np.asarray(fit.pvalues)[coef_index], adjustment),
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
    reach = np.average(design.experienced, axis=0, weights=design.w)
    result["performance"] = np.where(design.is_rating, perf_point, np.nan)
    result["reach"] = np.where(design.is_rating, reach, np.nan)
    # What one rating step moves among those who experienced the touchpoint (outcome units; for a
    # logit the average marginal effect on the probability), and that spread over every respondent.
    slope = result["coef"]
    if binary:
        fitted = np.asarray(fit.predict())
        slope = slope * float(np.mean(fitted * (1 - fitted)))
    result["impact"] = np.where(design.is_rating, slope, np.nan)
    result["impact_reach"] = np.where(design.is_rating, slope * reach, np.nan)
    result["vif"] = variance_inflation(design)

    # The priority matrix: touchpoints only (service-log features have no rating).
    tp = design.is_rating
    quadrant = np.full(len(drivers), None, dtype=object)
    certainty = np.full(len(drivers), np.nan)
    if tp.any():
        x_line, y_line = quadrant_lines or (
            float(np.median(importance[tp])),
            float(np.median(perf_point[tp])),
        )
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
        "n": n,
        "bootstrap_draws": int(len(boot_imp)),
        "bootstrap_unit": "account" if design.clusters is not None else "respondent",
        # answers at the scale's ends: above 20 %, OLS coefficients are pulled toward 0 (a ceiling)
        "at_bound_share": at_bound_share(design.y, outcome_column),
        "controls": list(controls),
        "control_terms": design.control_names,
        "max_vif": float(np.max(result["vif"])) if len(drivers) else None,
        "converged": converged,
        "importance_basis": "linear-probability R²" if binary else "R²",
        "weights": "raked" if design.weights is not None else "none",
        "p_adjustment": adjustment,
    }
    if design.weights is not None:
        w = design.weights
        diagnostics["kish_n"] = float(w.sum() ** 2 / (w**2).sum())
    if ordered_check and not binary and outcome_column == "nps":
        diagnostics["ordered_logit"] = ordered_logit_check(design, rng)
    return KeyDriverResult(
        outcome=outcome,
        model=model_label,
        n=n,
        r2=r2_full,
        r2_controls=r2_controls,
        strategy=strategy,
        method=method,
        drivers=table,
        diagnostics=diagnostics,
        notes=notes,
    )


def key_drivers_by(frame: pl.DataFrame, by: str, min_n: int = 200, **kwargs) -> list[GroupModel]:
    """One model per level of ``by`` (role, segment, ...).

    Parameters
    ----------
    frame : polars.DataFrame
        As for ``key_drivers``.
    by : str
        The column whose levels get a model each.
    min_n : int
        Fewest responses for a level's model.
    **kwargs
        Passed to ``key_drivers``.

    Returns
    -------
    list of GroupModel
        One per level, sorted: its model, or ``skipped`` with the reason.
    """
    out: list[GroupModel] = []
    for level in sorted(frame[by].drop_nulls().unique().to_list()):
        part = frame.filter(pl.col(by) == level)
        try:
            out.append(GroupModel(level, part.height, result=key_drivers(part, min_n=min_n, **kwargs)))
        except InsufficientData as exc:
            out.append(GroupModel(level, part.height, skipped=exc))
    return out


def truth_recovery(result: KeyDriverResult, true_weights: dict[str, float]) -> float:
    """Spearman correlation of estimated coefficients with the generator's true weights."""
    table = result.drivers.filter(pl.col("driver").str.starts_with("tp_"))
    est = dict(zip(table["driver"].to_list(), table["coef"].to_list(), strict=True))
    keys = [k for k in true_weights if f"tp_{k}" in est]
    return float(stats.spearmanr([true_weights[k] for k in keys], [est[f"tp_{k}"] for k in keys]).statistic)


__all__ = [
    "GroupModel",
    "InsufficientData",
    "KeyDriverResult",
    "key_drivers",
    "key_drivers_by",
    "relative_importance",
    "truth_recovery",
]
