"""One large data set end to end: how tpnb behaves at 10M contacts.

    python bench/scale.py --customers 1250000      # about 10M contacts, 1M responses

Generates the demo data at that size, loads it (Parquet contacts), then times
`tpnb build`, `tpnb nps --by touchpoint,segment` and `tpnb drivers` with 200
bootstrap draws, each as its own process with its peak memory. Writes
reports/bench/scale.json.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from run import TPNB, generate_data_set, measure, write_steps  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=1_250_000)
    parser.add_argument(
        "--survey-share",
        type=float,
        default=0.16,
        help="share of customers asked per wave (0.16: about 1M responses at 1.25M customers)",
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="tpnb-scale-"))
    try:
        config, sizes = generate_data_set(work, args.customers, args.survey_share)
        db = str(work / "tpnb.duckdb")
        steps = {"ingest_all_sources": measure([TPNB, "ingest", "--config", str(config), "--db", db, "--no-build"], 1)}
        steps["build_marts"] = measure([TPNB, "build", "--db", db], 1)
        steps["nps_by_touchpoint_segment"] = measure(
            [TPNB, "nps", "--db", db, "--by", "touchpoint,segment", "--json"], 3
        )
        steps["drivers_bootstrap_200"] = measure([TPNB, "drivers", "--db", db, "--bootstrap", "200", "--json"], 1)
        sizes["database_mb"] = Path(db).stat().st_size / 1e6
    finally:
        shutil.rmtree(work, ignore_errors=True)
    write_steps("scale.json", sizes, steps)
    return 0


if __name__ == "__main__":
    sys.exit(main())
