"""Key-driver models on inline data with exact answers, and on the demo data against its truth."""

import numpy as np
import polars as pl
import pytest

from tpnb import drivers
from tpnb.warehouse import read

WEIGHTS = {"tp_a": 1.0, "tp_b": 0.5, "tp_c": 0.0}


def _exact_frame(n: int = 400) -> pl.DataFrame:
    """NPS exactly linear in the ratings (no noise): coefficients are exact by construction."""
    rng = np.random.default_rng(1)
    ratings = {k: rng.integers(1, 6, n).astype(float) for k in WEIGHTS}
    nps = 2.0 + sum(w * ratings[k] for k, w in WEIGHTS.items())
    return pl.DataFrame({"nps": nps, **ratings, "account_id": [f"A{i}" for i in range(n)]})


def test_exact_linear_model_recovers_coefficients_and_r2():
    result = drivers.key_drivers(_exact_frame(), outcome="nps", bootstrap=0, cluster=None)
    coefs = dict(zip(result.drivers["driver"], result.drivers["coef"], strict=True))
    for k, w in WEIGHTS.items():
        assert coefs[k] == pytest.approx(w, abs=1e-9)
    assert result.r2 == pytest.approx(1.0)
    assert result.drivers["importance"].sum() == pytest.approx(1.0)
    assert result.strategy == "indicator"


def test_not_experienced_indicator_keeps_respondents_and_slope():
    frame = _exact_frame().with_columns(
        pl.when(pl.int_range(pl.len()) % 4 == 0).then(None).otherwise(pl.col("tp_a")).alias("tp_a")
    )
    # NPS was made from the full rating; among those with a rating, slope 1 holds; the indicator
    # absorbs the level of those without. The model keeps every respondent.
    result = drivers.key_drivers(frame, outcome="nps", bootstrap=0, cluster=None)
    assert result.n == frame.height
    reach = dict(zip(result.drivers["driver"], result.drivers["reach"], strict=True))
    assert reach["tp_a"] == pytest.approx(0.75)
    complete = drivers.key_drivers(frame, outcome="nps", bootstrap=0, cluster=None, strategy="complete_case")
    assert complete.n == int(frame.height * 0.75)


def test_binary_outcome_uses_logit_and_bootstrap_is_seeded():
    frame = _exact_frame().with_columns((pl.col("nps") >= 7).cast(pl.Int8).alias("is_promoter"))
    frame = frame.with_columns(pl.col("nps") + pl.Series(np.random.default_rng(2).normal(0, 1, frame.height)))
    a = drivers.key_drivers(frame.drop("nps"), outcome="promoter", bootstrap=30, seed=4, cluster=None)
    b = drivers.key_drivers(frame.drop("nps"), outcome="promoter", bootstrap=30, seed=4, cluster=None)
    assert a.model.startswith("logit")
    assert a.drivers["importance_ci_low"].to_list() == b.drivers["importance_ci_low"].to_list()
    top = a.drivers.row(0, named=True)
    assert top["driver"] == "tp_a" and top["coef"] > 0


