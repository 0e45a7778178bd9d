"""Write synthetic contact-centre call records, one row per call leg (queue wait, talk, hold,
the caller's number), and a survey of the same customers in tpnb's own layout.

    python examples/call_records/make_export.py [OUT_FOLDER]
"""

from __future__ import annotations

import random
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import _synthetic as s  # noqa: E402

HEADER = [
    "call_id",
    "leg",
    "leg_started_at",
    "customer_id",
    "caller_number",
    "queue",
    "agent_id",
    "queue_wait_seconds",
    "talk_seconds",
    "hold_seconds",
    "transferred",
]


def main(out: Path) -> None:
    """Write the export (and the files its sources.yaml names) into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    s.write_touchpoints(out)
    rng = random.Random(24)
    people = s.customers(400, seed=24, with_tickets=True)
    s.write_contract_survey(out, s.answers(people, seed=24), lambda c: f"K{c.number:05d}")
    rows = [HEADER]
    for c in people:
        for t in c.tickets:
            start = t.opened_at
            for leg in range(t.handoffs + 1):
                wait, talk, hold = rng.randrange(5, 400), rng.randrange(30, 900), rng.choice((0, 0, 30, 90))
                queue = t.group if leg == 0 else rng.choice(("Vertrieb", "Buchhaltung", "Technik"))
                rows.append(
                    [
                        f"C{t.number}",
                        leg + 1,
                        start.isoformat(sep=" "),
                        f"K{c.number:05d}",
                        f"+49 30 {1000000 + c.number}",
                        queue,
                        f"A{100 + t.number % 17}",
                        wait,
                        talk,
                        hold,
                        "yes" if leg < t.handoffs else "no",
                    ]
                )
                start += timedelta(seconds=wait + talk + hold)
    s.write_csv(out / "call_records.csv", rows)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent)
