"""100M contacts on one machine: ingest, marts and NPS past the size of memory.

    python bench/out_of_core.py --copies 10     # make bench-100m: about 100M contacts, 15 GB of CSV

Generates the demo data at 1.25M customers (about 10M contacts, 1M
responses), loads every source but the contacts, then writes the contacts
``--copies`` times over into one CSV (each copy with its own contact ids) and
times, each as its own process with its peak memory: DuckDB's own read_csv of
that file, `tpnb ingest contacts` of it, `tpnb build` and `tpnb nps`. Needs
about 40 GB of free disk. Writes reports/bench/out_of_core.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from run import PY, TPNB, measure, write_steps  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=1_250_000)
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--work", type=Path, default=None, help="folder for the data (default: a temporary one)")
    args = parser.parse_args()
    import duckdb

    from tpnb import demo

    work = Path(tempfile.mkdtemp(prefix="tpnb-ooc-", dir=args.work))
    try:
        started = time.perf_counter()
        data = demo.generate(seed=5, customers=args.customers, as_of=date(2026, 10, 31), survey_share=0.16)
        config = demo.write_sources(data, work / "sources")
        del data
        contacts = next((work / "sources").glob("contacts.*"))
        big = work / "contacts_big.csv"
        con = duckdb.connect()
        con.execute(
            "copy (select c.* replace (c.contact_id || '-' || r.copy as contact_id) "
            "from read_parquet($src) c, range($copies) r(copy)) to $dst (header, delimiter ',')",
            {"src": str(contacts), "copies": args.copies, "dst": str(big)},
        )
        rows = con.sql("select count(*) from read_parquet($src)", params={"src": str(contacts)}).fetchall()[0][0]
        con.close()
        contacts.unlink()  # the other sources load from the config; contacts from the big file
        import yaml

        declared = yaml.safe_load(config.read_text())
        declared["sources"] = [e for e in declared["sources"] if e["kind"] != "contacts"]
        config.write_text(yaml.safe_dump(declared))
        sizes = {
            "customers": args.customers,
            "contacts": rows * args.copies,
            "copies": args.copies,
            "csv_gb": big.stat().st_size / 1e9,
            "prepare_seconds": time.perf_counter() - started,
        }
        print(json.dumps(sizes), flush=True)
        db = work / "tpnb.duckdb"
        ref = work / "reference.duckdb"
        steps = {
            "ingest_other_sources": measure([TPNB, "ingest", "--config", str(config), "--db", str(db), "--no-build"], 1)
        }
        steps["duckdb_read_csv"] = measure(
            [
                PY,
                "-c",
                "import duckdb,sys; c=duckdb.connect(sys.argv[1]); "
                "c.execute('create table t as select * from read_csv(?)', [sys.argv[2]])",
                str(ref),
                str(big),
            ],
            1,
        )
        ref.unlink(missing_ok=True)
        steps["ingest_contacts"] = measure([TPNB, "ingest", "contacts", str(big), "--db", str(db), "--no-build"], 1)
        big.unlink()
        steps["build_marts"] = measure([TPNB, "build", "--db", str(db)], 1)
        steps["nps_by_touchpoint_segment"] = measure(
            [TPNB, "nps", "--db", str(db), "--by", "touchpoint,segment", "--json"], 1
        )
        sizes["database_gb"] = db.stat().st_size / 1e9
    finally:
        shutil.rmtree(work, ignore_errors=True)
    sizes["ingest_ratio"] = steps["ingest_contacts"]["seconds"] / steps["duckdb_read_csv"]["seconds"]
    write_steps("out_of_core.json", sizes, steps)
    return 0


if __name__ == "__main__":
    sys.exit(main())
