"""The same models and the same NPS on Apache Spark (local[2]) as on DuckDB, row for row.

The demo database is exported to a Parquet lake, every model runs on Spark through the sqlglot
translation, and each mart is compared with DuckDB's (sorted by its key, floats to 1e-9). Skipped
where pyspark or Java is missing, except in CI: `make test` installs both.
"""

from __future__ import annotations

import json
import os
import shutil

import duckdb
import polars as pl
import pytest

from tests.conftest import DEMO_AS_OF, REPO, tpnb_in
from tpnb.contracts.marts import MARTS
from tpnb.settings import load_settings

pytestmark = pytest.mark.spark


def _need_spark():
    missing = []
    try:
        import pyspark  # noqa: F401
    except ImportError:
        missing.append("pyspark (pip install -e '.[spark]')")
    if shutil.which("java") is None:
        missing.append("Java 17 (Debian's openjdk-17-jre-headless)")
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"the Spark tests need {' and '.join(missing)} in CI (make test installs them)")
        pytest.skip(f"not installed: {', '.join(missing)}")


@pytest.fixture(scope="module")
def spark():
    _need_spark()
    from tpnb.lake.spark import spark_session

    session = spark_session(load_settings(REPO))
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def lake(demo_db, spark, tmp_path_factory):
    """The demo's raw tables exported to a lake and every model built there on Spark."""
    from tpnb.lake.export import export_lake
    from tpnb.lake.spark import build_spark

    folder = tmp_path_factory.mktemp("lake")
    con = duckdb.connect(str(demo_db[0]), read_only=True)
    try:
        exported = export_lake(con, folder)
    finally:
        con.close()
    assert exported["raw_surveys"] > 0
    build_spark(spark, folder, load_settings(REPO))
    return folder


def _normal(frame: pl.DataFrame) -> pl.DataFrame:
    """Both engines' values on one footing: numbers as doubles, the rest as they are or as text."""
    out = {}
    for name in frame.columns:
        dtype = frame[name].dtype
        if dtype.is_numeric():
            out[name] = frame[name].cast(pl.Float64)
        elif dtype in (pl.Boolean, pl.Date, pl.String) or isinstance(dtype, pl.Datetime):
            out[name] = frame[name]
        else:
            out[name] = frame[name].cast(pl.String)
    return pl.DataFrame(out)


@pytest.mark.parametrize("mart", [m.name for m in MARTS])
def test_every_mart_on_spark_equals_duckdbs_row_for_row(demo_db, lake, mart):
    con = duckdb.connect(str(demo_db[0]), read_only=True)
    try:
        duck = _normal(con.sql(f"select * from {mart}").pl())
    finally:
        con.close()
    spark_rows = pl.read_parquet(str(lake / "marts" / mart / "*.parquet"))
    assert set(spark_rows.columns) == set(duck.columns)
    _assert_same(mart, duck, spark_rows)


def _assert_same(mart: str, duck: pl.DataFrame, spark_rows: pl.DataFrame) -> None:
    """Row for row, sorted by the mart's key; floats to 1e-9 (relative to 1 + |value|)."""
    spark_rows = _normal(spark_rows.select(duck.columns))
    key = list(next(m.key for m in MARTS if m.name == mart))
    duck, spark_rows = duck.sort(key, nulls_last=True), spark_rows.sort(key, nulls_last=True)
    assert duck.height == spark_rows.height > 0
    for name in duck.columns:
        a, b = duck[name], spark_rows[name]
        assert (a.is_null() == b.is_null()).all(), f"{mart}.{name}: nulls differ"
        if a.dtype == pl.Float64:
            worst = ((a - b).abs() / (1 + a.abs())).max()
            assert worst is None or worst <= 1e-9, f"{mart}.{name}: differs by {worst}"
        else:
            assert (a == b).fill_null(True).all(), f"{mart}.{name}: values differ"


