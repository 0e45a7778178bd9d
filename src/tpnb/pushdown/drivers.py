"""Key drivers on any engine from aggregates: the engine sums the design per bootstrap block (one
GROUP BY), and for the standard errors (and a logit's Newton steps) a few passes with the
coefficients bound; Python gets at most ``MAX_BLOCKS`` rows and solves the model from them.

``key_drivers_on(run, ...)`` returns the same ``KeyDriverResult`` as
``tpnb.analysis.drivers.key_drivers`` on the rows (coefficients, intervals, LMG shares and the
seeded bootstrap), which tests hold both engines to.
"""

from __future__ import annotations

import numpy as np

from tpnb.analysis.drivers.assemble import Fitted, Layout, assemble, vif_from_cov
from tpnb.analysis.drivers.bootstrap import MAX_BLOCKS, Blocks, cov_from_blocks
from tpnb.analysis.drivers.result import InsufficientData, KeyDriverResult
from tpnb.analysis.drivers.sums import block_scores, newton_step, normal_inference, ols_coefficients, sandwich
from tpnb.analysis.importance import METHODS
from tpnb.pushdown.design import SqlDesign, prepare_sql_design
from tpnb.sqlutil import ident

MAX_NEWTON_STEPS = 50
MAX_LOGIT_COEFFICIENT = 20.0  # beyond: the outcome is (nearly) separated, the logit has no finite fit
NEWTON_TOLERANCE = 1e-8  # statsmodels' newton: |step| below it; the error is then its square


def _pairs(k: int) -> list[tuple[int, int]]:
    return [(i, j) for i in range(k) for j in range(i, k)]


def _symmetric(row: dict, prefix: str, k: int) -> np.ndarray:
    out = np.empty((k, k))
    for i, j in _pairs(k):
        out[i, j] = out[j, i] = row[f"{prefix}{i}_{j}"]
    return out


def _z_rows(design: SqlDesign, block: str | None = None) -> str:
    """``with src as (...), z as (...)``: per model row its unit (or block) and z0 (y), z1.. (x)."""
    columns = [f"{block or design.unit} as unit", *(f"{sql} as z{i}" for i, sql in enumerate(design.z))]
    columns += [f"{d} as r{i}" for i, d in enumerate(_rating_sql(design))]
    return (
        f"with src as ({design.source}), z as materialized (select {', '.join(columns)} from src where {design.where})"
    )


def _rating_sql(design: SqlDesign) -> list[str]:
    """Each driver's raw rating (NULL for a service-log feature), for performance and reach."""
    pairs = zip(design.driver_names, design.is_rating, strict=True)
    return [ident(d) if rating else "cast(null as double)" for d, rating in pairs]


def block_sums(run, design: SqlDesign, seed: int, scale_max: float) -> Blocks:
    """The design's per-block count, sums, cross-products and rating sums: one GROUP BY."""
    k, p = len(design.z), len(design.driver_names)
    design.params["top"] = scale_max - 1
    parts = ["count(*) as n", *(f"sum(z{i}) as s{i}" for i in range(k))]
    parts += [f"sum(z{i} * z{j}) as c{i}_{j}" for i, j in _pairs(k)]
    for i in range(p):
        parts += [
            f"coalesce(sum(r{i}), 0) as rs{i}",
            f"count(r{i}) as ns{i}",
            f"sum(case when r{i} >= $top then 1 else 0 end) as t{i}",
        ]
    sql = f"{_z_rows(design, design.block(seed))} select unit, {', '.join(parts)} from z group by unit order by unit"
    frame = run(sql, design.params)
    rows = frame.to_dicts()
    g = len(rows)
    cross = np.empty((g, k, k))
    for r, row in enumerate(rows):
        cross[r] = _symmetric(row, "c", k)
    as_array = lambda prefix, m: frame.select([f"{prefix}{i}" for i in range(m)]).to_numpy().astype(float).reshape(g, m)  # noqa: E731
    return Blocks(
        count=frame["n"].to_numpy().astype(float),
        sums=as_array("s", k),
        cross=cross,
        rating_sum=as_array("rs", p),
        seen=as_array("ns", p),
        top2=as_array("t", p),
    )


def _eta(k: int) -> str:
    return " + ".join(["$b0", *(f"z{j} * $b{j}" for j in range(1, k))])


def _bind_b(design: SqlDesign, b: np.ndarray) -> dict:
    return {**design.params, **{f"b{j}": float(v) for j, v in enumerate(b)}}


def _x(j: int) -> str:
    return "1.0" if j == 0 else f"z{j}"


