"""The committed examples/<format>/ folders as a user runs them: `tpnb ingest --config`, then
`tpnb drivers` and (for one survey tool and one ticket system) `tpnb reports`, as real processes."""

from __future__ import annotations

import json
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import REPO, tpnb_in
from tpnb.contracts.formats import FORMATS

EXAMPLES = REPO / "examples"


def tpnb(*args, cwd: Path) -> subprocess.CompletedProcess:
    return tpnb_in(cwd, *args)


def ingest_and_drivers(name: str, folder: Path) -> tuple[subprocess.CompletedProcess, subprocess.CompletedProcess]:
    db = folder / f"{name}.duckdb"
    loaded = tpnb("ingest", "--config", EXAMPLES / name / "sources.yaml", "--db", db, cwd=folder)
    drivers = tpnb("drivers", "--db", db, "--json", cwd=folder)
    return loaded, drivers


def test_every_format_has_an_example_folder_and_a_readme_row():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name in FORMATS:
        assert (EXAMPLES / name / "make_export.py").is_file(), name
        assert (EXAMPLES / name / "sources.yaml").is_file(), name
        assert f"| `{name}` |" in readme, f"README's table lacks {name}"


def test_each_example_loads_with_exit_0_and_drivers_run(tmp_path):
    with ThreadPoolExecutor(2) as pool:
        runs = dict(zip(FORMATS, pool.map(lambda n: ingest_and_drivers(n, tmp_path), FORMATS), strict=True))
    for name, (loaded, drivers) in runs.items():
        assert loaded.returncode == 0, f"{name}: {loaded.stdout}{loaded.stderr}"
        assert "quarantined      0" in loaded.stdout and "Traceback" not in loaded.stderr, name
        assert drivers.returncode == 0, f"{name}: {drivers.stderr}"
        doc = json.loads(drivers.stdout)
        assert doc["n"] >= 300, name
        assert {"tp_delivery", "tp_service"} <= {d["driver"] for d in doc["drivers"]}, name


def test_formats_command_documents_each_field():
    run = tpnb("formats", "zendesk", cwd=REPO)
    assert run.returncode == 0
    assert "handoffs" in run.stdout and "assignee_stations" in run.stdout
    unknown = tpnb("formats", "typeform", cwd=REPO)
    assert unknown.returncode == 2 and "unknown format 'typeform'" in unknown.stderr


@pytest.mark.slow
@pytest.mark.parametrize("name", ["zendesk"])
def test_reports_publish_from_an_export(name, tmp_path):
    loaded, _ = ingest_and_drivers(name, tmp_path)
    assert loaded.returncode == 0
    run = tpnb(
        "reports", "--db", tmp_path / f"{name}.duckdb", "--out", tmp_path / "reports", "--jobs", "2", cwd=tmp_path
    )
    assert run.returncode == 0, run.stdout + run.stderr
    status = json.loads((tmp_path / "reports" / "status.json").read_text(encoding="utf-8"))
    assert {k: v["status"] for k, v in status.items()} == {
        "overview": "ok",
        "drivers": "ok",
        "service_chain": "ok",  # from the tickets
        "targets_measures": "no data",  # the export has no targets
    }
    assert "Lieferung" in (tmp_path / "reports" / "drivers.html").read_text(encoding="utf-8")
