"""Every report and the commands nps, drivers, measures and targets over many data shapes.

Each shape is built through the normal ingest path (`tpnb ingest --config`), then every command
runs as a real process and `tpnb reports` publishes the four declared reports. Each cell asserts
the exit code, that no traceback reached the terminal, and what the pages say.
"""

from __future__ import annotations

import json
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl
import pytest
import yaml

from tests.conftest import DEMO_AS_OF, REPO, real_data, tpnb_in
from tpnb import demo

pytestmark = pytest.mark.slow

REPORTS = ("overview", "drivers", "service_chain", "targets_measures")
ALL_OK = dict.fromkeys(REPORTS, "ok")
SURVEYS_ONLY = {**ALL_OK, "service_chain": "no data", "targets_measures": "no data"}


@dataclass
class Shape:
    """A data set, how it loads, and what each command and report should answer on it."""

    name: str
    build: object  # (folder) -> sources.yaml
    ingest_exit: int = 0
    statuses: dict = field(default_factory=lambda: dict(ALL_OK))
    drivers_exit: int = 0
    pages_say: dict = field(default_factory=dict)  # report -> texts its page holds
    commands_say: dict = field(default_factory=dict)  # command -> texts its output holds


def tpnb(*args, cwd: Path) -> subprocess.CompletedProcess:
    return tpnb_in(cwd, *args)


# --- the data shapes ------------------------------------------------------------------------


def _demo(folder: Path, customers: int = 1200, as_of: date = DEMO_AS_OF, kinds=None) -> Path:
    config = demo.write_sources(demo.generate(seed=5, customers=customers, as_of=as_of), folder)
    if kinds:
        doc = yaml.safe_load(config.read_text(encoding="utf-8"))
        doc["sources"] = [s for s in doc["sources"] if s["kind"] in kinds]
        config.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return config


def _surveys_only(folder: Path) -> Path:
    return _demo(folder, kinds=("touchpoints", "surveys"))


def _tiny(folder: Path) -> Path:
    return _demo(folder, customers=20)


def _five_years_old(folder: Path) -> Path:
    return _demo(folder, as_of=date(DEMO_AS_OF.year - 5, DEMO_AS_OF.month, DEMO_AS_OF.day))


def _one_wave_touchpoint(folder: Path) -> Path:
    """The portal was asked about only in the last wave: earlier files have no such column."""
    config = _demo(folder)
    doc = yaml.safe_load(config.read_text(encoding="utf-8"))
    survey_source = next(s for s in doc["sources"] if s["kind"] == "surveys")
    rows = pl.read_csv(folder / "umfrage.csv", separator=";", encoding="cp1252", infer_schema=False)
    last = rows["Welle"].cast(pl.Int64).max()
    early = rows.filter(pl.col("Welle").cast(pl.Int64) < last).drop("tp_portal")
    late = rows.filter(pl.col("Welle").cast(pl.Int64) == last)
    for frame, name in ((early, "umfrage.csv"), (late, "umfrage_welle_neu.csv")):
        (folder / name).write_bytes(frame.write_csv(separator=";").encode("cp1252", errors="replace"))
    doc["sources"].append({**survey_source, "path": "umfrage_welle_neu.csv"})
    config.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return config


def _unknown_target_metric(folder: Path) -> Path:
    config = _demo(folder)
    with (folder / "ziele.csv").open("a", encoding="utf-8") as f:
        f.write("delivery,csat,4.5,at_least,2025-08-29\n")
    return config


