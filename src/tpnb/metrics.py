"""The measures an analyst calls from a notebook, in one namespace: ``tpnb.metrics.nps(frame, by=...)``.

Polars frames in, frames out. The functions live in ``tpnb.analysis``; this
module gathers them under the name the README and older notebooks use.
"""

from tpnb.analysis.cells import flag_small, suppress_small
from tpnb.analysis.freshness import Freshness, freshness
from tpnb.analysis.nps import (
    account_nps,
    account_weights,
    nps,
    nps_change,
    nps_from_sums,
    nps_interval,
)
from tpnb.analysis.ratings import touchpoint_ratings
from tpnb.analysis.service import channel_consistency, channel_mix, service_kpis

__all__ = [
    "Freshness",
    "account_nps",
    "account_weights",
    "channel_consistency",
    "channel_mix",
    "flag_small",
    "freshness",
    "nps",
    "nps_change",
    "nps_from_sums",
    "nps_interval",
    "service_kpis",
    "suppress_small",
    "touchpoint_ratings",
]
