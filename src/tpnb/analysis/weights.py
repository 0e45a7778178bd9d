"""Survey weights: responses raked to known margins of the customer base.

Raking (iterative proportional fitting) gives each response a weight so that the weighted shares
of segment, region, role or any customer attribute match the customer base (or a margins file),
one margin at a time until all hold. The raking itself is svy's (``Sample.weighting.rake``): a
maintained, polars-native survey library whose Taylor-linearisation variance is also the
reference the tests hold tpnb's own weighted, account-clustered NPS variance to.

A respondent whose attribute is missing counts as the level ``(unknown)``, whose share in the
customer base is that of customers with the attribute missing. A margin level no respondent has
cannot be matched: it is left out and the other levels of that margin are scaled to fill its share
(``RakedWeights.notes`` names it). Weights are scaled to average 1, so weighted counts stay on the
scale of respondents.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

UNKNOWN = "(unknown)"
WEIGHT = "weight"


@dataclass(frozen=True)
class RakedWeights:
    """Per response a weight (mean 1), with what it was raked to."""

    weights: pl.DataFrame  # response_id, weight
    margins: dict[str, dict[str, float]]  # the shares matched, after leaving out levels without respondents
    notes: list[str] = field(default_factory=list)

    @property
    def kish_n(self) -> float:
        """Kish's effective sample size, (sum w)^2 / sum w^2: what the weighting leaves of n."""
        w = self.weights[WEIGHT]
        return float(w.sum() ** 2 / (w**2).sum())

    @property
    def design_effect(self) -> float:
        """Kish's design effect of the weighting alone, n / effective n."""
        return self.weights.height / self.kish_n


def margins_from(customers: pl.DataFrame, variables: list[str]) -> dict[str, dict[str, float]]:
    """The customer base's shares of each variable's levels (missing as ``(unknown)``)."""
    margins = {}
    for var in variables:
        if var not in customers.columns:
            raise ValueError(f"weights: customers have no attribute '{var}' to rake on")
        counts = customers.select(pl.col(var).cast(pl.String).fill_null(UNKNOWN)).to_series().value_counts()
        total = counts["count"].sum()
        margins[var] = {row[var]: row["count"] / total for row in counts.iter_rows(named=True)}
    return margins


def margins_from_rows(rows: pl.DataFrame) -> dict[str, dict[str, float]]:
    """Margins from a table with ``variable``, ``level`` and ``share`` (a margins file); shares of a
    variable that do not sum to 1 are scaled to."""
    missing = {"variable", "level", "share"} - set(rows.columns)
    if missing:
        raise ValueError(f"weights: a margins file needs the columns variable, level, share; missing {sorted(missing)}")
    margins: dict[str, dict[str, float]] = {}
    for row in rows.iter_rows(named=True):
        if row["share"] is None or not float(row["share"]) >= 0:
            raise ValueError(f"weights: share of {row['variable']}={row['level']} must be a number >= 0")
        margins.setdefault(str(row["variable"]), {})[str(row["level"])] = float(row["share"])
    return {v: {k: s / sum(levels.values()) for k, s in levels.items()} for v, levels in margins.items()}


def rake(responses: pl.DataFrame, margins: dict[str, dict[str, float]], max_iter: int = 200) -> RakedWeights:
    """Rake ``responses`` (``response_id`` and the margin variables) to ``margins`` (shares per level)."""
    import svy

    if not margins:
        raise ValueError("weights: no margins to rake to")
    missing = [v for v in margins if v not in responses.columns]
    if missing:
        raise ValueError(f"weights: responses have no attribute {missing[0]!r} to rake on")
    frame = responses.select(
        "response_id", *(pl.col(v).cast(pl.String).fill_null(UNKNOWN) for v in margins)
    ).with_columns(pl.lit(1.0).alias("__base"))
    notes, matched = [], {}
    for var, shares in margins.items():
        present = set(frame[var].unique().to_list())
        absent = sorted(k for k in shares if k not in present and shares[k] > 0)
        if absent:
            notes.append(f"{var}: no respondent in {', '.join(absent)}; the other levels fill its share")
        kept = {k: s for k, s in shares.items() if k in present}
        total = sum(kept.values())
        if total <= 0:
            raise ValueError(f"weights: no respondent in any level of {var} with a share above 0")
        # respondents in a level the margins lack keep their sample share; the known levels share the rest
        extra = frame.filter(~pl.col(var).is_in(list(kept)))[var].value_counts()
        extra_share = {row[var]: row["count"] / frame.height for row in extra.iter_rows(named=True)}
        if extra_share:
            notes.append(f"{var}: {', '.join(sorted(extra_share))} not in the margins; kept at the sample's share")
        rest = 1 - sum(extra_share.values())
        matched[var] = {**{k: rest * s / total for k, s in kept.items()}, **extra_share}
    sample = svy.Sample(frame, svy.Design(wgt="__base"))
    raked = sample.weighting.rake(shares=matched, wgt_name="__raked", max_iter=max_iter, on_nonconvergence="error")
    out = raked.data.select("response_id", pl.col("__raked").alias(WEIGHT))
    out = out.with_columns(pl.col(WEIGHT) / pl.col(WEIGHT).mean())
    return RakedWeights(out, matched, notes)