def _real_sample(folder: Path, example: str, data_file: str, rows: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    sample = folder / data_file
    pl.read_csv(real_data(data_file), infer_schema=False).sample(n=rows, seed=1).write_csv(sample)
    doc = yaml.safe_load((REPO / "examples" / example / "sources.yaml").read_text(encoding="utf-8"))
    doc["sources"][0]["path"] = data_file
    config = folder / "sources.yaml"
    config.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return config


def _airline(folder: Path) -> Path:
    return _real_sample(folder, "airline", "airline_train.csv", 3000)


def _tripadvisor(folder: Path) -> Path:
    return _real_sample(folder, "tripadvisor", "tripadvisor_lara_hotel_aspects.csv", 3000)


NO_CONTACTS = "Keine Kontaktlogs geladen"
SHAPES = [
    Shape("demo", _demo, pages_say={"drivers": ["Treiber der Weiterempfehlung (NPS 0-10)"]}),
    Shape(
        "surveys_only",
        _surveys_only,
        statuses=SURVEYS_ONLY,
        pages_say={
            "service_chain": [NO_CONTACTS, "tpnb ingest contacts DATEI"],
            "drivers": ["Keine Bestellungen geladen"],
            "targets_measures": ["Es sind noch keine Ziele geladen", "Es sind noch keine Maßnahmen geladen"],
        },
        commands_say={"measures": ["no measures loaded"], "targets": ["no targets loaded"]},
    ),
    Shape(
        "airline",
        _airline,
        statuses=SURVEYS_ONLY,
        pages_say={"drivers": ["Treiber von „satisfied“"], "overview": ["Keine NPS-Antworten geladen"]},
        commands_say={"drivers": ["outcome: satisfied"], "nps": ["no NPS answers"]},
    ),
    Shape(
        "tripadvisor",
        _tripadvisor,
        statuses=SURVEYS_ONLY,
        pages_say={"drivers": ["Treiber von „overall“"]},
        commands_say={"drivers": ["outcome: overall"]},
    ),
    Shape(
        "tiny",
        _tiny,
        drivers_exit=2,
        pages_say={"drivers": ["weniger als"], "overview": ["weniger als"]},
        commands_say={"drivers": ["too few"]},
    ),
    Shape(
        "five_years_old",
        _five_years_old,
        pages_say=dict.fromkeys(REPORTS, ["Veraltete Daten"]),
        commands_say={"nps": ["older than freshness_days"]},
    ),
    Shape("one_wave_touchpoint", _one_wave_touchpoint, pages_say={"drivers": ["Customer portal"]}),
    Shape(
        "unknown_target_metric",
        _unknown_target_metric,
        ingest_exit=1,
        commands_say={"ingest": ["targets.metric: not one of: mean_rating", "tpnb quarantine --load"]},
    ),
]


@pytest.fixture(scope="module", params=SHAPES, ids=lambda s: s.name)
def shape(request, tmp_path_factory):
    """The shape loaded into its own database, every command run, the reports published."""
    s: Shape = request.param
    folder = tmp_path_factory.mktemp(s.name)
    config = s.build(folder / "sources")
    db = folder / "tpnb.duckdb"
    results = {"ingest": tpnb("ingest", "--config", config, "--db", db, cwd=folder)}
    commands = {
        "nps": ("nps", "--json"),
        "drivers": ("drivers", "--bootstrap", "20", "--json"),
        "measures": ("measures", "--json"),
        "targets": ("targets", "--json"),
        # the people's view of the same, as text
        "nps (text)": ("nps",),
        "drivers (text)": ("drivers", "--bootstrap", "0"),
        "measures (text)": ("measures",),
        "targets (text)": ("targets",),
    }
    with ThreadPoolExecutor(max_workers=3) as pool:  # readers share the database
        done = {name: pool.submit(tpnb, *args, "--db", db, cwd=folder) for name, args in commands.items()}
        results.update({name: future.result() for name, future in done.items()})
    out = folder / "reports"
    results["reports"] = tpnb("reports", "--db", db, "--out", out, "--jobs", "2", cwd=folder)
    return s, results, out


def _said(run: subprocess.CompletedProcess) -> str:
    return run.stdout + run.stderr


def test_no_command_prints_a_traceback_or_fails_as_a_bug(shape):
    _, results, _ = shape
    for command, run in results.items():
        assert "Traceback" not in _said(run), f"{command}:\n{_said(run)[-3000:]}"
        assert run.returncode != 3, f"{command}: internal error\n{_said(run)[-3000:]}"


def test_exit_codes(shape):
    s, results, _ = shape
    expected = {"ingest": s.ingest_exit, "drivers": s.drivers_exit, "drivers (text)": s.drivers_exit}
    for command, run in results.items():
        if command == "reports":
            continue
        assert run.returncode == expected.get(command, 0), f"{command}:\n{_said(run)[-3000:]}"
    failed = [name for name, status in s.statuses.items() if status == "failed"]
    assert results["reports"].returncode == (1 if failed else 0), _said(results["reports"])[-3000:]


def test_json_output_is_valid_json(shape):
    _, results, _ = shape
    for command in ("nps", "drivers", "measures", "targets"):
        run = results[command]
        if run.returncode == 0:
            constants = []
            json.loads(run.stdout, parse_constant=constants.append)
            assert constants == [], f"{command}: {constants} in its JSON"


def test_each_report_has_its_status_on_the_page_and_in_the_index(shape):
    s, _, out = shape
    statuses = json.loads((out / "status.json").read_text(encoding="utf-8"))
    assert {name: statuses[name]["status"] for name in REPORTS} == s.statuses
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.count("data-status='no data'") == list(s.statuses.values()).count("no data")
    assert index.count("keine Daten für diesen Bericht") == list(s.statuses.values()).count("no data")  # German reports
    for name, status in s.statuses.items():
        if status != "failed":
            assert (out / f"{name}.html").exists()


def test_pages_and_commands_say_what_they_should(shape):
    s, results, out = shape
    for report, texts in s.pages_say.items():
        page = (out / f"{report}.html").read_text(encoding="utf-8")
        for text in texts:
            assert text in page, f"{report}.html lacks {text!r}"
    for command, texts in s.commands_say.items():
        said = _said(results[command]) + _said(results.get(f"{command} (text)", results[command]))
        for text in texts:
            assert text in said, f"{command} does not say {text!r}:\n{said[-2000:]}"


def test_no_page_shows_a_raw_touchpoint_id_or_python_value(shape):
    import re

    _, _, out = shape
    for name in REPORTS:
        path = out / f"{name}.html"
        if not path.exists():
            continue
        page = path.read_text(encoding="utf-8")
        text = re.sub(r"<script.*?</script>|<style.*?</style>|<[^>]+>", " ", page, flags=re.S)
        for raw in re.findall(r"\btp_[a-z_]+\b|\b(?:NaN|nan|None|True|False)\b", text):
            pytest.fail(f"{name}.html shows {raw!r}")


def test_a_filter_matching_nothing_fails_that_run_and_keeps_the_good_page(demo_db, tmp_path):
    notebook = REPO / "notebooks" / "01_touchpoint_overview.ipynb"
    config, out = tmp_path / "reports.yaml", tmp_path / "reports"

    def run(segment: str) -> subprocess.CompletedProcess:
        entry = {
            "name": "overview",
            "title": "Überblick",
            "notebook": str(notebook),
            "parameters": {"segment": segment},
        }
        config.write_text(yaml.safe_dump({"reports": [entry]}, allow_unicode=True), encoding="utf-8")
        return tpnb("reports", "--config", config, "--db", demo_db[0], "--out", out, cwd=tmp_path)

    assert run("mittelstand").returncode == 0  # a label in another case matches
    good = (out / "overview.html").read_text(encoding="utf-8")
    failed = run("Großkunde")
    assert failed.returncode == 1 and "Traceback" not in _said(failed)
    assert "segment 'Großkunde' matches no response; known values:" in _said(failed)
    assert (out / "overview.html").read_text(encoding="utf-8") == good
    assert "matches no response" in (out / "overview.failed.html").read_text(encoding="utf-8")
    assert json.loads((out / "status.json").read_text(encoding="utf-8"))["overview"]["status"] == "failed"
