"""tpnb benchmarks: speed, memory and growth with size, each figure beside its reference.

    python bench/run.py --quick     # make bench: a few minutes on 2 cores
    python bench/run.py --full      # make bench-full: up to 10M contacts

Every step runs as its own process, timed as a whole (median of repeats) with
its peak RSS from the kernel (wait4). References run in the same session:
DuckDB's own read_csv for ingest, pandas + statsmodels (bench/reference.py)
for metrics and drivers, refitting every subset for LMG, an empty notebook
with the same imports for report runs. Results: reports/bench/results.json,
summary.json (one entry per checked target) and index.html (charts).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TPNB = str(BIN / "tpnb")
PY = sys.executable
OUT = ROOT / "reports" / "bench"
AS_OF = "2026-10-31"
FULL_SURVEY_SHARE = 0.16  # share of customers asked per wave in the full mode


def drain(stream, sink: list[bytes]) -> None:
    sink.append(stream.read())


def measure(cmd: list[str], repeat: int, setup=None, env: dict | None = None) -> dict:
    """Median seconds and the largest peak RSS over ``repeat`` runs (``setup`` before each)."""
    times, peaks, out = [], [], ""
    for _ in range(repeat):
        if setup:
            setup()
        started = time.perf_counter()
        proc = subprocess.Popen(
            [PY, "-S", str(ROOT / "bench" / "peak_rss.py"), *map(str, cmd)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, **(env or {})},
            cwd=ROOT,
        )
        # the launcher reports the command's own peak RSS; pipes drained in threads
        stdout_chunks: list[bytes] = []
        err_chunks: list[bytes] = []
        t1 = threading.Thread(target=drain, args=(proc.stdout, stdout_chunks))
        t2 = threading.Thread(target=drain, args=(proc.stderr, err_chunks))
        t1.start()
        t2.start()
        code = proc.wait()
        t1.join()
        t2.join()
        times.append(time.perf_counter() - started)
        err = b"".join(err_chunks).decode(errors="replace")
        if code not in (0, 1):
            raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({code}):\n{err[-3000:]}")
        peaks.append(int(err.rsplit("__PEAK_RSS_KB__=", 1)[1].split()[0]) / 1024)
        out = b"".join(stdout_chunks).decode()
    return {
        "seconds": statistics.median(times),
        "runs": times,
        "peak_rss_mb": max(peaks),
        "stdout": out,
    }


def prepare(size: int, folder: Path, survey_share: float | None = None) -> dict:
    """Generate the demo data at a size: source files, a contacts CSV, a built database."""
    from tpnb import demo

    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    shape = {"survey_share": survey_share} if survey_share else {}
    data = demo.generate(seed=11, customers=size, as_of=date.fromisoformat(AS_OF), **shape)
    config = demo.write_sources(data, folder / "sources")
    data.contacts.write_csv(folder / "contacts.csv")
    generated = time.perf_counter() - started
    db = folder / "tpnb.duckdb"
    db.unlink(missing_ok=True)
    load = measure([TPNB, "ingest", "--config", str(config), "--db", str(db)], 1)
    return {
        "customers": size,
        "contacts": data.contacts.height,
        "responses": data.surveys.height,
        "generate_seconds": generated,
        "db": db,
        "contacts_csv": folder / "contacts.csv",
        "csv_mb": (folder / "contacts.csv").stat().st_size / 1e6,
        "load_all": load,
        "config": config,
    }


def generate_data_set(work: Path, customers: int, survey_share: float) -> tuple[Path, dict]:
    """The demo data at ``customers`` (seed 5) written as sources under ``work``: (config, sizes)."""
    from tpnb import demo

    started = time.perf_counter()
    data = demo.generate(seed=5, customers=customers, as_of=date(2026, 10, 31), survey_share=survey_share)
    config = demo.write_sources(data, work / "sources")
    sizes = {
        "customers": customers,
        "contacts": data.contacts.height,
        "responses": data.surveys.height,
        "generate_and_write_seconds": time.perf_counter() - started,
    }
    print(json.dumps(sizes), flush=True)
    return config, sizes


def write_steps(file_name: str, result: dict, steps: dict) -> None:
    """Write a one-data-set benchmark to reports/bench/ and print its steps."""
    for step in steps.values():
        step.pop("stdout", None)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / file_name).write_text(json.dumps({**result, "steps": steps}, indent=2))
    for name, step in steps.items():
        print(f"{name:<28} {step['seconds']:8.1f} s   peak {step['peak_rss_mb']:8.0f} MB", flush=True)


def ingest_by_kind(config: Path, scratch: Path) -> dict:
    """Each demo source on its own (with its config: German CSV, Windows-1252, Parquet...)."""
    import yaml

    out = {}
    for entry in yaml.safe_load(config.read_text())["sources"]:
        one = config.with_name(f"only_{entry['kind']}.yaml")
        one.write_text(yaml.safe_dump({"sources": [entry]}))
        for suffix in ("", ".wal"):
            Path(str(scratch) + suffix).unlink(missing_ok=True)
        step = measure([TPNB, "ingest", "--config", str(one), "--db", str(scratch), "--no-build"], 1)
        step.pop("stdout", None)
        out[entry["kind"]] = {
            **step,
            "file": entry["path"],
            "mb": (config.parent / entry["path"]).stat().st_size / 1e6,
        }
    return out


def bench_size(info: dict, repeat: int, tmp: Path) -> dict:
    db, csv = str(info["db"]), str(info["contacts_csv"])
    scratch = tmp / "scratch.duckdb"

    def fresh():
        for suffix in ("", ".wal"):
            Path(str(scratch) + suffix).unlink(missing_ok=True)

    res = {k: info[k] for k in ("customers", "contacts", "responses", "csv_mb", "generate_seconds")}
    res["ingest_by_kind"] = ingest_by_kind(info["config"], scratch)
    res["ingest_contacts"] = measure(
        [TPNB, "ingest", "contacts", csv, "--db", str(scratch), "--no-build"], repeat, fresh
    )
    res["duckdb_read_csv"] = measure(
        [
            PY,
            "-c",
            "import duckdb,sys; c=duckdb.connect(sys.argv[1]); "
            "c.execute('create table t as select * from read_csv(?)', [sys.argv[2]])",
            str(scratch),
            csv,
        ],
        repeat,
        fresh,
    )
    res["build_marts"] = measure([TPNB, "build", "--db", db], repeat)
    res["nps"] = measure([TPNB, "nps", "--db", db, "--by", "touchpoint,segment", "--json"], repeat)
    res["nps_reference"] = measure([PY, "bench/reference.py", "nps", db], repeat)
    res["nps_same_numbers"] = _same_nps(res["nps"]["stdout"], res["nps_reference"]["stdout"])
    res["drivers"] = measure([TPNB, "drivers", "--db", db, "--bootstrap", "0", "--json"], repeat)
    res["drivers_ratings_only"] = measure(
        [TPNB, "drivers", "--db", db, "--bootstrap", "0", "--no-experience", "--json"], 1
    )
    res["drivers_bootstrap_200"] = measure([TPNB, "drivers", "--db", db, "--bootstrap", "200", "--json"], 1)
    res["drivers_reference"] = measure([PY, "bench/reference.py", "drivers", db], repeat)
    res["drivers_same_numbers"] = _same_coefs(res["drivers_ratings_only"]["stdout"], res["drivers_reference"]["stdout"])
    for key in list(res):
        if isinstance(res[key], dict):
            res[key].pop("stdout", None)
    return res


def _same_nps(ours: str, reference: str) -> bool:
    a = {(g["touchpoint"], g["segment"]): (g["n"], round(g["nps"], 9)) for g in json.loads(ours)["groups"]}
    b = {(g["name"], g["segment"]): (g["n"], round(g["nps"], 9)) for g in json.loads(reference)}
    return a == b


def _same_coefs(ours: str, reference: str) -> bool:
    a = {d["driver"]: d["coef"] for d in json.loads(ours)["drivers"] if d["driver"].startswith("tp_")}
    b = json.loads(reference)
    return set(a) == set(b) and all(abs(a[k] - b[k]) < 1e-6 for k in a)


LMG_TIMER = """
import json, sys, time
import numpy as np
sys.path.insert(0, "bench")
from reference import lmg_by_refitting, lmg_data
from tpnb.analysis.importance import correlation_parts, lmg
x, y = lmg_data(int(sys.argv[1]), int(sys.argv[2]))
started = time.perf_counter()
if sys.argv[3] == "exact":
    cxx, rxy, _ = correlation_parts(np.cov(np.column_stack([y, x]), rowvar=False))
    shares = lmg(cxx, rxy)
