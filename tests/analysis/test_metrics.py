"""Metrics on tiny inline frames; every expected value is worked out by hand here."""

from datetime import date, datetime
from math import sqrt

import polars as pl
import pytest

from tpnb import metrics

# 10 responses: promoters 10, 9, 10, 10, 9 (5); passives 8, 7 (2); detractors 6, 0, 3 (3)
SCORES = [10, 9, 8, 7, 6, 0, 10, 10, 3, 9]


def test_nps_counts_and_adjusted_wald_interval():
    out = metrics.nps(pl.DataFrame({"nps": SCORES})).row(0, named=True)
    assert (out["n"], out["promoters"], out["passives"], out["detractors"]) == (10, 5, 2, 3)
    assert out["nps"] == pytest.approx(100 * (5 - 3) / 10)
    # adjusted Wald: n' = 13, p' = 5.75/13, d' = 3.75/13
    p, d, n = 5.75 / 13, 3.75 / 13, 13
    se = sqrt((p + d - (p - d) ** 2) / n)
    assert out["se"] == pytest.approx(100 * se)
    assert out["ci_low"] == pytest.approx(100 * ((p - d) - 1.959964 * se), abs=1e-3)
    assert out["ci_high"] == pytest.approx(100 * ((p - d) + 1.959964 * se), abs=1e-3)
    # the numbers themselves, computed by hand: se = 0.233222, centre 0.153846
    assert out["ci_low"] == pytest.approx(-30.33, abs=0.01)
    assert out["ci_high"] == pytest.approx(61.10, abs=0.01)


def test_nps_by_group_ignores_missing_scores():
    frame = pl.DataFrame({"g": ["a", "a", "a", "b", "b"], "nps": [10, 0, None, 9, 9]})
    out = metrics.nps(frame, by="g")
    assert out["n"].to_list() == [2, 2]
    assert out["nps"].to_list() == [0.0, 100.0]


def test_account_weighting_counts_each_account_once():
    # account A: 3 promoters; account B: 1 detractor -> weighted NPS = (1 - 1) / 2 = 0
    frame = pl.DataFrame({"account_id": ["A", "A", "A", "B"], "nps": [10, 10, 9, 2]})
    assert metrics.nps(frame)["nps"][0] == pytest.approx(50.0)
    weighted = metrics.account_nps(frame).row(0, named=True)
    assert weighted["nps"] == pytest.approx(0.0)
    # Kish effective n: weights 1/3,1/3,1/3,1 -> (2)^2 / (3/9 + 1) = 3
    assert weighted["n_effective"] == pytest.approx(3.0)


def test_nps_change_uses_adjusted_wald_variances():
    before = metrics.nps(pl.DataFrame({"nps": [10] * 20 + [0] * 20 + [8] * 10}))
    after = metrics.nps(pl.DataFrame({"nps": [10] * 30 + [0] * 10 + [8] * 10}))
    change = metrics.nps_change(before, after).row(0, named=True)
    assert change["change"] == pytest.approx(40.0)
    pb, db_, nb = 20.75 / 53, 20.75 / 53, 53
    pa, da, na = 30.75 / 53, 10.75 / 53, 53
    var_b = (pb + db_ - (pb - db_) ** 2) / nb
    var_a = (pa + da - (pa - da) ** 2) / na
    z = ((pa - da) - (pb - db_)) / sqrt(var_a + var_b)
    assert change["z"] == pytest.approx(z)
    assert change["is_significant"]


def test_touchpoint_ratings_never_count_not_experienced_as_low():
    frame = pl.DataFrame(
        {
            "touchpoint_id": ["d"] * 5,
            "is_experienced": [True, True, True, False, False],
            "rating": [5.0, 4.0, 1.0, None, None],
        }
    )
    out = metrics.touchpoint_ratings(frame).row(0, named=True)
    assert out["asked"] == 5 and out["n"] == 3
    assert out["reach"] == pytest.approx(3 / 5)
    assert out["mean_rating"] == pytest.approx(10 / 3)
    assert out["top2_share"] == pytest.approx(2 / 3)
    assert out["bottom_share"] == pytest.approx(1 / 3)


def test_suppress_small_blanks_figures_but_keeps_the_row_and_n():
    table = pl.DataFrame({"g": ["a", "b"], "n": [50, 5], "nps": [10.0, 90.0]})
    out = metrics.suppress_small(table, min_n=30)
    assert out["n"].to_list() == [50, 5]
    assert out["nps"].to_list() == [10.0, None]
    assert out["is_small"].to_list() == [False, True]


def test_freshness_warns_when_the_newest_survey_is_old():
    fresh = metrics.freshness(datetime(2026, 10, 1), datetime(2026, 10, 20), date(2026, 11, 1), 90)
    assert not fresh.is_stale and (fresh.survey_age_days, fresh.contact_age_days) == (31, 12)
    stale = metrics.freshness(datetime(2026, 6, 1), datetime(2026, 10, 20), date(2026, 11, 1), 90)
    assert stale.is_stale and stale.survey_age_days == 153  # 30 + 31 + 31 + 30 + 31 days
    assert stale.is_survey_stale and not stale.is_contact_stale


