"""The warehouse: the DuckDB file (``db``), the models that build it (``build``) and every
query the analysis and the reports read it with (``read``, the catalog).

Nothing above this package writes SQL: the analysis takes the frames ``read`` returns.
"""

from tpnb.warehouse import read
from tpnb.warehouse.build import (
    Model,
    ModelCheckFailed,
    build,
    load_models,
    ordered_models,
    run_checks,
)
from tpnb.warehouse.db import BadSetting, DatabaseBusy, DatabaseDamaged, DatabaseMissing, connect, has_rows, query

__all__ = [
    "BadSetting",
    "DatabaseBusy",
    "DatabaseDamaged",
    "DatabaseMissing",
    "Model",
    "ModelCheckFailed",
    "build",
    "connect",
    "has_rows",
    "load_models",
    "ordered_models",
    "query",
    "read",
    "run_checks",
]
