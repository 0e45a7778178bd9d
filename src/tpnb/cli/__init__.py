"""The `tpnb` command: parses, calls, prints; no SQL and no statistics here.

``common`` holds the app and how commands open the database; ``load``, ``lake``,
``analyse``, ``observe``, ``inspect`` and ``publish`` register their commands on it, in that order
(the order ``tpnb --help`` lists them). Exit codes: 0 done; 1 done, but rows
were quarantined or a report failed; 2 bad usage, a rejected input or a bad
setting; 3 an internal error (a bug): one line names the log that holds the
traceback. A user's error never prints a traceback.
"""

import importlib
import os
import sys
import traceback
from datetime import datetime
from pathlib import Path

from tpnb.cli.common import app

for _module in ("load", "lake", "analyse", "observe", "inspect", "publish"):
    importlib.import_module(f"tpnb.cli.{_module}")

__all__ = ["app", "main"]


def error_log() -> Path:
    """Where an internal error's traceback goes: TPNB_ERROR_LOG, else the user's cache folder."""
    if os.environ.get("TPNB_ERROR_LOG"):
        return Path(os.environ["TPNB_ERROR_LOG"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tpnb" / "errors.log"


def main() -> None:
    """The `tpnb` command as scheduled runs see it: exit codes 0-3, tracebacks only in the log."""
    from tpnb.settings import SettingsError

    try:
        app()
    except SettingsError as exc:
        print(f"tpnb: {exc}", file=sys.stderr)
        sys.exit(2)
    except Exception as exc:  # a bug: the traceback goes to the log, one line to the terminal
        log = error_log()
        try:
            log.parent.mkdir(parents=True, exist_ok=True)
            with log.open("a", encoding="utf-8") as out:
                out.write(f"--- {datetime.now():%Y-%m-%d %H:%M:%S} tpnb {' '.join(sys.argv[1:])}\n")
                out.write(traceback.format_exc())
            where = f"the traceback is in {log}"
        except OSError:
            where = "the traceback could not be written: " + "".join(traceback.format_exception_only(exc)).strip()
        print(f"tpnb: internal error ({type(exc).__name__}: {exc}); {where}. Please report it.", file=sys.stderr)
        sys.exit(3)
