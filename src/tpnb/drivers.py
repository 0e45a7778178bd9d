"""Key drivers under the name analysts call: ``tpnb.drivers.key_drivers(frame, outcome="nps")``.

The models live in ``tpnb.analysis.drivers``; read the frame with
``tpnb.warehouse.read.driver_frame(con)``.
"""

from tpnb.analysis.drivers import (
    EXPERIENCE_DRIVERS,
    OUTCOME_COLUMNS,
    QUADRANTS,
    GroupModel,
    InsufficientData,
    KeyDriverResult,
    key_drivers,
    key_drivers_by,
    lmg,
    relative_importance,
    truth_recovery,
)

__all__ = [
    "EXPERIENCE_DRIVERS", "OUTCOME_COLUMNS", "QUADRANTS", "GroupModel", "InsufficientData", "KeyDriverResult",
    "key_drivers", "key_drivers_by", "lmg", "relative_importance", "truth_recovery",
]
