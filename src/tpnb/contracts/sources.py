"""The data contract of each source kind: columns, types, ranges, keys.

This is the single declaration the loader validates against and that
``tpnb contract KIND`` prints. See CONTRACTS.md for the prose version.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Types a column can have. The loader turns each into a SQL parse expression.
TEXT, ID, INTEGER, NUMBER, DATE, TIMESTAMP, BOOL, ENUM, FREE_TEXT, PII, PSEUDONYM = (
    "text",
    "id",
    "integer",
    "number",
    "date",
    "timestamp",
    "yes/no",
    "enum",
    "free text",
    "personal data",
    "pseudonym",  # stored as a one-way hash of the value: who it was can be compared, not read
)

PHASES = ("pre_purchase", "purchase", "post_purchase", "ongoing")
ROLES = ("decision_maker", "influencer", "information_gatherer", "user", "other")
CHANNELS = (
    "phone",
    "email",
    "letter",
    "fax",
    "sms",
    "web",
    "chat",
    "portal",
    "social",
    "visit",
    "other",
)
CONTACT_TYPES = (
    "inquiry",
    "complaint",
    "callback_request",
    "quote_request",
    "order",
    "delivery_query",
    "invoice_query",
    "other",
)
EVENT_TYPES = (
    "opened",
    "assigned",
    "transferred",
    "status_update",
    "answered",
    "callback",
    "resolved",
    "reopened",
)
DIRECTIONS = ("at_least", "at_most")
ANSWER_CORRECT = ("yes", "partly", "no")
# The service virtues an observer scores (crit_<virtue> columns); others are kept under their own name.
VIRTUES = (
    "friendliness",
    "competence",
    "clarity",
    "commitment",
    "reliability",
    "informativeness",
    "helpfulness",
)
# The metrics a target can name (tpnb.analysis.targets computes each): an unknown one is quarantined at load.
TARGET_METRICS = (
    "mean_rating",
    "top2_share",
    "nps",
    "first_response_hours_p90",
    "same_day_callback_share",
    "answered_in_target_share",
    # from observations (mystery contacts)
    "reached_share",
    "consistency",
    "correct_share",
)

# Labels users really have, mapped to the contract's values.
ENUM_ALIASES: dict[str, str] = {
    "entscheider": "decision_maker",
    "decision maker": "decision_maker",
    "beeinflusser": "influencer",
    "informationssammler": "information_gatherer",
    "information gatherer": "information_gatherer",
    "nutzer": "user",
    "anwender": "user",
    "sonstige": "other",
    "andere": "other",
    "telefon": "phone",
    "e-mail": "email",
    "mail": "email",
    "brief": "letter",
    "webformular": "web",
    "besuch": "visit",
    "beschwerde": "complaint",
    "reklamation": "complaint",
    "anfrage": "inquiry",
    "rückrufbitte": "callback_request",
    "rueckrufbitte": "callback_request",
    "angebotsanfrage": "quote_request",
    "bestellung": "order",
    "lieferanfrage": "delivery_query",
    "rechnungsfrage": "invoice_query",
    "vor dem kauf": "pre_purchase",
    "kauf": "purchase",
    "nach dem kauf": "post_purchase",
    "laufend": "ongoing",
    "direkt": "direct",
    "indirekt": "indirect",
    "ja": "yes",
    "nein": "no",
    "teilweise": "partly",
    "teils": "partly",
    "partially": "partly",
    "partial": "partly",
}

# "Not experienced" is a state, not a missing value.
NOT_APPLICABLE_CODES = (
    "",
    "na",
    "n/a",
    "-",
    "k.a.",
    "k. a.",
    "keine angabe",
    "weiß nicht",
    "weiss nicht",
    "don't know",
    "dont know",
    "nicht erlebt",
    "not experienced",
)


@dataclass(frozen=True)
class Column:
    """One column of a source kind: its type, whether it is required or the key, its range and meaning."""

    name: str
    type: str
    required: bool = False
    key: bool = False
    choices: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    not_before: str | None = None  # another timestamp column this one may not precede
    meaning: str = ""


@dataclass(frozen=True)
class Wide:
    """Columns ``<prefix><name>`` holding ratings on a scale, stored as one list column of
    (``key``, experienced, rating): touchpoint ratings of a survey, virtue scores of an observation."""

    prefix: str
    column: str  # the list column of the raw table
    key: str  # the name the part after the prefix is stored under
    required: bool  # a file needs at least one such column
    meaning: str


@dataclass(frozen=True)
class Kind:
    """A source kind: its columns, its wide rating columns, and whether it keeps other columns as attributes."""

    name: str
    columns: tuple[Column, ...]
    wide: Wide | None = None
    keeps_attributes: bool = False  # unknown columns are kept as response attributes
    meaning: str = ""
    # Columns that hold timestamps in the future are suspicious: quarantined.
    no_future: tuple[str, ...] = field(default=())

    @property
    def key(self) -> tuple[str, ...]:
        """The key columns."""
        return tuple(c.name for c in self.columns if c.key)

    @property
    def required(self) -> tuple[str, ...]:
        """The columns a file must have (keys and required columns)."""
        return tuple(c.name for c in self.columns if c.required or c.key)

    def column(self, name: str) -> Column | None:
        """The declaration of column ``name`` (None when the kind has none)."""
        return next((c for c in self.columns if c.name == name), None)


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "touchpoints",
            (
                Column(
                    "touchpoint_id",
                    ID,
                    key=True,
                    meaning="matches tp_<touchpoint_id> survey columns",
                ),
                Column("name", TEXT, required=True, meaning="label shown in reports"),
                Column("phase", ENUM, required=True, choices=PHASES + ("unknown",)),
                Column("kind", ENUM, choices=("direct", "indirect")),
                Column("channel", TEXT),
                Column("owner_department", TEXT),
            ),
            meaning="the touchpoint catalogue",
        ),
        Kind(
            "customers",
            (
                Column("customer_id", ID, key=True),
                Column("account_id", ID, meaning="the company (B2B)"),
                Column("segment", TEXT),
                Column("role", ENUM, choices=ROLES),
                Column("region", TEXT),
                Column("name", PII, meaning="dropped at load"),
                Column("email", PII, meaning="dropped at load"),
                Column("phone", PII, meaning="dropped at load"),
            ),
            meaning="customers (persons) and their accounts",
        ),
        Kind(
            "surveys",
            (
                Column("response_id", ID, key=True),
                Column("customer_id", ID, required=True),
                Column("answered_at", TIMESTAMP, required=True),
                Column("nps", INTEGER, min=0, max=10, meaning="likelihood to recommend, 0-10"),
                Column("repurchase_intent", NUMBER, meaning="stated intent (scale or yes/no)"),
                Column("comment", FREE_TEXT),
                Column("segment", TEXT),
                Column("role", ENUM, choices=ROLES),
                Column("account_id", ID),
            ),
            wide=Wide("tp_", "ratings", "touchpoint_id", True, "a touchpoint's rating"),
            keeps_attributes=True,
            no_future=("answered_at",),
            meaning="one row per response; tp_<touchpoint_id> columns hold ratings",
        ),
        Kind(
            "contacts",
            (
                Column("contact_id", ID, key=True),
                Column("customer_id", ID, required=True),
                Column("opened_at", TIMESTAMP, required=True),
                Column("channel", ENUM, required=True, choices=CHANNELS),
                Column("department", TEXT),
                Column("touchpoint_id", ID),
                Column("contact_type", ENUM, choices=CONTACT_TYPES),
                Column("first_response_at", TIMESTAMP, not_before="opened_at"),
                Column("resolved_at", TIMESTAMP, not_before="opened_at"),
                Column("callback_due_at", TIMESTAMP),
                Column("callback_done_at", TIMESTAMP, not_before="opened_at"),
                Column("wait_seconds", NUMBER, min=0),
                Column("handoffs", INTEGER, min=0),
                Column("interim_updates", INTEGER, min=0),
                Column("reopened", BOOL),
                Column("subject", FREE_TEXT),
                Column("notes", FREE_TEXT),
            ),
            no_future=("opened_at",),
            meaning="the service log: one row per request, ticket or call",
        ),
        Kind(
            "contact_events",
            (
                Column("contact_id", ID, key=True),
                Column("event_at", TIMESTAMP, key=True),
                Column("event_type", ENUM, key=True, choices=EVENT_TYPES),
                Column("department", TEXT),
                Column("agent_id", ID),
            ),
            no_future=("event_at",),
            meaning="optional events, finer than contacts",
        ),
        Kind(
            "orders",
            (
                Column("order_id", ID, key=True),
                Column("customer_id", ID, required=True),
                Column("ordered_at", TIMESTAMP, required=True),
                Column("amount", NUMBER),
            ),
            meaning="orders: observed repurchase",
        ),
        Kind(
            "targets",
            (
                Column("touchpoint_id", ID, key=True, meaning="a touchpoint or *"),
                Column("metric", ENUM, key=True, choices=TARGET_METRICS, meaning="what the target is set on"),
                Column("valid_from", DATE, key=True),
                Column("target", NUMBER, required=True),
                Column("direction", ENUM, required=True, choices=DIRECTIONS),
            ),
            meaning="the Soll per touchpoint and metric",
        ),
        Kind(
            "measures",
            (
                Column("measure_id", ID, key=True),
                Column("touchpoint_id", ID, required=True),
                Column("title", TEXT, required=True),
                Column("started_at", DATE, required=True),
                Column("ended_at", DATE, not_before="started_at"),
                Column("owner", TEXT),
            ),
            meaning="the register of improvement actions",
        ),
        Kind(
            "observations",
            (
                Column("observation_id", ID, key=True),
                Column("observed_at", TIMESTAMP, required=True, meaning="when the test contact was made"),
                Column("channel", ENUM, required=True, choices=CHANNELS),
                Column("touchpoint_id", ID),
                Column("department", TEXT),
                Column("scenario_id", ID, required=True, meaning="the test case, e.g. a question on the invoice"),
                Column("reached", BOOL, required=True, meaning="did anyone answer"),
                Column("attempts", INTEGER, min=1),
                Column("wait_seconds", NUMBER, min=0, meaning="phone and chat"),
                Column("response_hours", NUMBER, min=0, meaning="written channels"),
                Column("answer_code", TEXT, meaning="which answer was given, to compare answers"),
                Column(
                    "answer_correct",
                    ENUM,
                    choices=ANSWER_CORRECT,
                    meaning="ja / teilweise / nein accepted",
                ),
                Column("comment", FREE_TEXT),
                Column("observer", PSEUDONYM, meaning="stored as a pseudonym (hash), never as the name"),
            ),
            wide=Wide("crit_", "scores", "criterion", False, "an observer's score of a service virtue"),
            no_future=("observed_at",),
            meaning="observations: mystery contacts and test calls, scored by an observer",
        ),
    )
}

RATING_PREFIX = KINDS["surveys"].wide.prefix


def kind(name: str) -> Kind:
    """The contract of source kind ``name``."""
    try:
        return KINDS[name]
    except KeyError:
        raise ValueError(f"unknown source kind '{name}'; known kinds: {', '.join(KINDS)}") from None


def describe(name: str) -> str:
    """A plain-text table of one kind's contract."""
    k = kind(name)
    lines = [f"{k.name}: {k.meaning}", ""]
    lines.append(f"{'column':<20} {'type':<14} {'required':<9} detail")
    for c in k.columns:
        req = "key" if c.key else ("yes" if c.required else "no")
        detail = []
        if c.choices:
            detail.append("one of " + " / ".join(c.choices))
        if c.min is not None or c.max is not None:
            detail.append(f"range {c.min if c.min is not None else ''}..{c.max if c.max is not None else ''}")
        if c.not_before:
            detail.append(f"not before {c.not_before}")
        if c.meaning:
            detail.append(c.meaning)
        lines.append(f"{c.name:<20} {c.type:<14} {req:<9} {'; '.join(detail)}")
    if k.wide:
        lines.append(
            f"{k.wide.prefix + '<' + k.wide.key + '>':<20} {'rating':<14} {'>=1' if k.wide.required else 'no':<9} "
            f"{k.wide.meaning}, on the scale (default 1-5); not-applicable codes mean 'not experienced'"
        )
    if k.keeps_attributes:
        lines.append(f"{'any other column':<20} {'number/yes-no/text':<14} {'no':<9} kept as a response attribute")
    return "\n".join(lines)