@pytest.mark.parametrize(
    "dims, accounts",
    [([], False), (["segment"], False), (["touchpoint", "role"], False), (["phase"], False), (["role"], True)],
)
def test_nps_sums_on_spark_equal_duckdbs(demo_db, spark, lake, dims, accounts):
    from tpnb.analysis.nps import nps_from_sums
    from tpnb.lake.aggregates import spark_runner
    from tpnb.lake.spark import register_marts
    from tpnb.warehouse.read import nps_sums

    register_marts(spark, lake)
    con = duckdb.connect(str(demo_db[0]), read_only=True)
    try:
        duck, columns = nps_sums(con, dims, "2026-04-01", None, account_weighted=accounts)
    finally:
        con.close()
    on_spark, spark_columns = nps_sums(spark_runner(spark), dims, "2026-04-01", None, account_weighted=accounts)
    assert spark_columns == columns
    a = nps_from_sums(duck, weighted=accounts).sort(columns or "n")
    b = nps_from_sums(on_spark, weighted=accounts).sort(columns or "n")
    assert a.height == b.height > 0
    for name in ("n", "promoters", "detractors", "nps", "ci_low", "ci_high", "design_effect"):
        assert b[name].cast(pl.Float64).to_list() == pytest.approx(a[name].cast(pl.Float64).to_list(), rel=1e-9)


def _both(folder, first: list, second: list):
    """Two tpnb commands at once (the machine has two cores; a JVM start mostly waits)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(lambda args: tpnb_in(folder, *args), [first, second]))


def _both(folder, first: list, second: list):
    """Two tpnb commands at once (the machine has two cores)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(lambda args: tpnb_in(folder, *args), [first, second]))


def test_nps_command_on_spark_gives_the_databases_groups(demo_db, lake, tmp_path):
    db = demo_db[0]
    on_duckdb = tpnb_in(tmp_path, "nps", "--db", db, "--by", "segment", "--json")
    on_spark = tpnb_in(tmp_path, "nps", "--engine", "spark", "--lake", lake, "--by", "segment", "--json")
    assert on_spark.returncode == 0, on_spark.stderr[-2000:]
    assert json.loads(on_spark.stdout) == json.loads(on_duckdb.stdout)


def test_drivers_command_on_spark_gives_the_databases_model(demo_db, lake, tmp_path):
    """Coefficients, intervals, LMG shares and the seeded bootstrap: the same JSON on both engines."""
    from tests.pushdown.test_drivers import assert_same_result

    options = ["drivers", "--json", "--bootstrap", "60", "--seed", "5", "--from", "2026-01-01"]
    on_spark, on_duckdb = _both(
        tmp_path, [*options, "--engine", "spark", "--lake", lake], [*options, "--db", demo_db[0]]
    )
    assert on_spark.returncode == 0, on_spark.stderr[-2000:]
    document = json.loads(on_duckdb.stdout)
    assert document["diagnostics"]["bootstrap_draws"] == 60 and document["period"]["from"] == "2026-01-01"
    assert_same_result(document, json.loads(on_spark.stdout))


def _page_text(page) -> list[str]:
    """A published page's visible text, line by line (figures as printed, rounded)."""
    import re

    html = re.sub(r"<script.*?</script>|<style.*?</style>", "", page.read_text(encoding="utf-8"), flags=re.S)
    lines = [line.strip() for line in re.sub(r"<[^>]+>", "\n", html).splitlines() if line.strip()]
    return lines[:-1]  # the last line is the run's time and duration


def test_reports_on_the_lake_read_the_marts_spark_built(demo_db, lake, tmp_path):
    """`tpnb reports --engine spark --lake`: the page from Spark's marts is the database's page."""
    on_spark, on_duckdb = _both(
        tmp_path,
        ["reports", "--engine", "spark", "--lake", lake, "--only", "drivers", "--out", "s"],
        ["reports", "--db", demo_db[0], "--only", "drivers", "--out", "d"],
    )
    assert on_spark.returncode == 0, on_spark.stdout + on_spark.stderr[-2000:]
    assert on_duckdb.returncode == 0, on_duckdb.stdout + on_duckdb.stderr[-2000:]
    page = _page_text(tmp_path / "s" / "drivers.html")
    assert len(page) > 100
    assert page == _page_text(tmp_path / "d" / "drivers.html")


