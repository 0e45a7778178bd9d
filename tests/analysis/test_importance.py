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
