"""Write synthetic Salesforce Service Cloud Case records as Data Loader exports them (API field
names, ISO times with milliseconds and Z) and a survey of the same contacts in tpnb's layout.

    python examples/salesforce_case/make_export.py [OUT_FOLDER]
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import _synthetic as s  # noqa: E402

ORIGIN = {"email": "Email", "phone": "Phone", "web": "Web", "chat": "Chat"}
HEADER = [
    "Id",
    "CaseNumber",
    "ContactId",
    "AccountId",
    "ParentId",
    "Origin",
    "Reason",
    "Type",
    "Status",
    "Priority",
    "IsClosed",
    "IsEscalated",
    "CreatedDate",
    "ClosedDate",
    "Subject",
    "SuppliedEmail",
    "SuppliedName",
]


def sf(t) -> str:
    """A time as Data Loader writes it."""
    return t.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def contact_id(c) -> str:
    """A Salesforce Contact Id (18 characters)."""
    return f"0035g00000{c.number:05d}AAA"


def main(out: Path) -> None:
    """Write the export (and the files its sources.yaml names) into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    s.write_touchpoints(out)
    people = s.customers(400, seed=23, with_tickets=True)
    s.write_contract_survey(out, s.answers(people, seed=23), contact_id)
    rows = [HEADER]
    for c in people:
        for t in c.tickets:
            closed = t.opened_at + timedelta(minutes=t.resolution_minutes)
            is_closed = t.number % 13 != 0
            rows.append(
                [
                    f"5005g00000{t.number:05d}AAA",
                    f"{t.number:08d}",
                    contact_id(c),
                    f"0015g00000{c.account:05d}AAA",
                    "",
                    ORIGIN[t.channel],
                    "Complaint" if t.complaint else "Other",
                    "Question" if not t.complaint else "Problem",
                    "Closed" if is_closed else "Working",
                    "Medium",
                    "true" if is_closed else "false",
                    "true" if t.handoffs > 2 else "false",
                    sf(t.opened_at),
                    sf(closed) if is_closed else "",
                    t.subject,
                    c.email,
                    f"{c.first_name} {c.last_name}",
                ]
            )
    s.write_csv(out / "salesforce_cases.csv", rows)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent)
