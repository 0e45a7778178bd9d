"""The demo company: its touchpoints, segments, roles, service rates, measures and targets (the known truth)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TouchpointSpec:
    """A demo touchpoint: phase, kind, channel, reach, quality and its true weight on NPS."""

    touchpoint_id: str
    name: str
    name_de: str
    phase: str
    kind: str
    channel: str
    owner_department: str
    reach: float  # share of respondents who experienced it
    quality: float  # mean latent rating on the 1-5 scale
    weight: float  # true NPS points per rating point


TOUCHPOINTS = (
    TouchpointSpec(
        "website",
        "Website",
        "Website",
        "pre_purchase",
        "direct",
        "web",
        "Marketing",
        0.80,
        3.9,
        0.15,
    ),
    TouchpointSpec(
        "trade_fair",
        "Trade fair stand",
        "Messestand",
        "pre_purchase",
        "direct",
        "visit",
        "Marketing",
        0.20,
        4.2,
        0.08,
    ),
    TouchpointSpec(
        "newsletter",
        "Newsletter",
        "Newsletter",
        "pre_purchase",
        "direct",
        "email",
        "Marketing",
        0.50,
        3.6,
        0.03,
    ),
    TouchpointSpec(
        "reviews",
        "Review portals",
        "Bewertungsportale",
        "pre_purchase",
        "indirect",
        "web",
        "Marketing",
        0.35,
        3.8,
        0.10,
    ),
    TouchpointSpec(
        "sales_visit",
        "Field sales visit",
        "Außendienstbesuch",
        "pre_purchase",
        "direct",
        "visit",
        "Vertrieb",
        0.55,
        4.3,
        0.30,
    ),
    TouchpointSpec("quote", "Quote", "Angebot", "purchase", "direct", "email", "Vertrieb", 0.60, 3.6, 0.42),
    TouchpointSpec(
        "order",
        "Order processing",
        "Auftragsabwicklung",
        "purchase",
        "direct",
        "portal",
        "Backoffice",
        0.85,
        4.2,
        0.35,
    ),
    TouchpointSpec(
        "delivery",
        "Delivery / logistics partner",
        "Lieferung / Logistikpartner",
        "purchase",
        "indirect",
        "other",
        "Logistik",
        0.85,
        3.4,
        0.95,
    ),
    TouchpointSpec(
        "invoice",
        "Invoice",
        "Rechnung",
        "post_purchase",
        "direct",
        "letter",
        "Buchhaltung",
        0.80,
        3.3,
        0.55,
    ),
    TouchpointSpec(
        "hotline",
        "Service hotline",
        "Service-Hotline",
        "post_purchase",
        "direct",
        "phone",
        "Kundenservice",
        0.50,
        3.5,
        0.70,
    ),
    TouchpointSpec(
        "complaint_handling",
        "Complaint handling",
        "Reklamationsbearbeitung",
        "post_purchase",
        "direct",
        "email",
        "Kundenservice",
        0.18,
        2.9,
        0.80,
    ),
    TouchpointSpec(
        "field_service",
        "Field service",
        "Technischer Außendienst",
        "post_purchase",
        "direct",
        "visit",
        "Technik",
        0.30,
        4.1,
        0.50,
    ),
    TouchpointSpec(
        "portal",
        "Customer portal",
        "Kundenportal",
        "ongoing",
        "direct",
        "portal",
        "Backoffice",
        0.45,
        3.7,
        0.22,
    ),
)

SEGMENTS = {"Key Account": 0.15, "Mittelstand": 0.45, "Kleinkunde": 0.40}
SEGMENT_EFFECT = {"Key Account": 0.3, "Mittelstand": 0.0, "Kleinkunde": -0.2}
ROLES = {"decision_maker": 0.20, "influencer": 0.25, "information_gatherer": 0.20, "user": 0.35}
ROLES_DE = {
    "decision_maker": "Entscheider",
    "influencer": "Beeinflusser",
    "information_gatherer": "Informationssammler",
    "user": "Nutzer",
}
ROLE_EFFECT = {"decision_maker": -0.3, "influencer": 0.0, "information_gatherer": 0.2, "user": 0.1}
REGIONS = {"Nord": 0.25, "Süd": 0.30, "West": 0.25, "Ost": 0.20}
EXPERIENCE_EFFECT = {
    "was_passed_around": -0.8,
    "had_late_answer": -0.6,
    "had_missed_callback": -0.5,
}
NPS_INTERCEPT = 7.2
NPS_NOISE_SD = 1.3
# People of one company answer alike: a shared effect per account on the latent NPS scale, drawn
# from its own stream (the rest of the demo is the same with or without it). Intra-account
# correlation of the latent residual: 0.6^2 / (0.6^2 + 1.3^2) = 0.18.
ACCOUNT_EFFECT_SD = 0.6
RATING_HALO_SD = 0.7
RATING_NOISE_SD = 0.8
REPURCHASE_LOGIT = {"intercept": 0.2, "nps_minus_7": 0.45, "was_passed_around": -0.5}


@dataclass(frozen=True)
class MeasureSpec:
    """A demo improvement measure: its touchpoint, start and true effect on ratings."""

    measure_id: str
    touchpoint_id: str
    title: str
    owner: str
    start_fraction: float  # where in the data's span it starts
    effect: float  # true shift of the latent rating after the start


# Two planted measures: one works, one does not (tests check that the evaluation tells them apart).
MEASURES = (
    MeasureSpec("M01", "delivery", "Neuer Logistikpartner mit proaktivem Lieferavis", "Logistik", 0.55, 0.6),
    MeasureSpec("M02", "invoice", "Neues Rechnungslayout", "Buchhaltung", 0.45, 0.0),
)
TARGETS = (  # touchpoint_id, metric, target, direction
    ("*", "mean_rating", 3.8, "at_least"),
    ("delivery", "mean_rating", 3.6, "at_least"),
    ("*", "nps", 20.0, "at_least"),
    ("*", "first_response_hours_p90", 48.0, "at_most"),
    ("*", "same_day_callback_share", 0.6, "at_least"),
    ("invoice", "reached_share", 0.9, "at_least"),  # from the mystery contacts (observations)
)

CHANNELS = {
    "phone": 0.38,
    "email": 0.30,
    "portal": 0.10,
    "web": 0.08,
    "chat": 0.05,
    "letter": 0.03,
    "fax": 0.02,
    "visit": 0.02,
    "social": 0.02,
}
DEPARTMENTS = {  # share of contacts, mean handoffs (Poisson): accounting passes customers around
    "Kundenservice": (0.35, 0.35),
    "Vertrieb": (0.20, 0.45),
    "Logistik": (0.18, 0.9),
    "Buchhaltung": (0.12, 1.6),
    "Technik": (0.08, 0.6),
    "Backoffice": (0.07, 1.2),
}
CONTACT_TYPES_BY_DEPARTMENT = {
    "Kundenservice": {"inquiry": 0.45, "callback_request": 0.25, "complaint": 0.15, "other": 0.15},
    "Vertrieb": {"quote_request": 0.55, "inquiry": 0.30, "callback_request": 0.15},
    "Logistik": {"delivery_query": 0.75, "complaint": 0.10, "inquiry": 0.15},
    "Buchhaltung": {"invoice_query": 0.85, "complaint": 0.05, "callback_request": 0.10},
    "Technik": {"inquiry": 0.60, "callback_request": 0.25, "complaint": 0.15},
    "Backoffice": {"order": 0.80, "inquiry": 0.20},
}
TOUCHPOINT_BY_TYPE = {
    "delivery_query": "delivery",
    "invoice_query": "invoice",
    "complaint": "complaint_handling",
    "quote_request": "quote",
    "order": "order",
    "callback_request": "hotline",
    "inquiry": "hotline",
    "other": "portal",
}
UNANSWERED_SHARE = 0.06
CALLBACK_SAME_DAY_SHARE = 0.45
CALLBACK_LATER_SHARE = 0.35  # the rest (0.20) is never called back
COMPLAINT_INTERIM_MEAN = 0.6  # Poisson mean of interim updates per complaint
REOPEN_SHARE = 0.08
OUTSIDE_HOURS_SHARE = 0.15
CONTACTS_PER_CUSTOMER = 8.0
SURVEY_WAVES = 5
SURVEY_SHARE_PER_WAVE = 0.30
COMMENT_SHARE = 0.25
MONTHS = 15

COMMENTS = {
    "positive": [
        "Lieferung kam pünktlich, sehr zufrieden.",
        "Kompetente Beratung im Außendienst.",
        "Great service, the hotline solved my issue quickly.",
        "Angebot war klar und schnell da.",
        "Reliable partner, invoices are clear.",
    ],
    "neutral": [
        "Alles in Ordnung, Portal könnte übersichtlicher sein.",
        "OK overall, delivery dates could be more precise.",
        "Newsletter lese ich selten.",
        "Fine, but the quote took a while.",
    ],
    "negative": [
        "Wurde dreimal weiterverbunden, niemand fühlte sich zuständig.",
        "Rückruf wurde versprochen, kam aber nie.",
        "Rechnung passt nicht zu unserem ERP-Format.",
        "Delivery was late and nobody told us in advance.",
        "Reklamation dauert seit Wochen, kein Zwischenstand.",
        "Long waiting times on the phone.",
    ],
}
# Untrusted input the product must keep harmless: HTML and personal data in free text.
HOSTILE_COMMENTS = (
    "<script>alert('tpnb')</script> Lieferung ok",
    "Bitte rufen Sie mich an: 0171 2345678 oder max.mustermann@example.com",
)
