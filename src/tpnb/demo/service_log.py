"""The demo's service log: contacts drawn per customer, and the experience each respondent had before answering."""

from __future__ import annotations

import numpy as np
import polars as pl

from tpnb.demo.spec import (
    CALLBACK_LATER_SHARE,
    CALLBACK_SAME_DAY_SHARE,
    CHANNELS,
    COMPLAINT_INTERIM_MEAN,
    CONTACT_TYPES_BY_DEPARTMENT,
    CONTACTS_PER_CUSTOMER,
    DEPARTMENTS,
    OUTSIDE_HOURS_SHARE,
    REOPEN_SHARE,
    TOUCHPOINT_BY_TYPE,
    UNANSWERED_SHARE,
)


def pick(rng: np.random.Generator, options: dict[str, float], size: int) -> np.ndarray:
    """Draw ``size`` keys of ``options`` with their probabilities."""
    keys = list(options)
    probs = np.array([options[k] for k in keys], dtype=float)
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=size, p=probs / probs.sum())]


def seconds(values: np.ndarray) -> np.ndarray:
    """Seconds as numpy durations (microseconds)."""
    return (values * 1e6).astype("timedelta64[us]")


def draw_contacts(rng, cust: pl.DataFrame, start: np.datetime64, end: np.datetime64) -> pl.DataFrame:
    """The service log: about eight contacts per customer, with the pain points at the configured rates."""
    n_cust = cust.height
    per_customer = rng.poisson(CONTACTS_PER_CUSTOMER, size=n_cust)
    owner = np.repeat(np.arange(n_cust), per_customer)
    n = len(owner)
    span_days = int((end - start) / np.timedelta64(1, "D"))
    day = rng.integers(0, span_days, size=n)
    # Most contacts arrive in business hours on weekdays; some outside.
    outside = rng.random(n) < OUTSIDE_HOURS_SHARE
    minute = np.where(
        outside,
        np.where(rng.random(n) < 0.5, rng.integers(0, 8 * 60, n), rng.integers(17 * 60, 24 * 60, n)),
        rng.integers(8 * 60, 17 * 60, n),
    )
    opened = start + (day * 86400 + minute * 60 + rng.integers(0, 60, n)).astype("timedelta64[s]").astype(
        "timedelta64[us]"
    )
    weekday = (opened.astype("datetime64[D]").view("int64") - 4) % 7  # 0 = Monday
    weekend = weekday >= 5
    # Business-hour contacts fall on weekdays: move weekend ones to Monday.
    shift = np.where(weekend & ~outside, 7 - weekday, 0)
    opened = opened + (shift * 86400).astype("timedelta64[s]").astype("timedelta64[us]")
    opened = np.minimum(opened, end - np.timedelta64(3600, "s").astype("timedelta64[us]"))

    dept_names = list(DEPARTMENTS)
    dept = pick(rng, {d: DEPARTMENTS[d][0] for d in dept_names}, n)
    ctype = np.empty(n, dtype=object)
    for d in dept_names:
        mask = dept == d
        ctype[mask] = pick(rng, CONTACT_TYPES_BY_DEPARTMENT[d], int(mask.sum()))
    channel = pick(rng, CHANNELS, n)
    handoff_mean = np.array([DEPARTMENTS[d][1] for d in dept])
    handoffs = rng.poisson(handoff_mean)

    # First response: phone answered at once, e-mail hours, letter days; 6 % never.
    median_hours = np.select(
        [channel == "phone", channel == "chat", channel == "letter", channel == "fax"],
        [0.02, 0.05, 60.0, 30.0],
        9.0,
    )
    first_hours = median_hours * np.exp(rng.normal(0, 1.0, n)) * (1 + 0.5 * handoffs)
    unanswered = rng.random(n) < UNANSWERED_SHARE
    first_response = opened + seconds(first_hours * 3600)
    resolve_hours = first_hours + np.exp(rng.normal(2.5, 1.2, n)) * (1 + handoffs)
    resolved = opened + seconds(resolve_hours * 3600)
    wait = np.where(channel == "phone", np.round(np.exp(rng.normal(np.log(55), 0.9, n))), np.nan)

    is_callback = ctype == "callback_request"
    callback_due = opened + seconds(np.full(n, 4 * 3600.0))
    u = rng.random(n)
    same_day_offset = np.minimum(
        rng.uniform(0.2, 6, n) * 3600,
        np.maximum(
            (86400 - (opened - opened.astype("datetime64[D]")).astype("timedelta64[s]").astype(float)) - 60,
            30,
        ),
    )
    later_offset = rng.uniform(1, 5, n) * 86400
    callback_done = np.where(
        u < CALLBACK_SAME_DAY_SHARE,
        opened + seconds(same_day_offset),
        opened + seconds(later_offset),
    )
    callback_never = u >= CALLBACK_SAME_DAY_SHARE + CALLBACK_LATER_SHARE
    interim = np.where(ctype == "complaint", rng.poisson(COMPLAINT_INTERIM_MEAN, n), rng.poisson(0.1, n))
    reopened = rng.random(n) < REOPEN_SHARE
    touchpoint = np.array([TOUCHPOINT_BY_TYPE[t] for t in ctype], dtype=object)
    touchpoint = np.where((ctype == "inquiry") & (channel == "portal"), "portal", touchpoint)
    touchpoint = np.where((dept == "Technik") & (ctype != "complaint"), "field_service", touchpoint)

    order = np.argsort(opened, kind="stable")
    frame = pl.DataFrame(
        {
            "customer_id": cust["customer_id"].to_numpy()[owner],
            "opened_at": opened,
            "channel": channel.astype(str),
            "department": dept.astype(str),
            "touchpoint_id": touchpoint.astype(str),
            "contact_type": ctype.astype(str),
            "first_response_at": first_response,
            "first_response_missing": unanswered,
            "resolved_at": resolved,
            "callback_due_at": callback_due,
            "callback_done_at": callback_done,
            "callback_is_callback": is_callback,
            "callback_never": callback_never,
            "wait_seconds": wait,
            "handoffs": handoffs,
            "interim_updates": interim,
            "reopened": reopened,
        }
    )[order]
    frame = frame.with_columns(
        pl.format("T{}", pl.int_range(1, pl.len() + 1).cast(pl.String).str.zfill(8)).alias("contact_id"),
        pl.when(pl.col("first_response_missing"))
        .then(None)
        .otherwise(pl.col("first_response_at"))
        .alias("first_response_at"),
        pl.when(pl.col("first_response_missing")).then(None).otherwise(pl.col("resolved_at")).alias("resolved_at"),
        pl.when(pl.col("callback_is_callback")).then(pl.col("callback_due_at")).alias("callback_due_at"),
        pl.when(pl.col("callback_is_callback") & ~pl.col("callback_never"))
        .then(pl.col("callback_done_at"))
        .alias("callback_done_at"),
        pl.col("wait_seconds").fill_nan(None),
    ).drop("first_response_missing", "callback_is_callback", "callback_never")
    return frame.select("contact_id", pl.exclude("contact_id"))


def experience_before(contacts: pl.DataFrame, responses: pl.DataFrame, window_days: int = 180) -> pl.DataFrame:
    """The generator's own service-log features per response (same rules as the mart)."""
    flags = contacts.select(
        "customer_id",
        "opened_at",
        (pl.col("handoffs") >= 2).alias("passed"),
        (
            pl.col("first_response_at").is_null()
            | ((pl.col("first_response_at") - pl.col("opened_at")).dt.total_seconds() > 24 * 3600)
        ).alias("late"),
        ((pl.col("contact_type") == "callback_request") & pl.col("callback_done_at").is_null()).alias("missed"),
    )
    joined = responses.select("response_id", "customer_id", "answered_at").join(flags, on="customer_id", how="left")
    in_window = (pl.col("opened_at") < pl.col("answered_at")) & (
        pl.col("opened_at") >= pl.col("answered_at") - pl.duration(days=window_days)
    )
    return joined.group_by("response_id").agg(
        (pl.col("passed") & in_window).any().cast(pl.Int8).alias("was_passed_around"),
        (pl.col("late") & in_window).any().cast(pl.Int8).alias("had_late_answer"),
        (pl.col("missed") & in_window).any().cast(pl.Int8).alias("had_missed_callback"),
    )
