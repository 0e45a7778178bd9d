"""The demo's observations: mystery contacts by phone, e-mail and chat, with two planted findings.

- **Hard to reach**: accounting (Buchhaltung) answers the phone far less often after 16:00.
- **Inconsistent answers**: the scenario "Frage zur Abschlagsrechnung" gets three different answers
  depending on the channel; every other scenario gets its correct answer nearly always.

``truth`` records both, so tests can check that ``tpnb observations`` finds them.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from tpnb.contracts import VIRTUES

DEPARTMENT_TOUCHPOINT = {
    "Kundenservice": "hotline",
    "Vertrieb": "quote",
    "Logistik": "delivery",
    "Buchhaltung": "invoice",
    "Technik": "field_service",
    "Backoffice": "order",
}
SCENARIOS = {  # scenario -> department that owns it
    "Frage zur Abschlagsrechnung": "Buchhaltung",
    "Liefertermin verschieben": "Logistik",
    "Angebot nachfragen": "Vertrieb",
    "Rückruf anfordern": "Kundenservice",
    "Wartungstermin": "Technik",
    "Auftragsbestätigung fehlt": "Backoffice",
}
INCONSISTENT_SCENARIO = "Frage zur Abschlagsrechnung"
# the answer each channel gives to the inconsistent scenario (only the e-mail answer is right)
INCONSISTENT_ANSWERS = {"phone": "B", "email": "A", "chat": "C"}
HARD_TO_REACH = "Buchhaltung"
LATE_HOUR = 16
REACHED = {"normal": 0.92, "late": 0.92, "hard_late": 0.35}
CHANNELS = {"phone": 0.5, "email": 0.3, "chat": 0.2}


def draw_observations(
    rng: np.random.Generator, start: np.datetime64, end: np.datetime64, n: int = 3000
) -> pl.DataFrame:
    """``n`` test contacts spread over working days 8:00-18:00 between ``start`` and ``end``."""
    days = int((end - start) / np.timedelta64(1, "D"))
    offsets = rng.integers(0, days, n * 2)
    day = start.astype("datetime64[D]") + offsets.astype("timedelta64[D]")
    workday = np.is_busday(day)
    day = day[workday][:n]
    n = len(day)
    minute = rng.integers(8 * 60, 18 * 60, n)
    observed_at = day.astype("datetime64[m]") + minute.astype("timedelta64[m]")
    scenario = rng.choice(list(SCENARIOS), n)
    department = np.array([SCENARIOS[s] for s in scenario])
    channel = rng.choice(list(CHANNELS), n, p=list(CHANNELS.values()))
    hour = minute // 60
    written = channel == "email"
    hard = (department == HARD_TO_REACH) & (hour >= LATE_HOUR) & ~written
    reached = rng.random(n) < np.where(hard, REACHED["hard_late"], REACHED["normal"])
    attempts = np.where(reached, 1 + rng.poisson(0.3, n), 3)
    correct_code = "A"
    answer = np.where(rng.random(n) < 0.93, correct_code, "B")  # the one usual mistake
    inconsistent = scenario == INCONSISTENT_SCENARIO
    answer = np.where(inconsistent, np.vectorize(INCONSISTENT_ANSWERS.get)(channel), answer)
    verdict = np.where(answer == correct_code, "ja", np.where(rng.random(n) < 0.5, "teilweise", "nein"))
    wait = np.where(~written & reached, np.round(rng.gamma(2.0, 35.0, n)), np.nan)
    response = np.where(written & reached, np.round(rng.gamma(2.0, 6.0, n), 1), np.nan)
    frame = pl.DataFrame(
        {
            "observation_id": [f"B{i:05d}" for i in range(1, n + 1)],
            "observed_at": observed_at.astype("datetime64[us]"),
            "channel": channel,
            "department": department,
            "touchpoint_id": [DEPARTMENT_TOUCHPOINT[d] for d in department],
            "scenario_id": scenario,
            "reached": np.where(reached, "ja", "nein"),
            "attempts": attempts,
            "wait_seconds": wait,
            "response_hours": response,
            "answer_code": np.where(reached, answer, None),
            "answer_correct": np.where(reached, verdict, None),
            "observer": rng.choice(["Testkunde Nord", "Testkunde Süd", "Testkunde West"], n),
        }
    )
    scores = {
        f"crit_{v}": np.where(reached, np.clip(np.round(rng.normal(3.9, 0.8, n)), 1, 5), np.nan) for v in VIRTUES[:5]
    }
    frame = frame.with_columns(*[pl.Series(name, values) for name, values in scores.items()])
    return frame.with_columns(pl.col(pl.Float64).fill_nan(None))


def observation_truth() -> dict:
    """What the observations were drawn with: the planted gap and the inconsistent scenario."""
    return {
        "hard_to_reach": {
            "department": HARD_TO_REACH,
            "from_hour": LATE_HOUR,
            "channels": ["phone", "chat"],
            "reached_share_late": REACHED["hard_late"],
            "reached_share_otherwise": REACHED["normal"],
        },
        "inconsistent_scenario": {
            "scenario_id": INCONSISTENT_SCENARIO,
            "answers_by_channel": INCONSISTENT_ANSWERS,
            "distinct_answers": len(set(INCONSISTENT_ANSWERS.values())),
        },
        "other_scenarios_correct_share": 0.93,
    }
