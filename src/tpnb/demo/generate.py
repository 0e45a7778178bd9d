"""The demo data generator: a B2B company's touchpoints, accounts, service
log, surveys and orders, drawn from a known model.

The truth (driver weights, effects, configured service rates) is written to
``truth.json`` beside the data so tests can check that the analysis recovers
it. The files are written in the formats users have (German CSV in
Windows-1252, Parquet, decimal-comma CSV) and are loaded through the same
ingest path as user data.

Everything is vectorised (numpy + polars), so ``customers`` scales to
millions of contacts for benchmarks. Deterministic by ``seed`` and ``as_of``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import polars as pl

from tpnb.demo.spec import (
    CALLBACK_LATER_SHARE,
    CALLBACK_SAME_DAY_SHARE,
    CHANNELS,
    COMMENT_SHARE,
    COMMENTS,
    COMPLAINT_INTERIM_MEAN,
    CONTACT_TYPES_BY_DEPARTMENT,
    CONTACTS_PER_CUSTOMER,
    DEPARTMENTS,
    EXPERIENCE_EFFECT,
    HOSTILE_COMMENTS,
    MEASURES,
    MONTHS,
    NPS_INTERCEPT,
    NPS_NOISE_SD,
    OUTSIDE_HOURS_SHARE,
    RATING_HALO_SD,
    RATING_NOISE_SD,
    REGIONS,
    REOPEN_SHARE,
    REPURCHASE_LOGIT,
    ROLE_EFFECT,
    ROLES,
    SEGMENT_EFFECT,
    SEGMENTS,
    SURVEY_SHARE_PER_WAVE,
    SURVEY_WAVES,
    TARGETS,
    TOUCHPOINT_BY_TYPE,
    TOUCHPOINTS,
    UNANSWERED_SHARE,
    MeasureSpec,
)
from tpnb.demo.truth import build_truth


def _pick(rng: np.random.Generator, options: dict[str, float], size: int) -> np.ndarray:
    keys = list(options)
    probs = np.array([options[k] for k in keys], dtype=float)
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=size, p=probs / probs.sum())]


def _seconds(values: np.ndarray) -> np.ndarray:
    return (values * 1e6).astype("timedelta64[us]")


@dataclass
class DemoData:
    """The demo data set: every source as a frame, and the truth it was drawn from."""

    touchpoints: pl.DataFrame
    customers: pl.DataFrame
    contacts: pl.DataFrame
    surveys: pl.DataFrame
    orders: pl.DataFrame
    truth: dict
    measures: pl.DataFrame | None = None
    targets: pl.DataFrame | None = None


def generate(seed: int = 7, customers: int = 3000, as_of: date | None = None,
             survey_share: float = SURVEY_SHARE_PER_WAVE) -> DemoData:
    """Draw the demo data set. Same seed and as_of, same data.

    ``survey_share`` is the share of customers asked in each of the five waves.
    """
    if customers < 20:
        raise ValueError("customers must be at least 20")
    rng = np.random.default_rng(seed)
    as_of = as_of or date.today()
    end = np.datetime64(datetime(as_of.year, as_of.month, as_of.day), "us")
    start = end - np.timedelta64(MONTHS * 30, "D").astype("timedelta64[us]")

    cust = _customers(rng, customers)
    contacts = _contacts(rng, cust, start, end)
    surveys, experience = _surveys(rng, cust, contacts, start, end, survey_share)
    orders = _orders(rng, cust, surveys, start, end)
    touchpoints = pl.DataFrame([
        {"touchpoint_id": t.touchpoint_id, "name": t.name, "phase": t.phase, "kind": t.kind,
         "channel": t.channel, "owner_department": t.owner_department} for t in TOUCHPOINTS
    ])
    truth = build_truth(seed, customers, as_of, contacts, surveys, experience)
    starts = {m.measure_id: _measure_start(m, start, end) for m in MEASURES}
    measures = pl.DataFrame({
        "measure_id": [m.measure_id for m in MEASURES], "touchpoint_id": [m.touchpoint_id for m in MEASURES],
        "title": [m.title for m in MEASURES], "started_at": [starts[m.measure_id] for m in MEASURES],
        "owner": [m.owner for m in MEASURES]})
    first_day = start.astype("datetime64[D]").astype(object)
    targets = pl.DataFrame({"touchpoint_id": [t[0] for t in TARGETS], "metric": [t[1] for t in TARGETS],
                            "target": [t[2] for t in TARGETS], "direction": [t[3] for t in TARGETS],
                            "valid_from": [first_day] * len(TARGETS)})
    truth["measures"] = {m.measure_id: {"touchpoint_id": m.touchpoint_id, "started_at": starts[m.measure_id].isoformat(),
                                        "latent_effect": m.effect,
                                        "expected_mean_rating_effect": _expected_rating_shift(m)}
                         for m in MEASURES}
    return DemoData(touchpoints, cust, contacts, surveys, orders, truth, measures, targets)


def _measure_start(m: MeasureSpec, start, end) -> date:
    return (start + (end - start) * m.start_fraction).astype("datetime64[D]").astype(object)


def _expected_rating_shift(m: MeasureSpec) -> float:
    """E[rating after] - E[rating before] on the 1-5 scale, after rounding and clipping."""
    from statistics import NormalDist

    quality = next(t.quality for t in TOUCHPOINTS if t.touchpoint_id == m.touchpoint_id)
    sd = (RATING_HALO_SD**2 + RATING_NOISE_SD**2) ** 0.5

    def mean_rating(mu: float) -> float:  # E[clip(round(mu + N(0, sd)), 1, 5)]
        return 1 + sum(1 - NormalDist(mu, sd).cdf(k + 0.5) for k in range(1, 5))

    return mean_rating(quality + m.effect) - mean_rating(quality)


def _customers(rng: np.random.Generator, n: int) -> pl.DataFrame:
    # Accounts of 1-10 people (geometric sizes), one segment and region per account.
    sizes = np.minimum(rng.geometric(0.3, size=n), 10)
    account_of = np.repeat(np.arange(len(sizes)), sizes)[:n]
    n_accounts = int(account_of.max()) + 1
    segment = _pick(rng, SEGMENTS, n_accounts)[account_of]
    region = _pick(rng, REGIONS, n_accounts)[account_of]
    role = _pick(rng, ROLES, n)
    ids = np.arange(1, n + 1)
    return pl.DataFrame({
        "customer_id": [f"K{i:07d}" for i in ids],
        "account_id": [f"A{a + 1:06d}" for a in account_of],
        "segment": segment.astype(str),
        "role": role.astype(str),
        "region": region.astype(str),
        "name": [f"Kunde {i} Müller" for i in ids],
        "email": [f"kunde{i}@example.com" for i in ids],
        "phone": [f"+49 30 {1000000 + i}" for i in ids],
    })


def _contacts(rng, cust: pl.DataFrame, start: np.datetime64, end: np.datetime64) -> pl.DataFrame:
    n_cust = cust.height
    per_customer = rng.poisson(CONTACTS_PER_CUSTOMER, size=n_cust)
    owner = np.repeat(np.arange(n_cust), per_customer)
    n = len(owner)
    span_days = int((end - start) / np.timedelta64(1, "D"))
    day = rng.integers(0, span_days, size=n)
    # Most contacts arrive in business hours on weekdays; some outside.
    outside = rng.random(n) < OUTSIDE_HOURS_SHARE
    minute = np.where(outside, np.where(rng.random(n) < 0.5, rng.integers(0, 8 * 60, n), rng.integers(17 * 60, 24 * 60, n)),
                      rng.integers(8 * 60, 17 * 60, n))
    opened = start + (day * 86400 + minute * 60 + rng.integers(0, 60, n)).astype("timedelta64[s]").astype("timedelta64[us]")
    weekday = (opened.astype("datetime64[D]").view("int64") - 4) % 7  # 0 = Monday
    weekend = weekday >= 5
    # Business-hour contacts fall on weekdays: move weekend ones to Monday.
    shift = np.where(weekend & ~outside, 7 - weekday, 0)
    opened = opened + (shift * 86400).astype("timedelta64[s]").astype("timedelta64[us]")
    opened = np.minimum(opened, end - np.timedelta64(3600, "s").astype("timedelta64[us]"))

    dept_names = list(DEPARTMENTS)
    dept = _pick(rng, {d: DEPARTMENTS[d][0] for d in dept_names}, n)
    ctype = np.empty(n, dtype=object)
    for d in dept_names:
        mask = dept == d
        ctype[mask] = _pick(rng, CONTACT_TYPES_BY_DEPARTMENT[d], int(mask.sum()))
    channel = _pick(rng, CHANNELS, n)
    handoff_mean = np.array([DEPARTMENTS[d][1] for d in dept])
    handoffs = rng.poisson(handoff_mean)

    # First response: phone answered at once, e-mail hours, letter days; 6 % never.
    median_hours = np.select([channel == "phone", channel == "chat", channel == "letter", channel == "fax"],
                             [0.02, 0.05, 60.0, 30.0], 9.0)
    first_hours = median_hours * np.exp(rng.normal(0, 1.0, n)) * (1 + 0.5 * handoffs)
    unanswered = rng.random(n) < UNANSWERED_SHARE
    first_response = opened + _seconds(first_hours * 3600)
    resolve_hours = first_hours + np.exp(rng.normal(2.5, 1.2, n)) * (1 + handoffs)
    resolved = opened + _seconds(resolve_hours * 3600)
    wait = np.where(channel == "phone", np.round(np.exp(rng.normal(np.log(55), 0.9, n))), np.nan)

    is_callback = ctype == "callback_request"
    callback_due = opened + _seconds(np.full(n, 4 * 3600.0))
    u = rng.random(n)
    same_day_offset = np.minimum(rng.uniform(0.2, 6, n) * 3600, np.maximum(
        (86400 - (opened - opened.astype("datetime64[D]")).astype("timedelta64[s]").astype(float)) - 60, 30))
    later_offset = rng.uniform(1, 5, n) * 86400
    callback_done = np.where(u < CALLBACK_SAME_DAY_SHARE, opened + _seconds(same_day_offset),
                             opened + _seconds(later_offset))
    callback_never = u >= CALLBACK_SAME_DAY_SHARE + CALLBACK_LATER_SHARE
    interim = np.where(ctype == "complaint", rng.poisson(COMPLAINT_INTERIM_MEAN, n), rng.poisson(0.1, n))
    reopened = rng.random(n) < REOPEN_SHARE
    touchpoint = np.array([TOUCHPOINT_BY_TYPE[t] for t in ctype], dtype=object)
    touchpoint = np.where((ctype == "inquiry") & (channel == "portal"), "portal", touchpoint)
    touchpoint = np.where((dept == "Technik") & (ctype != "complaint"), "field_service", touchpoint)

    order = np.argsort(opened, kind="stable")
    frame = pl.DataFrame({
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
    })[order]
    frame = frame.with_columns(
        pl.format("T{}", pl.int_range(1, pl.len() + 1).cast(pl.String).str.zfill(8)).alias("contact_id"),
        pl.when(pl.col("first_response_missing")).then(None).otherwise(pl.col("first_response_at")).alias("first_response_at"),
        pl.when(pl.col("first_response_missing")).then(None).otherwise(pl.col("resolved_at")).alias("resolved_at"),
        pl.when(pl.col("callback_is_callback")).then(pl.col("callback_due_at")).alias("callback_due_at"),
        pl.when(pl.col("callback_is_callback") & ~pl.col("callback_never")).then(pl.col("callback_done_at")).alias("callback_done_at"),
        pl.col("wait_seconds").fill_nan(None),
    ).drop("first_response_missing", "callback_is_callback", "callback_never")
    return frame.select("contact_id", pl.exclude("contact_id"))


def _experience(contacts: pl.DataFrame, responses: pl.DataFrame, window_days: int = 180) -> pl.DataFrame:
    """The generator's own service-log features per response (same rules as the mart)."""
    flags = contacts.select(
        "customer_id", "opened_at",
        (pl.col("handoffs") >= 2).alias("passed"),
        (pl.col("first_response_at").is_null()
         | ((pl.col("first_response_at") - pl.col("opened_at")).dt.total_seconds() > 24 * 3600)).alias("late"),
        ((pl.col("contact_type") == "callback_request") & pl.col("callback_done_at").is_null()).alias("missed"),
    )
    joined = responses.select("response_id", "customer_id", "answered_at").join(flags, on="customer_id", how="left")
    in_window = (pl.col("opened_at") < pl.col("answered_at")) & (
        pl.col("opened_at") >= pl.col("answered_at") - pl.duration(days=window_days))
    return joined.group_by("response_id").agg(
        (pl.col("passed") & in_window).any().cast(pl.Int8).alias("was_passed_around"),
        (pl.col("late") & in_window).any().cast(pl.Int8).alias("had_late_answer"),
        (pl.col("missed") & in_window).any().cast(pl.Int8).alias("had_missed_callback"),
    )


