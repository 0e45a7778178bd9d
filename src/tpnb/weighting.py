"""Survey weights for a command or a report: read what tpnb.yaml rakes to, rake the period's
responses (``tpnb.analysis.weights``), hand back one weight per response.

``weights: {margins: [segment, region]}`` rakes to the shares of the loaded customers;
``weights: {margins_file: margins.csv}`` to a file of ``variable,level,share`` rows (e.g. official
figures of the customer base). Without either, responses are unweighted.
"""

from __future__ import annotations

import polars as pl

from tpnb.analysis.weights import RakedWeights, margins_from, margins_from_rows, rake
from tpnb.settings import Settings
from tpnb.warehouse import read

MODES = ("raked", "none")


def survey_weights(
    con, settings: Settings, mode: str | None = None, first_day: str | None = None, last_day: str | None = None
) -> RakedWeights | None:
    """The raked weights of the period's responses, or None for ``none`` (the default without margins)."""
    mode = mode or settings.weights.default
    if mode not in MODES:
        raise ValueError(f"weights must be one of {', '.join(MODES)}, got {mode!r}")
    if mode == "none":
        return None
    if settings.weights.margins_file:
        path = settings.root / settings.weights.margins_file
        try:
            rows = pl.read_csv(path, schema_overrides={"level": pl.String, "variable": pl.String})
        except (OSError, pl.exceptions.PolarsError) as exc:
            raise ValueError(f"weights: cannot read the margins file {path}: {str(exc).splitlines()[0]}") from exc
        margins = margins_from_rows(rows)
        responses, _ = read.weighting_frames(con, list(margins), first_day, last_day)
    elif settings.weights.margins:
        variables = list(settings.weights.margins)
        responses, customers = read.weighting_frames(con, variables, first_day, last_day)
        if customers.is_empty():
            raise ValueError("weights: no customers are loaded to take the margins from (or set weights.margins_file)")
        margins = margins_from(customers, variables)
    else:
        raise ValueError("weights raked: tpnb.yaml sets no weights.margins (segment, role, region) or margins_file")
    if responses.is_empty():
        raise ValueError("weights: no responses in the period to rake")
    return rake(responses, margins)
