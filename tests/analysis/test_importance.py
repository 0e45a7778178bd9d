"""Relative importance: exact against published values and against brute force."""

import numpy as np
import polars as pl
import pytest
from bench.reference import lmg_by_refitting  # the benchmark's reference, checked here

from tests.conftest import real_data
from tpnb import drivers
from tpnb.analysis.importance import correlation_parts, lmg, relative_weights, subset_r2

SWISS_LMG = {
    "Agriculture": 0.05709122,
    "Examination": 0.17117303,
    "Education": 0.26013468,
    "Catholic": 0.10557015,
    "Infant.Mortality": 0.11276592,
}


def test_swiss_reproduces_relaimpo_lmg():
    frame = pl.read_csv(real_data("swiss.csv"))
    out = drivers.relative_importance(frame, "Fertility", list(SWISS_LMG), method="lmg")
    for row in out.iter_rows(named=True):
        assert row["importance"] == pytest.approx(SWISS_LMG[row["driver"]], abs=1e-6)
    assert out["importance"].sum() == pytest.approx(0.7067, abs=1e-4)
    assert out["share"].sum() == pytest.approx(1.0)


def test_lmg_matches_refitting_every_subset():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(300, 6)) + rng.normal(size=(300, 1))  # correlated drivers
    y = x @ np.array([0.5, 0.1, 0.0, 0.3, -0.2, 0.05]) + rng.normal(size=300)
    corr_xx, r_xy, _ = correlation_parts(np.cov(np.column_stack([y, x]), rowvar=False))
    assert lmg(corr_xx, r_xy) == pytest.approx(lmg_by_refitting(x, y), abs=1e-9)


def test_subset_r2_matches_direct_solves():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(200, 5)) @ rng.normal(size=(5, 5))
    y = x[:, 0] - x[:, 3] + rng.normal(size=200)
    corr_xx, r_xy, _ = correlation_parts(np.cov(np.column_stack([y, x]), rowvar=False))
    r2 = subset_r2(corr_xx, r_xy)
    for mask in (0b1, 0b10110, 0b11111, 0b01001):
        cols = [k for k in range(5) if mask >> k & 1]
        expected = r_xy[cols] @ np.linalg.solve(corr_xx[np.ix_(cols, cols)], r_xy[cols])
        assert r2[mask] == pytest.approx(expected, abs=1e-12)


def test_relative_weights_add_up_to_r2_and_equal_lmg_for_uncorrelated_drivers():
    corr_xx = np.eye(3)
    r_xy = np.array([0.5, 0.3, 0.1])
    # uncorrelated drivers: both methods give r_j^2 exactly
    assert relative_weights(corr_xx, r_xy) == pytest.approx(r_xy**2)
    assert lmg(corr_xx, r_xy) == pytest.approx(r_xy**2)


def test_controls_enter_first():
    rng = np.random.default_rng(11)
    z = rng.normal(size=2000)
    x1 = 0.5 * z + rng.normal(size=2000)
    y = 2 * z + x1 + rng.normal(size=2000)
    frame = pl.DataFrame({"y": y, "x1": x1, "z": z})
    with_control = drivers.relative_importance(frame, "y", ["x1"], controls=["z"])
    full = np.corrcoef(np.column_stack([y, x1, z]), rowvar=False)
    r2_full = full[0, 1:] @ np.linalg.solve(full[1:, 1:], full[0, 1:])
    r2_z = full[0, 2] ** 2
    assert with_control["importance"][0] == pytest.approx(r2_full - r2_z, abs=1e-9)


def _shapley_over_groups(cxx, rxy, groups):
    import itertools
    import math

    def r2(idx):
        return float(rxy[idx] @ np.linalg.solve(cxx[np.ix_(idx, idx)], rxy[idx])) if idx else 0.0

    g = len(groups)
    out = np.zeros(g)
    for j in range(g):
        others = [k for k in range(g) if k != j]
        for size in range(g):
            for subset in itertools.combinations(others, size):
                w = math.factorial(size) * math.factorial(g - size - 1) / math.factorial(g)
                members = [i for k in subset for i in groups[k]]
                out[j] += w * (r2(members + groups[j]) - r2(members))
    return out


def test_lmg_of_groups_equals_the_shapley_value_over_groups():
    from tpnb.analysis.importance import lmg, lmg_groups

    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 6))
    y = x @ np.array([1.0, 0.5, 0.2, 0.0, 0.7, 0.3]) + rng.normal(size=400)
    corr = np.corrcoef(np.column_stack([y, x]), rowvar=False)
    groups = [[0, 4], [1], [2, 5], [3]]
    got = lmg_groups(corr[1:, 1:], corr[1:, 0], groups)
    assert got == pytest.approx(_shapley_over_groups(corr[1:, 1:], corr[1:, 0], groups), abs=1e-12)
    singles = lmg_groups(corr[1:, 1:], corr[1:, 0], [[i] for i in range(6)])
    assert singles == pytest.approx(lmg(corr[1:, 1:], corr[1:, 0]), abs=1e-12)


def test_a_touchpoints_not_experienced_indicator_counts_with_its_rating():
    # half the respondents did not experience touchpoint a and are 2 points less likely to recommend;
    # among those who did, each rating step is worth 1. Touchpoint b: slope 0.5, everyone rated it.
    rng = np.random.default_rng(4)
    n = 2000
    seen = rng.random(n) < 0.5
    a = np.where(seen, rng.integers(1, 6, n), np.nan)
    b = rng.integers(1, 6, n).astype(float)
    nps = 5 + np.where(seen, a - 3, -2.0) + 0.5 * (b - 3) + rng.normal(0, 1, n)
    frame = pl.DataFrame({"nps": nps, "tp_a": a, "tp_b": b})
    result = drivers.key_drivers(frame, outcome="nps", bootstrap=0, cluster=None)
    importance = dict(zip(result.drivers["driver"], result.drivers["importance"], strict=True))
    # nothing is credited to no one: the shares add up to the model's R²
    assert sum(importance.values()) == pytest.approx(result.r2, abs=1e-9)
    a_centred = np.where(seen, a - np.nanmean(a), 0.0)
    corr = np.corrcoef(np.column_stack([nps, a_centred, (~seen).astype(float), b]), rowvar=False)
    expected = _shapley_over_groups(corr[1:, 1:], corr[1:, 0], [[0, 1], [2]])
    assert [importance["tp_a"], importance["tp_b"]] == pytest.approx(list(expected), abs=1e-9)
