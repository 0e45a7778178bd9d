"""Key drivers from an engine's sums equal key drivers fitted on the rows.

``key_drivers_on`` asks the engine for per-block sums (and, for the standard errors and a logit,
a few passes with the coefficients bound); ``key_drivers`` fits statsmodels on the frame. Run here
on DuckDB, so any difference is the aggregate path's; tests/lake holds Spark to the same.
"""

from __future__ import annotations

import math
from datetime import datetime

import duckdb
import numpy as np
import polars as pl
import pytest

from tpnb.analysis.drivers import key_drivers, key_drivers_by
from tpnb.analysis.drivers.bootstrap import MAX_BLOCKS, hash_block
from tpnb.pushdown.drivers import key_drivers_by_on, key_drivers_on
from tpnb.warehouse import read
from tpnb.warehouse.db import runner


def assert_same_result(rows: dict, sums: dict, path: str = "") -> None:
    """Equal documents, numbers to 1e-9 (relative) or 1e-12 (absolute)."""
    if isinstance(rows, dict):
        assert set(rows) == set(sums), f"{path}: keys differ: {set(rows) ^ set(sums)}"
        for key in rows:
            assert_same_result(rows[key], sums[key], f"{path}.{key}")
    elif isinstance(rows, list):
        assert len(rows) == len(sums), f"{path}: lengths differ"
        for i, (a, b) in enumerate(zip(rows, sums, strict=True)):
            assert_same_result(a, b, f"{path}[{i}]")
    elif isinstance(rows, float) and isinstance(sums, float):
        same = (math.isnan(rows) and math.isnan(sums)) or math.isclose(rows, sums, rel_tol=1e-9, abs_tol=1e-12)
        assert same, f"{path}: {rows} on rows, {sums} from sums"
    else:
        assert rows == sums, f"{path}: {rows!r} on rows, {sums!r} from sums"


CASES = {
    "nps, accounts as blocks": {"outcome": "nps"},
    "promoter: logit by Newton passes": {"outcome": "promoter"},
    "repurchase, a control": {"outcome": "repurchase", "controls": ["segment"]},
    # 4,000+ respondents without accounts: hashed blocks, HC3 by a pass with the leverage
    "nps without accounts": {"outcome": "nps", "cluster": None, "controls": ["role"]},
    "complete cases, straight-liners out": {
        "outcome": "nps",
        "strategy": "complete_case",
        "exclude_straightliners": True,
        "drivers": ["tp_delivery", "tp_invoice", "tp_order", "had_late_answer"],
        "method": "relative_weights",
    },
}


@pytest.mark.parametrize("case", list(CASES))
def test_sums_give_the_model_fitted_on_rows(demo_con, case):
    options = {"bootstrap": 40, "seed": 11, **CASES[case]}
    labels = read.touchpoint_labels(demo_con)
    on_rows = key_drivers(read.driver_frame(demo_con, options["outcome"]), labels=labels, **options)
    from_sums = key_drivers_on(runner(demo_con), labels=labels, **options)
    assert on_rows.diagnostics["bootstrap_draws"] == 40
    assert_same_result(on_rows.as_dict(), from_sums.as_dict())


def test_a_period_and_one_model_per_level(demo_con):
    from datetime import date

    first, last = date(2026, 1, 1), date(2026, 6, 30)
    frame = read.driver_frame(demo_con, "nps", first, last)
    on_rows = key_drivers_by(frame, "role", min_n=600, bootstrap=10)
    from_sums = key_drivers_by_on(runner(demo_con), "role", min_n=600, bootstrap=10, first_day=first, last_day=last)
    assert [(g.level, g.n, g.is_fitted) for g in on_rows] == [(g.level, g.n, g.is_fitted) for g in from_sums]
    fitted = [g.is_fitted for g in on_rows]
    assert any(fitted) and not all(fitted), [(g.level, g.n, g.is_fitted) for g in on_rows]
    for a, b in zip(on_rows, from_sums, strict=True):
        if a.is_fitted:
            assert_same_result(a.result.as_dict(), b.result.as_dict())


def test_a_driver_without_variation_is_left_out_on_both_paths():
    rng = np.random.default_rng(4)
    n = 300
    frame = pl.DataFrame(
        {
            "response_id": [f"R{i:04d}" for i in range(n)],
            "nps": rng.integers(0, 11, n).astype(float),
            "tp_a": rng.integers(1, 6, n).astype(float),
            "tp_flat": np.full(n, 4.0),
            "account_id": [f"A{i % 40}" for i in range(n)],
            "answered_at": [datetime(2026, 5, 1 + i % 28) for i in range(n)],
        }
    )
    con = duckdb.connect()
    con.register("mart_responses", frame.select("response_id", "answered_at", "nps", "account_id"))
    con.register("mart_driver_ratings", frame.select("response_id", "tp_a", "tp_flat"))
    on_rows = key_drivers(frame, bootstrap=5)
    from_sums = key_drivers_on(runner(con), bootstrap=5)
    assert on_rows.notes == ["no variation, left out: tp_flat"]
    assert_same_result(on_rows.as_dict(), from_sums.as_dict())


def test_the_hashed_block_is_the_same_in_python_and_sql():
    keys = ["A1", "row:R17", "Kunde Müller", "", "x" * 40]
    sql = f"select ('0x' || substr(md5($seed || k), 1, 8))::bigint % {MAX_BLOCKS} as b from unnest($keys) t(k)"
    con = duckdb.connect()
    blocks = con.sql(sql, params={"seed": "7:", "keys": keys}).pl()["b"].to_list()
    assert blocks == [hash_block(7, k) for k in keys]
    assert len({hash_block(seed, "A1") for seed in range(20)}) > 1  # the seed moves the blocks


def test_a_survey_attribute_as_the_outcome(demo_con):
    attributes = demo_con.sql("select distinct attribute from core_survey_attributes order by 1").fetchall()
    numeric = [
        a
        for (a,) in attributes
        if demo_con.sql(
            "select count(value_number) > 200 from core_survey_attributes where attribute = $a", params={"a": a}
        ).fetchall()[0][0]
    ]
    if not numeric:
        pytest.skip("the demo survey has no numeric attribute")
    frame = read.driver_frame(demo_con, numeric[0])
    on_rows = key_drivers(frame, outcome=numeric[0], bootstrap=5)
    from_sums = key_drivers_on(runner(demo_con), outcome=numeric[0], bootstrap=5)
    assert_same_result(on_rows.as_dict(), from_sums.as_dict())


def test_a_separated_logit_stops_and_says_so():
    """A rating that predicts the yes/no outcome perfectly has no finite logit: the passes stop
    early and the result states it did not converge, instead of running 50 passes or failing."""
    n = 200
    rating = [float(1 + i % 5) for i in range(n)]
    frame = pl.DataFrame(
        {
            "response_id": [f"R{i:04d}" for i in range(n)],
            "answered_at": [datetime(2026, 5, 1)] * n,
            "account_id": [None] * n,
            "is_promoter": [1 if r >= 4 else 0 for r in rating],
            "tp_a": rating,
        }
    )
    con = duckdb.connect()
    con.register("mart_responses", frame.drop("tp_a"))
    con.register("mart_driver_ratings", frame.select("response_id", "tp_a"))
    passes = []

    def run(sql, params=None):
        passes.append(sql)
        return runner(con)(sql, params)

    result = key_drivers_on(run, outcome="promoter", bootstrap=0)
    assert result.diagnostics["converged"] is False
    assert "the logit did not converge; treat its coefficients with care" in result.notes
    assert len(passes) < 25
