"""Observation metrics on fixtures whose answers follow from the fixture."""

from __future__ import annotations

from datetime import datetime

import polars as pl
import pytest
from statsmodels.stats.proportion import proportion_confint

from tpnb.analysis import observations as obs


def _frame(rows: list[tuple]) -> pl.DataFrame:
    """(channel, department, scenario, reached, answer_code, answer_correct, hour, wait_seconds)."""
    return pl.DataFrame(
        [
            {
                "observation_id": f"O{i}",
                "channel": c,
                "department": d,
                "scenario_id": s,
                "reached": r,
                "answer_code": a,
                "answer_correct": v,
                "hour": h,
                "weekday": 1,
                "is_in_business_hours": h < 17,
                "attempts": 1 if r else 3,
                "wait_seconds": w,
                "response_hours": None,
                "touchpoint_id": "invoice",
                "score_mean": 4.0 if r else None,
                "observed_at": datetime(2026, 3, 2, h),
            }
            for i, (c, d, s, r, a, v, h, w) in enumerate(rows)
        ],
        schema_overrides={"wait_seconds": pl.Float64, "response_hours": pl.Float64, "answer_code": pl.String},
    )


# Scenario S1: phone answers A, A, B (A correct, B wrong); email answers A, A; chat answers C (partly).
# Scenario S2: phone reached twice of four, answer X correct both times.
ROWS = [
    ("phone", "Buchhaltung", "S1", True, "A", "yes", 9, 30.0),
    ("phone", "Buchhaltung", "S1", True, "A", "yes", 10, 60.0),
    ("phone", "Buchhaltung", "S1", True, "B", "no", 11, 90.0),
    ("email", "Buchhaltung", "S1", True, "A", "yes", 9, None),
    ("email", "Buchhaltung", "S1", True, "A", "yes", 9, None),
    ("chat", "Buchhaltung", "S1", True, "C", "partly", 9, 20.0),
    ("phone", "Vertrieb", "S2", True, "X", "yes", 9, 40.0),
    ("phone", "Vertrieb", "S2", True, "X", "yes", 16, 200.0),
    ("phone", "Vertrieb", "S2", False, None, None, 17, None),
    ("phone", "Vertrieb", "S2", False, None, None, 17, None),
]


def test_wilson_bounds_equal_statsmodels():
    frame = pl.DataFrame({"k": [0, 3, 10, 7], "n": [5, 10, 10, 40]})
    got = frame.select(
        obs.wilson(pl.col("k"), pl.col("n"), True), obs.wilson(pl.col("k"), pl.col("n"), False).alias("hi")
    )
    for (lo, hi), (k, n) in zip(got.iter_rows(), frame.iter_rows(), strict=True):
        want = proportion_confint(k, n, method="wilson")
        assert (lo, hi) == pytest.approx(want, abs=1e-12)


def test_reference_answer_is_the_most_common_correct_one_and_consistency_follows():
    ref = obs.modal_answers(_frame(ROWS)).sort("scenario_id")
    assert ref.to_dicts() == [
        {"scenario_id": "S1", "reference_answer": "A", "distinct_answers": 3},
        {"scenario_id": "S2", "reference_answer": "X", "distinct_answers": 1},
    ]
    by_scenario = {
        r["scenario_id"]: r for r in obs.observation_metrics(_frame(ROWS), by="scenario_id", min_n=5).to_dicts()
    }
    s1, s2 = by_scenario["S1"], by_scenario["S2"]
    assert s1["consistency"] == pytest.approx(4 / 6) and s1["distinct_answers"] == 3
    assert s1["correct_share"] == pytest.approx(4 / 6) and s1["partly_share"] == pytest.approx(1 / 6)
    assert s1["wrong_share"] == pytest.approx(1 / 6)
    assert s2["reached_share"] == pytest.approx(0.5) and s2["n"] == 4 and s2["small"]
    assert (s2["reached_ci_low"], s2["reached_ci_high"]) == pytest.approx(proportion_confint(2, 4, method="wilson"))
    assert s2["consistency"] == 1.0 and s2["attempts_mean"] == pytest.approx(2.0)


def test_speed_within_the_target():
    whole = obs.observation_metrics(_frame(ROWS), wait_target_seconds=60).row(0, named=True)
    waits = [30.0, 60.0, 90.0, 20.0, 40.0, 200.0]
    assert whole["wait_seconds_median"] == pytest.approx(50.0)
    assert whole["wait_in_target_share"] == pytest.approx(sum(w <= 60 for w in waits) / len(waits))
    assert whole["n"] == 10 and whole["reached"] == 8


def test_channel_agreement_counts_pairs_of_answers_to_the_same_scenario():
    table = {(r["channel_a"], r["channel_b"]): r for r in obs.channel_agreement(_frame(ROWS)).to_dicts()}
    # S1: phone {A, A, B} x email {A, A}: 6 pairs, 4 agree; phone x chat {C}: 3 pairs, none; email x chat: 2, none
    assert table[("email", "phone")]["pairs"] == 6 and table[("email", "phone")]["agreement"] == pytest.approx(4 / 6)
    assert table[("chat", "phone")]["agreement"] == 0.0 and table[("chat", "email")]["pairs"] == 2


def test_reachability_grid_marks_business_hours():
    grid = obs.reachability_grid(_frame(ROWS))
    late = grid.filter(pl.col("hour_band") == "16-18").row(0, named=True)
    assert late["n"] == 3 and late["reached_share"] == pytest.approx(1 / 3)
    assert grid.filter(pl.col("hour_band") == "08-10").row(0, named=True)["in_business_hours"]


def test_virtues_and_observed_vs_experienced():
    scores = pl.DataFrame(
        {"criterion": ["friendliness"] * 3, "channel": ["phone", "phone", "email"], "rating": [4.0, 2.0, 5.0]}
    )
    assert obs.virtue_scores(scores).to_dicts() == [
        {"criterion": "friendliness", "channel": "email", "n": 1, "score_mean": 5.0},
        {"criterion": "friendliness", "channel": "phone", "n": 2, "score_mean": 3.0},
    ]
    ratings = pl.DataFrame({"touchpoint_id": ["invoice", "invoice"], "rating": [2.0, 3.0]})
    gap = obs.observed_vs_experienced(_frame(ROWS), ratings).row(0, named=True)
    assert gap["observed_mean"] == 4.0 and gap["experienced_mean"] == 2.5 and gap["gap"] == pytest.approx(1.5)
