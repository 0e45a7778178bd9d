"""Targets and measures: estimators on hand-made data, and the demo's planted measures."""

from datetime import date

import polars as pl
import pytest

from tpnb.analysis import measures, targets
from tpnb.warehouse import read


def test_welch_by_hand():
    import numpy as np

    effect, low, high = measures.welch(np.array([1.0, 2.0, 3.0]), np.array([3.0, 4.0, 5.0]))
    # means 2 and 4, variances 1 and 1: se = sqrt(1/3 + 1/3), df = 4, t = 2.776445
    assert effect == pytest.approx(2.0)
    assert low == pytest.approx(2 - 2.776445 * (2 / 3) ** 0.5, abs=1e-5)
    assert high == pytest.approx(2 + 2.776445 * (2 / 3) ** 0.5, abs=1e-5)


def test_difference_in_differences_by_hand():
    # treated: 3 -> 4 (+1); control: 3 -> 3.2 (+0.2): the measure's effect is 0.8
    rows = []
    for i, (treated, post, values) in enumerate(
        [
            (True, False, [2, 3, 4]),
            (True, True, [3, 4, 5]),
            (False, False, [2, 3, 4]),
            (False, True, [2.2, 3.2, 4.2]),
        ]
    ):
        for j, v in enumerate(values):
            rows.append(
                {
                    "response_id": f"r{i}{j}",
                    "rating": float(v),
                    "is_treated": treated,
                    "is_post": post,
                }
            )
    effect, low, high = measures.diff_in_diff(pl.DataFrame(rows))
    assert effect == pytest.approx(0.8)
    assert low < 0.8 < high


def _ratings(rows: list[tuple[date, float, int]]) -> pl.DataFrame:
    """(day, rating, how many such ratings) -> one row per rating."""
    return pl.DataFrame(
        {"day": [d for d, _, k in rows for _ in range(k)], "rating": [r for _, r, k in rows for _ in range(k)]}
    )


def test_interrupted_time_series_finds_a_level_jump_across_a_gap_and_a_split_month():
    # calendar months 2025-01..2025-12 without April (a gap), trend 0.01 a month, a jump of 0.5 from
    # 15 July; July's ratings before the 15th are before the start. Two ratings 0.2 apart per day
    # keep a within-month variance.
    start = date(2025, 7, 15)
    rows = []
    for m in range(1, 13):
        if m == 4:
            continue
        for day in (1, 20):
            level = 3.0 + 0.01 * (m - 1) + (0.5 if date(2025, m, day) >= start else 0.0)
            rows += [(date(2025, m, day), level - 0.1, 5), (date(2025, m, day), level + 0.1, 5)]
    effect, low, high = measures.interrupted_time_series(_ratings(rows), start)
    assert effect == pytest.approx(0.5)
    assert low < 0.5 < high
    cells = measures.monthly_cells(_ratings(rows), start)
    july = cells.filter(pl.col("month") == date(2025, 7, 1)).sort("post")
    assert july["post"].to_list() == [False, True] and july["n"].to_list() == [10, 10]
    assert cells.filter(pl.col("month") == date(2025, 5, 1))["t"].item() == 4  # April is a gap, not a neighbour
    few = [(date(2025, m, 1), 3.0, 5) for m in range(1, 5)]
    assert measures.interrupted_time_series(_ratings(few), date(2025, 3, 1)) is None


def test_the_time_series_weights_months_by_their_ratings():
    # the post level is 4 in five months of 100 ratings each and 2 in one month of a single rating:
    # weighted, the level change is near 1; unweighted means would pull it far below
    start = date(2025, 7, 1)
    rows = [(date(2025, m, 1), 3.0, 100) for m in range(1, 7)]
    rows += [(date(2025, m, 1), 4.0, 100) for m in range(7, 12)] + [(date(2025, 12, 1), 2.0, 1)]
    effect, _, _ = measures.interrupted_time_series(_ratings(rows), start)
    assert effect == pytest.approx(1.0, abs=0.05)


