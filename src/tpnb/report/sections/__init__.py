"""The sections of the report pages; a notebook cell shows one: ``sections.nps_trend(ctx)``.

``common`` (title, summary, inputs) is on every page; ``overview``,
``drivers``, ``service`` (with ``observations``) and ``review`` belong to the four reports.
"""

from tpnb.report.sections import observations, service
from tpnb.report.sections.common import inputs, summary, title
from tpnb.report.sections.drivers import (
    diagnostics,
    drivers_by_role,
    nps_drivers,
    outcome_drivers,
    priority_matrix,
)
from tpnb.report.sections.overview import (
    nps_by,
    nps_by_touchpoint,
    nps_trend,
    touchpoint_ratings,
    verbatims,
)
from tpnb.report.sections.review import measures, targets

__all__ = [
    "diagnostics",
    "drivers_by_role",
    "inputs",
    "measures",
    "nps_by",
    "nps_by_touchpoint",
    "nps_drivers",
    "nps_trend",
    "observations",
    "outcome_drivers",
    "priority_matrix",
    "service",
    "summary",
    "targets",
    "title",
    "touchpoint_ratings",
    "verbatims",
]
