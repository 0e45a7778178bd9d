"""Fitting: OLS or logit with robust or account-clustered SEs, VIF, R² from a covariance, the ordered-logit check."""

from __future__ import annotations

import warnings

import numpy as np
from scipy import stats

from tpnb.analysis.drivers.design import Design
from tpnb.analysis.importance import correlation_parts


def fit_model(design: Design, binary: bool):
    """Fit OLS (numeric outcome) or logit (binary) with robust or cluster SEs; returns (fit, names, label, converged, notes)."""
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
        if binary and design.weights is not None:
            # weighted logit: a binomial GLM with the survey weights as variance weights
            model = sm.GLM(design.y, x, family=sm.families.Binomial(), var_weights=design.weights)
            fit = model.fit(maxiter=200, **cov)
            label = "weighted logit" + (", SE clustered by account" if use_cluster else ", robust SE")
            converged = bool(getattr(fit, "converged", True))
        elif binary:
            model = sm.Logit(design.y, x)
            fit = model.fit(disp=0, maxiter=100, **cov)
            if not fit.mle_retvals.get("converged", True):
                # Newton can stall on a nearly separated indicator; L-BFGS from there settles it.
                fit = model.fit(disp=0, maxiter=2000, method="lbfgs", start_params=fit.params, **cov)
            label = "logit" + (", SE clustered by account" if use_cluster else ", robust SE")
            converged = bool(fit.mle_retvals.get("converged", True))
        elif design.weights is not None:
            fit = sm.WLS(design.y, x, weights=design.weights).fit(method="qr", **cov)
            label = "WLS" + (", SE clustered by account" if use_cluster else ", HC3 robust SE")
            converged = True
        else:
            fit = sm.OLS(design.y, x).fit(method="qr", **cov)
            label = "OLS" + (", SE clustered by account" if use_cluster else ", HC3 robust SE")
            converged = True
    notes = sorted(
        {str(w.message).splitlines()[0] for w in caught if not (converged and "failed to converge" in str(w.message))}
    )
    return fit, names, label, converged, notes


def variance_inflation(design: Design) -> np.ndarray:
    """Variance inflation factor of each driver (diagonal of the inverse correlation matrix)."""
    x = np.column_stack([design.drivers, design.controls])
    if x.shape[1] == 0:
        return np.array([])
    corr = np.corrcoef(x, rowvar=False)
    corr = np.atleast_2d(corr)
    inv = np.linalg.pinv(np.nan_to_num(corr))
    return np.diag(inv)[: design.drivers.shape[1]]


def r2_from_cov(cov: np.ndarray) -> float:
    """R² of the outcome (first row and column of ``cov``) on all other columns."""
    corr_xx, r_xy, _ = correlation_parts(cov)
    if len(r_xy) == 0:
        return 0.0
    return float(r_xy @ np.linalg.pinv(corr_xx) @ r_xy)


def controls_cov(cov: np.ndarray, q: int) -> np.ndarray:
    """The covariance of the outcome with the last ``q`` columns (the controls) only."""
    idx = [0, *range(cov.shape[0] - q, cov.shape[0])]
    return cov[np.ix_(idx, idx)]


def ordered_logit_check(design: Design, rng: np.random.Generator, max_rows: int = 3000) -> dict:
    """Ordered logit on (a sample of) the same design: do the signs and ranks agree?"""
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    n = len(design.y)
    rows = rng.choice(n, size=min(n, max_rows), replace=False)
    x = np.column_stack([design.drivers, design.controls])[rows]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = OrderedModel(design.y[rows].astype(int), x, distr="logit").fit(method="bfgs", disp=0, maxiter=500)
    coefs = np.asarray(fit.params)[: design.drivers.shape[1]]
    ols = np.linalg.lstsq(np.column_stack([np.ones(len(rows)), x]), design.y[rows], rcond=None)[0][1 : 1 + len(coefs)]
    rho = stats.spearmanr(coefs, ols).statistic if len(coefs) > 1 else 1.0
    return {
        "rows": int(len(rows)),
        "coefficients": dict(zip(design.driver_names, coefs.tolist(), strict=True)),
        "spearman_with_ols": float(rho),
        "converged": bool(fit.mle_retvals.get("converged", True)),
    }
