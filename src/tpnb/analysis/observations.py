"""Observations (mystery contacts, test calls): reachability, speed, accuracy, consistency, virtues.

Frames in (``mart_observations``, ``mart_observation_scores``), frames out. Shares carry a Wilson
95 % interval and their n; a group below ``min_n`` is flagged ``small`` (the caller suppresses or
marks it). The unit is the test contact: each observation counts once.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from tpnb.analysis._util import group_keys as _by
from tpnb.analysis._util import wilson

HOUR_BANDS = (
    (0, 8, "00-08"),
    (8, 10, "08-10"),
    (10, 12, "10-12"),
    (12, 14, "12-14"),
    (14, 16, "14-16"),
    (16, 18, "16-18"),
)


def hour_band(hour: pl.Expr) -> pl.Expr:
    """The two-hour band of an hour of the day ("16-18"; "00-08" before eight, "18-24" after six)."""
    expr = pl.lit("18-24")
    for lo, hi, name in reversed(HOUR_BANDS):
        expr = pl.when((hour >= lo) & (hour < hi)).then(pl.lit(name)).otherwise(expr)
    return expr


def modal_answers(observations: pl.DataFrame) -> pl.DataFrame:
    """Per scenario, the reference answer: the most common ``answer_code`` among the correct answers
    (among all answers where none is marked correct; ties by the code's order); and how many
    distinct answers the scenario got."""
    given = observations.filter(pl.col("reached") & pl.col("answer_code").is_not_null())
    if given.is_empty():
        return pl.DataFrame(
            schema={"scenario_id": pl.String, "reference_answer": pl.String, "distinct_answers": pl.Int64}
        )
    counts = given.group_by("scenario_id", "answer_code").agg(
        pl.len().alias("n"), (pl.col("answer_correct") == "yes").sum().alias("correct")
    )
    reference = (
        counts.sort(["scenario_id", "correct", "n", "answer_code"], descending=[False, True, True, False])
        .group_by("scenario_id", maintain_order=True)
        .first()
        .select("scenario_id", pl.col("answer_code").alias("reference_answer"))
    )
    distinct = counts.group_by("scenario_id").agg(pl.len().cast(pl.Int64).alias("distinct_answers"))
    return reference.join(distinct, on="scenario_id")


def with_reference(observations: pl.DataFrame) -> pl.DataFrame:
    """Each observation with its scenario's reference answer and whether it gave it (null when nobody answered
    or no answer was recorded)."""
    ref = modal_answers(observations)
    return observations.join(ref, on="scenario_id", how="left").with_columns(
        pl.when(pl.col("reached") & pl.col("answer_code").is_not_null())
        .then(pl.col("answer_code") == pl.col("reference_answer"))
        .alias("gave_reference")
    )


def observation_metrics(
    observations: pl.DataFrame,
    by: str | Sequence[str] | None = None,
    min_n: int = 30,
    wait_target_seconds: float = 120.0,
    response_target_hours: float = 24.0,
) -> pl.DataFrame:
    """Per group: n, reached share with its interval, attempts, wait and response times, the share
    within target, correct / partly / wrong shares (over the reached with a verdict), consistency (the
    share of answers equal to the scenario's reference answer) and the most distinct answers any
    scenario got within the group. ``small`` flags groups below ``min_n``."""
    keys = _by(by)
    data = with_reference(observations)
    if "hour_band" in keys:
        data = data.with_columns(hour_band(pl.col("hour")).alias("hour_band"))
    grouped = data.group_by(keys, maintain_order=True) if keys else data.group_by(pl.lit(1).alias("__all"))
    judged = pl.col("answer_correct").filter(pl.col("reached") & pl.col("answer_correct").is_not_null())
    out = grouped.agg(
        pl.len().alias("n"),
        pl.col("reached").sum().alias("reached"),
        pl.col("attempts").cast(pl.Float64).mean().alias("attempts_mean"),
        pl.col("wait_seconds").median().alias("wait_seconds_median"),
        pl.col("wait_seconds").quantile(0.9, interpolation="linear").alias("wait_seconds_p90"),
        (pl.col("wait_seconds") <= wait_target_seconds).mean().alias("wait_in_target_share"),
        pl.col("response_hours").median().alias("response_hours_median"),
        pl.col("response_hours").quantile(0.9, interpolation="linear").alias("response_hours_p90"),
        (pl.col("response_hours") <= response_target_hours).mean().alias("response_in_target_share"),
        judged.len().alias("judged"),
        (judged == "yes").sum().alias("correct"),
        (judged == "partly").sum().alias("partly"),
        pl.col("gave_reference").cast(pl.Float64).mean().alias("consistency"),
        pl.col("gave_reference").count().alias("answers"),
    )
    distinct = (
        data.filter(pl.col("reached") & pl.col("answer_code").is_not_null())
        .group_by(list(dict.fromkeys([*keys, "scenario_id"])))
        .agg(pl.col("answer_code").n_unique().alias("d"))
    )
    distinct = (
        distinct.group_by(keys).agg(pl.col("d").max().cast(pl.Int64).alias("distinct_answers"))
        if keys
        else pl.DataFrame(
            {"distinct_answers": [distinct["d"].max() if distinct.height else None]},
            schema={"distinct_answers": pl.Int64},
        )
    )
    out = (
        out.join(distinct, on=keys, how="left") if keys else pl.concat([out.drop("__all"), distinct], how="horizontal")
    )
    n, judged_n = pl.col("n"), pl.col("judged")
    out = out.with_columns(
        (pl.col("reached") / n).alias("reached_share"),
        wilson(pl.col("reached"), n, True).alias("reached_ci_low"),
        wilson(pl.col("reached"), n, False).alias("reached_ci_high"),
        pl.when(judged_n > 0).then(pl.col("correct") / judged_n).alias("correct_share"),
        pl.when(judged_n > 0).then(pl.col("partly") / judged_n).alias("partly_share"),
        pl.when(judged_n > 0).then((judged_n - pl.col("correct") - pl.col("partly")) / judged_n).alias("wrong_share"),
        wilson(pl.col("correct"), judged_n, True).alias("correct_ci_low"),
        wilson(pl.col("correct"), judged_n, False).alias("correct_ci_high"),
        (n < min_n).alias("small"),
    )
    return out.sort(keys) if keys else out


def reachability_grid(observations: pl.DataFrame) -> pl.DataFrame:
    """Reached share per weekday and two-hour band (the heat map), with n and whether the cell lies in
    the customers' business hours (most of its observations do)."""
    return (
        observations.with_columns(hour_band(pl.col("hour")).alias("hour_band"))
        .group_by("weekday", "hour_band")
        .agg(
            pl.len().alias("n"),
            pl.col("reached").cast(pl.Float64).mean().alias("reached_share"),
            (pl.col("is_in_business_hours").cast(pl.Float64).mean() >= 0.5).alias("in_business_hours"),
        )
        .sort("weekday", "hour_band")
    )


def channel_agreement(observations: pl.DataFrame) -> pl.DataFrame:
    """Per pair of channels: of all pairs of answers to the same scenario, one from each channel, the
    share that agree (same ``answer_code``); n is the number of such pairs."""
    given = observations.filter(pl.col("reached") & pl.col("answer_code").is_not_null())
    counts = given.group_by("scenario_id", "channel", "answer_code").agg(pl.len().alias("k"))
    totals = counts.group_by("scenario_id", "channel").agg(pl.col("k").sum().alias("total"))
    channels = sorted(given["channel"].unique().to_list())
    rows = []
    for i, a in enumerate(channels):
        for b in channels[i + 1 :]:
            same = counts.filter(pl.col("channel") == a).join(
                counts.filter(pl.col("channel") == b), on=["scenario_id", "answer_code"], suffix="_b"
            )
            agree = float((same["k"] * same["k_b"]).sum()) if same.height else 0.0
            pair = totals.filter(pl.col("channel") == a).join(
                totals.filter(pl.col("channel") == b), on="scenario_id", suffix="_b"
            )
            pairs = float((pair["total"] * pair["total_b"]).sum()) if pair.height else 0.0
            rows.append(
                {"channel_a": a, "channel_b": b, "pairs": int(pairs), "agreement": agree / pairs if pairs else None}
            )
    return pl.DataFrame(
        rows, schema={"channel_a": pl.String, "channel_b": pl.String, "pairs": pl.Int64, "agreement": pl.Float64}
    )


def virtue_scores(scores: pl.DataFrame, by: str | Sequence[str] = "channel") -> pl.DataFrame:
    """Mean score per virtue and group, with n."""
    keys = ["criterion", *_by(by)]
    return scores.group_by(keys).agg(pl.len().alias("n"), pl.col("rating").mean().alias("score_mean")).sort(keys)


def observed_vs_experienced(observations: pl.DataFrame, ratings: pl.DataFrame) -> pl.DataFrame:
    """Per touchpoint: the observers' mean score beside the customers' mean rating (same scale) and the
    gap (observed minus experienced): a positive gap means the test says fine but customers do not."""
    observed = (
        observations.filter(pl.col("touchpoint_id").is_not_null() & pl.col("score_mean").is_not_null())
        .group_by("touchpoint_id")
        .agg(pl.len().alias("observations"), pl.col("score_mean").mean().alias("observed_mean"))
    )
    experienced = ratings.group_by("touchpoint_id").agg(
        pl.len().alias("ratings"), pl.col("rating").mean().alias("experienced_mean")
    )
    return (
        observed.join(experienced, on="touchpoint_id", how="inner")
        .with_columns((pl.col("observed_mean") - pl.col("experienced_mean")).alias("gap"))
        .sort(pl.col("gap").abs(), descending=True)
    )


def poor_spots(
    metrics: pl.DataFrame, keys: str | Sequence[str], column: str, threshold: float, min_n: int
) -> list[tuple[str, float, int]]:
    """Groups (at least ``min_n``) whose ``column`` lies below ``threshold``, worst first: (name, value, n);
    a group of several keys is named by its values joined with ", "."""
    names = _by(keys)
    poor = metrics.filter((pl.col(column) < threshold) & (pl.col("n") >= min_n)).sort(column)
    return [(", ".join(str(r[k]) for k in names), float(r[column]), int(r["n"])) for r in poor.iter_rows(named=True)]