def _surveys(rng, cust: pl.DataFrame, contacts: pl.DataFrame, start, end,
             survey_share: float = SURVEY_SHARE_PER_WAVE) -> tuple[pl.DataFrame, pl.DataFrame]:
    n_cust = cust.height
    span = end - start
    rows = []
    for wave in range(SURVEY_WAVES):
        chosen = np.flatnonzero(rng.random(n_cust) < survey_share)
        wave_start = start + span * (wave + 1) // (SURVEY_WAVES + 1)
        offsets = rng.integers(0, 21 * 86400, len(chosen)).astype("timedelta64[s]").astype("timedelta64[us]")
        rows.append(pl.DataFrame({"cust_index": chosen, "answered_at": wave_start + offsets, "wave": wave + 1}))
    base = pl.concat(rows).sort("answered_at")
    n = base.height
    base = base.with_columns(pl.format("R{}", pl.int_range(1, n + 1).cast(pl.String).str.zfill(8)).alias("response_id"))
    idx = base["cust_index"].to_numpy()
    base = base.with_columns(
        pl.Series("customer_id", cust["customer_id"].to_numpy()[idx]),
        pl.Series("segment", cust["segment"].to_numpy()[idx]),
        pl.Series("role", cust["role"].to_numpy()[idx]),
    )
    experience = _experience(contacts, base)
    base = base.join(experience, on="response_id", how="left").sort("answered_at")

    halo = rng.normal(0, 1, n)
    latent = np.full(n, NPS_INTERCEPT)
    ratings: dict[str, np.ndarray] = {}
    answered = base["answered_at"].to_numpy()
    shift = {m.touchpoint_id: np.where(answered >= np.datetime64(_measure_start(m, start, end), "us"), m.effect, 0.0)
             for m in MEASURES}
    for t in TOUCHPOINTS:
        experienced = rng.random(n) < t.reach
        value = np.clip(np.round(t.quality + shift.get(t.touchpoint_id, 0.0) + RATING_HALO_SD * halo
                                 + rng.normal(0, RATING_NOISE_SD, n)), 1, 5)
        latent += np.where(experienced, t.weight * (value - 3), 0.0)
        ratings[t.touchpoint_id] = np.where(experienced, value, np.nan)
    latent += np.array([SEGMENT_EFFECT[s] for s in base["segment"]]) + np.array([ROLE_EFFECT[r] for r in base["role"]])
    for feature, effect in EXPERIENCE_EFFECT.items():
        latent += effect * base[feature].to_numpy()
    nps = np.clip(np.round(latent + rng.normal(0, NPS_NOISE_SD, n)), 0, 10).astype(int)
    intent = np.clip(np.round(1 + 4 / (1 + np.exp(-(nps - 6) / 1.5)) + rng.normal(0, 0.6, n)), 1, 5).astype(int)

    comment = np.full(n, None, dtype=object)
    has_comment = rng.random(n) < COMMENT_SHARE
    for i in np.flatnonzero(has_comment):
        mood = "positive" if nps[i] >= 9 else ("neutral" if nps[i] >= 7 else "negative")
        options = COMMENTS[mood]
        comment[i] = options[int(rng.integers(0, len(options)))]
    for i, text in enumerate(HOSTILE_COMMENTS):  # among the newest, so reports show them
        comment[n - 1 - i] = text

    frame = base.select("response_id", "customer_id", "answered_at", "wave", "segment", "role",
                        "was_passed_around", "had_late_answer", "had_missed_callback")
    frame = frame.with_columns(
        pl.Series("nps", nps), pl.Series("repurchase_intent", intent), pl.Series("comment", comment.tolist(), dtype=pl.String),
        *[pl.Series(f"tp_{k}", v, nan_to_null=True) for k, v in ratings.items()],
    )
    return frame, experience


