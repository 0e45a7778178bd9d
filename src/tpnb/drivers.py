"""Key drivers: which touchpoints and service-log experiences move NPS and repurchase.

Frames in, results out (``key_drivers`` also accepts a connection and reads
the marts through ``tpnb.warehouse``).

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
    controls and not-experienced indicators entered first in every order
    (their R² is reported apart). For binary outcomes the same decomposition
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

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl
from scipy import stats

from tpnb.importance import METHODS, correlation_parts, importance_from_cov, lmg

OUTCOME_COLUMNS = {"nps": "nps", "promoter": "is_promoter", "detractor": "is_detractor",
                   "repurchase": "repurchased", "repurchase_intent": "repurchase_intent"}
EXPERIENCE_DRIVERS = ("was_passed_around", "had_late_answer", "had_missed_callback")
STRATEGIES = ("indicator", "complete_case")
QUADRANTS = ("fix first", "keep up", "maintain", "low priority")
MAX_BLOCKS = 2000
MIN_NOT_EXPERIENCED = 30  # fewer "not experienced" than this: those respondents are left out, no indicator


@dataclass
class KeyDriverResult:
    """Everything a report or a script needs from one key-driver model."""

    outcome: str
    model: str
    n: int
    r2: float
    r2_controls: float
    strategy: str
    method: str
    drivers: pl.DataFrame
    diagnostics: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        """The JSON contract of ``tpnb drivers --json``."""
        return {
            "outcome": self.outcome, "model": self.model, "n": self.n, "r2": self.r2,
            "r2_controls": self.r2_controls, "strategy": self.strategy, "method": self.method,
            "drivers": self.drivers.to_dicts(), "diagnostics": self.diagnostics, "notes": self.notes,
        }


# --- relative importance on a plain frame -------------------------------------------

def relative_importance(frame: pl.DataFrame, outcome: str, drivers: Sequence[str], method: str = "lmg",
                        controls: Sequence[str] = ()) -> pl.DataFrame:
    """One row per driver with ``driver``, ``importance`` (adds up to R²) and ``share`` (adds up to 1).

    Rows with a missing value in any used column are dropped. ``controls`` are
    entered before the drivers in every order.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    cols = [outcome, *drivers, *controls]
    data = frame.select(cols).drop_nulls().to_numpy().astype(float)
    importance = importance_from_cov(np.cov(data, rowvar=False), len(controls), method)
    return pl.DataFrame({"driver": list(drivers), "importance": importance,
                         "share": importance / importance.sum() if importance.sum() else importance})


# --- preparing the design ---------------------------------------------------------

@dataclass
class Design:
    y: np.ndarray
    drivers: np.ndarray              # n x p (centred ratings / experience flags)
    controls: np.ndarray             # n x q (indicators, dummies)
    driver_names: list[str]
    control_names: list[str]
    experienced: np.ndarray          # n x p, 1 where the driver's touchpoint was experienced (1 for non-ratings)
    raw_ratings: np.ndarray          # n x p, the rating (nan where not experienced / not a rating)
    clusters: np.ndarray | None
    is_rating: np.ndarray            # p booleans
    frame: pl.DataFrame              # the rows used


def resolve_outcome(frame: pl.DataFrame, outcome: str) -> str:
    column = OUTCOME_COLUMNS.get(outcome, outcome)
    if column not in frame.columns:
        raise ValueError(f"outcome '{outcome}' not found; known: {', '.join(OUTCOME_COLUMNS)} "
                         f"or a numeric / yes-no survey column")
    return column


def rating_columns(frame: pl.DataFrame) -> list[str]:
    return [c for c in frame.columns if c.startswith("tp_")]


def is_binary(values: np.ndarray) -> bool:
    finite = values[~np.isnan(values)]
    return finite.size > 0 and set(np.unique(finite)) <= {0.0, 1.0}


