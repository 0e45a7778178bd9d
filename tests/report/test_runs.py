"""Report runs: papermill for real, safe publishing, self-contained HTML in a real headless browser."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from tests.conftest import REPO
from tests.report.browser import dump_dom
from tpnb.report import runs as reports


def _notebook(path: Path, body: str) -> Path:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("db_path = None\nlanguage = 'de'\nreport_mode = False")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(body)]
    nb.metadata["kernelspec"] = {
        "name": "tpnb",
        "display_name": "Python (tpnb)",
        "language": "python",
    }
    nbformat.write(nb, str(path))
    return path


def _config(path: Path, entries: list[dict]) -> Path:
    import yaml

    path.write_text(yaml.safe_dump({"defaults": {"kernel": "tpnb", "timeout_seconds": 300}, "reports": entries}))
    return path


@pytest.fixture(scope="module")
def published(demo_db, tmp_path_factory):
    """The overview and service-chain reports, run once for this module."""
    db, _ = demo_db
    out = tmp_path_factory.mktemp("reports")
    config = _config(
        out / "runs.yaml",
        [
            {
                "name": "overview",
                "title": "Overview",
                "notebook": str(REPO / "notebooks/01_touchpoint_overview.ipynb"),
            },
            {
                "name": "service_chain",
                "title": "Service",
                "notebook": str(REPO / "notebooks/03_service_chain.ipynb"),
            },
        ],
    )
    outcomes = reports.run_reports(config, REPO, db, out, progress=False)
    return out, outcomes


def test_reports_publish_html_notebook_and_index(published):
    out, outcomes = published
    assert [o.status for o in outcomes] == ["ok", "ok"], [o.error for o in outcomes]
    assert (out / "overview.html").is_file() and (out / "runs" / "overview.ipynb").is_file()
    index = (out / "index.html").read_text()
    assert "overview.html" in index and "service_chain.html" in index
    status = json.loads((out / "status.json").read_text())
    assert status["overview"]["status"] == "ok" and status["overview"]["data_as_of"]
    assert list((out / "archive").iterdir())


def test_report_is_self_contained_and_small(published):
    out, _ = published
    page = (out / "overview.html").read_text()
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=[\"']https?://", page)
    assert page.count("window.vegaEmbed=") == 1  # the bundle, once per page
    assert page.count('class="tpnb-chart"') >= 5
    assert len(page.encode()) < 3_000_000
    assert "db_path" not in page  # no parameter cells, no code
    assert 'class="jp-InputArea' not in page and "from tpnb import" not in page  # no code shown


def test_untrusted_comment_is_escaped_and_personal_data_scrubbed(published):
    out, _ = published
    page = (out / "overview.html").read_text()
    assert "&lt;script&gt;alert(&#x27;tpnb&#x27;)&lt;/script&gt;" in page or "&lt;script&gt;alert(" in page
    assert "<script>alert(" not in page
    assert "max.mustermann@example.com" not in page and "[email]" in page


@pytest.mark.browser
def test_charts_render_offline_in_headless_chromium(published, tmp_path):
    out, _ = published
    for name in ("overview", "service_chain"):
        dom = dump_dom(out / f"{name}.html", tmp_path / name)
        charts = re.findall(r'<div class="tpnb-chart[^"]*" id="([^"]+)"[^>]*>(.*?)</div>\s*<script', dom, re.S)
        assert charts, f"{name}: no chart containers in the rendered page"
        for chart_id, inner in charts:
            assert "<svg" in inner, f"{name}: chart {chart_id} did not render"
            assert "Chart failed" not in inner
        assert "&lt;script&gt;alert(" in dom or name != "overview"
        assert "<script>alert(" not in dom


def test_failed_run_keeps_the_last_good_report_and_exits_1(demo_db, tmp_path):
    db, _ = demo_db
    good = _notebook(tmp_path / "good.ipynb", "print('first version')")
    bad = _notebook(tmp_path / "bad.ipynb", "raise RuntimeError('the data source is broken')")
    out = tmp_path / "reports"
    reports.run_reports(
        _config(tmp_path / "a.yaml", [{"name": "x", "title": "X", "notebook": str(good)}]),
        tmp_path,
        db,
        out,
        progress=False,
    )
    first = (out / "x.html").read_text()
    env = {**os.environ, "TPNB_HOME": str(tmp_path)}
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "tpnb.cli",
            "reports",
            "--config",
            str(_config(tmp_path / "b.yaml", [{"name": "x", "title": "X", "notebook": str(bad)}])),
            "--out",
            str(out),
            "--db",
            str(db),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert run.returncode == 1
    assert (out / "x.html").read_text() == first
    failure = (out / "x.failed.html").read_text()
    assert "the data source is broken" in failure
    assert "failed" in (out / "index.html").read_text()


def test_second_run_at_once_is_refused_with_a_clear_message(demo_db, tmp_path):
    from filelock import FileLock

    db, _ = demo_db
    out = tmp_path / "reports"
    out.mkdir()
    good = _notebook(tmp_path / "good.ipynb", "print(1)")
    with FileLock(str(out / ".tpnb-reports.lock")):
        with pytest.raises(reports.ReportsBusy, match="another `tpnb reports` run is in progress"):
            reports.run_reports(
                _config(tmp_path / "a.yaml", [{"name": "x", "title": "X", "notebook": str(good)}]),
                tmp_path,
                db,
                out,
                progress=False,
            )


def test_killed_run_leaves_no_half_written_html(demo_db, tmp_path):
    db, _ = demo_db
    slow = _notebook(tmp_path / "slow.ipynb", "import time\ntime.sleep(60)")
    out = tmp_path / "reports"
    env = {**os.environ, "TPNB_HOME": str(tmp_path)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tpnb.cli",
            "reports",
            "--config",
            str(_config(tmp_path / "a.yaml", [{"name": "s", "title": "S", "notebook": str(slow)}])),
            "--out",
            str(out),
            "--db",
            str(db),
        ],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    time.sleep(8)
    os.killpg(proc.pid, 9)
    proc.wait()
    assert not (out / "s.html").exists()
    assert not list(out.glob("*.html"))


def test_fan_out_from_data_makes_one_run_per_value(demo_db, tmp_path):
    db, _ = demo_db
    good = _notebook(tmp_path / "good.ipynb", "print(1)")
    config = _config(
        tmp_path / "a.yaml",
        [
            {
                "name": "seg_{segment}",
                "title": "S {segment}",
                "notebook": str(good),
                "fan_out": {"segment": "from_data"},
            }
        ],
    )
    runs, _ = reports.load_runs(config, tmp_path, db)
    assert sorted(r.parameters["segment"] for r in runs) == [
        "Key Account",
        "Kleinkunde",
        "Mittelstand",
    ]
    assert {r.name.rsplit("-", 1)[0] for r in runs} == {"seg_Key_Account", "seg_Kleinkunde", "seg_Mittelstand"}
    assert all(re.fullmatch(r"seg_[A-Za-z_]+-[0-9a-f]{8}", r.name) for r in runs)


HOSTILE_VALUES = ["!!!", "a/b", "a b", "a_b", "../../x", "", "😀", "x" * 300, "overview", "<script>", "Key Account"]


def test_fan_out_names_are_safe_distinct_and_never_a_declared_report(tmp_path):
    good = _notebook(tmp_path / "good.ipynb", "print(1)")
    config = _config(
        tmp_path / "a.yaml",
        [
            {"name": "overview", "title": "Overview", "notebook": str(good)},
            {
                "name": "overview_{segment}",
                "title": "Overview {segment}",
                "notebook": str(good),
                "fan_out": {"segment": HOSTILE_VALUES},
            },
        ],
    )
    runs, _ = reports.load_runs(config, tmp_path, tmp_path / "unused.duckdb")
    names = [r.name for r in runs]
    assert len(names) == len(set(names)) == len(HOSTILE_VALUES) + 1  # every value its own file
    assert names.count("overview") == 1  # only the declared report has its name
    for name in names:
        assert re.fullmatch(r"[A-Za-z0-9_-]{1,80}", name), name


def test_two_declared_reports_with_one_file_name_are_a_config_error(tmp_path):
    good = _notebook(tmp_path / "good.ipynb", "print(1)")
    config = _config(
        tmp_path / "a.yaml",
        [
            {"name": "a b", "title": "A", "notebook": str(good)},
            {"name": "a/b", "title": "B", "notebook": str(good)},
        ],
    )
    with pytest.raises(reports.ReportConfigError, match="would both publish a_b.html"):
        reports.load_runs(config, tmp_path, tmp_path / "unused.duckdb")


def test_a_full_disk_leaves_no_half_written_page(tmp_path, monkeypatch):
    from tpnb.report import publish

    source = tmp_path / "page.html"
    source.write_text("<html>new</html>")
    target = tmp_path / "archive.html"
    target.write_text("<html>old</html>")

    def disk_full(src, dst):
        Path(dst).write_text("<ht")  # part of the page, then the disk is full
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(publish.shutil, "copyfile", disk_full)
    with pytest.raises(OSError, match="No space"):
        publish.copy_atomic(source, target)
    assert target.read_text() == "<html>old</html>"  # the old page stays whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["archive.html", "page.html"]  # no temporary file left


def test_an_unwritable_reports_folder_is_reported_with_exit_1(demo_db, tmp_path):
    db, _ = demo_db
    blocker = tmp_path / "reports"
    blocker.write_text("a file where the reports folder should be")
    run = subprocess.run(
        [sys.executable, "-m", "tpnb.cli", "reports", "--db", str(db), "--out", str(blocker / "sub")],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert run.returncode == 1, run.stderr
    assert "cannot write the reports there" in run.stderr and "Traceback" not in run.stderr


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process tree from /proc")
def test_a_killed_report_run_leaves_no_worker_or_kernel_running(demo_db, tmp_path):
    db, _ = demo_db
    run = subprocess.Popen(
        [sys.executable, "-m", "tpnb.cli", "reports", "--db", str(db), "--out", str(tmp_path / "out"), "--jobs", "2"],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    kernels: set[int] = set()
    deadline = time.time() + 60
    while time.time() < deadline and not kernels:  # wait until the kernels run
        time.sleep(0.5)
        family = _descendants(run.pid)
        kernels = {p for p in family if "ipykernel" in Path(f"/proc/{p}/cmdline").read_bytes().decode(errors="ignore")}
    assert kernels, "no kernel started"
    family = _descendants(run.pid)
    run.kill()
    run.wait()
    deadline = time.time() + 20
    while time.time() < deadline and any(_alive(p) for p in family):
        time.sleep(0.5)
    assert not [p for p in family if _alive(p)], "workers or kernels outlived the killed run"


def test_a_database_busy_past_the_wait_fails_each_run_with_a_page_and_exit_1(demo_db, tmp_path):
    import shutil

    db = tmp_path / "busy.duckdb"
    shutil.copyfile(demo_db[0], db)
    good = _notebook(tmp_path / "good.ipynb", "print('first version')")
    out = tmp_path / "reports"
    config = _config(tmp_path / "a.yaml", [{"name": "x", "title": "X", "notebook": str(good)}])
    reports.run_reports(config, tmp_path, db, out, progress=False)
    first = (out / "x.html").read_text()
    holder = subprocess.Popen(  # another process writes the database and keeps it
        [
            sys.executable,
            "-c",
            f"import duckdb,sys,time; c=duckdb.connect({str(db)!r}); print('held', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        run = subprocess.run(
            [sys.executable, "-m", "tpnb.cli", "reports", "--config", str(config), "--out", str(out)]
            + ["--db", str(db), "--wait", "1"],
            capture_output=True,
            text=True,
            env={**os.environ, "TPNB_HOME": str(tmp_path)},
            cwd=tmp_path,
        )
    finally:
        holder.kill()
        holder.wait()
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    assert "in use by another tpnb process" in run.stdout and "waited 1 s" in run.stdout
    assert (out / "x.html").read_text() == first
    assert "in use by another tpnb process" in (out / "x.failed.html").read_text()
    assert "failed" in (out / "index.html").read_text()


def test_the_failure_page_speaks_the_reports_language_and_says_what_to_check(demo_db, tmp_path):
    good = _notebook(tmp_path / "good.ipynb", "print('first version')")
    bad = _notebook(tmp_path / "bad.ipynb", "raise RuntimeError('the data source is broken')")
    out = tmp_path / "reports"
    entry = {"name": "x", "title": "Überblick", "parameters": {"language": "de"}}
    reports.run_reports(
        _config(tmp_path / "a.yaml", [{**entry, "notebook": str(good)}]), tmp_path, demo_db[0], out, progress=False
    )
    published = json.loads((out / "status.json").read_text())["x"]["published_at"]
    reports.run_reports(
        _config(tmp_path / "b.yaml", [{**entry, "notebook": str(bad)}]), tmp_path, demo_db[0], out, progress=False
    )
    page = (out / "x.failed.html").read_text()
    assert "<html lang='de'>" in page and "Bericht fehlgeschlagen: Überblick" in page
    assert "Veröffentlicht bleibt der letzte gute Bericht vom" in page and "tpnb reports --only x" in page
    assert "<details><summary>Technische Details</summary>" in page and "the data source is broken" in page
    status = json.loads((out / "status.json").read_text())["x"]
    assert status["status"] == "failed" and status["published_at"] == published  # the good page's date stays
    assert published.replace("T", " ") in (out / "index.html").read_text()


def test_a_page_without_charts_carries_no_vega_bundle(demo_db, tmp_path):
    plain = _notebook(tmp_path / "plain.ipynb", "print('a table only')")
    out = tmp_path / "reports"
    reports.run_reports(
        _config(tmp_path / "a.yaml", [{"name": "p", "title": "P", "notebook": str(plain)}]),
        tmp_path,
        demo_db[0],
        out,
        progress=False,
    )
    page = (out / "p.html").read_text()
    assert "a table only" in page and "vegaEmbed" not in page and len(page.encode()) < 400_000


@pytest.mark.parametrize(
    "language,words,foreign",
    [
        ("de", ["Berichte", "Veröffentlicht", "Daten bis", "Archiv"], ["Published", "Generated"]),
        ("en", ["Reports", "Published", "Data as of", "Archive"], ["Veröffentlicht", "Daten bis"]),
    ],
)
def test_the_index_speaks_the_reports_language(demo_db, tmp_path, language, words, foreign):
    import yaml

    plain = _notebook(tmp_path / "plain.ipynb", "print(1)")
    config = tmp_path / "r.yaml"
    config.write_text(
        yaml.safe_dump(
            {"defaults": {"language": language}, "reports": [{"name": "p", "title": "P", "notebook": str(plain)}]}
        )
    )
    out = tmp_path / "reports"
    reports.run_reports(config, tmp_path, demo_db[0], out, progress=False)
    index = (out / "index.html").read_text()
    assert f'<html lang="{language}">' in index
    assert all(w in index for w in words) and not any(w in index for w in foreign)


def test_kernels_use_private_unix_sockets_and_a_start_race_is_recognised():
    # two report runs at once (or a JVM beside them) cannot take each other's kernel ports: the
    # kernels talk over Unix sockets, each under its own path
    from tpnb.report.runs import _kernel_manager_class, is_kernel_start_race

    manager = _kernel_manager_class()
    first, second = manager(kernel_name="tpnb"), manager(kernel_name="tpnb")
    assert first.transport == second.transport == "ipc" and first.ip != second.ip
    assert is_kernel_start_race(RuntimeError("Kernel died before replying to kernel_info"))
    assert not is_kernel_start_race(RuntimeError("NameError: name 'x' is not defined"))
