"""Reports on data that is not the whole demo: each section shows its result or says in one sentence
what it lacks; a page made only of such sentences is published with the status "no data"."""

from __future__ import annotations

import duckdb
import pytest

from tests.conftest import DEMO_AS_OF, REPO
from tpnb import demo, warehouse
from tpnb.ingest import ingest_sources, load_sources
from tpnb.report import runs
from tpnb.settings import load_settings


@pytest.fixture(scope="module")
def surveys_only(tmp_path_factory):
    folder = tmp_path_factory.mktemp("surveys_only")
    config = demo.write_sources(demo.generate(seed=5, customers=1200, as_of=DEMO_AS_OF), folder / "src")
    db = folder / "tpnb.duckdb"
    con = duckdb.connect(str(db))
    ingest_sources(con, [s for s in load_sources(config) if s.kind in ("touchpoints", "surveys")])
    warehouse.build(con, load_settings(REPO))
    con.close()
    declared = (REPO / "reports.yaml").read_text(encoding="utf-8").replace("notebooks/", f"{REPO}/notebooks/")
    (folder / "reports.yaml").write_text(declared, encoding="utf-8")
    out = folder / "reports"
    outcomes = runs.run_reports(folder / "reports.yaml", REPO, db, out, jobs=2, progress=False)
    return out, {o.name: o for o in outcomes}


def test_surveys_only_publishes_every_report_with_its_status(surveys_only):
    _, outcomes = surveys_only
    assert {name: o.status for name, o in outcomes.items()} == {
        "overview": "ok",
        "drivers": "ok",
        "service_chain": "no data",
        "targets_measures": "no data",
    }


def test_each_section_says_what_it_lacks_and_how_to_add_it(surveys_only):
    out, _ = surveys_only
    service = (out / "service_chain.html").read_text(encoding="utf-8")
    assert service.count("Keine Kontaktlogs geladen") == 6 and "tpnb ingest contacts DATEI" in service
    drivers = (out / "drivers.html").read_text(encoding="utf-8")
    assert "Keine Bestellungen geladen" in drivers  # observed repurchase needs orders
    assert drivers.count('class="tpnb-chart"') >= 3  # the NPS models are there
    review = (out / "targets_measures.html").read_text(encoding="utf-8")
    assert "Es sind noch keine Ziele geladen" in review and "Es sind noch keine Maßnahmen geladen" in review


def test_the_index_shows_no_data_and_the_command_does_not_count_it_a_failure(surveys_only):
    out, _ = surveys_only
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.count(">no data<") == 2
