"""The SQL models: keys, identities and the service-log rules, on the demo data and inline rows."""

from datetime import datetime

import duckdb
import polars as pl
import pytest

from tests.conftest import REPO
from tpnb import warehouse
from tpnb.ingest.schema import ensure_schema
from tpnb.settings import load_settings


def test_models_are_ordered_by_their_dependencies():
    order = [m.name for m in warehouse.ordered_models(warehouse.load_models())]
    assert order.index("core_contacts") < order.index("mart_contacts") < order.index("mart_response_experience")
    assert order.index("mart_response_experience") < order.index("mart_responses")


def test_nps_categories_add_up_and_every_contact_is_counted_once(demo_con):
    p, n_, d, total = demo_con.sql(
        "select count(*) filter (where nps_category = 'promoter'), count(*) filter (where nps_category = 'passive'), "
        "count(*) filter (where nps_category = 'detractor'), count(nps) from mart_responses"
    ).fetchall()[0]
    assert p + n_ + d == total
    assert (
        demo_con.sql("select count(*), count(distinct contact_id) from mart_contacts").fetchall()[0]
        == demo_con.sql("select count(*), count(*) from raw_contacts").fetchall()[0]
    )
    assert (
        demo_con.sql("select count(*) from mart_responses").fetchall()[0][0]
        == demo_con.sql("select count(*) from raw_surveys").fetchall()[0][0]
    )
    # one driver row per response, one rating row per response and rated touchpoint
    assert demo_con.sql("select count(*) from mart_driver_ratings").fetchall()[0][0] == total


def test_service_kpis_reproduce_the_generator_rates(demo_con, demo_db):
    _, truth = demo_db
    rates = truth["service_rates"]
    frame = demo_con.sql("select * from mart_contacts").pl()
    n = frame.height
    tolerance = 4 * (0.25 / n) ** 0.5  # four standard errors of a share
    assert abs(frame["is_unanswered"].mean() - rates["unanswered_share"]) < tolerance
    assert abs(frame["is_reopened"].mean() - rates["reopen_share"]) < tolerance
    passed = (frame["handoffs"] >= 2).mean()
    assert abs(passed - rates["passed_around_share"]) < tolerance
    callbacks = frame.filter(pl.col("is_callback_requested"))
    cb_tol = 4 * (0.25 / callbacks.height) ** 0.5
    assert abs(callbacks["is_callback_same_day"].mean() - rates["callback_same_day_share"]) < cb_tol
    assert abs(callbacks["is_callback_missed"].mean() - rates["callback_missed_share"]) < cb_tol
    complaints = frame.filter(pl.col("is_complaint"))
    c_tol = 4 * (0.25 / complaints.height) ** 0.5
    assert abs(complaints["has_interim_update"].mean() - rates["complaint_interim_update_share"]) < c_tol
    assert frame["is_outside_hours"].mean() >= rates["outside_hours_share_at_least"] - tolerance


