"""Shared fixtures: a real demo database built through the normal ingest path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from tpnb import demo, warehouse
from tpnb.ingest import ingest_sources, load_sources
from tpnb.settings import load_settings

REPO = Path(__file__).resolve().parents[1]
SHARED_REAL = REPO.parent / "shared" / "data" / "real"
DEMO_AS_OF = date(2026, 10, 31)


def tpnb_in(folder: Path, *args) -> subprocess.CompletedProcess:
    """`tpnb ARGS` as a real process in ``folder``, its internal-error log kept there."""
    return subprocess.run(
        [sys.executable, "-m", "tpnb.cli", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=folder,
        env={**os.environ, "TPNB_HOME": str(REPO), "TPNB_ERROR_LOG": str(folder / "errors.log")},
    )


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> tuple[Path, dict]:
    """The default-size demo data set, loaded and built; returns (database, truth)."""
    folder = tmp_path_factory.mktemp("demo")
    data = demo.generate(seed=7, as_of=DEMO_AS_OF)
    config = demo.write_sources(data, folder / "sources")
    db = folder / "tpnb.duckdb"
    con = duckdb.connect(str(db))
    try:
        ingest_sources(con, load_sources(config))
        warehouse.build(con, load_settings(REPO))
    finally:
        con.close()
    return db, json.loads((folder / "sources" / "truth.json").read_text())


@pytest.fixture
def demo_con(demo_db):
    con = duckdb.connect(str(demo_db[0]), read_only=True)
    yield con
    con.close()


@pytest.fixture
def con(tmp_path):
    """An empty database file of our own."""
    c = duckdb.connect(str(tmp_path / "t.duckdb"))
    yield c
    c.close()


def real_data(name: str) -> Path:
    path = SHARED_REAL / name
    if not path.exists():
        pytest.skip(f"shared real data not present: {path}")
    return path
