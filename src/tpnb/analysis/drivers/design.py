"""The design matrix of a key-driver model: outcome, centred ratings, not-experienced indicators, controls."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from tpnb.contracts.marts import OUTCOME_COLUMNS

EXPERIENCE_DRIVERS = ("was_passed_around", "had_late_answer", "had_missed_callback")
STRATEGIES = ("indicator", "complete_case")
MIN_NOT_EXPERIENCED = 30  # fewer "not experienced" than this: those respondents are left out, no indicator


@dataclass
class Design:
    """The model's matrix: outcome, drivers (centred ratings, flags), controls, and what was experienced."""

    y: np.ndarray
    drivers: np.ndarray  # n x p (centred ratings / experience flags)
    controls: np.ndarray  # n x q (indicators, dummies)
    driver_names: list[str]
    control_names: list[str]
    experienced: np.ndarray  # n x p, 1 where the driver's touchpoint was experienced (1 for non-ratings)
    raw_ratings: np.ndarray  # n x p, the rating (nan where not experienced / not a rating)
    clusters: np.ndarray | None
    is_rating: np.ndarray  # p booleans
    frame: pl.DataFrame  # the rows used
    weights: np.ndarray | None = None  # survey weights (raked) per row; None: every row counts 1

    @property
    def w(self) -> np.ndarray:
        """The row weights (ones when unweighted)."""
        return self.weights if self.weights is not None else np.ones(len(self.y))


def resolve_outcome(frame: pl.DataFrame, outcome: str) -> str:
    """The column of ``frame`` that holds ``outcome`` (a known outcome name or any column)."""
    column = OUTCOME_COLUMNS.get(outcome, outcome)
    if column not in frame.columns:
        raise ValueError(
            f"outcome '{outcome}' not found; known: {', '.join(OUTCOME_COLUMNS)} or a numeric / yes-no survey column"
        )
    return column


def rating_columns(frame: pl.DataFrame) -> list[str]:
    """The ``tp_<touchpoint>`` rating columns of ``frame``."""
    return [c for c in frame.columns if c.startswith("tp_")]


def is_binary(values: np.ndarray) -> bool:
    """Whether the non-missing values are all 0 or 1 (a logit then fits the outcome)."""
    finite = values[~np.isnan(values)]
    return finite.size > 0 and set(np.unique(finite)) <= {0.0, 1.0}


