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

from tpnb.warehouse import read  # noqa: E402
from tpnb.warehouse.db import connect  # noqa: E402

__all__ = ["__version__", "connect", "drivers", "metrics", "read"]


def __getattr__(name: str):
    # scipy and statsmodels are slow to import; load these modules on first use.
    if name in ("metrics", "drivers"):
        import importlib

        return importlib.import_module(f"tpnb.{name}")
    raise AttributeError(name)
