"""The checks beside a difference in differences: event study, pre-trend test, placebo, Holm across metrics."""

from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest

from tpnb.analysis import measures
from tpnb.analysis.pretrend import event_study, placebo_p

START = date(2026, 4, 1)
TOUCHPOINTS = ("treated", "a", "b", "c", "d")


def _ratings(pre_slope: float, effect: float, seed: int = 3) -> pl.DataFrame:
    """Five touchpoints rated daily for 90 days either side of the start; the treated one drifts by
    ``pre_slope`` a month before the start and jumps by ``effect`` at it; noise sd 0.5."""
    rng = np.random.default_rng(seed)
    rows = []
    for day in range(-89, 90):
        when = START + timedelta(days=day)
        for k in range(6):
            rid = f"r{day}_{k}"
            for tp in TOUCHPOINTS:
                shift = 0.0
                if tp == "treated":
                    shift = pre_slope * min(day, 0) / 30 + (effect if day >= 0 else 0.0)
                rows.append((rid, tp, 3.0 + shift + rng.normal(0, 0.5), when))
    frame = pl.DataFrame(rows, schema=["response_id", "touchpoint_id", "rating", "day"], orient="row")
    return frame.with_columns(pl.lit(True).alias("is_experienced"), pl.lit(None, pl.Int64).alias("nps"))


def _evaluate(ratings: pl.DataFrame) -> dict:
    measure = pl.DataFrame(
        {"measure_id": ["M1"], "touchpoint_id": ["treated"], "title": ["Test"], "started_at": [START]}
    )
    contacts = pl.DataFrame(schema={"touchpoint_id": pl.String, "day": pl.Date, "is_answered_in_target": pl.Boolean})
    result = measures.evaluate_measures(measure, ratings, contacts, window_days=90, min_n=20)
    return result.filter(pl.col("metric") == "mean_rating").row(0, named=True)


def test_parallel_trends_pass_and_the_effect_stands_out_from_the_placebos():
    row = _evaluate(_ratings(pre_slope=0.0, effect=0.5))
    assert row["effect"] == pytest.approx(0.5, abs=0.05)
    assert row["pretrend_p"] > 0.05
    assert row["n_placebo"] == 4 and row["placebo_p"] == pytest.approx(1 / 5)  # larger than every placebo
    assert row["verdict"] == "worked"


def test_a_treated_touchpoint_that_was_already_rising_fails_the_pre_trend_check():
    # rising 0.3 a month before the start: the difference in differences sees a "jump" that the
    # event study's leads show was there before the measure
    row = _evaluate(_ratings(pre_slope=0.3, effect=0.0))
    assert row["ci_low"] > 0  # the naive estimate would call it a success
    assert row["pretrend_p"] < 0.001
    assert row["verdict"] == measures.PRETREND_FAILED


def test_event_study_leads_are_about_zero_and_lags_carry_the_effect():
    frame = _ratings(pre_slope=0.0, effect=0.5).with_columns((pl.col("touchpoint_id") == "treated").alias("is_treated"))
    study = event_study(frame, START)
    assert study.months == [-3, -2, 0, 1, 2]  # -1 is the reference
    effects = dict(zip(study.months, study.effects, strict=True))
    assert abs(effects[-3]) < 0.1 and abs(effects[-2]) < 0.1
    assert all(effects[k] == pytest.approx(0.5, abs=0.1) for k in (0, 1, 2))


def test_placebo_p_by_hand():
    assert placebo_p(1.0, [0.2, -1.5, 0.5]) == pytest.approx(2 / 4)
    assert placebo_p(1.0, []) is None


def test_holm_across_a_measures_metrics_can_withdraw_a_verdict():
    # raw p 0.03 and 0.04 with a third at 0.5: Holm gives 3 x 0.03 = 0.09, then max(0.09, 2 x 0.04),
    # then 0.5: neither effect holds below 0.05
    metrics = [
        {"metric": "mean_rating", "p_value": 0.03, "verdict": "worked", "pretrend_p": 0.6},
        {"metric": "nps", "p_value": 0.04, "verdict": "worked", "pretrend_p": None},
        {"metric": "answered_in_target_share", "p_value": 0.5, "verdict": "no clear effect"},
    ]
    judged = measures._judge(metrics, 0.95)
    assert [m["p_adjusted"] for m in judged] == pytest.approx([0.09, 0.09, 0.5])
    assert [m["verdict"] for m in judged] == ["no clear effect"] * 3