def test_respondents_without_an_account_are_not_one_cluster():
    noisy = _exact_frame().with_columns(pl.col("nps") + pl.Series(np.random.default_rng(3).normal(0, 1, 400)))
    alone = noisy.with_columns(pl.lit(None, pl.String).alias("account_id"))
    result = drivers.key_drivers(alone, outcome="nps", bootstrap=20, seed=1)
    assert result.model == "OLS, HC3 robust SE" and result.diagnostics["bootstrap_unit"] == "respondent"
    paired = noisy.with_columns((pl.int_range(pl.len()) // 2).cast(pl.String).alias("account_id"))
    assert drivers.key_drivers(paired, outcome="nps", bootstrap=20, seed=1).diagnostics["bootstrap_unit"] == "account"


def test_too_few_responses_says_so_instead_of_fitting():
    with pytest.raises(drivers.InsufficientData, match="too few"):
        drivers.key_drivers(_exact_frame(30), outcome="nps", bootstrap=0, min_n=50)


def test_priority_matrix_quadrants_follow_the_medians():
    result = drivers.key_drivers(_exact_frame(), outcome="nps", bootstrap=20, cluster=None)
    table = result.drivers
    touchpoints = table.filter(pl.col("kind") == "touchpoint")
    x_line, y_line = touchpoints["importance"].median(), touchpoints["performance"].median()
    lines = result.diagnostics["quadrant_lines"]
    assert (lines["importance"], lines["performance"]) == pytest.approx((x_line, y_line))
    expected = {
        (True, False): "fix first",
        (True, True): "keep up",
        (False, True): "maintain",
        (False, False): "low priority",
    }
    for r in touchpoints.iter_rows(named=True):
        assert r["quadrant"] == expected[(r["importance"] >= x_line, r["performance"] >= y_line)]
    assert len(set(touchpoints["quadrant"])) >= 2  # the lines split the touchpoints
    assert table["quadrant_certainty"].drop_nulls().is_between(0, 1).all()


def test_demo_nps_model_recovers_the_true_driver_ranking(demo_db):
    import duckdb

    db, truth = demo_db
    con = duckdb.connect(str(db), read_only=True)
    try:
        frame, labels = read.driver_frame(con, "nps"), read.touchpoint_labels(con)
    finally:
        con.close()
    result = drivers.key_drivers(frame, outcome="nps", controls=["segment", "role"], bootstrap=50, labels=labels)
    rho = drivers.truth_recovery(result, truth["nps_model"]["touchpoint_weights"])
    assert rho >= 0.9
    # service-log experience: the true effects are negative and should be found so
    coefs = dict(zip(result.drivers["driver"], result.drivers["coef"], strict=True))
    for feature in truth["nps_model"]["experience_effects"]:
        assert coefs[feature] < 0
    assert result.model.endswith("clustered by account")


def test_intervals_cover_the_true_coefficients_about_95_percent_of_the_time():
    """A few dozen seeded small data sets from a known linear model with account clusters.

    (The demo's NPS is rounded and clipped to 0-10, which attenuates levels; its ranking
    is tested above. Interval calibration is tested here on an unclipped outcome.)
    """
    true = np.array([0.8, 0.4, 0.0, -0.3])
    covered, total = 0, 0
    for seed in range(40):
        rng = np.random.default_rng(seed)
        accounts = rng.integers(0, 80, 400)
        account_effect = rng.normal(0, 0.7, 80)[accounts]
        halo = rng.normal(0, 1, 400)
        x = np.clip(np.round(3.5 + 0.7 * halo[:, None] + rng.normal(0, 0.8, (400, 4))), 1, 5)
        y = 5 + (x - 3) @ true + account_effect + rng.normal(0, 1, 400)
        frame = pl.DataFrame(
            {
                "score": y,
                "account_id": accounts.astype(str),
                **{f"tp_{i}": x[:, i] for i in range(4)},
            }
        )
        result = drivers.key_drivers(frame, outcome="score", bootstrap=0)
        table = {r["driver"]: r for r in result.drivers.iter_rows(named=True)}
        for i, beta in enumerate(true):
            row = table[f"tp_{i}"]
            covered += row["ci_low"] <= beta <= row["ci_high"]
            total += 1
    assert 0.88 <= covered / total <= 0.99


def test_airline_satisfaction_drivers_through_the_command_line(tmp_path):
    import json
    import subprocess
    import sys

    from tests.conftest import REPO, real_data

    real_data("airline_train.csv")
    db = tmp_path / "air.duckdb"
    cli = [sys.executable, "-m", "tpnb.cli"]
    load = subprocess.run(
        [*cli, "ingest", "--config", str(REPO / "examples/airline/sources.yaml"), "--db", str(db)],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert load.returncode == 0, load.stderr
    run = subprocess.run(
        [*cli, "drivers", "--outcome", "satisfied", "--db", str(db), "--bootstrap", "20", "--json"],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    top = [d["driver"] for d in doc["drivers"][:3]]
    # what studies of this data report: online boarding and inflight wifi among the strongest
    assert top[:2] == ["tp_online_boarding", "tp_inflight_wifi"]
    assert doc["model"].startswith("logit") and doc["diagnostics"]["converged"]
    assert doc["n"] > 100_000


def test_a_driver_without_variation_is_left_out_with_a_note():
    frame = _exact_frame().with_columns(pl.lit(3.0).alias("tp_constant"))
    result = drivers.key_drivers(frame, outcome="nps", bootstrap=0, cluster=None)
    assert "tp_constant" not in result.drivers["driver"].to_list()
    assert result.notes == ["no variation, left out: tp_constant"]


def test_impact_per_experiencer_and_over_everyone_and_the_ceiling_share():
    frame = _exact_frame().with_columns(
        pl.when(pl.int_range(pl.len()) % 4 == 0).then(None).otherwise(pl.col("tp_a")).alias("tp_a")
    )
    result = drivers.key_drivers(frame, outcome="nps", bootstrap=0, cluster=None)
    rows = {r["driver"]: r for r in result.drivers.to_dicts()}
    assert rows["tp_a"]["impact"] == pytest.approx(rows["tp_a"]["coef"])
    assert rows["tp_a"]["impact_reach"] == pytest.approx(rows["tp_a"]["coef"] * 0.75)
    assert rows["tp_b"]["impact_reach"] == pytest.approx(rows["tp_b"]["coef"])  # everyone experienced b
    # nps = 2 + a + 0.5 b: 10 needs a = 5 and b = 5 or more; the share at 0 or 10 follows from the rows
    nps = frame["nps"].to_numpy()
    assert result.diagnostics["at_bound_share"] == pytest.approx(float(np.mean((nps <= 0) | (nps >= 10))))
    assert (
        drivers.key_drivers(frame.rename({"nps": "score"}), outcome="score", bootstrap=0).diagnostics["at_bound_share"]
        is None
    )
