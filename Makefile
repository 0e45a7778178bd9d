# tpnb: touchpoint analytics notebooks. `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
KERNEL := tpnb
STAMP := $(VENV)/.installed
SPARK_STAMP := $(VENV)/.spark
DB ?= data/tpnb.duckdb
TEST_DB := data/test/tpnb.duckdb
export TPNB_HOME := $(CURDIR)

.PHONY: help setup spark demo data reports test test-fast lab bench bench-full bench-scale bench-spark bench-100m lint format browser java screenshots clean

help: ## show this help
	@awk 'BEGIN {FS = ":.*## "; printf "tpnb make targets:\n"} /^[a-zA-Z_-]+:.*## / {printf "  %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (tpnb)" >/dev/null
	@touch $(STAMP)

$(SPARK_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test,spark]'
	@touch $(SPARK_STAMP)

setup: $(STAMP) ## create .venv, install tpnb (editable) and register the 'tpnb' Jupyter kernel

spark: $(SPARK_STAMP) java ## the optional Spark engine: pyspark (about 430 MB) and Java 17 when missing

data: $(STAMP) ## generate the demo data and load it into data/tpnb.duckdb through the normal ingest path
	$(BIN)/tpnb demo --db $(DB)

reports: $(STAMP) ## run every report declared in reports.yaml and publish HTML to reports/
	$(BIN)/tpnb reports --db $(DB) --jobs 2

demo: data reports ## set up, generate the demo data, load it, run the reports, print where the HTML is

test: $(STAMP) browser spark ## set up what is missing and run every test (pytest + nbval on the notebooks)
	$(BIN)/python -m pytest tests
	$(BIN)/tpnb demo --db $(TEST_DB) --out data/test/demo >/dev/null
	TPNB_DB=$(TEST_DB) $(BIN)/python -m pytest --nbval-lax --nbval-current-env -p no:cacheprovider notebooks

test-fast: $(STAMP) ## the package tests only, without notebooks and browser
	$(BIN)/python -m pytest tests -m "not browser and not slow and not spark"

browser: ## install Debian's chromium for the browser tests (root, apt) when it is missing
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is missing: install Debian's 'chromium' package for the browser tests"; fi; }

screenshots: $(STAMP) browser ## regenerate the README images from the demo reports (headless Chromium, offline)
	@test -f reports/drivers.html -a -f reports/overview.html || $(MAKE) demo
	$(BIN)/python docs/screenshots.py --reports reports --out docs

java: ## install Debian's Java 17 for the Spark engine (root, apt) when no java is on the PATH
	@command -v java >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null; \
	  else echo "java is missing: install Debian's 'openjdk-17-jre-headless' for the Spark engine"; fi; }

lab: $(STAMP) ## open JupyterLab on notebooks/ with the tpnb kernel
	$(BIN)/jupyter lab notebooks/

bench: $(STAMP) ## quick benchmarks (a few minutes): reports/bench/summary.json
	$(BIN)/python bench/run.py --quick

bench-full: $(STAMP) ## full benchmarks up to 10M contacts / 1M responses
	$(BIN)/python bench/run.py --full

bench-scale: $(STAMP) ## one data set of 10M contacts and 1M responses end to end: reports/bench/scale.json
	$(BIN)/python bench/scale.py --customers 1250000

bench-spark: $(SPARK_STAMP) java ## the models on Spark local[2] beside DuckDB, 10M contacts / 1M responses: reports/bench/spark.json
	$(BIN)/python bench/spark.py --customers 1250000

bench-100m: $(STAMP) ## 100M contacts through ingest, marts and nps (needs ~40 GB disk, ~30 min): reports/bench/out_of_core.json
	$(BIN)/python bench/out_of_core.py --copies 10

lint: $(STAMP) ## ruff over the package, tests and benchmarks (lint rules and formatting)
	$(BIN)/ruff check src tests bench examples docs
	$(BIN)/ruff format --check src tests bench examples docs

format: $(STAMP) ## format the code with ruff
	$(BIN)/ruff format src tests bench examples docs

clean: ## remove generated data, reports and caches (keeps .venv)
	rm -rf data/demo data/test data/*.duckdb data/*.duckdb.wal reports/*.html reports/runs reports/archive reports/bench .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
