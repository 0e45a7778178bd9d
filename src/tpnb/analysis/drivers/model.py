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

from tpnb.analysis.drivers.assemble import Fitted, Layout, assemble
from tpnb.analysis.drivers.bootstrap import make_blocks
from tpnb.analysis.drivers.design import (
    EXPERIENCE_DRIVERS,
    at_bound_share,
    is_binary,
    prepare_design,
    rating_columns,
    resolve_outcome,
)
from tpnb.analysis.drivers.fit import fit_model, ordered_logit_check, variance_inflation
from tpnb.analysis.drivers.result import GroupModel, InsufficientData, KeyDriverResult
from tpnb.analysis.importance import METHODS, importance_from_cov


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
    coef_index = [names.index(d) for d in drivers]
    conf = np.asarray(fit.conf_int(alpha=1 - level))
    fitted = Fitted(
        coef=np.asarray(fit.params)[coef_index],
        ci_low=conf[coef_index, 0],
        ci_high=conf[coef_index, 1],
        p_value=np.asarray(fit.pvalues)[coef_index],
        label=model_label,
        converged=converged,
        notes=fit_notes,
    )
    if binary:
        fitted_p = np.asarray(fit.predict())
        fitted.slope_factor = float(np.mean(fitted_p * (1 - fitted_p)))
    # survey weights: the weighted covariance, so LMG decomposes the weighted R²
    cov = np.cov(np.column_stack([design.y, design.drivers, design.controls]), rowvar=False, aweights=design.weights)
    layout = Layout(
        outcome=outcome,
        driver_names=drivers,
        control_names=design.control_names,
        is_rating=design.is_rating,
        n=n,
        clustered=design.clusters is not None,
        binary=binary,
        weighted=design.weights is not None,
        kish_n=float(design.weights.sum() ** 2 / (design.weights**2).sum()) if design.weights is not None else None,
        at_bound_share=at_bound_share(design.y, outcome_column),
    )
    rng = np.random.default_rng(seed)
    result = assemble(
        layout,
        fitted,
        cov,
        make_blocks(design, seed, scale[1]),
        variance_inflation(design),
        rng,
        bootstrap=bootstrap,
        method=method,
        performance=performance,
        quadrant_lines=quadrant_lines,
        labels=labels,
        level=level,
        adjustment=adjustment,
        strategy=strategy,
        controls=list(controls),
        info=info,
        notes=notes,
    )
    if ordered_check and not binary and outcome_column == "nps":
        result.diagnostics["ordered_logit"] = ordered_logit_check(design, rng)
    return result


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
