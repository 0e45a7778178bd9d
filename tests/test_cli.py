"""The `tpnb` command: JSON contracts and exit codes, run as a real process."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import REPO


def tpnb(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "tpnb.cli", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
    )


def test_help_lists_the_contract_commands():
    out = tpnb("--help").stdout
    for command in ("demo", "ingest", "nps", "drivers", "measures", "reports", "contract"):
        assert command in out


def test_nps_json_contract(demo_db):
    db, _ = demo_db
    run = tpnb("nps", "--db", db, "--by", "segment", "--json")
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    group = doc["groups"][0]
    for key in ("segment", "n", "nps", "ci_low", "ci_high", "promoters", "passives", "detractors"):
        assert key in group
    assert sum(g["n"] for g in doc["groups"]) == sum(
        g["promoters"] + g["passives"] + g["detractors"] for g in doc["groups"]
    )


def test_nps_by_touchpoint_and_period_filters(demo_db):
    db, _ = demo_db
    run = tpnb(
        "nps",
        "--db",
        db,
        "--by",
        "touchpoint,segment",
        "--from",
        "2026-01-01",
        "--to",
        "2026-06-30",
        "--json",
    )
    assert run.returncode == 0, run.stderr
    names = {g["touchpoint"] for g in json.loads(run.stdout)["groups"]}
    assert "Delivery / logistics partner" in names


def test_drivers_json_contract(demo_db):
    db, _ = demo_db
    run = tpnb("drivers", "--db", db, "--outcome", "nps", "--bootstrap", "20", "--json")
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    for key in ("outcome", "model", "n", "r2", "drivers"):
        assert key in doc
    first = doc["drivers"][0]
    for key in (
        "driver",
        "label",
        "coef",
        "ci_low",
        "ci_high",
        "p_value",
        "importance",
        "importance_ci_low",
        "importance_ci_high",
        "performance",
        "reach",
        "quadrant",
    ):
        assert key in first
    assert first["driver"] == "tp_delivery"  # the strongest true weight


def test_drivers_per_role_notes_small_groups(demo_db):
    db, _ = demo_db
    run = tpnb("drivers", "--db", db, "--by", "role", "--min-n", "1200", "--bootstrap", "0", "--json")
    assert run.returncode == 0, run.stderr
    models = json.loads(run.stdout)["models"]
    notes = [m for m in models.values() if "note" in m]
    fitted = [m for m in models.values() if "drivers" in m]
    assert notes and fitted  # user (about 35 %) has enough responses, the others are too few at this minimum


def test_exit_codes(tmp_path):
    assert tpnb("nps", "--db", tmp_path / "missing.duckdb").returncode == 2
    assert tpnb("ingest", "pigeons", tmp_path / "x.csv", "--db", tmp_path / "a.duckdb").returncode == 2
    bad = tmp_path / "s.csv"
    bad.write_text("response_id,customer_id,answered_at,nps,tp_a\nR1,K1,2026-03-01,9,4\nR2,K1,2026-03-01,12,4\n")
    run = tpnb("ingest", "surveys", bad, "--db", tmp_path / "a.duckdb")
    assert run.returncode == 1 and "quarantined" in run.stderr
    rejected = tmp_path / "r.csv"
    rejected.write_text("response_id,nps\nR1,9\n")
    run = tpnb("ingest", "surveys", rejected, "--db", tmp_path / "a.duckdb")
    assert run.returncode == 2 and "r.csv: required column 'customer_id' not found" in run.stderr


@pytest.mark.parametrize("kind", ["surveys", "contacts"])
def test_contract_command(kind):
    run = tpnb("contract", kind)
    assert run.returncode == 0 and kind in run.stdout


@pytest.mark.parametrize("damage", ["overwritten", "truncated"])
def test_a_damaged_database_is_named_as_such_with_exit_2(demo_db, tmp_path, damage):
    db = tmp_path / "damaged.duckdb"
    if damage == "overwritten":
        db.write_text("this is not a database")
    else:
        db.write_bytes(demo_db[0].read_bytes()[:100_000])
    run = tpnb("nps", "--db", db)
    assert run.returncode == 2
    assert "damaged or not a DuckDB database" in run.stderr and "Traceback" not in run.stderr