def logit_pass(run, design: SqlDesign, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """X'WX, X'(y - p) and the sum of p(1 - p) of a logit at ``b``."""
    k = len(design.z)
    parts = [f"sum(w * {_x(i)} * {_x(j)}) as h{i}_{j}" for i, j in _pairs(k)]
    parts += [f"sum({_x(j)} * (z0 - p)) as g{j}" for j in range(k)] + ["sum(w) as pq"]
    sql = (
        f"{_z_rows(design)}, fitted as materialized (select *, 1.0 / (1.0 + exp(-({_eta(k)}))) as p from z), "
        f"weighted as (select *, p * (1.0 - p) as w from fitted) select {', '.join(parts)} from weighted"
    )
    row = run(sql, _bind_b(design, b)).row(0, named=True)
    return _symmetric(row, "h", k), np.array([row[f"g{j}"] for j in range(k)]), float(row["pq"])


def meat_pass(run, design: SqlDesign, b: np.ndarray, bread: np.ndarray | None) -> tuple[np.ndarray, dict]:
    """The sandwich's meat: per account the score X_g'e_g, its outer products summed; without
    accounts the rows' x x' e^2 (OLS: HC3, each divided by (1 - h)^2, h the row's leverage from
    ``bread`` = (X'X)^-1). A logit's pass also returns its Hessian X'WX and sum of p(1 - p) at ``b``
    (the row ``h<i>_<j>``, ``pq``), so the fit needs no pass of its own for them."""
    k = len(design.z)
    params = _bind_b(design, b)
    binary = design.binary
    fitted = f"1.0 / (1.0 + exp(-({_eta(k)})))" if binary else f"({_eta(k)})"
    rows = f"{_z_rows(design)}, e as materialized (select *, {fitted} as p, z0 - {fitted} as e from z)"
    hessian = [f"sum(p * (1.0 - p) * {_x(i)} * {_x(j)}) as h{i}_{j}" for i, j in _pairs(k)] if binary else []
    hessian += ["sum(p * (1.0 - p)) as pq"] if binary else []
    if design.clustered:
        scores = ", ".join(f"sum({_x(j)} * e) as u{j}" for j in range(k))
        parts = [f"sum(u{i} * u{j}) as m{i}_{j}" for i, j in _pairs(k)]
        sql = f"{rows}, u as (select unit, {scores} from e group by unit) select {', '.join(parts)} from u"
        if binary:
            sql = f"{rows}, u as (select unit, {scores} from e group by unit) select * from " + (
                f"(select {', '.join(parts)} from u) m cross join (select {', '.join(hessian)} from e) h"
            )
    else:
        scale, source = "1.0", "e"
        if not binary:  # HC3: leverage h = x' (X'X)^-1 x
            params.update({f"a{i}_{j}": float(bread[i, j]) for i in range(k) for j in range(k)})
            inner = [" + ".join(f"{_x(j)} * $a{i}_{j}" for j in range(k)) for i in range(k)]
            leverage = " + ".join(f"{_x(i)} * ({inner[i]})" for i in range(k))
            rows += f", hat as materialized (select *, {leverage} as h from e)"
            scale, source = "1.0 / ((1.0 - h) * (1.0 - h))", "hat"
        parts = [f"sum({_x(i)} * {_x(j)} * e * e * {scale}) as m{i}_{j}" for i, j in _pairs(k)]
        sql = f"{rows} select {', '.join(parts + hessian)} from {source}"
    row = run(sql, params).row(0, named=True)
    return _symmetric(row, "m", k), row


def _fit(run, design: SqlDesign, blocks: Blocks, level: float) -> Fitted:
    """Coefficients, covariance and normal inference of the OLS or logit, as statsmodels has them."""
    k = len(design.z)
    n = float(blocks.count.sum())
    units = design.n_units if design.clustered else None
    kind = ", SE clustered by account" if design.clustered else None
    pq = 0.0
    if design.binary:
        # Newton from the intercept-only fit; each step one pass; stops as statsmodels' newton does
        share = blocks.sums[:, 0].sum() / n
        b, converged = np.zeros(k), False
        b[0] = np.log(share / (1 - share)) if 0 < share < 1 else 0.0
        for _ in range(MAX_NEWTON_STEPS):
            hessian, gradient, _ = logit_pass(run, design, b)
            try:
                step = newton_step(hessian, gradient)
            except np.linalg.LinAlgError:  # a singular Hessian (separation): stated as not converged
                break
            b = b + step
            if np.max(np.abs(b)) > MAX_LOGIT_COEFFICIENT:
                break
            if np.max(np.abs(step)) < NEWTON_TOLERANCE:
                converged = True
                break
        meat, row = meat_pass(run, design, b, None)
        bread = np.linalg.pinv(_symmetric(row, "h", k))  # the Hessian at the final coefficients
        pq = float(row["pq"])
        label = "logit" + (kind or ", robust SE")
    else:
        b, bread = ols_coefficients(blocks)
        converged = True
        label = "OLS" + (kind or ", HC3 robust SE")
        if design.clustered and design.n_units <= MAX_BLOCKS:
            scores = block_scores(blocks, b)  # the blocks are the accounts: no second pass
            meat = scores.T @ scores
        else:
            meat, _ = meat_pass(run, design, b, bread)
    cov = sandwich(bread, meat, n, units)
    _, low, high, p = normal_inference(b, cov, level)
    p_drivers = slice(1, 1 + len(design.driver_names))
    return Fitted(
        coef=b[p_drivers],
        ci_low=low[p_drivers],
        ci_high=high[p_drivers],
        p_value=p[p_drivers],
        label=label,
        converged=converged,
        slope_factor=pq / n if design.binary else 1.0,
    )


def key_drivers_on(
    run,
    outcome: str = "nps",
    drivers: list[str] | None = None,
    controls: list[str] = (),
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
    level: float = 0.95,
    adjustment: str = "holm",
    first_day=None,
    last_day=None,
    where: str | None = None,
    where_params: dict | None = None,
) -> KeyDriverResult:
    """``tpnb.analysis.drivers.key_drivers`` with the engine behind ``run`` doing the sums (the
    same arguments; ``where`` narrows the rows, e.g. to one level of ``--by``)."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    options = {
        "controls": list(controls),
        "strategy": strategy,
        "cluster": cluster,
        "exclude_straightliners": exclude_straightliners,
        "first_day": first_day,
        "last_day": last_day,
        "where": where,
        "where_params": where_params,
    }
    design = prepare_sql_design(run, outcome, drivers, experience=experience, **options)
    required = max(min_n, len(design.driver_names) + len(design.control_names) + 2)
    if design.n < required:
        raise InsufficientData(
            f"{design.n} responses with '{outcome}' are too few for {len(design.driver_names)} drivers "
            f"(minimum {min_n}); no model fitted",
            n=design.n,
            required=required,
        )
    notes = []
    if design.no_variation:
        notes.append("no variation, left out: " + ", ".join(design.no_variation))
        kept = [d for d in design.driver_names if d not in design.no_variation]
        design = prepare_sql_design(run, outcome, kept, experience=experience, **options)
    blocks = block_sums(run, design, seed, scale[1])
    fitted = _fit(run, design, blocks, level)
    cov = cov_from_blocks(blocks, np.ones(len(blocks.count)))
    layout = Layout(
        outcome=outcome,
        driver_names=design.driver_names,
        control_names=design.control_names,
        is_rating=np.array(design.is_rating, dtype=bool),
        n=design.n,
        clustered=design.clustered,
        binary=design.binary,
        at_bound_share=design.at_bound_share,
    )
    return assemble(
        layout,
        fitted,
        cov,
        blocks,
        vif_from_cov(cov, len(design.driver_names)),
        np.random.default_rng(seed),
        bootstrap=bootstrap,
        method=method,
        performance=performance,
        quadrant_lines=quadrant_lines,
        labels=dict(labels or {}),
        level=level,
        adjustment=adjustment,
        strategy=strategy,
        controls=list(controls),
        info=design.info,
        notes=notes,
    )


def key_drivers_by_on(run, by: str, min_n: int = 200, **kwargs) -> list:
    """``key_drivers_by`` on an engine: one model per level of the response column ``by``."""
    from tpnb.analysis.drivers.result import GroupModel
    from tpnb.pushdown.design import design_source
    from tpnb.sqlutil import ident

    source, _, params, columns = design_source(
        run, kwargs.get("outcome", "nps"), kwargs.get("first_day"), kwargs.get("last_day")
    )
    if by not in columns:
        raise ValueError(f"--by {by}: no such column")
    column = ident(by)
    levels = run(
        f"with src as ({source}) select cast({column} as varchar) as level, count(*) as n from src "
        f"where {column} is not null group by 1 order by 1",
        params,
    )
    out = []
    for level, n in levels.iter_rows():
        where = f"cast({column} as varchar) = $by_level"
        try:
            result = key_drivers_on(run, min_n=min_n, where=where, where_params={"by_level": level}, **kwargs)
            out.append(GroupModel(level, int(n), result=result))
        except InsufficientData as exc:
            out.append(GroupModel(level, int(n), skipped=exc))
    return out


def touchpoint_labels_on(run) -> dict[str, str]:
    """``tp_<id>`` -> the catalogue's touchpoint name, through ``run``."""
    names = run("select touchpoint_id, touchpoint_name from core_touchpoints")
    return {f"tp_{tp}": name for tp, name in names.iter_rows()}
