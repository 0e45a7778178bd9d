"""What an analyst would write instead, in a notebook: pandas + statsmodels.

Used by the benchmark as the reference for speed, and checked there to give
the same numbers as tpnb. Run as a script so its time and memory are a
process of their own:

    python bench/reference.py nps DB
    python bench/reference.py drivers DB
"""

from __future__ import annotations

import json
import sys
from itertools import combinations
from math import factorial

import duckdb
import numpy as np


def nps_by_touchpoint_segment(db: str) -> list[dict]:
    con = duckdb.connect(db, read_only=True)
    ratings = con.sql("select response_id, touchpoint_id, is_experienced from core_survey_ratings").df()
    responses = con.sql("select r.response_id, r.nps, r.customer_id, r.segment as s1 from raw_surveys r").df()
    customers = con.sql("select customer_id, segment from raw_customers").df()
    touchpoints = con.sql("select touchpoint_id, name from raw_touchpoints").df()
    df = responses.merge(customers, on="customer_id", how="left")
    df["segment"] = df["s1"].fillna(df["segment"]).fillna("unknown")
    df = ratings[ratings["is_experienced"]].merge(df, on="response_id").merge(touchpoints, on="touchpoint_id")
    df = df[df["nps"].notna()]
    df["promoter"] = df["nps"] >= 9
    df["detractor"] = df["nps"] <= 6
    out = (
        df.groupby(["name", "segment"])
        .agg(n=("nps", "size"), promoters=("promoter", "sum"), detractors=("detractor", "sum"))
        .reset_index()
    )
    out["nps"] = 100 * (out["promoters"] - out["detractors"]) / out["n"]
    return out.to_dict(orient="records")


def drivers_ols(db: str) -> dict:
    import statsmodels.formula.api as smf

    con = duckdb.connect(db, read_only=True)
    responses = con.sql("select response_id, nps from raw_surveys where nps is not null").df()
    ratings = con.sql("select response_id, touchpoint_id, rating from core_survey_ratings").df()
    wide = ratings.pivot(index="response_id", columns="touchpoint_id", values="rating").add_prefix("tp_")
    df = responses.merge(wide, left_on="response_id", right_index=True)
    terms = []
    for col in [c for c in df.columns if c.startswith("tp_")]:
        seen = df[col].notna()
        df[col + "_c"] = np.where(seen, df[col] - df.loc[seen, col].mean(), 0.0)
        df[col + "_ne"] = (~seen).astype(float)
        terms += [col + "_c", col + "_ne"]
    fit = smf.ols("nps ~ " + " + ".join(terms), data=df).fit(cov_type="HC3")
    return {t[:-2]: float(fit.params[t]) for t in terms if t.endswith("_c")}


def lmg_by_refitting(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """LMG the straightforward way: an OLS refit for every subset of drivers."""
    n, p = x.shape
    total = ((y - y.mean()) ** 2).sum()
    r2 = {}
    for size in range(p + 1):
        for subset in combinations(range(p), size):
            if not subset:
                r2[subset] = 0.0
                continue
            design = np.column_stack([np.ones(n), x[:, subset]])
            beta, *_ = np.linalg.lstsq(design, y, rcond=None)
            resid = y - design @ beta
            r2[subset] = 1 - (resid @ resid) / total
    shares = np.zeros(p)
    for j in range(p):
        others = [k for k in range(p) if k != j]
        for size in range(p):
            weight = factorial(size) * factorial(p - size - 1) / factorial(p)
            for subset in combinations(others, size):
                shares[j] += weight * (r2[tuple(sorted((*subset, j)))] - r2[subset])
    return shares


def lmg_data(rows: int, drivers: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, drivers)) + 0.5 * rng.normal(size=(rows, 1))
    y = x @ np.linspace(1, 0.1, drivers) + rng.normal(size=rows)
    return x, y


if __name__ == "__main__":
    task = sys.argv[1]
    if task == "nps":
        print(json.dumps(nps_by_touchpoint_segment(sys.argv[2]), default=float))
    elif task == "drivers":
        print(json.dumps(drivers_ols(sys.argv[2])))
