"""tpnb: touchpoint analytics notebooks.

    import tpnb
    con = tpnb.connect()                      # read-only DuckDB connection
    tpnb.metrics.nps(frame, by=["segment"])   # polars in, polars out
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("tpnb")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0"

from tpnb.warehouse import connect  # noqa: E402

__all__ = ["__version__", "connect", "metrics", "drivers"]


def __getattr__(name: str):
    # scipy and statsmodels are slow to import; load these modules on first use.
    if name in ("metrics", "drivers", "charts", "reports", "story", "evaluation"):
        import importlib

        return importlib.import_module(f"tpnb.{name}")
    raise AttributeError(name)
