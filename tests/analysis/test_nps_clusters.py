"""NPS intervals with respondents clustered in accounts: the design effect by hand and the coverage."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest

from tests.conftest import tpnb_in
from tpnb.analysis.nps import nps


def test_design_effect_by_hand():
    # two accounts of three: A all promoters, B all detractors (perfectly clustered)
    frame = pl.DataFrame({"nps": [10, 10, 10, 0, 0, 0], "account_id": ["A"] * 3 + ["B"] * 3})
    row = nps(frame).row(0, named=True)
    # s = +1,+1,+1,-1,-1,-1; mean 0; V_srs = 6/(6*5) = 0.2; cluster sums S = 3, -3:
    # V_cl = 2/1 * (9 + 9) / 36 = 1.0; deff = 5
    assert row["design_effect"] == pytest.approx(5.0)
    assert row["n_effective"] == pytest.approx(6 / 5)
    alone = nps(frame.with_columns(pl.Series("account_id", list("ABCDEF")))).row(0, named=True)
    assert alone["design_effect"] == pytest.approx(1.0) and alone["n_effective"] == 6
    assert row["ci_high"] - row["ci_low"] > alone["ci_high"] - alone["ci_low"]
    assert nps(frame.drop("account_id")).row(0, named=True)["design_effect"] == 1.0


def _clustered_sample(rng, accounts: int, per_account: int, icc: float) -> pl.DataFrame:
    # latent score with an account effect: intra-account correlation ``icc`` on the latent scale
    effect = np.repeat(rng.normal(0, np.sqrt(icc), accounts), per_account)
    latent = effect + rng.normal(0, np.sqrt(1 - icc), accounts * per_account)
    score = np.select([latent > 0.6, latent > -0.3], [10, 8], 3)
    return pl.DataFrame({"nps": score, "account_id": np.repeat(np.arange(accounts), per_account)})


def test_clustered_intervals_cover_about_95_percent_with_intra_account_correlation_0_2():
    rng = np.random.default_rng(11)
    # the true NPS of this latent model, from one very large draw
    truth = nps(_clustered_sample(rng, 40000, 5, 0.2).drop("account_id")).row(0, named=True)["nps"]
    hits, naive_hits, runs = 0, 0, 1000
    for _ in range(runs):
        row = nps(_clustered_sample(rng, 120, 5, 0.2)).row(0, named=True)
        hits += row["ci_low"] <= truth <= row["ci_high"]
        naive = nps(_clustered_sample(rng, 120, 5, 0.2).drop("account_id")).row(0, named=True)
        naive_hits += naive["ci_low"] <= truth <= naive["ci_high"]
    assert 0.93 <= hits / runs <= 0.97
    assert naive_hits / runs < 0.91  # without the clustering the interval is too narrow


def test_the_demo_has_accounts_that_answer_alike_and_the_interval_says_so(demo_db, tmp_path):
    db, truth = demo_db
    assert truth["nps_model"]["account_effect_sd"] > 0  # documented in truth.json
    run = tpnb_in(tmp_path, "nps", "--db", db, "--json")
    overall = json.loads(run.stdout)["groups"][0]
    # several respondents of one company share its effect: the design effect is well above 1 and
    # the interval is that much wider than one that takes every respondent as independent
    assert overall["design_effect"] > 1.15
    assert overall["n_effective"] == pytest.approx(overall["n"] / overall["design_effect"])
    p, d, n = overall["promoters"] / overall["n"], overall["detractors"] / overall["n"], overall["n"]
    independent_se = 100 * ((p + d - (p - d) ** 2) / n) ** 0.5
    assert overall["se"] > 1.05 * independent_se
