"""p-value adjustment, on values whose adjusted values follow by hand."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from tpnb.analysis.multiplicity import adjust
from tpnb.analysis.nps import nps, nps_change


def test_holm_by_hand_and_missing_values_stay_out():
    # sorted 0.01, 0.02, 0.04 with three tests: 0.03, max(0.03, 0.04), max(0.04, 0.04)
    got = adjust([0.04, 0.01, float("nan"), 0.02], "holm")
    assert got[:2] == pytest.approx([0.04, 0.03]) and math.isnan(got[2]) and got[3] == pytest.approx(0.04)


def test_benjamini_hochberg_by_hand():
    # p_(i) * m / i, made monotone from the top: 0.01*3/1, 0.02*3/2, 0.04*3/3
    assert adjust([0.01, 0.02, 0.04], "bh") == pytest.approx([0.03, 0.03, 0.04])
    with pytest.raises(ValueError, match="one of holm, bh"):
        adjust([0.1], "bonferroni")


def test_period_changes_are_significant_only_after_holm():
    # eleven groups, each with the same change; their raw p-values sit just below 0.05
    rows_before = [(g, s) for g in range(11) for s in [10] * 40 + [0] * 60]
    rows_after = [(g, s) for g in range(11) for s in [10] * 54 + [0] * 46]
    before = nps(pl.DataFrame(rows_before, schema=["g", "nps"], orient="row"), by="g")
    after = nps(pl.DataFrame(rows_after, schema=["g", "nps"], orient="row"), by="g")
    change = nps_change(before, after, on="g")
    assert (change["p_value"] < 0.05).all()
    assert not change["is_significant"].any()
    assert change["p_adjusted"].to_numpy() == pytest.approx(np.minimum(change["p_value"].to_numpy() * 11, 1.0))


def test_driver_p_values_carry_a_holm_adjustment(demo_db):
    import duckdb

    from tpnb import drivers
    from tpnb.warehouse import read

    con = duckdb.connect(str(demo_db[0]), read_only=True)
    frame = read.driver_frame(con)
    con.close()
    result = drivers.key_drivers(frame, outcome="nps", bootstrap=0)
    table = result.drivers
    assert table["p_adjusted"].to_numpy() == pytest.approx(adjust(table["p_value"].to_numpy(), "holm"))
    assert (table["p_adjusted"] >= table["p_value"]).all()
    assert "p_adjusted" in result.as_dict()["drivers"][0]


def test_drivers_and_measures_take_benjamini_hochberg_when_asked():
    import polars as pl
    from statsmodels.stats.multitest import multipletests

    from tpnb.analysis.drivers import key_drivers
    from tpnb.analysis.measures import _judge

    rng = np.random.default_rng(8)
    n = 400
    x = rng.normal(size=(n, 4))
    y = 0.3 * x[:, 0] + 0.1 * x[:, 1] + rng.normal(size=n)
    frame = pl.DataFrame({"nps": y, **{f"tp_{k}": x[:, k] for k in range(4)}})
    result = key_drivers(frame, bootstrap=0, cluster=None, experience=False, adjustment="bh").drivers
    expected = multipletests(result["p_value"].to_numpy(), method="fdr_bh")[1]
    assert result["p_adjusted"].to_list() == pytest.approx(expected.tolist())
    judged = _judge([{"p_value": 0.03, "verdict": "worked"}, {"p_value": 0.04, "verdict": "worked"}], 0.95, "bh")
    # BH: 0.04 x 2/2 = 0.04 and min(0.03 x 2/1, 0.04) = 0.04: both hold, where Holm withdrew both
    assert [m["p_adjusted"] for m in judged] == pytest.approx([0.04, 0.04])
    assert [m["verdict"] for m in judged] == ["worked", "worked"]
