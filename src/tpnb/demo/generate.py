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

from tpnb.demo.observations import draw_observations, observation_truth
from tpnb.demo.service_log import draw_contacts, experience_before, pick
from tpnb.demo.spec import (
    ACCOUNT_EFFECT_SD,
    COMMENT_SHARE,
    COMMENTS,
    EXPERIENCE_EFFECT,
    HOSTILE_COMMENTS,
    MEASURES,
    MONTHS,
    NPS_INTERCEPT,
    NPS_NOISE_SD,
    RATING_HALO_SD,
    RATING_NOISE_SD,
    REGIONS,
    REPURCHASE_LOGIT,
    ROLE_EFFECT,
    ROLES,
    SEGMENT_EFFECT,
    SEGMENTS,
    SURVEY_SHARE_PER_WAVE,
    SURVEY_WAVES,
    TARGETS,
    TOUCHPOINTS,
    MeasureSpec,
)
from tpnb.demo.truth import build_truth


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
    observations: pl.DataFrame | None = None


def generate(
    seed: int = 7,
    customers: int = 3000,
    as_of: date | None = None,
    survey_share: float = SURVEY_SHARE_PER_WAVE,
) -> DemoData:
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
    contacts = draw_contacts(rng, cust, start, end)
    account_effect = _account_effects(seed, cust)
    surveys, experience = _surveys(rng, cust, contacts, start, end, survey_share, account_effect)
    orders = _orders(rng, cust, surveys, start, end)
    touchpoints = pl.DataFrame(
        [
            {
                "touchpoint_id": t.touchpoint_id,
                "name": t.name,
                "phase": t.phase,
                "kind": t.kind,
                "channel": t.channel,
                "owner_department": t.owner_department,
            }
            for t in TOUCHPOINTS
        ]
    )
    truth = build_truth(seed, customers, as_of, contacts, surveys, experience)
    starts = {m.measure_id: _measure_start(m, start, end) for m in MEASURES}
    measures = pl.DataFrame(
        {
            "measure_id": [m.measure_id for m in MEASURES],
            "touchpoint_id": [m.touchpoint_id for m in MEASURES],
            "title": [m.title for m in MEASURES],
            "started_at": [starts[m.measure_id] for m in MEASURES],
            "owner": [m.owner for m in MEASURES],
        }
    )
    first_day = start.astype("datetime64[D]").astype(object)
    targets = pl.DataFrame(
        {
            "touchpoint_id": [t[0] for t in TARGETS],
            "metric": [t[1] for t in TARGETS],
            "target": [t[2] for t in TARGETS],
            "direction": [t[3] for t in TARGETS],
            "valid_from": [first_day] * len(TARGETS),
        }
    )
    truth["measures"] = {
        m.measure_id: {
            "touchpoint_id": m.touchpoint_id,
            "started_at": starts[m.measure_id].isoformat(),
            "latent_effect": m.effect,
            "expected_mean_rating_effect": _expected_rating_shift(m),
        }
        for m in MEASURES
    }
    # a generator of their own, so adding observations left every other demo number as it was
    observations = draw_observations(np.random.default_rng([seed, 19]), start, end)
    truth["observations"] = observation_truth()
    return DemoData(touchpoints, cust, contacts, surveys, orders, truth, measures, targets, observations)


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
    segment = pick(rng, SEGMENTS, n_accounts)[account_of]
    region = pick(rng, REGIONS, n_accounts)[account_of]
    role = pick(rng, ROLES, n)
    ids = np.arange(1, n + 1)
    return pl.DataFrame(
        {
            "customer_id": [f"K{i:07d}" for i in ids],
            "account_id": [f"A{a + 1:06d}" for a in account_of],
            "segment": segment.astype(str),
            "role": role.astype(str),
            "region": region.astype(str),
            "name": [f"Kunde {i} Müller" for i in ids],
            "email": [f"kunde{i}@example.com" for i in ids],
            "phone": [f"+49 30 {1000000 + i}" for i in ids],
        }
    )


