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


@pytest.mark.parametrize("given", ["01.03.2026", "2026-03-01"])
def test_dates_on_the_command_line_read_either_way(demo_db, given):
    run = tpnb("nps", "--db", demo_db[0], "--from", given, "--json")
    assert run.returncode == 0, run.stderr
    iso = tpnb("nps", "--db", demo_db[0], "--from", "2026-03-01", "--json")
    assert json.loads(run.stdout)["groups"] == json.loads(iso.stdout)["groups"]


def test_a_bad_date_is_a_usage_error_without_traceback(demo_db):
    run = tpnb("nps", "--db", demo_db[0], "--from", "2026-13-01")
    assert run.returncode == 2
    assert "not a date; write 2026-03-01 or 01.03.2026" in run.stderr and "Traceback" not in run.stderr


@pytest.mark.parametrize(
    ("yaml_text", "named"),
    [
        ("analysis:\n  min_n: -1\n", "analysis.min_n"),
        ("analysis:\n  min_m: 3\n", "analysis.min_m"),
        ("service:\n  hours_start: 8\n", "service.hours_start"),
        ("colour: blue\n", "'colour'"),
        ("engine: hadoop\n", "engine must be duckdb or spark"),
        ("weights:\n  margins: [colour]\n", "weights.margins"),
        ("analysis:\n  p_adjustment: bonferroni\n", "analysis.p_adjustment"),
        ("spark:\n  conf: fast\n", "spark.conf"),
    ],
)
def test_a_bad_setting_exits_2_naming_the_key(demo_db, tmp_path, yaml_text, named):
    import os

    (tmp_path / "tpnb.yaml").write_text(yaml_text)
    run = tpnb("nps", "--db", demo_db[0], env={**os.environ, "TPNB_HOME": str(tmp_path)})
    assert run.returncode == 2 and named in run.stderr and "Traceback" not in run.stderr


def test_json_never_holds_nan(tmp_path):
    import os

    db = tmp_path / "no_nps.duckdb"
    surveys = tmp_path / "s.csv"
    surveys.write_text("response_id,customer_id,answered_at,tp_delivery\nR1,K1,2026-03-01,4\n")
    env = {**os.environ, "TPNB_HOME": str(tmp_path)}
    assert tpnb("ingest", "surveys", surveys, "--db", db, env=env).returncode == 0
    run = tpnb("nps", "--db", db, "--json", env=env)
    assert run.returncode == 0, run.stderr
    assert "NaN" not in run.stdout and "Infinity" not in run.stdout
    json.loads(run.stdout)  # valid JSON
    text = tpnb("nps", "--db", db, env=env)
    assert text.returncode == 0 and "Traceback" not in text.stderr


def test_an_internal_error_exits_3_with_one_line_and_the_traceback_in_the_log(tmp_path):
    import os

    code = (
        "import sys, tpnb.cli\n"
        "from tpnb.cli.common import app\n"
        "@app.command('boom')\n"
        "def boom():\n"
        "    raise RuntimeError('a bug')\n"
        "sys.argv = ['tpnb', 'boom']\n"
        "tpnb.cli.main()\n"
    )
    log = tmp_path / "errors.log"
    run = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "TPNB_ERROR_LOG": str(log)},
    )
    assert run.returncode == 3
    assert (
        run.stderr.count("\n") == 1 and "internal error (RuntimeError: a bug)" in run.stderr and str(log) in run.stderr
    )
    assert "Traceback" in log.read_text() and "RuntimeError: a bug" in log.read_text()


def test_nps_states_how_old_the_data_is(demo_db):
    from datetime import date

    import duckdb

    con = duckdb.connect(str(demo_db[0]), read_only=True)
    newest = con.sql("select max(answered_at)::date from mart_responses").fetchall()[0][0]
    con.close()
    doc = json.loads(tpnb("nps", "--db", demo_db[0], "--json").stdout)
    assert doc["data_as_of"] == newest.isoformat()
    assert doc["data_age_days"] == (date.today() - newest).days
    assert doc["is_stale"] == (doc["data_age_days"] > 90)  # freshness_days of tpnb.yaml


def test_drivers_without_bootstrap_print_no_interval_instead_of_nan(demo_db):
    text = tpnb("drivers", "--db", demo_db[0], "--bootstrap", "0")
    assert text.returncode == 0 and "nan" not in text.stdout.lower() and "[    –,     –]" in text.stdout
    doc = json.loads(tpnb("drivers", "--db", demo_db[0], "--bootstrap", "0", "--json").stdout)
    assert doc["drivers"][0]["importance_ci_low"] is None


