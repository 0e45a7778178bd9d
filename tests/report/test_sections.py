"""Report building blocks: the management summary and the driver cache shared by a refresh."""

import shutil

import duckdb

from tpnb.report.context import open_report
from tpnb.report.summary import summary_html


def test_summary_names_nps_touchpoints_targets_and_the_service_problem(demo_db):
    ctx = open_report(str(demo_db[0]), language="en")
    text = summary_html(ctx)
    assert "<strong>NPS " in text and "Act first on: <strong>Delivery / logistics partner</strong>" in text
    assert "Measures that worked: Neuer Logistikpartner" in text
    assert "Biggest service-chain problem" in text


def test_driver_results_are_shared_until_the_database_changes(demo_db, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    db = tmp_path / "copy.duckdb"
    shutil.copy(demo_db[0], db)
    first = open_report(str(db)).drivers("nps", bootstrap=5)
    files = list((tmp_path / "cache" / "tpnb" / "drivers").glob("*.pickle"))
    assert len(files) == 1
    again = open_report(str(db)).drivers("nps", bootstrap=5)
    assert again.drivers.equals(first.drivers)
    assert len(list(files[0].parent.glob("*.pickle"))) == 1  # read, not recomputed
    con = duckdb.connect(str(db))
    con.execute("delete from mart_responses where segment = 'Kleinkunde'")
    con.close()
    changed = open_report(str(db)).drivers("nps", bootstrap=5)
    assert changed.n < first.n
    assert len(list(files[0].parent.glob("*.pickle"))) == 2