def _contacts(**columns):
    base = {
        "first_response_hours": [1.0, 30.0, None, 2.0],
        "is_answered_in_target": [True, False, False, True],
        "is_unanswered": [False, False, True, False],
        "is_callback_requested": [True, True, False, False],
        "is_callback_same_day": [True, False, None, None],
        "is_callback_missed": [False, True, None, None],
        "wait_seconds": [30.0, 200.0, None, 60.0],
        "is_long_wait": [False, True, None, False],
        "handoffs": [0, 3, 1, 2],
        "is_passed_around": [False, True, False, True],
        "has_follow_up": [False, True, False, False],
        "is_complaint": [True, False, False, True],
        "resolution_hours": [10.0, 40.0, None, 30.0],
        "has_interim_update": [True, None, None, False],
        "is_outside_hours": [False, False, True, False],
        "is_reopened": [False, False, False, True],
        "department": ["A", "A", "B", "B"],
    }
    base.update(columns)
    return pl.DataFrame(base)


def test_service_kpis_by_hand():
    out = metrics.service_kpis(_contacts()).row(0, named=True)
    assert out["n"] == 4
    assert out["first_response_hours_median"] == pytest.approx(2.0)  # of 1, 2, 30
    assert out["answered_in_target_share"] == pytest.approx(0.5)
    assert out["unanswered_share"] == pytest.approx(0.25)
    assert out["callback_same_day_share"] == pytest.approx(0.5)  # 1 of 2 requested
    assert out["callback_missed_share"] == pytest.approx(0.5)
    assert out["wait_seconds_median"] == pytest.approx(60.0)
    assert out["long_wait_share"] == pytest.approx(1 / 3)
    assert out["handoffs_per_contact"] == pytest.approx(1.5)
    assert out["passed_around_share"] == pytest.approx(0.5)
    assert out["complaint_resolution_hours_median"] == pytest.approx(20.0)  # complaints: 10 and 30
    assert out["complaint_interim_update_share"] == pytest.approx(0.5)
    assert out["outside_hours_share"] == pytest.approx(0.25)
    by = metrics.service_kpis(_contacts(), by="department")
    assert by["n"].to_list() == [2, 2]
    assert by["passed_around_share"].to_list() == [0.5, 0.5]


def test_sql_sums_give_the_same_nps_as_polars(demo_con):
    from tpnb.warehouse import read as queries

    frame = demo_con.sql("select * from mart_responses").pl()
    for weighted in (False, True):
        expected = (metrics.account_nps(frame, by="role") if weighted else metrics.nps(frame, by="role")).sort("role")
        sums, _ = queries.nps_sums(demo_con, ["role"], account_weighted=weighted)
        got = metrics.nps_from_sums(sums, weighted=weighted).sort("role")
        assert got["n"].to_list() == expected["n"].to_list()
        assert got["nps"].to_list() == pytest.approx(expected["nps"].to_list())
        assert got["ci_low"].to_list() == pytest.approx(expected["ci_low"].to_list())


def test_nps_by_a_survey_attribute(demo_con):
    from tpnb.warehouse import read as queries

    sums, columns = queries.nps_sums(demo_con, ["wave"])
    assert columns == ["wave"] and sorted(sums["wave"].to_list()) == ["1", "2", "3", "4", "5"]
    with pytest.raises(ValueError, match="unknown dimension 'colour'"):
        queries.nps_sums(demo_con, ["colour"])


def test_nps_cells_agree_with_the_rating_rows(demo_con):
    from tpnb.warehouse import read as queries

    rows = demo_con.sql(
        "select * from mart_touchpoint_ratings where is_experienced "
        "and answered_at::date between '2026-02-01' and '2026-06-30'"
    ).pl()
    expected = metrics.nps(rows, by=["touchpoint_name", "segment"]).sort("touchpoint_name", "segment")
    sums, _ = queries.nps_sums(demo_con, ["touchpoint", "segment"], "2026-02-01", "2026-06-30")
    got = metrics.nps_from_sums(sums).sort("touchpoint_name", "segment")
    assert got["n"].to_list() == expected["n"].to_list()
    assert got["nps"].to_list() == pytest.approx(expected["nps"].to_list())
    assert got["ci_high"].to_list() == pytest.approx(expected["ci_high"].to_list())


def test_channel_mix_and_consistency_by_hand():
    contacts = pl.DataFrame(
        {
            "channel": ["phone"] * 30 + ["email"] * 20 + ["fax"] * 5,
            "contact_type": ["inquiry"] * 55,
            "is_answered_in_target": [True] * 30 + [True] * 10 + [False] * 10 + [False] * 5,
            "resolution_hours": [2.0] * 30 + [10.0] * 20 + [50.0] * 5,
            "is_reopened": [False] * 55,
        }
    )
    mix = metrics.channel_mix(contacts)
    assert mix["channel"].to_list() == ["phone", "email", "fax"]
    assert mix["share"].to_list() == pytest.approx([30 / 55, 20 / 55, 5 / 55])
    consistency = metrics.channel_consistency(contacts).row(0, named=True)
    # fax has fewer than 20 contacts and is skipped: phone 100 % vs email 50 % in target
    assert consistency["channels"] == 2
    assert consistency["answered_in_target_spread"] == pytest.approx(0.5)
    assert consistency["resolution_hours_spread"] == pytest.approx(8.0)
    assert consistency["worst_channel"] == "email"
