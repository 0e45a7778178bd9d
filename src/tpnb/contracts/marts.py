"""The mart tables analysts and reports read: keys, columns and what each means.

The key checks of the model runner follow from these declarations
(``key_checks``), ``docs/contract.md`` is generated from them, and a test
holds the built tables to them: a column a model adds must be declared here.
"""

from __future__ import annotations

from dataclasses import dataclass

from tpnb.sqlutil import ident

# Outcomes a key-driver model can explain: name -> column of mart_responses.
OUTCOME_COLUMNS = {
    "nps": "nps",
    "promoter": "is_promoter",
    "detractor": "is_detractor",
    "repurchase": "repurchased",
    "repurchase_intent": "repurchase_intent",
}

_DIMENSIONS = {
    "segment": "customer segment (from customers; 'unknown' when the customer is not in the customer file)",
    "role": "B2B buying-centre role of the respondent (decision_maker, influencer, ...)",
    "account_id": "the account (company) the customer belongs to",
    "region": "sales region of the customer",
}
_EXPERIENCE = {
    "contacts_before": "contacts of the customer in the experience window before the answer",
    "handoffs_before": "handoffs over those contacts",
    "was_passed_around": "1 when a contact in the window had two or more handoffs",
    "late_answers_before": "contacts in the window answered after the first-response target",
    "had_late_answer": "1 when a contact in the window was answered late",
    "missed_callbacks_before": "callbacks requested in the window and never made",
    "had_missed_callback": "1 when a callback in the window was missed",
    "had_complaint": "1 when the customer complained in the window",
    "worst_wait_seconds": "the longest queue wait in the window (seconds)",
}


@dataclass(frozen=True)
class Mart:
    """One mart table: its key, its columns and the raw table every row of which it holds."""

    name: str
    description: str
    key: tuple[str, ...]
    columns: dict[str, str]
    complete_from: str | None = None  # raw table whose rows it holds one each
    column_pattern: tuple[str, str] | None = None  # (prefix, meaning) for generated columns

    def declares(self, column: str) -> bool:
        """Whether ``column`` is declared (by name or by the generated-column prefix)."""
        return column in self.columns or bool(self.column_pattern and column.startswith(self.column_pattern[0]))


