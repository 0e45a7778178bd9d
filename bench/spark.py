"""The models on Spark local[2] beside DuckDB on the same machine and the same data set.

    python bench/spark.py --customers 1250000      # about 10M contacts, 1M responses (make bench-spark)

Generates the demo data at that size, loads it into DuckDB, then times each step as its own
process with its peak memory: `tpnb build` (DuckDB), `tpnb lake export`, `tpnb build --engine spark`,
`tpnb nps --by touchpoint,segment` and `tpnb drivers --bootstrap 200` on both engines. Writes
reports/bench/spark.json (with the Spark/DuckDB ratios, and whether both engines' JSON agree: NPS
byte for byte, drivers to 1e-9) and adds it to reports/bench/summary.json (made if missing).
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from run import OUT, TPNB, generate_data_set, measure, write_steps  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=1_250_000)
    parser.add_argument("--survey-share", type=float, default=0.16)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="tpnb-spark-"))
    try:
        config, sizes = generate_data_set(work, args.customers, args.survey_share)
        db, lake = str(work / "tpnb.duckdb"), str(work / "lake")
        steps = {"ingest_all_sources": measure([TPNB, "ingest", "--config", str(config), "--db", db, "--no-build"], 1)}
        steps["build_duckdb"] = measure([TPNB, "build", "--db", db], 1)
        steps["lake_export"] = measure([TPNB, "lake", "export", "--db", db, "--out", lake], 1)
        steps["build_spark_local2"] = measure([TPNB, "build", "--engine", "spark", "--lake", lake], 1)
        nps = ["nps", "--by", "touchpoint,segment", "--json"]
        steps["nps_duckdb"] = measure([TPNB, *nps, "--db", db], 1)
        steps["nps_spark_local2"] = measure([TPNB, *nps, "--engine", "spark", "--lake", lake], 1)
        same = steps["nps_duckdb"].get("stdout") == steps["nps_spark_local2"].get("stdout")
        sizes["nps_json_identical"] = bool(same)
        drivers = ["drivers", "--bootstrap", "200", "--json"]
        steps["drivers_duckdb"] = measure([TPNB, *drivers, "--db", db], 1)
        steps["drivers_spark_local2"] = measure([TPNB, *drivers, "--engine", "spark", "--lake", lake], 1)
        on_duckdb, on_spark = (
            json.loads(steps[s].get("stdout") or "{}") for s in ("drivers_duckdb", "drivers_spark_local2")
        )
        sizes["drivers_json_equal_1e9"] = bool(on_duckdb) and same_document(on_duckdb, on_spark)
        sizes["ratio_drivers_spark_over_duckdb"] = (
            steps["drivers_spark_local2"]["seconds"] / steps["drivers_duckdb"]["seconds"]
        )
        sizes["lake_mb"] = sum(f.stat().st_size for f in Path(lake).rglob("*.parquet")) / 1e6
        sizes["ratio_build_spark_over_duckdb"] = (
            steps["build_spark_local2"]["seconds"] / steps["build_duckdb"]["seconds"]
        )
        sizes["ratio_nps_spark_over_duckdb"] = steps["nps_spark_local2"]["seconds"] / steps["nps_duckdb"]["seconds"]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    write_steps("spark.json", sizes, steps)
    summary = OUT / "summary.json"  # `make bench` writes the rest; the Spark figures join them
    doc = json.loads(summary.read_text()) if summary.exists() else {}
    doc["spark"] = json.loads((OUT / "spark.json").read_text())
    summary.write_text(json.dumps(doc, indent=2))
    return 0


def same_document(a, b, rel: float = 1e-9) -> bool:
    """Equal JSON documents, numbers to ``rel`` (relative; 1e-12 absolute near zero)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_document(a[k], b[k], rel) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_document(x, y, rel) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=rel, abs_tol=1e-12) or (math.isnan(a) and math.isnan(b))
    return a == b


if __name__ == "__main__":
    sys.exit(main())