def prepare_design(
    frame: pl.DataFrame,
    outcome_column: str,
    drivers: Sequence[str],
    controls: Sequence[str],
    strategy: str = "indicator",
    cluster: str | None = None,
    exclude_straightliners: bool = False,
    weight: str | None = None,
) -> tuple[Design, dict]:
    """Build the design: rows with the outcome, drivers per ``strategy``, controls as dummies, clusters,
    and the survey weights of ``weight`` (a column) where given."""
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {', '.join(STRATEGIES)}, got {strategy!r}")
    info: dict = {}
    data = frame.filter(pl.col(outcome_column).is_not_null())
    ratings = [d for d in drivers if d.startswith("tp_")]
    if ratings:
        rated = data.select(ratings)
        count = rated.select(pl.sum_horizontal(pl.all().is_not_null())).to_series()
        spread = rated.select(pl.max_horizontal(pl.all()) - pl.min_horizontal(pl.all())).to_series()
        straight = (count >= 4) & (spread == 0)
        info["straightliner_share"] = float(straight.mean()) if data.height else 0.0
        if exclude_straightliners:
            data = data.filter(~straight)
    if strategy == "complete_case" and ratings:
        data = data.drop_nulls(ratings)
    if strategy == "indicator" and ratings:
        # An indicator for a handful of respondents is unstable (it can separate a binary
        # outcome perfectly): those few respondents are left out instead.
        rare = [d for d in ratings if 0 < data[d].null_count() < MIN_NOT_EXPERIENCED]
        if rare:
            info["rare_not_experienced_dropped"] = {d: int(data[d].null_count()) for d in rare}
            data = data.drop_nulls(rare)
    other = [d for d in drivers if not d.startswith("tp_")]
    data = data.drop_nulls(other) if other else data
    y = data[outcome_column].cast(pl.Float64).to_numpy()

    driver_cols, experienced, raw = [], [], []
    controls_cols, control_names = [], []
    for d in drivers:
        values = data[d].cast(pl.Float64).to_numpy()
        if d.startswith("tp_"):
            seen = ~np.isnan(values)
            mean = values[seen].mean() if seen.any() else 0.0
            driver_cols.append(np.where(seen, values - mean, 0.0))
            experienced.append(seen.astype(float))
            raw.append(values)
            if strategy == "indicator" and (~seen).any() and seen.any():
                controls_cols.append((~seen).astype(float))
                control_names.append(f"not_experienced_{d[3:]}")
        else:
            driver_cols.append(values)
            experienced.append(np.ones_like(values))
            raw.append(np.full_like(values, np.nan))
    for c in controls:
        levels = data[c].cast(pl.String).fill_null("unknown")
        counts = levels.value_counts().sort(["count", c], descending=[True, False])
        names = counts[c].to_list()
        for level in names[1:]:  # the most common level is the reference (ties: the first by name)
            controls_cols.append((levels == level).to_numpy().astype(float))
            control_names.append(f"{c}={level}")
    n = data.height
    design = Design(
        y=y,
        drivers=np.column_stack(driver_cols) if driver_cols else np.empty((n, 0)),
        controls=np.column_stack(controls_cols) if controls_cols else np.empty((n, 0)),
        driver_names=list(drivers),
        control_names=control_names,
        experienced=np.column_stack(experienced) if experienced else np.empty((n, 0)),
        raw_ratings=np.column_stack(raw) if raw else np.empty((n, 0)),
        clusters=cluster_ids(data, cluster),
        is_rating=np.array([d.startswith("tp_") for d in drivers]),
        frame=data,
        weights=data[weight].cast(pl.Float64).to_numpy() if weight else None,
    )
    return design, info


def cluster_ids(data: pl.DataFrame, cluster: str | None) -> np.ndarray | None:
    """Each row's cluster (its account), or None where no row shares one: a respondent without an
    account is a cluster of its own (``row:<response_id>``), so a survey without accounts is not one
    big cluster."""
    if not cluster or cluster not in data.columns:
        return None
    own = pl.format("row:{}", pl.col("response_id") if "response_id" in data.columns else pl.int_range(pl.len()))
    ids = data.select(pl.col(cluster).cast(pl.String).fill_null(own)).to_series()
    return ids.to_numpy() if ids.n_unique() < data.height else None


def at_bound_share(y: np.ndarray, outcome_column: str) -> float | None:
    """The share of answers at 0 or 10 of an NPS outcome (None for other outcomes)."""
    if outcome_column != "nps" or len(y) == 0:
        return None
    return float(np.mean((y <= 0) | (y >= 10)))


def driver_groups(driver_names: list[str], control_names: list[str]) -> tuple[list[int], list[list[int]], int]:
    """How the covariance's columns [y, drivers, controls] are reordered for importance, and the groups.

    A touchpoint's not-experienced indicator joins its rating as one driver (relaimpo's groups): the
    R² it carries belongs to that touchpoint, not to nobody. Returns (column order: y, drivers, their
    indicators, the other controls; each driver's group as indices into the driver part; the number
    of other controls, partialled out first).
    """
    p = len(driver_names)
    indicator_of = {
        name[len("not_experienced_") :]: k
        for k, name in enumerate(control_names)
        if name.startswith("not_experienced_")
    }
    members = []
    groups = []
    for i, driver in enumerate(driver_names):
        group = [i]
        k = indicator_of.get(driver[3:]) if driver.startswith("tp_") else None
        if k is not None:
            group.append(p + len(members))
            members.append(k)
        groups.append(group)
    others = [k for k in range(len(control_names)) if k not in members]
    order = [0, *range(1, p + 1), *(1 + p + k for k in members), *(1 + p + k for k in others)]
    return order, groups, len(others)