def _tiny_contacts(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_schema(con)
    rows = [
        # id, customer, opened, type, first_response, callback_due, callback_done, handoffs
        (
            "C1",
            "K1",
            datetime(2026, 3, 2, 9, 0),
            "callback_request",
            datetime(2026, 3, 2, 9, 30),
            datetime(2026, 3, 2, 13, 0),
            datetime(2026, 3, 2, 11, 0),
            0,
        ),  # Monday 9:00, same-day callback
        (
            "C2",
            "K1",
            datetime(2026, 3, 4, 9, 0),
            "callback_request",
            None,
            datetime(2026, 3, 4, 13, 0),
            None,
            3,
        ),  # missed, passed around; same topic as C1
        (
            "C3",
            "K2",
            datetime(2026, 3, 7, 20, 0),
            "inquiry",
            datetime(2026, 3, 9, 10, 0),
            None,
            None,
            1,
        ),  # Saturday evening, 38 h to answer
    ]
    for cid, cust, opened, ctype, first, due, done, handoffs in rows:
        con.execute(
            "insert into raw_contacts (contact_id, customer_id, opened_at, channel, contact_type, first_response_at, "
            "callback_due_at, callback_done_at, handoffs) values (?, ?, ?, 'phone', ?, ?, ?, ?, ?)",
            [cid, cust, opened, ctype, first, due, done, handoffs],
        )
    warehouse.build(con, load_settings(REPO))
    return con


def test_contact_rules_on_three_hand_made_contacts(tmp_path):
    con = _tiny_contacts(tmp_path)
    out = {
        r[0]: r[1:]
        for r in con.sql(
            "select contact_id, is_callback_same_day, is_callback_missed, is_passed_around, is_outside_hours, "
            "is_answered_in_target, has_follow_up, first_response_hours from mart_contacts order by 1"
        ).fetchall()
    }
    assert out["C1"] == (
        True,
        False,
        False,
        False,
        True,
        True,
        0.5,
    )  # C2 is the same topic 2 days later
    assert out["C2"] == (False, True, True, False, False, False, None)
    assert out["C3"] == (None, None, False, True, False, False, 38.0)


def test_contact_events_override_the_contact_columns(tmp_path):
    con = duckdb.connect(str(tmp_path / "e.duckdb"))
    ensure_schema(con)
    con.execute(
        "insert into raw_contacts (contact_id, customer_id, opened_at, channel, handoffs, interim_updates) "
        "values ('C1', 'K1', '2026-03-02 09:00', 'email', 0, 0), ('C2', 'K1', '2026-03-02 09:00', 'email', 1, 0)"
    )
    events = [
        ("C1", "2026-03-02 09:00", "opened", "Service"),
        ("C1", "2026-03-02 10:00", "transferred", "Billing"),
        ("C1", "2026-03-02 11:00", "transferred", "Logistics"),
        ("C1", "2026-03-02 12:00", "status_update", "Logistics"),
        ("C1", "2026-03-02 15:00", "answered", "Logistics"),
        ("C1", "2026-03-03 09:00", "resolved", "Logistics"),
    ]
    for cid, at, kind, dept in events:
        con.execute(
            "insert into raw_contact_events (contact_id, event_at, event_type, department) values (?, ?, ?, ?)",
            [cid, at, kind, dept],
        )
    warehouse.build(con, load_settings(REPO))
    rows = {
        r[0]: r[1:]
        for r in con.sql(
            "select contact_id, handoffs, departments, interim_updates, first_response_hours, is_passed_around, has_events "
            "from mart_contacts"
        ).fetchall()
    }
    assert rows["C1"] == (2, 3, 1, 6.0, True, True)  # derived from the events
    assert rows["C2"] == (1, None, 0, None, False, False)  # no events: the contact's own columns


def test_checks_pass_on_the_demo_and_catch_a_broken_identity(demo_db, tmp_path):
    import shutil

    db = tmp_path / "copy.duckdb"
    shutil.copy(demo_db[0], db)
    con = duckdb.connect(str(db))
    assert warehouse.run_checks(con) == []
    con.execute("insert into mart_contacts select * from mart_contacts limit 1")  # a contact twice
    assert warehouse.run_checks(con) == [
        "mart_contacts: key (contact_id) not unique",
        "mart_contacts: rows differ from raw_contacts",
    ]
    con.execute("delete from mart_responses where response_id in (select response_id from mart_responses limit 1)")
    assert "mart_responses: rows differ from raw_surveys" in warehouse.run_checks(con)


def test_a_model_that_became_a_view_replaces_the_table_an_older_build_left(demo_db, tmp_path):
    import shutil

    db = tmp_path / "old.duckdb"
    shutil.copy(demo_db[0], db)
    con = duckdb.connect(str(db))
    con.execute("drop view core_contacts")
    con.execute("create table core_contacts as select 1 as x")  # as tpnb 0.1 left it
    warehouse.build(con, load_settings(REPO))
    kinds = con.sql("select table_type from information_schema.tables where table_name = 'core_contacts'").fetchall()
    assert kinds == [("VIEW",)]
    assert (
        con.sql("select count(*) from mart_contacts").fetchall()
        == con.sql("select count(*) from raw_contacts").fetchall()
    )


def test_dependencies_named_in_comments_do_not_order_models():
    models = [
        warehouse.Model("core_a", "core", "-- read by mart_b\ncreate or replace view core_a as select 1"),
        warehouse.Model("mart_b", "marts", "create or replace table mart_b as select * from core_a"),
    ]
    assert [m.name for m in warehouse.ordered_models(models)] == ["core_a", "mart_b"]
    assert models[0].kind == "view" and models[1].kind == "table"


def test_engine_settings_come_from_the_environment(demo_db, monkeypatch):
    monkeypatch.setenv("TPNB_MEMORY_LIMIT", "1GB")
    monkeypatch.setenv("TPNB_THREADS", "1")
    con = warehouse.connect(demo_db[0])
    assert con.sql("select current_setting('threads')").fetchall() == [(1,)]
    assert con.sql("select current_setting('memory_limit')").fetchall()[0][0].endswith("MiB")
    con.close()
    monkeypatch.setenv("TPNB_MEMORY_LIMIT", "lots")
    with pytest.raises(warehouse.BadSetting, match="TPNB_MEMORY_LIMIT"):
        warehouse.connect(demo_db[0])


def test_every_built_mart_column_is_declared_and_every_declared_column_built(demo_con):
    from tpnb.contracts.marts import MARTS

    for mart in MARTS:
        built = [row[0] for row in demo_con.sql(f"describe {mart.name}").fetchall()]
        assert [c for c in built if not mart.declares(c)] == [], mart.name
        assert set(mart.columns) - set(built) == set(), mart.name
