"""Targets ("Soll") against actuals ("Ist") per touchpoint and quarter (step 3 of the management cycle).

Frames in, frames out: ``tpnb.warehouse.read.target_inputs`` reads them.
"""

from __future__ import annotations

from datetime import date, timedelta
from statistics import NormalDist
from typing import Protocol

import polars as pl

from tpnb.analysis.nps import nps
from tpnb.analysis.ratings import touchpoint_ratings
from tpnb.analysis.service import service_kpis

TARGET_SCHEMA = {
    "touchpoint_id": pl.String,
    "metric": pl.String,
    "period_quarter": pl.String,
    "n": pl.Int64,
    "actual": pl.Float64,
    "ci_low": pl.Float64,
    "ci_high": pl.Float64,
    "target": pl.Float64,
    "direction": pl.String,
    "gap": pl.Float64,
    "status": pl.String,
    "trend": pl.Float64,
}


class TargetFrames(Protocol):
    """The frames targets are compared with (``tpnb.warehouse.read.TargetInputs`` has them)."""

    targets: pl.DataFrame  # touchpoint_id, metric, valid_from, target, direction
    ratings: pl.DataFrame  # period_quarter, touchpoint_id, is_experienced, rating, nps
    responses: pl.DataFrame  # period_quarter, nps
    contacts: pl.DataFrame  # period_quarter, touchpoint_id and the mart_contacts flags
    observations: pl.DataFrame | None  # period_quarter and the mart_observations columns (None: none loaded)


HIGHER_IS_BETTER = {
    "mean_rating": True,
    "top2_share": True,
    "nps": True,
    "same_day_callback_share": True,
    "answered_in_target_share": True,
    "first_response_hours_p90": False,
    "reached_share": True,
    "consistency": True,
    "correct_share": True,
}
OBSERVATION_METRICS = ("reached_share", "consistency", "correct_share")


def actuals(inputs: TargetFrames, metric: str, touchpoint_id: str, level: float = 0.95) -> pl.DataFrame:
    """Quarterly actual (with interval where one exists) of one metric at one touchpoint (or '*').

    Returns
    -------
    polars.DataFrame
        ``period_quarter``, ``n``, ``actual``, ``ci_low``, ``ci_high``.
    """
    tp = None if touchpoint_id == "*" else touchpoint_id
    z = NormalDist().inv_cdf((1 + level) / 2)
    if metric in OBSERVATION_METRICS:
        return _observed(inputs.observations, metric, tp)
    if metric in ("mean_rating", "top2_share") and tp is None and "response_id" in inputs.ratings.columns:
        # over every touchpoint a respondent gives several ratings: the interval is clustered by respondent
        return clustered_mean(inputs.ratings, metric, z)
    if metric in ("mean_rating", "top2_share"):
        frame = inputs.ratings if tp is None else inputs.ratings.filter(pl.col("touchpoint_id") == tp)
        table = touchpoint_ratings(
            frame.select("period_quarter", "is_experienced", "rating"),
            by="period_quarter",
            level=level,
        )
        if metric == "mean_rating":
            return table.select("period_quarter", "n", pl.col("mean_rating").alias("actual"), "ci_low", "ci_high")
        half = z * (table["top2_share"] * (1 - table["top2_share"]) / table["n"]).sqrt()
        return table.select(
            "period_quarter",
            "n",
            pl.col("top2_share").alias("actual"),
            (table["top2_share"] - half).alias("ci_low"),
            (table["top2_share"] + half).alias("ci_high"),
        )
    if metric == "nps":
        if tp is None:
            frame = inputs.responses.select("period_quarter", "nps")
        else:
            frame = inputs.ratings.filter(pl.col("is_experienced") & (pl.col("touchpoint_id") == tp)).select(
                "period_quarter", "nps"
            )
        return nps(frame, by="period_quarter", level=level).select(
            "period_quarter", "n", pl.col("nps").alias("actual"), "ci_low", "ci_high"
        )
    if metric in (
        "first_response_hours_p90",
        "same_day_callback_share",
        "answered_in_target_share",
    ):
        frame = inputs.contacts if tp is None else inputs.contacts.filter(pl.col("touchpoint_id") == tp)
        kpis = service_kpis(frame, by="period_quarter")
        column = {
            "first_response_hours_p90": "first_response_hours_p90",
            "same_day_callback_share": "callback_same_day_share",
            "answered_in_target_share": "answered_in_target_share",
        }[metric]
        n = "callbacks_requested" if metric == "same_day_callback_share" else "n"
        out = kpis.select("period_quarter", pl.col(n).alias("n"), pl.col(column).alias("actual"))
        if metric.endswith("_share"):
            half = z * (out["actual"] * (1 - out["actual"]) / out["n"]).sqrt()
            return out.with_columns(
                (pl.col("actual") - half).alias("ci_low"),
                (pl.col("actual") + half).alias("ci_high"),
            )
        return out.with_columns(pl.lit(None, pl.Float64).alias("ci_low"), pl.lit(None, pl.Float64).alias("ci_high"))
    raise ValueError(f"unknown target metric '{metric}'; known: {', '.join(HIGHER_IS_BETTER)}")