def test_a_logit_without_accounts_from_spark_sums_equals_the_rows_model(demo_db, spark, lake):
    """Newton steps as passes on Spark, respondents as units (4,000+: hashed blocks, the robust
    covariance by a pass), a control's dummies."""
    from tests.pushdown.test_drivers import assert_same_result
    from tpnb.analysis.drivers import key_drivers
    from tpnb.lake.aggregates import spark_runner
    from tpnb.lake.spark import register_marts
    from tpnb.pushdown.drivers import key_drivers_on
    from tpnb.warehouse import read

    options = {
        "outcome": "promoter",
        "drivers": ["tp_delivery", "tp_invoice", "tp_hotline", "had_late_answer"],  # a few: each pass plans fast
        "cluster": None,
        "controls": ["segment"],
        "bootstrap": 30,
        "seed": 2,
    }
    register_marts(spark, lake)
    con = duckdb.connect(str(demo_db[0]), read_only=True)
    try:
        on_rows = key_drivers(read.driver_frame(con, "promoter"), **options)
    finally:
        con.close()
    assert_same_result(on_rows.as_dict(), key_drivers_on(spark_runner(spark), **options).as_dict())


def test_loads_appended_to_the_lake_with_a_correction_give_the_databases_marts(spark, tmp_path):
    """Ingest into the lake as loads arrive (the demo, then a corrected survey file through the
    CLI's --lake), build on Spark: the marts equal the database's after the same two loads."""
    from tpnb import demo
    from tpnb.ingest import ingest_sources, load_sources
    from tpnb.lake.export import append_loads
    from tpnb.lake.spark import build_spark

    config = demo.write_sources(demo.generate(seed=3, customers=400, as_of=DEMO_AS_OF), tmp_path / "sources")
    db, lake = tmp_path / "db.duckdb", tmp_path / "lake"
    con = duckdb.connect(str(db))
    try:
        results = ingest_sources(con, load_sources(config))
        append_loads(con, lake, [(r.kind, r.load_id) for r in results if r.status == "loaded"])
        first = con.sql("select response_id, nps from raw_surveys order by response_id limit 5").pl()
    finally:
        con.close()
    corrected = tmp_path / "correction.csv"
    rows = ["response_id,customer_id,answered_at,nps,tp_delivery"]
    con = duckdb.connect(str(db), read_only=True)
    try:
        for rid, customer, answered in con.sql(
            "select response_id, customer_id, answered_at from raw_surveys order by response_id limit 5"
        ).fetchall():
            rows.append(f"{rid},{customer},{answered},10,5")
    finally:
        con.close()
    corrected.write_text("\n".join(rows) + "\n", encoding="utf-8")
    run = tpnb_in(tmp_path, "ingest", "surveys", corrected, "--db", db, "--lake", lake)
    assert run.returncode == 0, run.stdout + run.stderr
    build_spark(spark, lake, load_settings(REPO))
    con = duckdb.connect(str(db), read_only=True)
    try:
        for mart in [m.name for m in MARTS]:
            duck = _normal(con.sql(f"select * from {mart}").pl())
            if duck.height:
                _assert_same(mart, duck, pl.read_parquet(str(lake / "marts" / mart / "*.parquet")))
        changed = con.sql("select response_id, nps from mart_responses order by response_id limit 5").pl()
    finally:
        con.close()
    assert changed["nps"].to_list() == [10] * 5 and first["nps"].to_list() != [10] * 5
    assert len(list((lake / "meta" / "meta_load_log").glob("*.parquet"))) == len(results) + 1
    # the second size: the key-driver model of the small, corrected lake equals the database's
    # (without accounts: OLS with HC3, the leverage by a pass on Spark)
    from tests.pushdown.test_drivers import assert_same_result
    from tpnb.analysis.drivers import key_drivers
    from tpnb.lake.aggregates import spark_runner
    from tpnb.lake.spark import register_marts
    from tpnb.pushdown.drivers import key_drivers_on
    from tpnb.warehouse import read

    register_marts(spark, lake)
    con = duckdb.connect(str(db), read_only=True)
    try:
        on_rows = key_drivers(read.driver_frame(con, "nps"), bootstrap=20, cluster=None).as_dict()
    finally:
        con.close()
    assert on_rows["model"] == "OLS, HC3 robust SE"
    assert_same_result(on_rows, key_drivers_on(spark_runner(spark), bootstrap=20, cluster=None).as_dict())
