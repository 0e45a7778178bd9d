"""Write a synthetic Zendesk incremental ticket export (JSON, metric_sets, users and groups
sideloaded) and a survey of the same customers in tpnb's own layout.

    python examples/zendesk/make_export.py [OUT_FOLDER]
"""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import _synthetic as s  # noqa: E402

VIA = {"email": "email", "phone": "voice", "web": "web", "chat": "native_messaging"}
GROUPS = {"Vertrieb": 360001, "Buchhaltung": 360002, "Technik": 360003}


def z(t) -> str:
    """A time as the API writes it (UTC, Z)."""
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def main(out: Path) -> None:
    """Write the export (and the files its sources.yaml names) into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    s.write_touchpoints(out)
    people = s.customers(400, seed=21, with_tickets=True)
    s.write_contract_survey(out, s.answers(people, seed=21), lambda c: str(90000 + c.number))
    tickets, metrics = [], []
    for c in people:
        for t in c.tickets:
            tags = ["beschwerde"] if t.complaint else ["frage"]
            tickets.append(
                {
                    "url": f"https://example.zendesk.com/api/v2/tickets/{t.number}.json",
                    "id": t.number,
                    "created_at": z(t.opened_at),
                    "updated_at": z(t.opened_at + timedelta(minutes=t.resolution_minutes)),
                    "type": "incident" if t.complaint else "question",
                    "subject": t.subject,
                    "description": f"{t.subject} - bitte melden Sie sich.",
                    "priority": "normal",
                    "status": "solved",
                    "requester_id": 90000 + c.number,
                    "submitter_id": 90000 + c.number,
                    "assignee_id": 7000 + t.number % 9,
                    "organization_id": 50000 + c.account,
                    "group_id": GROUPS[t.group],
                    "tags": tags,
                    "via": {"channel": VIA[t.channel], "source": {"from": {"address": c.email}, "to": {}, "rel": None}},
                }
            )
            metrics.append(
                {
                    "id": 800000 + t.number,
                    "ticket_id": t.number,
                    "reopens": int(t.reopened),
                    "replies": 2,
                    "group_stations": 1 + min(t.handoffs, 1),
                    "assignee_stations": 1 + t.handoffs,
                    "reply_time_in_minutes": {"calendar": t.reply_minutes, "business": t.reply_minutes // 3},
                    "first_resolution_time_in_minutes": {"calendar": t.resolution_minutes // 2, "business": None},
                    "full_resolution_time_in_minutes": {"calendar": t.resolution_minutes, "business": None},
                    "solved_at": z(t.opened_at + timedelta(minutes=t.resolution_minutes)),
                }
            )
    users = [
        {
            "id": 90000 + c.number,
            "name": f"{c.first_name} {c.last_name}",
            "email": c.email,
            "role": "end-user",
            "organization_id": 50000 + c.account,
        }
        for c in people
    ]
    groups = [{"id": gid, "name": name} for name, gid in GROUPS.items()]
    doc = {
        "tickets": tickets,
        "metric_sets": metrics,
        "users": users,
        "groups": groups,
        "count": len(tickets),
        "end_of_stream": True,
        "end_time": 1793000000,
        "next_page": None,
    }
    (out / "zendesk_tickets.json").write_text(json.dumps(doc, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent)
