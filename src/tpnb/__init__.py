"""tpnb: touchpoint analytics notebooks.

    import tpnb
    con = tpnb.connect()                                  # read-only DuckDB connection
    frame = tpnb.read.responses(con, {})                  # marts as polars frames
    tpnb.metrics.nps(frame, by="segment")                 # polars in, polars out
    tpnb.drivers.key_drivers(tpnb.read.driver_frame(con)) # key drivers of NPS

The package reads bottom-up: ``ingest`` (files -> raw tables), ``warehouse``
(models, checks, the read catalog), ``analysis`` (frames in, results out),
``report`` (sections, i18n, papermill runs, publishing).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("tpnb")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0"

__all__ = ["__version__", "connect", "drivers", "metrics", "read"]

# Loaded on first use: the package root imports nothing of its own, so every stage can
# import ``tpnb.contracts`` without pulling in the others (scipy and statsmodels are slow too).
_LAZY = {
    "connect": ("tpnb.warehouse.db", "connect"),
    "read": ("tpnb.warehouse.read", None),
    "metrics": ("tpnb.metrics", None),
    "drivers": ("tpnb.drivers", None),
}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(name)
    import importlib

    module_name, attribute = _LAZY[name]
    module = importlib.import_module(module_name)
    return getattr(module, attribute) if attribute else module
