"""A Spark job for a cluster: build tpnb's marts in a lake and write NPS and the key drivers as JSON.

    spark-submit --master yarn examples/spark/job.py --lake /mnt/lake/tpnb --out /mnt/lake/tpnb/results
    python examples/spark/job.py --lake lake/ --out results/          # local[2], or TPNB_SPARK_MASTER

On Databricks, make it a Python script task with the same arguments: the job's session is picked
up (``SparkSession.builder.getOrCreate`` returns it) and tpnb's ``spark:`` settings only add to it.
The driver needs ``pip install tpnb[spark]``; the workers need nothing of tpnb (they run SQL).

What runs where: the models and every aggregate run on the cluster; the driver (this process) gets
one row per NPS group and at most 2,000 rows of per-block sums for the key drivers.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    """Build the marts on the session, then write nps.json and drivers.json."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lake", type=Path, required=True, help="the lake (raw tables from `tpnb lake export`)")
    parser.add_argument("--out", type=Path, required=True, help="folder for nps.json and drivers.json")
    parser.add_argument("--by", default="segment", help="NPS dimensions, comma-separated")
    parser.add_argument("--bootstrap", type=int, default=200)
    args = parser.parse_args(argv)

    from tpnb.analysis.nps import nps_from_sums
    from tpnb.lake.aggregates import spark_runner
    from tpnb.lake.spark import build_spark, spark_session
    from tpnb.pushdown.drivers import key_drivers_on, touchpoint_labels_on
    from tpnb.settings import load_settings
    from tpnb.warehouse.sums import nps_sums

    settings = load_settings()
    spark = spark_session(settings)
    try:
        for model, seconds in build_spark(spark, args.lake, settings):
            print(f"{model:<28} {seconds:6.1f} s", file=sys.stderr)
        run = spark_runner(spark)
        dims = [d.strip() for d in args.by.split(",") if d.strip()]
        sums, columns = nps_sums(run, dims)
        groups = nps_from_sums(sums).rename(dict(zip(columns, dims, strict=True)))
        drivers = key_drivers_on(run, bootstrap=args.bootstrap, labels=touchpoint_labels_on(run))
    finally:
        spark.stop()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "nps.json").write_text(json.dumps({"by": dims, "groups": groups.to_dicts()}, default=str, indent=1))
    (args.out / "drivers.json").write_text(json.dumps(drivers.as_dict(), default=str, indent=1))
    print(f"results: {args.out.resolve()}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
