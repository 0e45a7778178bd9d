"""Write synthetic Freshdesk tickets as its API returns them (GET /api/v2/tickets?include=stats,
pages joined into one JSON list: numeric status, priority and source codes) and a survey of
the same customers in tpnb's own layout.

    python examples/freshdesk/make_export.py [OUT_FOLDER]
"""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import _synthetic as s  # noqa: E402

SOURCE = {"email": 1, "web": 2, "phone": 3, "chat": 7}  # 2 = portal
GROUPS = {"Vertrieb": 43000001, "Buchhaltung": 43000002, "Technik": 43000003}


def z(t) -> str:
    """A time as the API writes it (UTC, Z)."""
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def main(out: Path) -> None:
    """Write the export (and the files its sources.yaml names) into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    s.write_touchpoints(out)
    people = s.customers(400, seed=22, with_tickets=True)
    s.write_contract_survey(out, s.answers(people, seed=22), lambda c: str(47000000 + c.number))
    tickets = []
    for c in people:
        for t in c.tickets:
            replied = t.opened_at + timedelta(minutes=t.reply_minutes)
            resolved = t.opened_at + timedelta(minutes=t.resolution_minutes)
            tickets.append(
                {
                    "id": t.number,
                    "subject": t.subject,
                    "description_text": f"{t.subject}. Rückruf unter 030 1234567 erbeten.",
                    "status": 5,
                    "priority": 2 if not t.complaint else 3,
                    "source": SOURCE[t.channel],
                    "type": "Beschwerde" if t.complaint else "Question",
                    "requester_id": 47000000 + c.number,
                    "company_id": 46000000 + c.account,
                    "responder_id": 45000000 + t.number % 7,
                    "group_id": GROUPS[t.group],
                    "tags": ["reklamation"] if t.complaint else [],
                    "fr_escalated": t.reply_minutes > 8 * 60,
                    "is_escalated": False,
                    "created_at": z(t.opened_at),
                    "updated_at": z(resolved),
                    "due_by": z(t.opened_at + timedelta(days=3)),
                    "fr_due_by": z(t.opened_at + timedelta(hours=8)),
                    "stats": {
                        "agent_responded_at": z(replied),
                        "requester_responded_at": None,
                        "first_responded_at": z(replied),
                        "status_updated_at": z(resolved),
                        "reopened_at": z(resolved - timedelta(hours=1)) if t.reopened else None,
                        "resolved_at": z(resolved),
                        "closed_at": z(resolved + timedelta(days=2)),
                        "pending_since": None,
                    },
                }
            )
    (out / "freshdesk_tickets.json").write_text(json.dumps(tickets, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent)
