"""The models in Spark's dialect: what sqlglot carries over and tpnb's few overrides (no Spark needed)."""

from __future__ import annotations

import pytest

pytest.importorskip("sqlglot")

from tpnb.lake.translate import to_spark  # noqa: E402
from tpnb.warehouse.build import load_models  # noqa: E402


def test_every_model_translates_with_its_parameters_bound():
    from tpnb.settings import load_settings

    parameters = load_settings().sql_parameters()
    for model in load_models():
        if "exclude" in model.sql or "pivot" in model.sql:
            continue  # these need the engine's columns or values (tests/lake/test_spark.py)
        sql = to_spark(model.sql, parameters)
        assert "$" not in sql, model.name


def test_overrides_where_sqlglot_is_not_faithful():
    sql = to_spark("select isodow(t), date_diff('second', a, b), a + to_days($days), x / 3600.0 from s", {"days": 7})
    # ISO weekday: Monday 1 ... Sunday 7 (sqlglot's (DAYOFWEEK(t) % 7) + 1 makes Sunday 2)
    assert "WEEKDAY(t) + 1" in sql
    assert "(UNIX_SECONDS(b) - UNIX_SECONDS(a))" in sql
    assert "MAKE_DT_INTERVAL(7)" in sql
    assert "CAST(3600.0 AS DOUBLE)" in sql  # Spark would divide in DECIMAL(…, 6)


def test_exclude_is_expanded_from_the_engines_columns():
    asked = []

    def columns_of(sql):
        asked.append(sql)
        return ["response_id", "nps", "attributes"]

    sql = to_spark("select r.* exclude (attributes), 1 as one from responses r", {}, columns_of=columns_of)
    assert sql == "SELECT r.response_id, r.nps, 1 AS one FROM responses AS r"
    assert asked == ["SELECT r.* FROM responses AS r"]


def test_a_pivot_lists_the_values_the_data_holds():
    sql = to_spark(
        "pivot ratings on driver using first(rating) group by response_id",
        {},
        values_of=lambda query: ["tp_b", "tp_a", None],
    )
    assert sql == (
        "SELECT * FROM (SELECT response_id, driver, rating FROM ratings) "
        "PIVOT (FIRST(rating) FOR driver IN ('tp_a' AS tp_a, 'tp_b' AS tp_b))"
    )
    with pytest.raises(ValueError, match="PIVOT needs the engine"):
        to_spark("pivot ratings on driver using first(rating) group by response_id", {})