MARTS: tuple[Mart, ...] = (
    Mart(
        "mart_responses",
        "One row per survey response: NPS, repurchase, customer dimensions and the "
        "service-log experience before the answer.",
        ("response_id",),
        {
            "response_id": "the response (key)",
            "customer_id": "who answered",
            "answered_at": "when (timestamp)",
            "answered_on": "the day",
            "period_month": "first day of the month",
            "period_quarter": "YYYY-Qn",
            "nps": "likelihood to recommend, 0-10",
            "nps_category": "promoter (9-10), passive (7-8), detractor (0-6)",
            "repurchase_intent": "stated intent to buy again (0-1 or a scale)",
            "comment": "free text, scrubbed",
            **_DIMENSIONS,
            "is_known_customer": "the customer is in the customer file",
            "is_promoter": "1 for NPS 9-10",
            "is_detractor": "1 for NPS 0-6",
            "repurchased": "1 when an order followed within the repurchase window (null: window not over)",
            **_EXPERIENCE,
        },
        complete_from="raw_surveys",
    ),
    Mart(
        "mart_touchpoint_ratings",
        "One row per response and touchpoint asked: the rating, or not experienced.",
        ("response_id", "touchpoint_id"),
        {
            "response_id": "the response",
            "touchpoint_id": "the touchpoint",
            "touchpoint_name": "its name in the catalogue",
            "phase": "customer-journey phase",
            "phase_order": "the phase's place in the journey",
            "touchpoint_kind": "direct or indirect",
            "channel": "the touchpoint's channel",
            "is_experienced": "the respondent experienced it",
            "rating": "the rating on the survey scale (null when not experienced)",
            "nps": "the response's NPS",
            "answered_at": "when the response was given",
            "period_month": "first day of the month",
            "period_quarter": "YYYY-Qn",
            **_DIMENSIONS,
        },
    ),
    Mart(
        "mart_driver_ratings",
        "One row per response, one rating column per touchpoint (the key-driver design).",
        ("response_id",),
        {"response_id": "the response"},
        column_pattern=("tp_", "the rating of touchpoint <id>; null when not experienced"),
    ),
    Mart(
        "mart_contacts",
        "One row per contact with its service-chain pain points as flags.",
        ("contact_id",),
        {
            "contact_id": "the contact (key)",
            "customer_id": "who contacted",
            "opened_at": "when it was opened",
            "channel": "phone, email, ...",
            "department": "the department that handled it",
            "touchpoint_id": "the touchpoint it belongs to",
            "contact_type": "inquiry, complaint, ...",
            "first_response_at": "first answer",
            "resolved_at": "resolution",
            "callback_due_at": "callback promised by",
            "callback_done_at": "callback made",
            "wait_seconds": "queue wait (seconds)",
            "handoffs": "times passed to someone else",
            "departments": "departments involved",
            "interim_updates": "interim updates sent (complaints)",
            "is_reopened": "reopened after resolution",
            "has_events": "the contact has events in contact_events",
            **_DIMENSIONS,
            "period_month": "first day of the month opened",
            "first_response_hours": "hours to the first answer",
            "resolution_hours": "hours to resolution",
            "is_callback_requested": "a callback was requested",
            "is_unanswered": "never answered",
            "is_answered_in_target": "answered within the first-response target",
            "is_callback_same_day": "callback made the same day",
            "is_callback_missed": "callback never made",
            "is_long_wait": "queue wait above the threshold",
            "is_passed_around": "two or more handoffs",
            "is_complaint": "a complaint",
            "has_interim_update": "a complaint with an interim update",
            "is_outside_hours": "opened outside the customers' business hours",
            "has_follow_up": "the customer came back within the follow-up days",
        },
        complete_from="raw_contacts",
    ),
    Mart(
        "mart_observations",
        "One row per observation (mystery contact, test call) with when it was made and its outcome.",
        ("observation_id",),
        {
            "observation_id": "the observation (key)",
            "observed_at": "when the test contact was made",
            "channel": "phone, email, chat, ...",
            "touchpoint_id": "the touchpoint tested",
            "department": "the department tested ('unknown' when not given)",
            "scenario_id": "the test case",
            "reached": "someone answered",
            "attempts": "attempts needed",
            "wait_seconds": "wait until answered (phone, chat)",
            "response_hours": "hours to the written answer",
            "answer_code": "which answer was given",
            "answer_correct": "yes, partly or no",
            "comment": "the observer's note (personal data scrubbed)",
            "observer": "the observer's pseudonym",
            "weekday": "ISO weekday, 1 = Monday",
            "hour": "hour of the day (0-23)",
            "period_month": "first day of the month",
            "score_mean": "mean of the virtue scores given",
            "is_in_business_hours": "made within the customers' business hours (tpnb.yaml service.hours_*)",
            "is_correct": "the answer was correct",
        },
        complete_from="raw_observations",
    ),
    Mart(
        "mart_observation_scores",
        "One row per observation and service virtue scored.",
        ("observation_id", "criterion"),
        {
            "observation_id": "the observation",
            "criterion": "the virtue (friendliness, competence, ...)",
            "channel": "channel of the observation",
            "department": "department of the observation",
            "touchpoint_id": "touchpoint of the observation",
            "rating": "the score",
        },
    ),
    Mart(
        "mart_nps_cells",
        "NPS counts per day and dimension value, for fast NPS by any dimension.",
        (
            "is_touchpoint_level",
            "touchpoint_name",
            "phase",
            "channel",
            "segment",
            "role",
            "region",
            "answered_on",
        ),
        {
            "is_touchpoint_level": "counts over experienced touchpoint ratings (true) or responses (false)",
            "touchpoint_name": "touchpoint (touchpoint level only)",
            "phase": "phase (touchpoint level only)",
            "channel": "channel (touchpoint level only)",
            "segment": _DIMENSIONS["segment"],
            "role": _DIMENSIONS["role"],
            "region": _DIMENSIONS["region"],
            "answered_on": "the day",
            "period_month": "first day of the month",
            "period_quarter": "YYYY-Qn",
            "n": "scored answers",
            "promoters": "NPS 9-10",
            "passives": "NPS 7-8",
            "detractors": "NPS 0-6",
        },
    ),
    Mart(
        "mart_response_experience",
        "Per response: the service-log experience in the window before it.",
        ("response_id",),
        {"response_id": "the response", **_EXPERIENCE},
    ),
    Mart(
        "mart_response_repurchase",
        "Per response: orders within the repurchase window after it.",
        ("response_id",),
        {
            "response_id": "the response",
            "has_repurchased": "an order followed within the window (null: window not over)",
            "orders_in_window": "orders in the window",
            "amount_in_window": "their amount",
        },
    ),
)


def mart(name: str) -> Mart:
    """The declaration of one mart table."""
    for m in MARTS:
        if m.name == name:
            return m
    raise ValueError(f"unknown mart '{name}'; known: {', '.join(m.name for m in MARTS)}")


def key_checks() -> list[str]:
    """SQL checks that follow from the declarations: each returns a row only when its rule is broken.

    A key is unique; a mart declared complete holds exactly as many rows as its raw table.
    """
    checks = []
    for m in MARTS:
        key = ", ".join(ident(k) for k in m.key)
        checks.append(
            f"select '{m.name}: key ({', '.join(m.key)}) not unique' as problem from {m.name} "
            f"group by {key} having count(*) > 1 limit 1"
        )
        if m.complete_from:
            checks.append(
                f"select '{m.name}: rows differ from {m.complete_from}' as problem "
                f"from (select count(*) as n from {m.name}) m, (select count(*) as n from {m.complete_from}) r "
                "where m.n <> r.n"
            )
    return checks
