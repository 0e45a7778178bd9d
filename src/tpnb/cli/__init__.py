"""The `tpnb` command: parses, calls, prints; no SQL and no statistics here.

``common`` holds the app and how commands open the database; ``load``,
``analyse`` and ``publish`` register their commands on it, in that order
(the order ``tpnb --help`` lists them). Exit codes: 0 done; 1 done, but rows
were quarantined or a report failed; 2 bad usage or a rejected input.
"""

import importlib

from tpnb.cli.common import app

for _module in ("load", "analyse", "publish"):
    importlib.import_module(f"tpnb.cli.{_module}")

__all__ = ["app"]
