"""Reports on data that is not the whole demo: the outcome a survey offers, filters by label.

Every report and command over every data shape (statuses, "no data" pages, what each page says) is
tests/test_matrix.py."""

from __future__ import annotations

import duckdb
import pytest

from tests.conftest import REPO
from tpnb import warehouse
from tpnb.ingest import ingest_sources, load_sources
from tpnb.settings import load_settings


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
