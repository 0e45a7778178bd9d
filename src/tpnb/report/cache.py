"""A disk cache of key-driver results, so the reports of one refresh fit each model once.

Entries are named by the database file's state and everything that shapes
the model; they live under the user's cache folder and hold only what this
user's own tpnb wrote there.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import time
from pathlib import Path
from typing import Any

MAX_AGE_SECONDS = 30 * 86400  # results of databases long gone


def cache_file(db_file: Path | None, inputs: list[Any], version: str) -> Path | None:
    """Where a result is kept: named by the database's state and the model's inputs (None: no cache)."""
    if db_file is None or not db_file.exists():
        return None
    stat = db_file.stat()
    wal = db_file.with_name(db_file.name + ".wal")
    state = [
        str(db_file.resolve()),
        stat.st_mtime_ns,
        stat.st_size,
        wal.stat().st_mtime_ns if wal.exists() else None,
        version,
    ]
    digest = hashlib.sha256(json.dumps([state, inputs], default=str).encode()).hexdigest()[:24]
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tpnb" / "drivers"
    return root / f"{digest}.pickle"


def read_cache(path: Path | None) -> Any:
    """The cached value, or None."""
    try:
        return pickle.loads(path.read_bytes()) if path else None
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ModuleNotFoundError):
        return None


def write_cache(path: Path | None, value: Any) -> None:
    """Keep ``value`` (atomically); old entries are removed. A read-only home only loses speed."""
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        old = time.time() - MAX_AGE_SECONDS
        for stale in path.parent.glob("*.pickle"):
            if stale.stat().st_mtime < old:
                stale.unlink(missing_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(pickle.dumps(value))
        os.replace(tmp, path)
    except OSError:
        pass