def prepare_design(frame: pl.DataFrame, outcome_column: str, drivers: Sequence[str], controls: Sequence[str],
                   strategy: str = "indicator", cluster: str | None = None,
                   exclude_straightliners: bool = False) -> tuple[Design, dict]:
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {', '.join(STRATEGIES)}, got {strategy!r}")
    info: dict = {}
    data = frame.filter(pl.col(outcome_column).is_not_null())
    ratings = [d for d in drivers if d.startswith("tp_")]
    if ratings:
        rated = data.select(ratings)
        count = rated.select(pl.sum_horizontal(pl.all().is_not_null())).to_series()
        spread = rated.select(pl.max_horizontal(pl.all()) - pl.min_horizontal(pl.all())).to_series()
        straight = (count >= 4) & (spread == 0)
        info["straightliner_share"] = float(straight.mean()) if data.height else 0.0
        if exclude_straightliners:
            data = data.filter(~straight)
    if strategy == "complete_case" and ratings:
        data = data.drop_nulls(ratings)
    if strategy == "indicator" and ratings:
        # An indicator for a handful of respondents is unstable (it can separate a binary
        # outcome perfectly): those few respondents are left out instead.
        rare = [d for d in ratings if 0 < data[d].null_count() < MIN_NOT_EXPERIENCED]
        if rare:
            info["rare_not_experienced_dropped"] = {d: int(data[d].null_count()) for d in rare}
            data = data.drop_nulls(rare)
    other = [d for d in drivers if not d.startswith("tp_")]
    data = data.drop_nulls(other) if other else data
    y = data[outcome_column].cast(pl.Float64).to_numpy()

    driver_cols, experienced, raw = [], [], []
    controls_cols, control_names = [], []
    for d in drivers:
        values = data[d].cast(pl.Float64).to_numpy()
        if d.startswith("tp_"):
            seen = ~np.isnan(values)
            mean = values[seen].mean() if seen.any() else 0.0
            driver_cols.append(np.where(seen, values - mean, 0.0))
            experienced.append(seen.astype(float))
            raw.append(values)
            if strategy == "indicator" and (~seen).any() and seen.any():
                controls_cols.append((~seen).astype(float))
                control_names.append(f"not_experienced_{d[3:]}")
        else:
            driver_cols.append(values)
            experienced.append(np.ones_like(values))
            raw.append(np.full_like(values, np.nan))
    for c in controls:
        levels = data[c].cast(pl.String).fill_null("unknown")
        counts = levels.value_counts(sort=True)
        names = counts[c].to_list()
        for level in names[1:]:  # the most common level is the reference
            controls_cols.append((levels == level).to_numpy().astype(float))
            control_names.append(f"{c}={level}")
    n = data.height
    design = Design(
        y=y,
        drivers=np.column_stack(driver_cols) if driver_cols else np.empty((n, 0)),
        controls=np.column_stack(controls_cols) if controls_cols else np.empty((n, 0)),
        driver_names=list(drivers),
        control_names=control_names,
        experienced=np.column_stack(experienced) if experienced else np.empty((n, 0)),
        raw_ratings=np.column_stack(raw) if raw else np.empty((n, 0)),
        clusters=data[cluster].cast(pl.String).to_numpy() if cluster and cluster in data.columns else None,
        is_rating=np.array([d.startswith("tp_") for d in drivers]),
        frame=data,
    )
    return design, info


# --- fitting --------------------------------------------------------------------

def _fit(design: Design, binary: bool):
    import statsmodels.api as sm

    x = np.column_stack([np.ones(len(design.y)), design.drivers, design.controls])
    names = ["const", *design.driver_names, *design.control_names]
    use_cluster = design.clusters is not None and len(np.unique(design.clusters)) < len(design.y)
    if use_cluster:
        groups = np.unique(design.clusters, return_inverse=True)[1]
        cov = {"cov_type": "cluster", "cov_kwds": {"groups": groups}}
    else:
        cov = {"cov_type": "HC3"} if not binary else {"cov_type": "HC0"}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if binary:
            model = sm.Logit(design.y, x)
            fit = model.fit(disp=0, maxiter=100, **cov)
            if not fit.mle_retvals.get("converged", True):
                # Newton can stall on a nearly separated indicator; L-BFGS from there settles it.
                fit = model.fit(disp=0, maxiter=2000, method="lbfgs", start_params=fit.params, **cov)
            label = "logit" + (", SE clustered by account" if use_cluster else ", robust SE")
            converged = bool(fit.mle_retvals.get("converged", True))
        else:
            fit = sm.OLS(design.y, x).fit(method="qr", **cov)
            label = "OLS" + (", SE clustered by account" if use_cluster else ", HC3 robust SE")
            converged = True
    notes = sorted({str(w.message).splitlines()[0] for w in caught
                    if not (converged and "failed to converge" in str(w.message))})
    return fit, names, label, converged, notes


