"""`tpnb nps` and `tpnb drivers` with survey weights raked to the loaded customers, as real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO


def _project(folder: Path, weights: str | None) -> Path:
    """A project whose customers are half A, half B, and whose survey is 80 % A (all promoters)
    and 20 % B (all detractors): unweighted NPS 60, raked to the customers 0."""
    data = folder / "data"
    data.mkdir(parents=True)
    (data / "touchpoints.csv").write_text("touchpoint_id,name,phase\nservice,Service,ongoing\n", encoding="utf-8")
    rows = ["customer_id,account_id,segment"]
    rows += [f"K{i},F{i},{'A' if i < 100 else 'B'}" for i in range(200)]
    (data / "customers.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    answers = ["response_id,customer_id,answered_at,nps,tp_service"]
    answers += [f"R{i},K{i},2026-05-0{1 + i % 9},10,{1 + i % 5}" for i in range(80)]
    answers += [f"R{100 + i},K{100 + i},2026-05-0{1 + i % 9},0,{1 + i % 5}" for i in range(20)]
    (data / "surveys.csv").write_text("\n".join(answers) + "\n", encoding="utf-8")
    (data / "sources.yaml").write_text(
        "sources:\n"
        "  - {kind: touchpoints, path: touchpoints.csv}\n"
        "  - {kind: customers, path: customers.csv}\n"
        "  - {kind: surveys, path: surveys.csv}\n",
        encoding="utf-8",
    )
    settings = (REPO / "tpnb.yaml").read_text(encoding="utf-8")
    if weights:
        settings += "\n" + weights
    (folder / "tpnb.yaml").write_text(settings, encoding="utf-8")
    return folder


def _tpnb(folder: Path, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tpnb.cli", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=folder,
        env={**os.environ, "TPNB_HOME": str(folder), "TPNB_ERROR_LOG": str(folder / "errors.log")},
    )


@pytest.fixture(scope="module")
def weighted_project(tmp_path_factory):
    folder = _project(tmp_path_factory.mktemp("weights"), "weights:\n  margins: [segment]\n")
    run = _tpnb(folder, "ingest", "--config", folder / "data" / "sources.yaml", "--db", folder / "w.duckdb")
    assert run.returncode == 0, run.stdout + run.stderr
    return folder


def test_nps_is_raked_to_the_customers_when_tpnb_yaml_sets_margins(weighted_project):
    folder = weighted_project
    raked = json.loads(_tpnb(folder, "nps", "--db", folder / "w.duckdb", "--json").stdout)
    assert raked["weights"]["mode"] == "raked"
    assert raked["weights"]["margins"] == {"segment": {"A": 0.5, "B": 0.5}}
    [overall] = raked["groups"]
    assert overall["nps"] == pytest.approx(0.0, abs=1e-9)  # 0.5 x 100 + 0.5 x (-100)
    # weights of 0.625 and 2.5: Kish's n is 100^2 / (80 x 0.625^2 + 20 x 2.5^2) = 64
    assert raked["weights"]["kish_n"] == pytest.approx(64.0)
    plain = json.loads(_tpnb(folder, "nps", "--db", folder / "w.duckdb", "--weights", "none", "--json").stdout)
    assert plain["weights"] == {"mode": "none"} and plain["groups"][0]["nps"] == pytest.approx(60.0)


def test_raked_and_account_weighted_together_is_a_usage_error(weighted_project):
    folder = weighted_project
    run = _tpnb(folder, "nps", "--db", folder / "w.duckdb", "--account-weighted")
    assert run.returncode == 2 and "choose one" in run.stderr


def test_raked_without_margins_says_what_to_set(tmp_path):
    folder = _project(tmp_path / "p", None)
    _tpnb(folder, "ingest", "--config", folder / "data" / "sources.yaml", "--db", folder / "w.duckdb")
    run = _tpnb(folder, "nps", "--db", folder / "w.duckdb", "--weights", "raked")
    assert run.returncode == 2 and "weights.margins" in run.stderr
    assert json.loads(_tpnb(folder, "nps", "--db", folder / "w.duckdb", "--json").stdout)["weights"] == {"mode": "none"}


def test_a_report_page_is_weighted_and_says_so(weighted_project):
    from tpnb.report.context import open_report
    from tpnb.report.summary import headline_nps, summary_html
    from tpnb.settings import load_settings

    folder = weighted_project
    settings = load_settings(folder)
    with open_report(str(folder / "w.duckdb"), language="en", settings=settings) as ctx:
        assert headline_nps(ctx)["now"]["nps"] == pytest.approx(0.0, abs=1e-9)
        text = summary_html(ctx)
        assert "Weighted: responses raked to the customer base&#x27;s shares (Segment); effective n 64." in text
        assert ctx.parameters["weights"] == "raked to the customer base"
    with open_report(str(folder / "w.duckdb"), language="de", settings=settings, weights="none") as ctx:
        assert headline_nps(ctx)["now"]["nps"] == pytest.approx(60.0)
        assert "Gewichtet" not in summary_html(ctx) and ctx.parameters["weights"] == "ungewichtet"