else:
    shares = lmg_by_refitting(x, y)
print(json.dumps({"seconds": time.perf_counter() - started, "shares": shares.tolist()}))
"""


def bench_lmg(rows: int, drivers: int, repeat: int) -> dict:
    """Exact LMG against refitting every subset, timed inside the process (imports excluded)."""
    exact = [
        json.loads(measure([PY, "-c", LMG_TIMER, str(rows), str(drivers), "exact"], 1)["stdout"]) for _ in range(repeat)
    ]
    refit = json.loads(measure([PY, "-c", LMG_TIMER, str(rows), str(drivers), "refit"], 1)["stdout"])
    a, b = exact[0]["shares"], refit["shares"]
    return {
        "rows": rows,
        "drivers": drivers,
        "exact": statistics.median(e["seconds"] for e in exact),
        "refit": refit["seconds"],
        "max_abs_diff": max(abs(x - y) for x, y in zip(a, b, strict=True)),
    }


FLOOR_NOTEBOOK = {
    "cells": [
        {
            "cell_type": "code",
            "metadata": {"tags": ["parameters"]},
            "execution_count": None,
            "outputs": [],
            "source": "db_path = None\nsegment = None\nlanguage = 'de'\nreport_mode = False",
        },
        {
            "cell_type": "code",
            "metadata": {},
            "execution_count": None,
            "outputs": [],
            "source": "from IPython.display import HTML, Markdown, display\nimport tpnb.report, tpnb.drivers, tpnb.metrics\nfrom tpnb.report import sections\n"
            "import statsmodels.api, scipy.stats, altair",
        },
    ],
    "metadata": {"kernelspec": {"name": "tpnb", "display_name": "Python (tpnb)", "language": "python"}},
    "nbformat": 4,
    "nbformat_minor": 5,
}

FLOOR_SCRIPT = """
import sys, papermill as pm
from concurrent.futures import ProcessPoolExecutor
def one(i):
    pm.execute_notebook(sys.argv[1], f"{sys.argv[2]}/floor_{i}.ipynb", parameters={"segment": str(i)},
                        kernel_name="tpnb", progress_bar=False)