def _account_effects(seed: int, cust: pl.DataFrame) -> np.ndarray:
    """Each customer's share of their account's effect on NPS (one draw per account, own stream)."""
    accounts = cust["account_id"].to_numpy()
    names, index = np.unique(accounts, return_inverse=True)
    effects = np.random.default_rng([seed, 20261123]).normal(0, ACCOUNT_EFFECT_SD, len(names))
    return effects[index]


def _surveys(
    rng,
    cust: pl.DataFrame,
    contacts: pl.DataFrame,
    start,
    end,
    survey_share: float = SURVEY_SHARE_PER_WAVE,
    account_effect: np.ndarray | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
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
    experience = experience_before(contacts, base)
    base = base.join(experience, on="response_id", how="left").sort("answered_at")

    halo = rng.normal(0, 1, n)
    latent = np.full(n, NPS_INTERCEPT)
    ratings: dict[str, np.ndarray] = {}
    answered = base["answered_at"].to_numpy()
    shift = {
        m.touchpoint_id: np.where(answered >= np.datetime64(_measure_start(m, start, end), "us"), m.effect, 0.0)
        for m in MEASURES
    }
    for t in TOUCHPOINTS:
        experienced = rng.random(n) < t.reach
        value = np.clip(
            np.round(
                t.quality + shift.get(t.touchpoint_id, 0.0) + RATING_HALO_SD * halo + rng.normal(0, RATING_NOISE_SD, n)
            ),
            1,
            5,
        )
        latent += np.where(experienced, t.weight * (value - 3), 0.0)
        ratings[t.touchpoint_id] = np.where(experienced, value, np.nan)
    latent += np.array([SEGMENT_EFFECT[s] for s in base["segment"]]) + np.array([ROLE_EFFECT[r] for r in base["role"]])
    if account_effect is not None:
        latent += account_effect[idx]
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

    frame = base.select(
        "response_id",
        "customer_id",
        "answered_at",
        "wave",
        "segment",
        "role",
        "was_passed_around",
        "had_late_answer",
        "had_missed_callback",
    )
    frame = frame.with_columns(
        pl.Series("nps", nps),
        pl.Series("repurchase_intent", intent),
        pl.Series("comment", comment.tolist(), dtype=pl.String),
        *[pl.Series(f"tp_{k}", v, nan_to_null=True) for k, v in ratings.items()],
    )
    return frame, experience


def _orders(rng, cust: pl.DataFrame, surveys: pl.DataFrame, start, end) -> pl.DataFrame:
    # Repurchase after a survey follows the known logit; some orders predate the surveys.
    nps = surveys["nps"].to_numpy()
    logit = (
        REPURCHASE_LOGIT["intercept"]
        + REPURCHASE_LOGIT["nps_minus_7"] * (nps - 7)
        + REPURCHASE_LOGIT["was_passed_around"] * surveys["was_passed_around"].to_numpy()
    )
    buys = rng.random(len(nps)) < 1 / (1 + np.exp(-logit))
    answered = surveys["answered_at"].to_numpy()
    after = answered[buys] + rng.integers(3 * 86400, 175 * 86400, int(buys.sum())).astype("timedelta64[s]").astype(
        "timedelta64[us]"
    )
    history_n = cust.height
    history_at = start + rng.integers(0, 40 * 86400, history_n).astype("timedelta64[s]").astype("timedelta64[us]")
    customer_ids = np.concatenate([surveys["customer_id"].to_numpy()[buys], cust["customer_id"].to_numpy()])
    ordered_at = np.concatenate([after, history_at])
    keep = ordered_at <= end
    amounts = np.round(np.exp(rng.normal(7.5, 0.8, len(ordered_at))), 2)
    frame = pl.DataFrame(
        {"customer_id": customer_ids[keep], "ordered_at": ordered_at[keep], "amount": amounts[keep]}
    ).sort("ordered_at")
    return frame.select(
        pl.format("O{}", pl.int_range(1, pl.len() + 1).cast(pl.String).str.zfill(8)).alias("order_id"),
        "customer_id",
        "ordered_at",
        "amount",
    )