def clustered_mean(ratings: pl.DataFrame, metric: str, z: float) -> pl.DataFrame:
    """Per quarter the mean rating (or top-2 share) of the experienced ratings with an interval whose
    variance is cluster-robust by respondent: C/(C-1) * sum over respondents of (S_c - n_c * mean)² / n²."""
    value = pl.col("rating") if metric == "mean_rating" else (pl.col("rating") >= 4).cast(pl.Float64)
    rated = ratings.filter(pl.col("is_experienced") & pl.col("rating").is_not_null()).with_columns(value.alias("__v"))
    per_respondent = rated.group_by("period_quarter", "response_id").agg(
        pl.col("__v").sum().alias("s"), pl.len().alias("m")
    )
    totals = rated.group_by("period_quarter").agg(pl.len().alias("n"), pl.col("__v").mean().alias("actual"))
    table = (
        per_respondent.join(totals, on="period_quarter")
        .group_by("period_quarter")
        .agg(
            pl.col("n").first(),
            pl.col("actual").first(),
            ((pl.col("s") - pl.col("m") * pl.col("actual")) ** 2).sum().alias("__ss"),
            pl.len().alias("__c"),
        )
    )
    se = ((pl.col("__c") / (pl.col("__c") - 1)) * pl.col("__ss") / pl.col("n") ** 2).sqrt()
    return table.sort("period_quarter").select(
        "period_quarter",
        pl.col("n").cast(pl.Int64),
        "actual",
        (pl.col("actual") - z * se).alias("ci_low"),
        (pl.col("actual") + z * se).alias("ci_high"),
    )


def _observed(observations: pl.DataFrame | None, metric: str, tp: str | None) -> pl.DataFrame:
    """Quarterly observation metric (reached, correct or consistent share) with its Wilson 95 % interval."""
    from tpnb.analysis.observations import observation_metrics, wilson

    schema = {
        "period_quarter": pl.String,
        "n": pl.Int64,
        "actual": pl.Float64,
        "ci_low": pl.Float64,
        "ci_high": pl.Float64,
    }
    if observations is None or observations.is_empty():
        return pl.DataFrame(schema=schema)
    frame = observations if tp is None else observations.filter(pl.col("touchpoint_id") == tp)
    table = observation_metrics(frame, by="period_quarter", min_n=0)
    successes, n = {
        "reached_share": (pl.col("reached"), pl.col("n")),
        "correct_share": (pl.col("correct"), pl.col("judged")),
        "consistency": ((pl.col("consistency") * pl.col("answers")).round(), pl.col("answers")),
    }[metric]
    return table.select(
        "period_quarter",
        n.cast(pl.Int64).alias("n"),
        pl.col(metric).alias("actual"),
        wilson(successes, n, True).alias("ci_low"),
        wilson(successes, n, False).alias("ci_high"),
    )


def status(actual: float | None, low: float | None, high: float | None, target: float, direction: str) -> str:
    """met / not met / not sure (the interval straddles the target)."""
    if actual is None:
        return "no data"
    if low is None or high is None:
        low = high = actual
    if direction == "at_least":
        return "met" if low >= target else ("not met" if high < target else "not sure")
    return "met" if high <= target else ("not met" if low > target else "not sure")


def targets_vs_actual(inputs: TargetFrames, level: float = 0.95) -> pl.DataFrame:
    """Per target and quarter: actual with interval, the target valid then, gap, status, trend.

    Parameters
    ----------
    inputs : TargetFrames
        The targets and the frames actuals come from (``tpnb.warehouse.read.target_inputs``).

    Returns
    -------
    polars.DataFrame
        ``touchpoint_id``, ``metric``, ``period_quarter``, ``n``, ``actual``,
        ``ci_low``, ``ci_high``, ``target``, ``direction``, ``gap``, ``status``
        (met / not met / not sure / no data) and ``trend`` (change to the previous quarter).
    """
    targets = inputs.targets
    rows = []
    for (tp, metric), group in targets.group_by(["touchpoint_id", "metric"], maintain_order=True):
        table = actuals(inputs, metric, tp, level).sort("period_quarter")
        previous = None
        for r in table.iter_rows(named=True):
            quarter_end = _quarter_end(r["period_quarter"])
            valid = group.filter(pl.col("valid_from") <= quarter_end).sort("valid_from")
            if valid.height == 0:
                continue
            t = valid.row(-1, named=True)
            rows.append(
                {
                    "touchpoint_id": tp,
                    "metric": metric,
                    "period_quarter": r["period_quarter"],
                    "n": r["n"],
                    "actual": r["actual"],
                    "ci_low": r["ci_low"],
                    "ci_high": r["ci_high"],
                    "target": t["target"],
                    "direction": t["direction"],
                    "gap": None if r["actual"] is None else r["actual"] - t["target"],
                    "status": status(r["actual"], r["ci_low"], r["ci_high"], t["target"], t["direction"]),
                    "trend": None if previous is None or r["actual"] is None else r["actual"] - previous,
                }
            )
            previous = r["actual"]
    return pl.DataFrame(rows, schema=TARGET_SCHEMA)


def latest_targets(table: pl.DataFrame) -> pl.DataFrame:
    """The newest period of each target (touchpoint and metric)."""
    return table.group_by("touchpoint_id", "metric", maintain_order=True).agg(pl.all().last())


def complete_quarters(table: pl.DataFrame, first_day: date, last_day: date) -> pl.DataFrame:
    """The rows of quarters that lie wholly inside ``first_day`` .. ``last_day`` (a page's period): a
    quarter still running, or only partly in the period, is not scored."""
    ends = table["period_quarter"].map_elements(_quarter_end, return_dtype=pl.Date)
    starts = table["period_quarter"].map_elements(_quarter_start, return_dtype=pl.Date)
    return table.filter((starts >= first_day) & (ends <= last_day))


def _quarter_start(period_quarter: str) -> date:
    year, q = period_quarter.split("-Q")
    return date(int(year), (int(q) - 1) * 3 + 1, 1)


def _quarter_end(period_quarter: str) -> date:
    year, q = period_quarter.split("-Q")
    month = int(q) * 3
    return date(int(year) + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