def _vif(design: Design) -> np.ndarray:
    x = np.column_stack([design.drivers, design.controls])
    if x.shape[1] == 0:
        return np.array([])
    corr = np.corrcoef(x, rowvar=False)
    corr = np.atleast_2d(corr)
    inv = np.linalg.pinv(np.nan_to_num(corr))
    return np.diag(inv)[: design.drivers.shape[1]]


# --- bootstrap on block sufficient statistics -------------------------------------

@dataclass
class Blocks:
    """Per-block sums of the data, so a bootstrap draw is a weighted sum of blocks."""

    count: np.ndarray      # G
    sums: np.ndarray       # G x k      (k = 1 + p + q columns: y, drivers, controls)
    cross: np.ndarray      # G x k x k
    rating_sum: np.ndarray  # G x p  (ratings among the experienced)
    seen: np.ndarray        # G x p
    top2: np.ndarray        # G x p


def make_blocks(design: Design, rng: np.random.Generator, scale_max: float = 5) -> Blocks:
    n = len(design.y)
    cluster_ids = (np.unique(design.clusters, return_inverse=True)[1]
                   if design.clusters is not None else np.arange(n))
    n_clusters = int(cluster_ids.max()) + 1 if n else 0
    block_of_cluster = (rng.permutation(n_clusters) % MAX_BLOCKS) if n_clusters > MAX_BLOCKS else np.arange(n_clusters)
    block = block_of_cluster[cluster_ids]
    g = int(block.max()) + 1 if n else 0
    z = np.column_stack([design.y, design.drivers, design.controls])
    k = z.shape[1]
    count = np.bincount(block, minlength=g).astype(float)
    sums = np.zeros((g, k))
    np.add.at(sums, block, z)
    # cross products per block: sort by block and reduce, done in chunks of columns
    order = np.argsort(block, kind="stable")
    zs, bs = z[order], block[order]
    starts = np.searchsorted(bs, np.arange(g))
    cross = np.einsum("ni,nj->nij", zs, zs) if n * k * k <= 5e7 else None
    if cross is not None:
        cross = np.add.reduceat(cross, starts, axis=0)
    else:
        cross = np.empty((g, k, k))
        for i in range(k):
            cross[:, i, :] = np.add.reduceat(zs * zs[:, [i]], starts, axis=0)
    raw = np.nan_to_num(design.raw_ratings)
    seen = (~np.isnan(design.raw_ratings)).astype(float)
    rating_sum = np.zeros((g, raw.shape[1]))
    seen_sum = np.zeros_like(rating_sum)
    top2 = np.zeros_like(rating_sum)
    np.add.at(rating_sum, block, raw)
    np.add.at(seen_sum, block, seen)
    np.add.at(top2, block, (raw >= scale_max - 1) * seen)
    return Blocks(count, sums, cross, rating_sum, seen_sum, top2)


def cov_from_blocks(blocks: Blocks, weights: np.ndarray) -> np.ndarray:
    n = weights @ blocks.count
    s = weights @ blocks.sums
    cross = np.tensordot(weights, blocks.cross, axes=1)
    mean = s / n
    return (cross - n * np.outer(mean, mean)) / (n - 1)


def _quadrant(importance: np.ndarray, performance: np.ndarray, x_line: float, y_line: float) -> np.ndarray:
    important = importance >= x_line
    strong = performance >= y_line
    return np.where(important & ~strong, QUADRANTS[0],
                    np.where(important & strong, QUADRANTS[1], np.where(strong, QUADRANTS[2], QUADRANTS[3])))


# --- the analysis ------------------------------------------------------------------