with ProcessPoolExecutor(2) as pool:
    list(pool.map(one, range(int(sys.argv[3]))))
"""


def bench_reports(db: Path, fan_out: int, tmp: Path) -> dict:
    import yaml

    out = tmp / "reports_out"
    refresh = measure([TPNB, "reports", "--db", str(db), "--out", str(out), "--jobs", "2"], 1)
    segments = ["Key Account", "Mittelstand", "Kleinkunde"]
    config = tmp / "fanout.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "defaults": {"kernel": "tpnb"},
                "reports": [
                    {
                        "name": f"seg{i}",
                        "title": f"Segment {i}",
                        "notebook": str(ROOT / "notebooks/01_touchpoint_overview.ipynb"),
                        "parameters": {"segment": segments[i % 3]},
                    }
                    for i in range(fan_out)
                ],
            }
        )
    )
    fan = measure(
        [
            TPNB,
            "reports",
            "--config",
            str(config),
            "--db",
            str(db),
            "--out",
            str(tmp / "fan_out"),
            "--jobs",
            "2",
        ],
        1,
    )
    floor_nb = tmp / "floor.ipynb"
    floor_nb.write_text(json.dumps(FLOOR_NOTEBOOK))
    floor_dir = tmp / "floor"
    floor_dir.mkdir(exist_ok=True)
    floor = measure([PY, "-c", FLOOR_SCRIPT, str(floor_nb), str(floor_dir), str(fan_out)], 1)
    for item in (refresh, fan, floor):
        item.pop("stdout", None)
    return {
        "refresh_4_reports": refresh,
        "fan_out": fan,
        "papermill_floor": floor,
        "fan_out_runs": fan_out,
    }


def target(name, value, unit, reference, target_value, kind) -> dict:
    ratio = value / reference if reference else None
    checked = ratio if kind.startswith("ratio") else value
    met = checked <= target_value if kind.endswith("at_most") else checked >= target_value
    return {
        "name": name,
        "value": round(value, 4),
        "unit": unit,
        "reference": None if reference is None else round(reference, 4),
        "ratio": None if ratio is None else round(ratio, 3),
        "target": target_value,
        "met": bool(met),
    }


def summarize(sizes: list[dict], lmg: dict, rep: dict) -> list[dict]:
    big = sizes[-1]
    out = [
        target(
            f"ingest contacts CSV ({big['contacts']:,} rows) vs DuckDB read_csv",
            big["ingest_contacts"]["seconds"],
            "s",
            big["duckdb_read_csv"]["seconds"],
            1.5,
            "ratio_at_most",
        ),
        target(
            "ingest peak memory",
            big["ingest_contacts"]["peak_rss_mb"],
            "MB",
            None,
            2048,
            "value_at_most",
        ),
        target(
            f"mart build ({big['contacts']:,} contacts, {big['responses']:,} responses)",
            big["build_marts"]["seconds"],
            "s",
            None,
            60,
            "value_at_most",
        ),
        target(
            "tpnb nps --by touchpoint,segment (whole command)",
            big["nps"]["seconds"],
            "s",
            big["nps_reference"]["seconds"],
            1.0,
            "value_at_most",
        ),
        target(
            f"drivers with 200 bootstrap draws ({big['responses']:,} responses)",
            big["drivers_bootstrap_200"]["seconds"],
            "s",
            None,
            60,
            "value_at_most",
        ),
        target(
            f"exact LMG ({lmg['drivers']} drivers) speed-up over refitting every subset",
            lmg["refit"] / lmg["exact"],
            "x",
            None,
            50,
            "value_at_least",
        ),
        target(
            "exact LMG equals refitting every subset",
            lmg["max_abs_diff"],
            "max abs diff",
            None,
            1e-9,
            "value_at_most",
        ),
        target(
            "report refresh (4 notebooks, demo data, --jobs 2)",
            rep["refresh_4_reports"]["seconds"],
            "s",
            None,
            60,
            "value_at_most",
        ),
        target(
            f"fan-out of {rep['fan_out_runs']} reports, --jobs 2, vs papermill floor",
            rep["fan_out"]["seconds"],
            "s",
            rep["papermill_floor"]["seconds"],
            1.5,
            "ratio_at_most",
        ),
    ]
    out.append(
        {
            "name": "nps numbers equal the pandas reference",
            "value": big["nps_same_numbers"],
            "unit": "bool",
            "reference": None,
            "ratio": None,
            "target": True,
            "met": bool(big["nps_same_numbers"]),
        }
    )
    out.append(
        {
            "name": "driver coefficients equal the statsmodels reference",
            "value": big["drivers_same_numbers"],
            "unit": "bool",
            "reference": None,
            "ratio": None,
            "target": True,
            "met": bool(big["drivers_same_numbers"]),
        }
    )
    return out


def write_page(sizes: list[dict], summary: list[dict]) -> None:
    import altair as alt
    import polars as pl

    from tpnb.report.vega import report_html, vega_bundle

    rows = []
    for s in sizes:
        for step in (
            "ingest_contacts",
            "duckdb_read_csv",
            "build_marts",
            "nps",
            "nps_reference",
            "drivers",
            "drivers_reference",
            "drivers_bootstrap_200",
        ):
            rows.append(
                {
                    "step": step,
                    "contacts": s["contacts"],
                    "seconds": s[step]["seconds"],
                    "peak_rss_mb": s[step]["peak_rss_mb"],
                }
            )
    frame = pl.DataFrame(rows)
    charts = []
    for value, title in (
        ("seconds", "Time against data size"),
        ("peak_rss_mb", "Peak memory (MB) against data size"),
    ):
        chart = (
            alt.Chart(alt.Data(values=frame.to_dicts()))
            .mark_line(point=True)
            .encode(
                x=alt.X("contacts:Q", scale=alt.Scale(type="log"), title="contacts"),
                y=alt.Y(f"{value}:Q", scale=alt.Scale(type="log"), title=value),
                color="step:N",
                tooltip=["step:N", "contacts:Q", alt.Tooltip(f"{value}:Q", format=".2f")],
            )
            .properties(width=640, height=360, title=title)
        )
        charts.append(report_html(chart.to_dict()))
    table = "".join(
        f"<tr><td>{t['name']}</td><td>{t['value']} {t['unit']}</td><td>{t['reference'] if t['reference'] is not None else ''}</td>"
        f"<td>{t['ratio'] if t['ratio'] is not None else ''}</td><td>{t['target']}</td>"
        f"<td style='color:{'green' if t['met'] else 'red'}'>{'met' if t['met'] else 'not met'}</td></tr>"
        for t in summary
    )
    big = sizes[-1]
    kinds = "".join(
        f"<tr><td>{k}</td><td>{v['file']}</td><td>{v['mb']:.1f} MB</td><td>{v['seconds']:.2f} s</td>"
        f"<td>{v['peak_rss_mb']:.0f} MB</td></tr>"
        for k, v in big.get("ingest_by_kind", {}).items()
    )
    table += (
        "</table><h2>Ingest per source kind (" + f"{big['customers']:,} customers)</h2>"
        "<table border='1' cellpadding='4' style='border-collapse:collapse'><tr><th>kind</th><th>file</th>"
        f"<th>size</th><th>time</th><th>peak memory</th></tr>{kinds}"
    )
    page = (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>tpnb benchmarks</title>"
        f"<script>{vega_bundle()}</script></head><body style='font-family:sans-serif;max-width:1000px;margin:auto'>"
        f"<h1>tpnb benchmarks</h1><table border='1' cellpadding='4' style='border-collapse:collapse'>"
        f"<tr><th>target</th><th>value</th><th>reference</th><th>ratio</th><th>target</th><th></th></tr>{table}</table>"
        + "".join(charts)
        + "</body></html>"
    )
    (OUT / "index.html").write_text(page, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="small sizes, a few minutes (default)")
    mode.add_argument("--full", action="store_true", help="up to 10M contacts")
    args = parser.parse_args()
    full = args.full
    sizes = [20_000, 125_000, 1_250_000] if full else [5_000, 25_000, 125_000]
    repeat = 3
    OUT.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="tpnb-bench-"))
    results = []
    try:
        for size in sizes:
            print(f"== {size:,} customers", flush=True)
            # full: the shape the targets name (1.25M customers: 10M contacts, 1M responses)
            info = prepare(size, work / str(size), FULL_SURVEY_SHARE if full else None)
            result = bench_size(info, repeat, work / str(size))
            results.append(result)
            print(
                "   ingest by kind: "
                + ", ".join(f"{k} {v['seconds']:.2f}s" for k, v in result["ingest_by_kind"].items()),
                flush=True,
            )
            print(
                f"   {result['contacts']:,} contacts, {result['responses']:,} responses: ingest "
                f"{result['ingest_contacts']['seconds']:.2f}s vs read_csv {result['duckdb_read_csv']['seconds']:.2f}s, "
                f"marts {result['build_marts']['seconds']:.2f}s, nps {result['nps']['seconds']:.2f}s, "
                f"drivers(200) {result['drivers_bootstrap_200']['seconds']:.2f}s",
                flush=True,
            )
            shutil.rmtree(work / str(size) / "sources", ignore_errors=True)
        lmg = bench_lmg(rows=5000 if full else 1000, drivers=15, repeat=3)
        print(f"== LMG {lmg}", flush=True)
        demo_dir = work / "demo"
        demo_dir.mkdir()
        subprocess.run(
            [
                TPNB,
                "demo",
                "--db",
                str(demo_dir / "tpnb.duckdb"),
                "--out",
                str(demo_dir / "src"),
                "--as-of",
                AS_OF,
            ],
            check=True,
            capture_output=True,
        )
        rep = bench_reports(demo_dir / "tpnb.duckdb", 12 if full else 6, work)
        print(
            f"== reports {json.dumps({k: v['seconds'] if isinstance(v, dict) else v for k, v in rep.items()})}",
            flush=True,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    summary = summarize(results, lmg, rep)
    (OUT / "results.json").write_text(
        json.dumps(
            {"mode": "full" if full else "quick", "sizes": results, "lmg": lmg, "reports": rep},
            indent=2,
            default=str,
        )
    )
    (OUT / "summary.json").write_text(json.dumps(summary, indent=2))
    write_page(results, summary)
    print()
    for t in summary:
        ref = f" (reference {t['reference']}, ratio {t['ratio']})" if t["reference"] is not None else ""
        print(
            f"{'met    ' if t['met'] else 'NOT MET'}  {t['name']}: {t['value']} {t['unit']}{ref}; target {t['target']}"
        )
    print(f"\n{OUT / 'summary.json'}\n{OUT / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
