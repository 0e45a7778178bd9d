"""Synthetic customers, survey answers and tickets for the example exports (no real person in them).

Each examples/<tool>/make_export.py writes its tool's exact layout from these. The answers
follow a known pattern (delivery and service ratings drive NPS; reopened tickets and
handoffs lower it) so `tpnb drivers` finds something on every example.
"""

from __future__ import annotations

import csv
import itertools
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

# (id, name, phase): the catalogue each example's touchpoints.csv holds
TOUCHPOINTS = (
    ("advice", "Beratung", "pre_purchase"),
    ("ordering", "Bestellung", "purchase"),
    ("delivery", "Lieferung", "post_purchase"),
    ("invoice", "Rechnung", "post_purchase"),
    ("service", "Kundenservice", "ongoing"),
)
WEIGHTS = {"advice": 0.3, "ordering": 0.2, "delivery": 0.9, "invoice": 0.4, "service": 0.7}
START = datetime(2026, 3, 2, 8, 0)
DAYS = 210
FIRST_NAMES = ("Alex", "Sam", "Kim", "Robin", "Jo", "Chris", "Toni", "Maxi")
LAST_NAMES = ("Muster", "Beispiel", "Probe", "Test", "Sample")
COMMENTS = (
    "Lieferung kam zu spät.",
    "Sehr freundliche Beratung, danke!",
    "Rechnung war unverständlich.",
    "Alles bestens.",
    "Ich wurde dreimal weiterverbunden.",
    "",
)


@dataclass
class Ticket:
    number: int
    opened_at: datetime
    channel: str  # email, phone, web, chat
    group: str
    complaint: bool
    handoffs: int
    reopened: bool
    reply_minutes: int
    resolution_minutes: int
    subject: str


@dataclass
class Customer:
    number: int
    account: int
    first_name: str
    last_name: str
    tickets: list[Ticket] = field(default_factory=list)

    @property
    def email(self) -> str:
        return f"{self.first_name}.{self.last_name}{self.number}@example.com".lower()


@dataclass
class Answer:
    customer: Customer
    number: int
    answered_at: datetime
    ratings: dict[str, int | None]  # None: not experienced
    nps: int
    repurchase: bool
    comment: str


def customers(n: int, seed: int, with_tickets: bool = False) -> list[Customer]:
    rng = random.Random(seed)
    numbers = itertools.count(1001)
    out = []
    for i in range(1, n + 1):
        c = Customer(i, 1 + (i - 1) // 3, rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES))
        if with_tickets:
            for _ in range(rng.choice((0, 1, 1, 2, 3))):
                opened = START + timedelta(days=rng.randrange(DAYS - 30), minutes=rng.randrange(600))
                complaint = rng.random() < 0.2
                c.tickets.append(
                    Ticket(
                        number=next(numbers),
                        opened_at=opened,
                        channel=rng.choice(("email", "email", "phone", "web", "chat")),
                        group=rng.choice(("Vertrieb", "Buchhaltung", "Technik")),
                        complaint=complaint,
                        handoffs=rng.choice((0, 0, 0, 1, 1, 2, 3)),
                        reopened=rng.random() < (0.3 if complaint else 0.1),
                        reply_minutes=rng.randrange(5, 60 * 30),
                        resolution_minutes=rng.randrange(60, 60 * 24 * 6),
                        subject=rng.choice(("Frage zur Rechnung", "Lieferstatus", "Reklamation Ware", "Angebot")),
                    )
                )
        out.append(c)
    return out


def answers(people: list[Customer], seed: int) -> list[Answer]:
    """One answer per customer, after their tickets; NPS follows the ratings and the tickets."""
    rng = random.Random(seed + 1)
    out = []
    for k, c in enumerate(people, start=1):
        ratings = {
            tp: (None if rng.random() < 0.12 else rng.choice((1, 2, 3, 3, 4, 4, 4, 5, 5))) for tp, *_ in TOUCHPOINTS
        }
        score = 6.0 + sum(WEIGHTS[tp] * (r - 3.5) for tp, r in ratings.items() if r is not None)
        score -= sum(1.2 * t.reopened + 0.5 * t.handoffs for t in c.tickets)
        nps = max(0, min(10, round(score + rng.gauss(0, 1.2))))
        last = max((t.opened_at for t in c.tickets), default=START + timedelta(days=rng.randrange(DAYS - 25)))
        answered = last + timedelta(days=rng.randrange(2, 25), minutes=rng.randrange(60 * 10))
        out.append(Answer(c, k, answered, ratings, nps, nps >= 7 or rng.random() < 0.3, rng.choice(COMMENTS)))
    return out


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8", delimiter: str = ",") -> None:
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh, delimiter=delimiter, lineterminator="\r\n").writerows(rows)


def write_touchpoints(folder: Path) -> None:
    write_csv(folder / "touchpoints.csv", [["touchpoint_id", "name", "phase"], *map(list, TOUCHPOINTS)])


def write_contract_survey(folder: Path, rows: list[Answer], customer_id) -> None:
    """The survey in tpnb's own layout, for the ticket-system examples (their customers' ids)."""
    header = ["response_id", "customer_id", "answered_at", "nps", *(f"tp_{tp}" for tp, *_ in TOUCHPOINTS)]
    body = [
        [f"R{a.number}", customer_id(a.customer), a.answered_at.isoformat(sep=" "), a.nps]
        + ["" if a.ratings[tp] is None else a.ratings[tp] for tp, *_ in TOUCHPOINTS]
        for a in rows
    ]
    write_csv(folder / "survey.csv", [header, *body])