def test_reports_on_a_missing_database_name_it_with_exit_2(tmp_path):
    run = tpnb("reports", "--db", tmp_path / "none.duckdb", "--out", tmp_path / "out")
    assert run.returncode == 2
    assert "no tpnb database here" in run.stderr and "cannot write the reports" not in run.stderr


def test_quarantine_and_status_over_the_bad_file_corpus(tmp_path):
    import duckdb

    from tests.ingest.test_corpus import CASES
    from tpnb.ingest import ingest_file

    db = tmp_path / "corpus.duckdb"
    con = duckdb.connect(str(db))
    expected, quarantined_per_kind, files_per_kind = {}, {}, {}
    for i, case in enumerate(c for c in CASES if c.outcome != "rejected"):
        path = tmp_path / f"case_{i:03d}{case.suffix}"
        path.write_bytes(case.content)
        result = ingest_file(con, case.kind, path, case.options)
        expected[path.name] = (result.load_id, case.quarantined)
        quarantined_per_kind[case.kind] = quarantined_per_kind.get(case.kind, 0) + result.rows_quarantined
        if result.status == "loaded":
            files_per_kind.setdefault(case.kind, set()).add(path.name)
    con.close()

    whole = json.loads(tpnb("quarantine", "--db", db, "--json").stdout)
    assert whole["total"] == len(whole["rows"]) == sum(r["rows"] for r in whole["reasons"])
    assert whole["total"] >= sum(len(q) for _, q in expected.values()) > 20
    for name, (load_id, quarantined) in expected.items():
        of_file = [r for r in whole["rows"] if r["file"].endswith("/" + name)]
        assert {r["line"] for r in of_file} == set(quarantined), name
        for r in of_file:
            assert quarantined[r["line"]] in r["reason"] and r["load_id"] == load_id
    name, (load_id, _) = next((n, e) for n, e in expected.items() if e[1])
    by_file = json.loads(tpnb("quarantine", "--db", db, "--file", name, "--json").stdout)["rows"]
    by_load = json.loads(tpnb("quarantine", "--db", db, "--load", load_id, "--json").stdout)["rows"]
    assert by_file == by_load == [r for r in whole["rows"] if r["file"].endswith("/" + name)] != []
    text = tpnb("quarantine", "--db", db)
    assert text.returncode == 0 and "by reason:" in text.stdout and "line" in text.stdout

    status = {k["kind"]: k for k in json.loads(tpnb("status", "--db", db, "--json").stdout)["kinds"]}
    for kind, count in quarantined_per_kind.items():
        assert status[kind]["quarantined"] == count
        assert status[kind]["files"] == len(files_per_kind.get(kind, ()))
    assert status["orders"] == {**status["orders"], "rows": 0, "files": 0, "first": None, "quarantined": 0}
    assert status["surveys"]["rows"] > 0 and status["surveys"]["first"] <= status["surveys"]["last"]


def test_observations_recover_the_demos_planted_findings(demo_db):
    db, truth = demo_db
    planted = truth["observations"]
    late = planted["hard_to_reach"]
    doc = json.loads(tpnb("observations", "--db", db, "--by", "department,hour", "--json").stdout)
    cells = {(g["department"], g["hour"]): g for g in doc["groups"]}
    hard = cells[(late["department"], "16-18")]
    others = [g for (dept, band), g in cells.items() if band == "16-18" and dept != late["department"]]
    # the hard-to-reach cell's interval lies below every other department at that hour
    assert hard["reached_ci_high"] < min(g["reached_share"] for g in others)
    assert all(hard["reached_ci_high"] < g["reached_ci_low"] for g in others if not g["small"])
    earlier = [g for (dept, band), g in cells.items() if dept == late["department"] and band < "16-18"]
    assert hard["reached_ci_high"] < min(g["reached_ci_low"] for g in earlier)

    scenarios = {
        g["scenario"]: g
        for g in json.loads(tpnb("observations", "--db", db, "--by", "scenario", "--json").stdout)["groups"]
    }
    wrong = planted["inconsistent_scenario"]
    assert scenarios[wrong["scenario_id"]]["distinct_answers"] == wrong["distinct_answers"] == 3
    worst = min(scenarios.values(), key=lambda g: g["consistency"])
    assert worst is scenarios[wrong["scenario_id"]]
    assert all(g["consistency"] > 0.8 for name, g in scenarios.items() if name != wrong["scenario_id"])


