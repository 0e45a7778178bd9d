"""The report layer: ``context`` reads a run's data through ``tpnb.warehouse.read``, ``sections``
turn the analysis into escaped blocks and charts (words from ``i18n``), ``runs`` executes the
notebooks with papermill and ``publish`` puts the pages in place.

A report notebook makes one call after its parameters cell::

    ctx = tpnb.report.setup(db_path=db_path, language=language, ...)

and then shows one section per cell: ``sections.nps_trend(ctx)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tpnb.report.context import ReportContext


def setup(
    db_path: str | None = None,
    period_start=None,
    period_end=None,
    comparison_start=None,
    comparison_end=None,
    segment: str | None = None,
    role: str | None = None,
    account: str | None = None,
    min_n: int | None = None,
    language: str = "de",
    report_mode: bool = False,
    as_of=None,
    outcome: str | None = None,
    weights: str | None = None,
) -> ReportContext:
    """Prepare a report notebook: chart rendering without a network, and the run's data.

    ``report_mode`` is True in published runs (the page inlines the vega bundle);
    in JupyterLab the first chart carries it. The other parameters are those of
    ``tpnb.report.context.open_report``.
    """
    from tpnb.report.context import open_report
    from tpnb.report.vega import set_language, use_report_renderer

    use_report_renderer(report_mode)
    set_language(language)
    return open_report(
        db_path,
        period_start,
        period_end,
        comparison_start,
        comparison_end,
        segment,
        role,
        account,
        min_n,
        language,
        as_of,
        outcome=outcome,
        weights=weights,
    )
