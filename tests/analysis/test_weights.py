"""Survey weights: raking by hand, the weighted NPS and its Taylor variance against svy, weighted drivers."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from tpnb.analysis.drivers import key_drivers
from tpnb.analysis.nps import nps, taylor_design_effect
from tpnb.analysis.weights import margins_from, margins_from_rows, rake


def _sample(n: int = 1200, seed: int = 2) -> pl.DataFrame:
    """Segment A answers far more often than its share of customers; A's NPS is higher."""
    rng = np.random.default_rng(seed)
    segment = rng.choice(["A", "B"], n, p=[0.8, 0.2])
    region = rng.choice(["N", "S"], n, p=[0.5, 0.5])
    account = rng.integers(0, n // 3, n)
    base = np.where(segment == "A", 8.0, 6.0) + rng.normal(0, 1.0, n // 3)[account]
    score = np.clip(np.round(base + rng.normal(0, 1.5, n)), 0, 10).astype(int)
    return pl.DataFrame(
        {
            "response_id": [f"r{i}" for i in range(n)],
            "account_id": [f"a{a}" for a in account],
            "segment": segment,
            "region": region,
            "nps": score,
        }
    )


def test_raking_one_margin_is_post_stratification_by_hand():
    sample = _sample()
    raked = rake(sample, {"segment": {"A": 0.5, "B": 0.5}})
    data = sample.join(raked.weights, on="response_id")
    share = data["segment"].value_counts().with_columns(pl.col("count") / data.height)
    for level in ("A", "B"):
        sample_share = share.filter(pl.col("segment") == level)["count"][0]
        weights = data.filter(pl.col("segment") == level)["weight"]
        # every response of a level gets margin / sample share (weights average 1)
        assert weights.min() == pytest.approx(0.5 / sample_share)
        assert weights.max() == pytest.approx(0.5 / sample_share)
    assert data["weight"].mean() == pytest.approx(1.0)
    assert raked.kish_n == pytest.approx(data["weight"].sum() ** 2 / (data["weight"] ** 2).sum())


def test_raking_two_margins_meets_both():
    sample = _sample()
    raked = rake(sample, {"segment": {"A": 0.5, "B": 0.5}, "region": {"N": 0.3, "S": 0.7}})
    data = sample.join(raked.weights, on="response_id")
    total = data["weight"].sum()
    for var, level, target in (("segment", "A", 0.5), ("region", "N", 0.3), ("region", "S", 0.7)):
        assert data.filter(pl.col(var) == level)["weight"].sum() / total == pytest.approx(target, abs=1e-4)


def test_the_weighted_nps_is_the_margin_weighted_mix_of_the_segments():
    sample = _sample()
    raked = rake(sample, {"segment": {"A": 0.5, "B": 0.5}})
    weighted = nps(sample.join(raked.weights, on="response_id"), weight="weight", taylor=True)
    per_segment = nps(sample, by="segment", cluster=None)
    mix = (
        0.5 * per_segment.filter(pl.col("segment") == "A")["nps"][0]
        + 0.5 * per_segment.filter(pl.col("segment") == "B")["nps"][0]
    )
    assert weighted["nps"][0] == pytest.approx(mix)
    assert weighted["nps"][0] < nps(sample)["nps"][0]  # A, the happier segment, was over-represented


def test_the_taylor_variance_equals_svys():
    import svy

    sample = _sample()
    raked = rake(sample, {"segment": {"A": 0.5, "B": 0.5}, "region": {"N": 0.4, "S": 0.6}})
    data = sample.join(raked.weights, on="response_id")
    scored = data.with_columns(
        (100.0 * ((pl.col("nps") >= 9).cast(pl.Float64) - (pl.col("nps") <= 6).cast(pl.Float64))).alias("s")
    )
    reference = svy.Sample(scored, svy.Design(wgt="weight", psu="account_id")).estimation.mean("s").to_polars()
    # tpnb's sums: per account the weighted score sum and weight sum
    s = (scored["s"] / 100).to_numpy()
    w = scored["weight"].to_numpy()
    per_account = (
        scored.with_columns(pl.Series("ws", s * w))
        .group_by("account_id")
        .agg(pl.col("ws").sum(), pl.col("weight").sum().alias("w"))
    )
    agg = pl.DataFrame(
        {
            "n": [len(s)],
            "__wp": [float(w[s > 0].sum())],
            "__wd": [float(w[s < 0].sum())],
            "__w": [float(w.sum())],
            "__cws2": [float((per_account["ws"] ** 2).sum())],
            "__cwsw": [float((per_account["ws"] * per_account["w"]).sum())],
            "__cw2": [float((per_account["w"] ** 2).sum())],
            "__c": [per_account.height],
        }
    )
    mean = (agg["__wp"][0] - agg["__wd"][0]) / agg["__w"][0]
    share = (agg["__wp"][0] + agg["__wd"][0]) / agg["__w"][0]
    variance = taylor_design_effect(agg)[0] * (share - mean**2) / len(s)
    assert 100 * mean == pytest.approx(reference["est"][0], rel=1e-12)
    assert 100 * np.sqrt(variance) == pytest.approx(reference["se"][0], rel=1e-9)


def test_weighted_drivers_are_wls_and_ones_change_nothing():
    import statsmodels.api as sm

    rng = np.random.default_rng(5)
    n = 600
    a, b = rng.integers(1, 6, n).astype(float), rng.integers(1, 6, n).astype(float)
    y = np.clip(np.round(2 + 0.8 * a + 0.4 * b + rng.normal(0, 1, n)), 0, 10)
    w = rng.uniform(0.5, 2.0, n)
    frame = pl.DataFrame({"response_id": [f"r{i}" for i in range(n)], "nps": y, "tp_a": a, "tp_b": b, "w": w})
    frame = frame.with_columns(pl.lit(1.0).alias("one"))
    weighted = key_drivers(frame, weight="w", bootstrap=0, cluster=None, experience=False)
    x = sm.add_constant(np.column_stack([a - a.mean(), b - b.mean()]))
    wls = sm.WLS(y, x, weights=w).fit()
    coef = dict(zip(weighted.drivers["driver"], weighted.drivers["coef"], strict=True))
    assert coef["tp_a"] == pytest.approx(wls.params[1]) and coef["tp_b"] == pytest.approx(wls.params[2])
    assert weighted.r2 == pytest.approx(wls.rsquared, rel=1e-6)  # the weighted R² is what LMG splits
    assert weighted.drivers["importance"].sum() == pytest.approx(weighted.r2)
    ones = key_drivers(frame, weight="one", bootstrap=0, cluster=None, experience=False)
    plain = key_drivers(frame, bootstrap=0, cluster=None, experience=False)
    assert ones.drivers["importance"].to_list() == pytest.approx(plain.drivers["importance"].to_list())


def test_margins_from_customers_and_from_a_file():
    customers = pl.DataFrame({"segment": ["A", "A", "B", None]})
    assert margins_from(customers, ["segment"]) == {"segment": {"A": 0.5, "B": 0.25, "(unknown)": 0.25}}
    rows = pl.DataFrame({"variable": ["segment", "segment"], "level": ["A", "B"], "share": [30.0, 70.0]})
    assert margins_from_rows(rows) == {"segment": {"A": 0.3, "B": 0.7}}


def test_a_level_without_respondents_and_one_the_margins_lack_are_named():
    sample = _sample().with_columns(
        pl.when(pl.col("response_id") == "r0").then(pl.lit("C")).otherwise(pl.col("segment")).alias("segment")
    )
    raked = rake(sample, {"segment": {"A": 0.4, "B": 0.4, "D": 0.2}})
    assert any("no respondent in D" in note for note in raked.notes)
    assert any("C not in the margins" in note for note in raked.notes)
    data = sample.join(raked.weights, on="response_id")
    share_c = data.filter(pl.col("segment") == "C")["weight"].sum() / data["weight"].sum()
    assert share_c == pytest.approx(1 / data.height)  # kept at its sample share


def test_weighted_ratings_by_hand():
    from tpnb.analysis.ratings import touchpoint_ratings

    frame = pl.DataFrame(
        {
            "touchpoint_id": ["t"] * 4,
            "is_experienced": [True, True, True, False],
            "rating": [5.0, 1.0, 3.0, None],
            "weight": [3.0, 1.0, 1.0, 5.0],
        }
    )
    [row] = touchpoint_ratings(frame, weight="weight").iter_rows(named=True)
    assert row["mean_rating"] == pytest.approx((15 + 1 + 3) / 5)  # 3.8
    assert row["reach"] == pytest.approx(5 / 10)
    assert row["top2_share"] == pytest.approx(3 / 5) and row["bottom_share"] == pytest.approx(1 / 5)
    assert row["n_effective"] == pytest.approx(25 / 11)
    unweighted = touchpoint_ratings(frame.with_columns(pl.lit(1.0).alias("weight")), weight="weight").row(0, named=True)
    plain = touchpoint_ratings(frame).row(0, named=True)
    for key in ("mean_rating", "reach", "top2_share", "ci_low", "ci_high"):
        assert unweighted[key] == pytest.approx(plain[key])