def _orders(rng, cust: pl.DataFrame, surveys: pl.DataFrame, start, end) -> pl.DataFrame:
    # Repurchase after a survey follows the known logit; some orders predate the surveys.
    nps = surveys["nps"].to_numpy()
    logit = (REPURCHASE_LOGIT["intercept"] + REPURCHASE_LOGIT["nps_minus_7"] * (nps - 7)
             + REPURCHASE_LOGIT["was_passed_around"] * surveys["was_passed_around"].to_numpy())
    buys = rng.random(len(nps)) < 1 / (1 + np.exp(-logit))
    answered = surveys["answered_at"].to_numpy()
    after = answered[buys] + rng.integers(3 * 86400, 175 * 86400, int(buys.sum())).astype("timedelta64[s]").astype("timedelta64[us]")
    history_n = cust.height
    history_at = start + rng.integers(0, 40 * 86400, history_n).astype("timedelta64[s]").astype("timedelta64[us]")
    customer_ids = np.concatenate([surveys["customer_id"].to_numpy()[buys], cust["customer_id"].to_numpy()])
    ordered_at = np.concatenate([after, history_at])
    keep = ordered_at <= end
    amounts = np.round(np.exp(rng.normal(7.5, 0.8, len(ordered_at))), 2)
    frame = pl.DataFrame({"customer_id": customer_ids[keep], "ordered_at": ordered_at[keep],
                          "amount": amounts[keep]}).sort("ordered_at")
    return frame.select(
        pl.format("O{}", pl.int_range(1, pl.len() + 1).cast(pl.String).str.zfill(8)).alias("order_id"),
        "customer_id", "ordered_at", "amount")


