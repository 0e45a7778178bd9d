"""truth.json: the model the demo data were drawn from, so tests can check the analysis recovers it."""

from __future__ import annotations

import math

import polars as pl

from tpnb.demo.spec import (
    ACCOUNT_EFFECT_SD,
    CALLBACK_LATER_SHARE,
    CALLBACK_SAME_DAY_SHARE,
    COMPLAINT_INTERIM_MEAN,
    DEPARTMENTS,
    EXPERIENCE_EFFECT,
    NPS_INTERCEPT,
    NPS_NOISE_SD,
    OUTSIDE_HOURS_SHARE,
    RATING_HALO_SD,
    RATING_NOISE_SD,
    REOPEN_SHARE,
    REPURCHASE_LOGIT,
    ROLE_EFFECT,
    SEGMENT_EFFECT,
    TOUCHPOINTS,
    UNANSWERED_SHARE,
)


def _poisson_at_least(mean: float, k: int) -> float:
    return 1 - sum(math.exp(-mean) * mean**i / math.factorial(i) for i in range(k))


def build_truth(seed, customers, as_of, contacts: pl.DataFrame, surveys: pl.DataFrame, experience) -> dict:
    """truth.json: the models and rates the demo data were drawn from."""
    dept_share = {d: s for d, (s, _) in DEPARTMENTS.items()}
    passed_around = sum(dept_share[d] * _poisson_at_least(m, 2) for d, (_, m) in DEPARTMENTS.items())
    return {
        "seed": seed,
        "customers": customers,
        "as_of": as_of.isoformat(),
        "nps_model": {
            "formula": "nps = clip(round(intercept + sum_tp experienced_tp * weight_tp * (rating_tp - 3) "
            "+ segment + role + experience effects + account_effect + N(0, noise_sd)), 0, 10)",
            "intercept": NPS_INTERCEPT,
            "noise_sd": NPS_NOISE_SD,
            # one draw per account, shared by its respondents: clustering the tests can see
            "account_effect_sd": ACCOUNT_EFFECT_SD,
            "intra_account_correlation_latent": round(
                ACCOUNT_EFFECT_SD**2 / (ACCOUNT_EFFECT_SD**2 + NPS_NOISE_SD**2), 3
            ),
            "touchpoint_weights": {t.touchpoint_id: t.weight for t in TOUCHPOINTS},
            "segment_effects": SEGMENT_EFFECT,
            "role_effects": ROLE_EFFECT,
            "experience_effects": EXPERIENCE_EFFECT,
        },
        "ratings": {
            "halo_sd": RATING_HALO_SD,
            "noise_sd": RATING_NOISE_SD,
            "reach": {t.touchpoint_id: t.reach for t in TOUCHPOINTS},
            "quality": {t.touchpoint_id: t.quality for t in TOUCHPOINTS},
        },
        "repurchase_model": {
            "formula": "P(order within 175 days) = logistic(intercept + b*(nps - 7) + c*was_passed_around)",
            **REPURCHASE_LOGIT,
        },
        "service_rates": {
            "unanswered_share": UNANSWERED_SHARE,
            "callback_same_day_share": CALLBACK_SAME_DAY_SHARE,
            "callback_missed_share": 1 - CALLBACK_SAME_DAY_SHARE - CALLBACK_LATER_SHARE,
            "complaint_interim_update_share": _poisson_at_least(COMPLAINT_INTERIM_MEAN, 1),
            "reopen_share": REOPEN_SHARE,
            "passed_around_share": passed_around,
            "outside_hours_share_at_least": OUTSIDE_HOURS_SHARE,
            "department_mean_handoffs": {d: m for d, (_, m) in DEPARTMENTS.items()},
        },
        "counts": {"contacts": contacts.height, "responses": surveys.height},
    }
