"""Service-log KPIs (the pain points of the service chain) from ``mart_contacts``. Frames in, frames out."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from tpnb.analysis._util import group_keys as _by


def _share(flag: str) -> pl.Expr:
    return pl.col(flag).cast(pl.Float64).mean()


def service_kpis(contacts: pl.DataFrame, by: str | Sequence[str] | None = None) -> pl.DataFrame:
    """The pain points of DOMAIN.md as KPIs, per group, from ``mart_contacts``.

    Shares are over the contacts a KPI applies to (callbacks over callback
    requests, interim updates over complaints); n is always the contact count.
    """
    keys = _by(by)
    grouped = contacts.group_by(keys, maintain_order=True) if keys else contacts.group_by(pl.lit(1).alias("__all"))
    complaint_hours = pl.col("resolution_hours").filter(pl.col("is_complaint"))
    out = grouped.agg(
        pl.len().alias("n"),
        pl.col("first_response_hours").median().alias("first_response_hours_median"),
        pl.col("first_response_hours").quantile(0.9, interpolation="linear").alias("first_response_hours_p90"),
        _share("is_answered_in_target").alias("answered_in_target_share"),
        _share("is_unanswered").alias("unanswered_share"),
        pl.col("is_callback_requested").sum().alias("callbacks_requested"),
        _share("is_callback_same_day").alias("callback_same_day_share"),
        _share("is_callback_missed").alias("callback_missed_share"),
        pl.col("wait_seconds").median().alias("wait_seconds_median"),
        pl.col("wait_seconds").quantile(0.9, interpolation="linear").alias("wait_seconds_p90"),
        _share("is_long_wait").alias("long_wait_share"),
        pl.col("handoffs").cast(pl.Float64).mean().alias("handoffs_per_contact"),
        _share("is_passed_around").alias("passed_around_share"),
        _share("has_follow_up").alias("follow_up_share"),
        pl.col("is_complaint").sum().alias("complaints"),
        complaint_hours.median().alias("complaint_resolution_hours_median"),
        _share("has_interim_update").alias("complaint_interim_update_share"),
        _share("is_outside_hours").alias("outside_hours_share"),
        _share("is_reopened").alias("reopen_share"),
    )
    return (out.drop("__all") if not keys else out).sort(keys if keys else "n")


def channel_mix(contacts: pl.DataFrame, by: str | Sequence[str] | None = None) -> pl.DataFrame:
    """Share of contacts per channel (within each group of ``by``)."""
    keys = _by(by)
    counts = contacts.group_by([*keys, "channel"]).agg(pl.len().alias("n"))
    total = pl.col("n").sum().over(keys) if keys else pl.col("n").sum()
    return counts.with_columns((pl.col("n") / total).alias("share")).sort(
        [*keys, "share"], descending=[*[False] * len(keys), True]
    )


def channel_consistency(contacts: pl.DataFrame) -> pl.DataFrame:
    """Does the same request get the same treatment on every channel?

    Per contact_type: the spread across channels (max - min) of the share
    answered in target and of the median resolution time, with the worst
    channel named. Channels with fewer than 20 contacts of a type are skipped.
    """
    per = (
        contacts.group_by("contact_type", "channel")
        .agg(
            pl.len().alias("n"),
            _share("is_answered_in_target").alias("answered_in_target_share"),
            pl.col("resolution_hours").median().alias("resolution_hours_median"),
            _share("is_reopened").alias("reopen_share"),
        )
        .filter(pl.col("n") >= 20)
    )
    # ties go to the channel that sorts first, so the weakest channel is the same on every run
    return (
        per.sort("answered_in_target_share", "channel")
        .group_by("contact_type", maintain_order=True)
        .agg(
            pl.col("channel").n_unique().alias("channels"),
            (pl.col("answered_in_target_share").max() - pl.col("answered_in_target_share").min()).alias(
                "answered_in_target_spread"
            ),
            (pl.col("resolution_hours_median").max() - pl.col("resolution_hours_median").min()).alias(
                "resolution_hours_spread"
            ),
            pl.col("channel").first().alias("worst_channel"),
        )
        .filter(pl.col("channels") >= 2)
        .sort("answered_in_target_spread", descending=True)
    )