def key_drivers(source, outcome: str = "nps", drivers: Sequence[str] | None = None,
                controls: Sequence[str] = (), experience: bool = True, strategy: str = "indicator",
                cluster: str | None = "account_id", method: str = "lmg", bootstrap: int = 200,
                seed: int = 0, performance: str = "mean_rating", quadrant_lines: tuple[float, float] | None = None,
                exclude_straightliners: bool = False, min_n: int = 50, labels: dict[str, str] | None = None,
                scale: tuple[float, float] = (1, 5), ordered_check: bool = False,
                level: float = 0.95) -> KeyDriverResult:
    """Fit the key-driver model of ``outcome`` and rank its drivers.

    ``source`` is a DuckDB connection (reads the marts) or a polars frame
    with one row per response, ``tp_<id>`` rating columns (null = not
    experienced) and the outcome. ``drivers`` defaults to every rating column
    plus, with ``experience``, the service-log features. ``controls`` (e.g.
    segment, role, period) enter every model first.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    frame, catalogue = _frame_and_labels(source, outcome)
    labels = {**catalogue, **(labels or {})}
    outcome_column = resolve_outcome(frame, outcome)
    if drivers is None:
        drivers = rating_columns(frame)
        if experience:
            drivers += [d for d in EXPERIENCE_DRIVERS if d in frame.columns and frame[d].drop_nulls().n_unique() > 1]
    drivers = list(drivers)
    missing = [d for d in [*drivers, *controls] if d not in frame.columns]
    if missing:
        raise ValueError(f"column(s) not in the data: {', '.join(missing)}")
    design, info = prepare_design(frame, outcome_column, drivers, controls, strategy, cluster,
                                  exclude_straightliners)
    n = len(design.y)
    notes: list[str] = []
    if n < max(min_n, len(drivers) + len(design.control_names) + 2):
        raise InsufficientData(f"{n} responses with '{outcome}' are too few for {len(drivers)} drivers "
                               f"(minimum {min_n}); no model fitted")
    # Drop drivers without variance (e.g. a touchpoint nobody experienced).
    keep = design.drivers.std(axis=0) > 0
    if not keep.all():
        notes.append("no variation, left out: " + ", ".join(d for d, k in zip(drivers, keep, strict=True) if not k))
        drivers = [d for d, k in zip(drivers, keep, strict=True) if k]
        design, info = prepare_design(frame, outcome_column, drivers, controls, strategy, cluster,
                                      exclude_straightliners)
    binary = is_binary(design.y)
    fit, names, model_label, converged, fit_notes = _fit(design, binary)
    notes += fit_notes
    if not converged:
        notes.append("the logit did not converge; treat its coefficients with care")

    cov = np.cov(np.column_stack([design.y, design.drivers, design.controls]), rowvar=False)
    q = design.controls.shape[1]
    importance = importance_from_cov(cov, q, method)
    r2_full = float(_r2(cov))
    r2_controls = float(_r2(_subcov(cov, q))) if q else 0.0

    rng = np.random.default_rng(seed)
    blocks = make_blocks(design, rng, scale[1])
    perf_point = _performance(blocks, np.ones(len(blocks.count)), performance)
    boot_imp, boot_perf = [], []
    for _ in range(bootstrap):
        w = rng.multinomial(len(blocks.count), np.full(len(blocks.count), 1 / len(blocks.count))).astype(float)
        try:
            boot_imp.append(importance_from_cov(cov_from_blocks(blocks, w), q, method))
        except np.linalg.LinAlgError:
            continue
        boot_perf.append(_performance(blocks, w, performance))
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
    reach = design.experienced.mean(axis=0)
    result["performance"] = np.where(design.is_rating, perf_point, np.nan)
    result["reach"] = np.where(design.is_rating, reach, np.nan)
    result["vif"] = _vif(design)

    # The priority matrix: touchpoints only (service-log features have no rating).
    tp = design.is_rating
    quadrant = np.full(len(drivers), None, dtype=object)
    certainty = np.full(len(drivers), np.nan)
    if tp.any():
        x_line, y_line = quadrant_lines or (float(np.median(importance[tp])), float(np.median(perf_point[tp])))
        quadrant[tp] = _quadrant(importance[tp], perf_point[tp], x_line, y_line)
        if len(boot_imp):
            # In each draw the lines move with the draw when they are medians.
            agree = []
            for bi, bp in zip(boot_imp, boot_perf, strict=True):
                lines = quadrant_lines or (np.median(bi[tp]), np.median(bp[tp]))
                agree.append(_quadrant(bi[tp], bp[tp], *lines) == quadrant[tp])
            certainty[tp] = np.mean(agree, axis=0)
        info["quadrant_lines"] = {"importance": x_line, "performance": y_line,
                                  "rule": "configured" if quadrant_lines else "medians of the touchpoints"}
    result["quadrant"] = quadrant.tolist()
    result["quadrant_certainty"] = certainty
    table = pl.DataFrame(result, strict=False).sort("importance", descending=True)

    diagnostics = {
        **info,
        "n": n,
        "bootstrap_draws": int(len(boot_imp)),
        "bootstrap_unit": "account" if design.clusters is not None else "respondent",
        "controls": list(controls),
        "control_terms": design.control_names,
        "max_vif": float(np.max(result["vif"])) if len(drivers) else None,
        "converged": converged,
        "importance_basis": "linear-probability R²" if binary else "R²",
    }
    if ordered_check and not binary and outcome_column == "nps":
        diagnostics["ordered_logit"] = _ordered_check(design, rng)
    return KeyDriverResult(outcome=outcome, model=model_label, n=n, r2=r2_full, r2_controls=r2_controls,
                           strategy=strategy, method=method, drivers=table, diagnostics=diagnostics, notes=notes)


class InsufficientData(ValueError):
    """Too few responses to fit a model: say so instead of fitting."""


def key_drivers_by(source, by: str, min_n: int = 200, **kwargs) -> dict[str, KeyDriverResult | str]:
    """One model per level of ``by`` (role, segment, ...); levels under ``min_n`` get a note instead."""
    frame, _ = _frame_and_labels(source, kwargs.get("outcome", "nps"))
    out: dict[str, KeyDriverResult | str] = {}
    for level in sorted(frame[by].drop_nulls().unique().to_list()):
        part = frame.filter(pl.col(by) == level)
        try:
            out[level] = key_drivers(part, min_n=min_n, **kwargs)
        except InsufficientData as exc:
            out[level] = f"n = {part.height}: too few for a model (minimum {min_n}). {exc}"
    return out


def _r2(cov: np.ndarray) -> float:
    corr_xx, r_xy, _ = correlation_parts(cov)
    if len(r_xy) == 0:
        return 0.0
    return float(r_xy @ np.linalg.pinv(corr_xx) @ r_xy)


def _subcov(cov: np.ndarray, q: int) -> np.ndarray:
    idx = [0, *range(cov.shape[0] - q, cov.shape[0])]
    return cov[np.ix_(idx, idx)]


def _performance(blocks: Blocks, w: np.ndarray, performance: str) -> np.ndarray:
    seen = w @ blocks.seen
    with np.errstate(invalid="ignore", divide="ignore"):
        if performance == "top2_share":
            return (w @ blocks.top2) / seen
        return (w @ blocks.rating_sum) / seen


def _ordered_check(design: Design, rng: np.random.Generator, max_rows: int = 3000) -> dict:
    """Ordered logit on (a sample of) the same design: do the signs and ranks agree?"""
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    n = len(design.y)
    rows = rng.choice(n, size=min(n, max_rows), replace=False)
    x = np.column_stack([design.drivers, design.controls])[rows]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = OrderedModel(design.y[rows].astype(int), x, distr="logit").fit(method="bfgs", disp=0, maxiter=500)
    coefs = np.asarray(fit.params)[: design.drivers.shape[1]]
    ols = np.linalg.lstsq(np.column_stack([np.ones(len(rows)), x]), design.y[rows], rcond=None)[0][1:1 + len(coefs)]
    rho = stats.spearmanr(coefs, ols).statistic if len(coefs) > 1 else 1.0
    return {"rows": int(len(rows)), "coefficients": dict(zip(design.driver_names, coefs.tolist(), strict=True)),
            "spearman_with_ols": float(rho), "converged": bool(fit.mle_retvals.get("converged", True))}


def _frame_and_labels(source, outcome: str) -> tuple[pl.DataFrame, dict[str, str]]:
    if isinstance(source, pl.DataFrame):
        return source, {}
    from tpnb import warehouse

    return warehouse.driver_frame(source, outcome), warehouse.touchpoint_labels(source)


def truth_recovery(result: KeyDriverResult, true_weights: dict[str, float]) -> float:
    """Spearman correlation of estimated coefficients with the generator's true weights."""
    table = result.drivers.filter(pl.col("driver").str.starts_with("tp_"))
    est = dict(zip(table["driver"].to_list(), table["coef"].to_list(), strict=True))
    keys = [k for k in true_weights if f"tp_{k}" in est]
    return float(stats.spearmanr([true_weights[k] for k in keys], [est[f"tp_{k}"] for k in keys]).statistic)


__all__ = ["KeyDriverResult", "InsufficientData", "key_drivers", "key_drivers_by", "relative_importance",
           "truth_recovery", "lmg"]
