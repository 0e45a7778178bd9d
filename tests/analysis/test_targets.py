"""Targets against actuals: observation metrics and the interval level."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import polars as pl
import pytest
from statsmodels.stats.proportion import proportion_confint

from tpnb.analysis.targets import actuals, targets_vs_actual


def _inputs(observations=None, ratings=None):
    empty = pl.DataFrame()
    return SimpleNamespace(
        targets=pl.DataFrame(
            {"touchpoint_id": ["invoice"], "metric": ["reached_share"], "valid_from": [date(2026, 1, 1)]}
            | {"target": [0.9], "direction": ["at_least"]}
        ),
        ratings=ratings if ratings is not None else empty,
        responses=empty,
        contacts=empty,
        observations=observations,
    )


def _observations() -> pl.DataFrame:
    # invoice, 2026-Q1: 40 test calls, 30 reached; another touchpoint: 10 calls, all reached
    rows = [("invoice", i < 30) for i in range(40)] + [("hotline", True)] * 10
    return pl.DataFrame(
        {
            "period_quarter": ["2026-Q1"] * len(rows),
            "touchpoint_id": [tp for tp, _ in rows],
            "scenario_id": ["S"] * len(rows),
            "reached": [r for _, r in rows],
            "answer_code": ["A" if r else None for _, r in rows],
            "answer_correct": ["yes" if r else None for _, r in rows],
            "attempts": [1] * len(rows),
            "wait_seconds": [30.0] * len(rows),
            "response_hours": [None] * len(rows),
            "hour": [9] * len(rows),
        },
        schema_overrides={"response_hours": pl.Float64},
    )


def test_a_target_on_the_reached_share_of_mystery_calls():
    table = targets_vs_actual(_inputs(_observations()))
    row = table.row(0, named=True)
    assert (row["metric"], row["n"], row["actual"]) == ("reached_share", 40, pytest.approx(0.75))
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(proportion_confint(30, 40, method="wilson"))
    assert row["status"] == "not met"  # the whole interval lies below 0.9


def test_without_observations_an_observation_target_has_no_actual():
    assert actuals(_inputs(None), "reached_share", "invoice").is_empty()


def test_the_interval_follows_the_level_asked_for():
    ratings = pl.DataFrame(
        {
            "period_quarter": ["2026-Q1"] * 100,
            "touchpoint_id": ["invoice"] * 100,
            "is_experienced": [True] * 100,
            "rating": [5.0] * 40 + [3.0] * 60,
            "nps": [9] * 100,
        }
    )
    wide = actuals(_inputs(ratings=ratings), "top2_share", "invoice", level=0.95).row(0, named=True)
    narrow = actuals(_inputs(ratings=ratings), "top2_share", "invoice", level=0.80).row(0, named=True)
    se = (0.4 * 0.6 / 100) ** 0.5
    assert wide["ci_high"] - wide["actual"] == pytest.approx(1.959964 * se, rel=1e-5)
    assert narrow["ci_high"] - narrow["actual"] == pytest.approx(1.281552 * se, rel=1e-5)


def test_the_pooled_mean_rating_is_clustered_by_respondent():
    # R1 rates three touchpoints 5, R2 rates three 1: mean 3; S = 15 and 3 with m = 3 each:
    # V = 2/1 * ((15 - 9)² + (3 - 9)²) / 6² = 4, so the interval is 3 ± 1.96 * 2
    ratings = pl.DataFrame(
        {
            "period_quarter": ["2026-Q1"] * 6,
            "response_id": ["R1"] * 3 + ["R2"] * 3,
            "touchpoint_id": ["a", "b", "c"] * 2,
            "is_experienced": [True] * 6,
            "rating": [5.0] * 3 + [1.0] * 3,
            "nps": [9] * 6,
        }
    )
    row = actuals(_inputs(ratings=ratings), "mean_rating", "*").row(0, named=True)
    assert (row["n"], row["actual"]) == (6, 3.0)
    assert row["ci_high"] - row["actual"] == pytest.approx(1.959964 * 2.0, rel=1e-5)
    one = actuals(_inputs(ratings=ratings), "mean_rating", "a").row(0, named=True)  # one rating each: no clusters
    assert one["n"] == 2


def test_only_quarters_wholly_inside_the_period_are_scored():
    from tpnb.analysis.targets import complete_quarters

    table = pl.DataFrame(
        {"period_quarter": ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"], "actual": [1.0, 2.0, 3.0, 4.0]}
    )
    inside = complete_quarters(table, date(2026, 3, 30), date(2026, 9, 30))
    assert inside["period_quarter"].to_list() == ["2026-Q2", "2026-Q3"]
    running = complete_quarters(table, date(2026, 1, 1), date(2026, 11, 22))  # Q4 has barely started
    assert running["period_quarter"].to_list() == ["2026-Q1", "2026-Q2", "2026-Q3"]
