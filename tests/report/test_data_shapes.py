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


def _survey_without_nps(path, rows: int = 600, seed: int = 3):
    import numpy as np

    rng = np.random.default_rng(seed)
    a, b, c = (rng.integers(1, 6, rows) for _ in range(3))
    # satisfied follows touchpoint a strongly, b a little, c not at all
    satisfied = (1.2 * a + 0.3 * b + rng.normal(0, 1, rows)) > 4.5
    lines = ["response_id,customer_id,answered_at,tp_a,tp_b,tp_c,satisfied"]
    lines += [f"R{i},K{i},2026-03-01,{a[i]},{b[i]},{c[i]},{'ja' if satisfied[i] else 'nein'}" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n")


def test_a_survey_without_nps_explains_its_yes_no_answer(tmp_path):
    from tpnb.report import sections
    from tpnb.report.context import open_report

    db = tmp_path / "tpnb.duckdb"
    _survey_without_nps(tmp_path / "s.csv")
    con = duckdb.connect(str(db))
    ingest_sources(con, load_sources(_config(tmp_path, "s.csv")))
    warehouse.build(con, load_settings(REPO))
    con.close()
    with open_report(str(db), language="de") as ctx:
        assert ctx.outcome == "satisfied"
        table = sections.nps_drivers(ctx).html_text()
        summary = sections.summary(ctx).html_text()
    assert "Treiber von „satisfied“" in table
    first = table.split("<tbody>", 1)[1].split("</td>", 1)[0]
    assert first.endswith(">A")  # the strongest driver by construction ranks first (named from tp_a)
    assert "Keine NPS-Antworten geladen" in summary and "wichtig für „satisfied“" in summary


def _config(folder, file_name: str, extra: str = ""):
    path = folder / "sources.yaml"
    path.write_text(f"sources:\n  - kind: surveys\n    path: {file_name}\n{extra}")
    return path


def test_the_real_airline_survey_ranks_online_boarding_first_for_satisfied(tmp_path):
    import polars as pl
    import yaml

    from tests.conftest import real_data
    from tpnb.report import sections
    from tpnb.report.context import open_report

    source = real_data("airline_train.csv")
    sample = tmp_path / "airline_sample.csv"
    pl.read_csv(source).sample(n=8000, seed=1).write_csv(sample)
    config = yaml.safe_load((REPO / "examples" / "airline" / "sources.yaml").read_text())
    config["sources"][0]["path"] = str(sample)
    (tmp_path / "sources.yaml").write_text(yaml.safe_dump(config))
    db = tmp_path / "airline.duckdb"
    con = duckdb.connect(str(db))
    ingest_sources(con, load_sources(tmp_path / "sources.yaml"))
    warehouse.build(con, load_settings(REPO))
    con.close()
    with open_report(str(db), language="en") as ctx:
        assert ctx.outcome == "satisfied"
        table = sections.nps_drivers(ctx).html_text()
    first = table.split("<tbody>", 1)[1].split("</td>", 1)[0]
    assert first.endswith(">Online boarding")  # a readable name made from the id online_boarding


def test_filters_match_values_or_labels_in_either_language_and_case(demo_db):
    from tpnb.report.context import FilterMatchesNothing, open_report

    for spelled, stored in (
        ("Entscheider", "decision_maker"),
        ("decision maker", "decision_maker"),
        ("DECISION_MAKER", "decision_maker"),
    ):
        with open_report(str(demo_db[0]), role=spelled) as ctx:
            assert ctx.filters == {"role": stored} and ctx.responses.height > 0
    with open_report(str(demo_db[0]), segment="key account") as ctx:
        assert ctx.filters == {"segment": "Key Account"}
    with pytest.raises(
        FilterMatchesNothing, match="segment 'Großkunde' matches no response; known values: Key Account"
    ):
        open_report(str(demo_db[0]), segment="Großkunde")


def test_a_filter_matching_nothing_fails_its_run_and_keeps_the_last_good_page(demo_db, tmp_path):
    import yaml

    notebook = str(REPO / "notebooks" / "01_touchpoint_overview.ipynb")
    config = tmp_path / "runs.yaml"
    out = tmp_path / "reports"

    def run(segment: str):
        config.write_text(
            yaml.safe_dump(
                {
                    "defaults": {"kernel": "tpnb"},
                    "reports": [
                        {"name": "seg", "title": "Segment", "notebook": notebook, "parameters": {"segment": segment}}
                    ],
                }
            )
        )
        return runs.run_reports(config, REPO, demo_db[0], out, progress=False)[0]

    assert run("mittelstand").status == "ok"
    good = (out / "seg.html").read_text(encoding="utf-8")
    failed = run("Großkunde")
    assert failed.status == "failed" and "matches no response" in failed.error
    assert (out / "seg.html").read_text(encoding="utf-8") == good  # the last good page stays
    assert (out / "seg.failed.html").exists()
