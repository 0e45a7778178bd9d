"""The models on Apache Spark: a session from tpnb.yaml (``spark:``) or the environment, the raw
tables of a lake registered as views, every model run in the runner's order, the marts written to
``<lake>/marts/<mart>`` as Parquet.

``local[2]`` here; a cluster (YARN, Kubernetes, Databricks, EMR) by ``spark.master`` and ``conf``
only. pyspark is an optional extra (``pip install -e '.[spark]'``) and needs Java 17.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from tpnb.contracts import KINDS
from tpnb.lake.export import MONTH
from tpnb.lake.translate import to_spark
from tpnb.settings import Settings
from tpnb.warehouse.build import load_models, ordered_models


class SparkMissing(RuntimeError):
    """pyspark (or Java) is not installed: the message says how to install it."""


def spark_session(settings: Settings):
    """A SparkSession: ``spark.master`` (env TPNB_SPARK_MASTER wins; default local[2]) and ``spark.conf``."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise SparkMissing("pyspark is not installed: pip install -e '.[spark]' (and Java 17)") from exc
    master = os.environ.get("TPNB_SPARK_MASTER") or settings.spark.master
    builder = SparkSession.builder.appName("tpnb").master(master)
    defaults = {
        "spark.sql.session.timeZone": "UTC",  # times are stored without a zone, as in DuckDB
        "spark.ui.enabled": "false",
        "spark.sql.shuffle.partitions": "4",
        "spark.driver.memory": settings.spark.driver_memory,
        "spark.sql.ansi.enabled": "false",  # DuckDB's casts return NULL where ANSI mode would fail
        "spark.ui.showConsoleProgress": "false",  # a scheduled run's log gets no progress bars
        "spark.log.level": "ERROR",
    }
    for key, value in {**defaults, **settings.spark.conf}.items():
        builder = builder.config(key, str(value))
    return builder.getOrCreate()


def register_raw(spark, lake: Path) -> list[str]:
    """The lake's raw tables as temporary views (the month partition column dropped). Loads append
    files, so a key can stand in several: each view holds the newest load's row of every key, as
    the database's raw table does after an upsert."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    names = []
    for folder in sorted((lake / "raw").iterdir()):
        if folder.is_dir():
            frame = spark.read.parquet(str(folder))
            if MONTH in frame.columns:
                frame = frame.drop(MONTH)
            key = list(KINDS[folder.name.removeprefix("raw_")].key)
            newest = Window.partitionBy(*key).orderBy(F.col("load_id").desc())
            frame = frame.withColumn("__newest", F.row_number().over(newest))
            frame = frame.filter(F.col("__newest") == 1).drop("__newest")
            frame.createOrReplaceTempView(folder.name)
            names.append(folder.name)
    if not names:
        raise FileNotFoundError(f"{lake}: no raw tables (run `tpnb lake export --db DB --out {lake}` first)")
    return names


def build_spark(spark, lake: Path, settings: Settings) -> list[tuple[str, float]]:
    """Run every core and mart model on Spark; the tables go to ``lake/core`` and ``lake/marts``.
    Returns (model, seconds)."""
    register_raw(spark, lake)
    parameters = settings.sql_parameters()
    timings = []
    for model in ordered_models(load_models()):
        started = time.perf_counter()
        sql = to_spark(
            model.sql,
            parameters,
            columns_of=lambda query: spark.sql(query).columns,
            values_of=lambda query: [row[0] for row in spark.sql(query).collect()],
        )
        frame = spark.sql(sql)
        # every model is written (core too: attribute dimensions read core_survey_attributes)
        target = lake / model.layer / model.name
        frame.write.mode("overwrite").parquet(str(target))
        frame = spark.read.parquet(str(target))
        frame.createOrReplaceTempView(model.name)
        timings.append((model.name, time.perf_counter() - started))
    return timings


def register_marts(spark, lake: Path) -> list[str]:
    """The lake's core and mart tables as temporary views (after ``build_spark``)."""
    if not (lake / "marts").is_dir():
        raise FileNotFoundError(f"{lake}: no marts (run `tpnb build --engine spark --lake {lake}` first)")
    names = []
    for layer in ("core", "marts"):
        for table in sorted((lake / layer).iterdir()) if (lake / layer).is_dir() else []:
            spark.read.parquet(str(table)).createOrReplaceTempView(table.name)
            names.append(table.name)
    return names
