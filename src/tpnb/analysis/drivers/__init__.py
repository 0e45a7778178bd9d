"""Key drivers: which touchpoints and service-log experiences move NPS and repurchase.

``design`` builds the model's matrix, ``fit`` fits it, ``bootstrap`` gives the
intervals, ``priority`` the matrix quadrants, ``result`` what comes back and
``model`` puts them together (``key_drivers``).
"""

from tpnb.analysis.drivers.design import EXPERIENCE_DRIVERS, STRATEGIES
from tpnb.analysis.drivers.model import (
    key_drivers,
    key_drivers_by,
    relative_importance,
    truth_recovery,
)
from tpnb.analysis.drivers.priority import QUADRANTS
from tpnb.analysis.drivers.result import GroupModel, InsufficientData, KeyDriverResult
from tpnb.analysis.importance import lmg
from tpnb.contracts.marts import OUTCOME_COLUMNS

__all__ = [
    "EXPERIENCE_DRIVERS",
    "OUTCOME_COLUMNS",
    "QUADRANTS",
    "STRATEGIES",
    "GroupModel",
    "InsufficientData",
    "KeyDriverResult",
    "key_drivers",
    "key_drivers_by",
    "lmg",
    "relative_importance",
    "truth_recovery",
]