def test_demo_its_covers_the_planted_effect_and_the_null(demo_db):
    import json
    import subprocess
    import sys

    from tests.conftest import REPO

    db, truth = demo_db
    run = subprocess.run(
        [sys.executable, "-m", "tpnb.cli", "measures", "--db", str(db), "--json"],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    rows = {r["measure_id"]: r for r in json.loads(run.stdout)["measures"] if r["metric"] == "mean_rating"}
    planted = truth["measures"]["M01"]["expected_mean_rating_effect"]
    assert rows["M01"]["its_ci_low"] > 0 and rows["M01"]["its_ci_low"] <= planted <= rows["M01"]["its_ci_high"]
    assert rows["M02"]["its_ci_low"] <= 0 <= rows["M02"]["its_ci_high"]


@pytest.mark.parametrize(
    "actual,low,high,target,direction,expected",
    [
        (4.0, 3.9, 4.1, 3.8, "at_least", "met"),
        (3.7, 3.6, 3.75, 3.8, "at_least", "not met"),
        (3.8, 3.7, 3.9, 3.8, "at_least", "not sure"),
        (40.0, None, None, 48.0, "at_most", "met"),
        (50.0, None, None, 48.0, "at_most", "not met"),
        (None, None, None, 48.0, "at_most", "no data"),
    ],
)
def test_target_status(actual, low, high, target, direction, expected):
    assert targets.status(actual, low, high, target, direction) == expected


def test_verdicts():
    assert measures.verdict(0.5, 0.1, 0.9) == "worked"
    assert measures.verdict(0.1, -0.1, 0.3) == "no clear effect"
    assert measures.verdict(-0.5, -0.9, -0.1) == "worsened"
    assert measures.verdict(-0.5, -0.9, -0.1, higher_is_better=False) == "worked"
    assert measures.verdict(None, None, None) == "too little data"


def test_demo_measures_find_the_working_one_and_not_the_other(demo_con, demo_db):
    _, truth = demo_db
    table = _evaluate(demo_con).filter(pl.col("metric") == "mean_rating")
    rows = {r["measure_id"]: r for r in table.iter_rows(named=True)}
    planted = truth["measures"]["M01"]["expected_mean_rating_effect"]
    assert rows["M01"]["verdict"] == "worked"
    assert rows["M01"]["ci_low"] > 0 and rows["M01"]["ci_low"] <= planted <= rows["M01"]["ci_high"]
    assert rows["M02"]["verdict"] != "worked"
    assert rows["M02"]["ci_low"] <= 0 <= rows["M02"]["ci_high"]
    # the generator moves every touchpoint alike before a start: the pre-trend checks pass, and the
    # working measure's effect is larger than any untouched touchpoint's placebo effect
    assert rows["M01"]["pretrend_p"] > 0.05 and rows["M02"]["pretrend_p"] > 0.05
    assert rows["M01"]["placebo_p"] == pytest.approx(1 / (1 + rows["M01"]["n_placebo"]))
    assert rows["M01"]["p_adjusted"] < 0.05


def test_demo_targets_have_a_status_per_quarter(demo_con):
    table = targets.targets_vs_actual(read.target_inputs(demo_con))
    assert set(table["metric"]) == {
        "mean_rating",
        "nps",
        "first_response_hours_p90",
        "same_day_callback_share",
        "reached_share",  # from the mystery contacts
    }
    assert set(table["status"]) <= {"met", "not met", "not sure", "no data"}
    delivery = table.filter((pl.col("touchpoint_id") == "delivery") & (pl.col("metric") == "mean_rating"))
    assert delivery["actual"][-1] > delivery["actual"][0]  # the logistics measure shows in the actuals


def test_measures_json_contract(demo_db):
    import json
    import subprocess
    import sys

    from tests.conftest import REPO

    run = subprocess.run(
        [sys.executable, "-m", "tpnb.cli", "measures", "--db", str(demo_db[0]), "--json"],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert run.returncode == 0, run.stderr
    rows = json.loads(run.stdout)["measures"]
    for key in (
        "measure_id",
        "touchpoint_id",
        "metric",
        "effect",
        "ci_low",
        "ci_high",
        "method",
        "verdict",
    ):
        assert key in rows[0]
    assert {(r["measure_id"], r["metric"]) for r in rows} >= {
        ("M01", "mean_rating"),
        ("M02", "mean_rating"),
    }


def _evaluate(con):
    inputs = read.measure_inputs(con, window_days=180)
    return measures.evaluate_measures(
        inputs.measures,
        inputs.ratings,
        inputs.contacts,
        window_days=180,
        min_n=30,
    )


def test_every_metric_a_target_may_name_is_one_the_analysis_computes():
    from tpnb.contracts import TARGET_METRICS

    assert set(TARGET_METRICS) == set(targets.HIGHER_IS_BETTER)