def test_observations_without_any_loaded_say_so(tmp_path):
    run = tpnb("observations", "--db", _empty_db(tmp_path), "--json")
    assert run.returncode == 0 and json.loads(run.stdout) == {"groups": [], "by": ["channel"]}
    assert "no observations loaded" in tpnb("observations", "--db", _empty_db(tmp_path)).stdout


def _empty_db(folder):
    """A database with a survey but no observations, built through the normal ingest path."""
    db = folder / "no_observations.duckdb"
    if not db.exists():
        surveys = folder / "s.csv"
        surveys.write_text("response_id,customer_id,answered_at,tp_delivery\nR1,K1,2026-03-01,4\n")
        assert tpnb("ingest", "surveys", surveys, "--db", db).returncode == 0
    return db


def test_drivers_from_to_fit_that_period_and_report_its_n(demo_db):
    import duckdb

    con = duckdb.connect(str(demo_db[0]), read_only=True)
    expected = con.sql(
        "select count(*) from mart_responses where nps is not null and answered_at::date between '2026-04-01' and '2026-09-30'"
    ).fetchall()[0][0]
    total = con.sql("select count(*) from mart_responses where nps is not null").fetchall()[0][0]
    con.close()
    doc = json.loads(
        tpnb(
            "drivers", "--db", demo_db[0], "--from", "01.04.2026", "--to", "2026-09-30", "--bootstrap", "0", "--json"
        ).stdout
    )
    assert doc["n"] == expected < total
    assert doc["period"] == {"from": "2026-04-01", "to": "2026-09-30"}


@pytest.mark.parametrize("dim", ["phase", "channel"])
def test_nps_by_phase_or_channel_counts_each_respondent_once(demo_db, dim):
    import duckdb

    con = duckdb.connect(str(demo_db[0]), read_only=True)
    expected = dict(
        con.sql(
            f"select {dim}, count(distinct response_id) from mart_touchpoint_ratings "
            "where is_experienced and nps is not null group by 1"
        ).fetchall()
    )
    ratings = con.sql(
        f"select count(*) from mart_touchpoint_ratings where is_experienced and nps is not null and {dim} = $v",
        params={"v": max(expected, key=expected.get)},
    ).fetchall()[0][0]
    con.close()
    for flag in ([], ["--account-weighted"]):
        groups = json.loads(tpnb("nps", "--db", demo_db[0], "--by", dim, "--json", *flag).stdout)["groups"]
        assert {g[dim]: g["n"] for g in groups} == expected
    assert ratings > max(expected.values())  # the old count, once per rating, was larger


def test_nps_groups_below_min_n_are_flagged_and_suppressed_unless_asked(demo_db):
    doc = json.loads(tpnb("nps", "--db", demo_db[0], "--by", "account", "--json").stdout)
    assert doc["min_n"] == 30 and doc["groups"]
    assert all(g["small"] and g["suppressed"] and g["nps"] is None and g["n"] < 30 for g in doc["groups"])
    text = tpnb("nps", "--db", demo_db[0], "--by", "account")
    assert "NPS" not in text.stdout  # no group line is printed
    assert f"{len(doc['groups']):,} group(s) below min_n (30)" in text.stderr
    shown = json.loads(tpnb("nps", "--db", demo_db[0], "--by", "account", "--json", "--show-small").stdout)
    assert all(g["small"] and g["nps"] is not None for g in shown["groups"])


def test_drivers_ordered_logit_option_and_the_ceiling_note(demo_db):
    db, _ = demo_db
    run = tpnb("drivers", "--db", db, "--bootstrap", "0", "--ordered", "--json")
    assert run.returncode == 0, run.stderr
    ordered = json.loads(run.stdout)["diagnostics"]["ordered_logit"]
    assert set(ordered["coefficients"]) >= {"tp_delivery", "tp_invoice"}
    assert ordered["spearman_with_ols"] > 0.8  # the ordered model ranks the drivers as OLS does
    text = tpnb("drivers", "--db", db, "--bootstrap", "0", "--ordered").stdout
    assert "ordered logit (" in text
