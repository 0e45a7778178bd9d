"""Ticket systems' and contact centres' exports: Zendesk, Freshdesk, Salesforce Cases, call records.

Each reader derives the contact fields the export carries only indirectly (first response
from a reply time, handoffs from stations, reopened from reopens, complaint from a type or
tag list) and, for ``kind: customers``, the persons and accounts the export names.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tpnb.ingest.errors import RejectedFile
from tpnb.ingest.exports.table import Table, dig, read_csv_table, read_json, records_table, require
from tpnb.ingest.options import SourceOptions


def _time(text: Any) -> datetime | None:
    """An ISO time as the tools write it (2026-03-02T08:15:00Z, ...+01:00, 2026-03-02 08:15:00)."""
    if not text:
        return None
    try:
        return datetime.fromisoformat(str(text).strip().replace(" ", "T", 1))
    except ValueError:
        return None


def _plus_minutes(start: Any, minutes: Any) -> str | None:
    opened = _time(start)
    if opened is None or minutes is None:
        return None
    return (opened + timedelta(minutes=float(minutes))).isoformat()


def _contact_type(kind_value: Any, tags: Any, options: SourceOptions) -> str | None:
    """complaint when the type or a tag is on the complaint list; a question is an inquiry; else other."""
    marks = {m.strip().lower() for m in options.complaint}
    words = [str(t).strip().lower() for t in (tags or []) if t] if isinstance(tags, list) else []
    words += [w.strip().lower() for w in str(tags or "").replace(";", ",").split(",")] if isinstance(tags, str) else []
    value = str(kind_value or "").strip().lower()
    if value in marks or marks.intersection(words):
        return "complaint"
    if not value:
        return None
    return "inquiry" if value in ("question", "frage", "inquiry", "anfrage") else "other"


def _unique(table: Table, key: str) -> Table:
    """One row per value of ``key`` (its first line): a customer named by many tickets."""
    seen: set[str] = set()
    keep = []
    for i, value in enumerate(table.columns[key]):
        if value is not None and value not in seen:
            seen.add(value)
            keep.append(i)
    table.columns = {name: [values[i] for i in keep] for name, values in table.columns.items()}
    table.lines = [table.lines[i] for i in keep]
    return table


def _records(path: Path, data: Any, key: str, tool: str) -> list[dict]:
    records = data.get(key) if isinstance(data, dict) else data
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise RejectedFile(f"{path.name}: not a {tool} export as expected: no list of '{key}' found")
    return records


# --- Zendesk ---------------------------------------------------------------------


def read_zendesk(path: Path, kind: str, options: SourceOptions) -> Table:
    """Zendesk's incremental ticket export (JSON) with sideloaded metric_sets (and users, groups)."""
    data = read_json(path)
    if kind == "customers":
        users = _records(path, data, "users", "Zendesk (with users sideloaded)")
        return _unique(records_table(users, {"customer_id": "id", "account_id": "organization_id"}), "customer_id")
    tickets = _records(path, data, "tickets", "Zendesk ticket")
    if tickets and "requester_id" not in tickets[0]:
        raise RejectedFile(f"{path.name}: not a Zendesk ticket export as expected: tickets have no 'requester_id'")
    metrics = {m.get("ticket_id"): m for m in (data.get("metric_sets") or []) if isinstance(m, dict)}
    groups = {g.get("id"): g.get("name") for g in (data.get("groups") or []) if isinstance(g, dict)}

    def metric(ticket: dict, path_: str) -> Any:
        return dig(metrics.get(ticket.get("id"), {}), path_)

    def handoffs(ticket: dict) -> int | None:
        stations = [metric(ticket, "assignee_stations"), metric(ticket, "group_stations")]
        stations = [int(s) for s in stations if s is not None]
        return max(0, max(stations) - 1) if stations else None

    def resolved(ticket: dict) -> Any:
        return metric(ticket, "solved_at") or _plus_minutes(
            ticket.get("created_at"), metric(ticket, "full_resolution_time_in_minutes.calendar")
        )

    def reopened(ticket: dict) -> Any:
        count = metric(ticket, "reopens")
        return None if count is None else ("yes" if int(count) > 0 else "no")

    return records_table(
        tickets,
        {
            "contact_id": "id",
            "customer_id": "requester_id",
            "opened_at": "created_at",
            "channel": "via.channel",
            "department": lambda t: groups.get(t.get("group_id"), t.get("group_id")),
            "contact_type": lambda t: _contact_type(t.get("type"), t.get("tags"), options),
            "first_response_at": lambda t: _plus_minutes(
                t.get("created_at"), metric(t, "reply_time_in_minutes.calendar")
            ),
            "resolved_at": resolved,
            "handoffs": handoffs,
            "reopened": reopened,
            "subject": "subject",
        },
    )


# --- Freshdesk -------------------------------------------------------------------


def read_freshdesk(path: Path, kind: str, options: SourceOptions) -> Table:
    """Freshdesk tickets: the API's JSON (numeric status, priority and source codes, stats) or the CSV export."""
    if path.suffix.lower() == ".json":
        tickets = _records(path, read_json(path), "tickets", "Freshdesk ticket")
        if kind == "customers":
            return _unique(
                records_table(tickets, {"customer_id": "requester_id", "account_id": "company_id"}), "customer_id"
            )
        return records_table(
            tickets,
            {
                "contact_id": "id",
                "customer_id": "requester_id",
                "opened_at": "created_at",
                "source": "source",
                "department": "group_id",
                "contact_type": lambda t: _contact_type(t.get("type"), t.get("tags"), options),
                "first_response_at": "stats.first_responded_at",
                "resolved_at": lambda t: dig(t, "stats.resolved_at") or dig(t, "stats.closed_at"),
                "reopened": lambda t: None if "stats" not in t else ("yes" if dig(t, "stats.reopened_at") else "no"),
                "subject": "subject",
            },
        )
    table, _ = read_csv_table(path, options)
    require(table, path, "Freshdesk", "Ticket ID", "Created time", "Source")
    if kind == "customers":
        table.put("customer_id", table.values("Contact ID"))
        table.put("account_id", table.values("Company Name"))
        return _unique(
            Table({k: table.columns[k] for k in ("customer_id", "account_id")}, table.lines, dropped=table.dropped),
            "customer_id",
        )
    table.put(
        "contact_type",
        [_contact_type(t, g, options) for t, g in zip(table.values("Type"), table.values("Tags"), strict=True)],
    )
    table.put(
        "resolved_at", [a or b for a, b in zip(table.values("Resolved time"), table.values("Closed time"), strict=True)]
    )
    return table


# --- Salesforce Service Cloud ----------------------------------------------------


def read_salesforce_case(path: Path, kind: str, options: SourceOptions) -> Table:
    """Salesforce Case records as Data Loader or a report writes them (API field names)."""
    table, _ = read_csv_table(path, options)
    require(table, path, "Salesforce Case", "CaseNumber", "CreatedDate", "Origin")
    contact, account = table.values("ContactId"), table.values("AccountId")
    if kind == "customers":
        return _unique(
            Table({"customer_id": contact, "account_id": account}, table.lines, dropped=table.dropped), "customer_id"
        )
    # a case without a contact is its account's
    table.put("customer_id", [c or a for c, a in zip(contact, account, strict=True)])
    kinds = [
        _contact_type(t, r if (r or "").strip().lower() in {m.lower() for m in options.complaint} else None, options)
        for t, r in zip(table.values("Type"), table.values("Reason"), strict=True)
    ]
    table.put("contact_type", kinds)
    closed = [str(v or "").strip().lower() == "true" for v in table.values("IsClosed")]
    table.put("resolved_at", [d if c else None for d, c in zip(table.values("ClosedDate"), closed, strict=True)])
    return table


# --- Call records ----------------------------------------------------------------

CALL_COLUMNS = {
    "call_id": ("call_id", "Call ID", "CallId", "Interaction ID"),
    "started_at": ("leg_started_at", "started_at", "Start Time", "Segment Start"),
    "customer_id": ("customer_id", "Customer ID", "Account Number"),
    "queue": ("queue", "Queue", "Skill", "Split"),
    "wait": ("queue_wait_seconds", "wait_seconds", "Queue Time", "Wait Time"),
    "talk": ("talk_seconds", "Talk Time"),
    "hold": ("hold_seconds", "Hold Time"),
}


def read_call_records(path: Path, kind: str, options: SourceOptions) -> Table:
    """A contact centre's call records, one row per call leg: one contact per call, with the
    queue wait summed, a handoff per leg after the first, answered after the first leg's wait,
    ended after the last leg's wait, hold and talk. A leg with a bad time or duration sets
    its whole call aside (each leg's line quarantined)."""
    table, _ = read_csv_table(path, options)
    found = {key: table.find(*names) for key, names in CALL_COLUMNS.items()}
    need = [names[0] for key, names in CALL_COLUMNS.items() if found[key] is None and key in ("call_id", "started_at")]
    if need:
        require(table, path, "call records", *need)
    legs: dict[str, list[int]] = {}
    for i, call in enumerate(table.columns[found["call_id"]]):
        legs.setdefault(call or f"(no call id, line {table.lines[i]})", []).append(i)
    out: dict[str, list[Any]] = {k: [] for k in CALL_FIELDS}
    lines, rejects = [], list(table.rejects)
    for call, rows in legs.items():
        try:
            contact = _call(table, found, call, rows)
        except ValueError as exc:
            rejects += [(table.lines[i], f"call {call}: {exc}", None) for i in rows]
            continue
        for key in CALL_FIELDS:
            out[key].append(contact.get(key))
        lines.append(table.lines[rows[0]])
    if kind == "customers":
        return _unique(Table({"customer_id": out["customer_id"]}, lines, rejects, table.dropped), "customer_id")
    result = Table({}, lines, rejects, table.dropped)
    for key in CALL_FIELDS:
        result.put(key, out[key])
    return result


CALL_FIELDS = (
    "contact_id",
    "customer_id",
    "opened_at",
    "channel",
    "department",
    "wait_seconds",
    "handoffs",
    "first_response_at",
    "resolved_at",
)


def _seconds(table: Table, found: dict, key: str, i: int) -> float:
    if found[key] is None:
        return 0.0
    text = (table.columns[found[key]][i] or "0").strip().replace(",", ".")
    try:
        if ":" in text:  # hh:mm:ss
            parts = [float(p) for p in text.split(":")]
            return sum(p * 60**k for k, p in enumerate(reversed(parts)))
        value = float(text)
    except ValueError:
        raise ValueError(f"{found[key]} '{text}' is not a duration (line {table.lines[i]})") from None
    if value < 0 or value != value:
        raise ValueError(f"{found[key]} '{text}' is not a duration (line {table.lines[i]})")
    return value


def _call(table: Table, found: dict, call: str, rows: list[int]) -> dict[str, Any]:
    legs = []
    for i in rows:
        text = table.columns[found["started_at"]][i]
        started = _time(text)
        if started is None:
            raise ValueError(f"{found['started_at']} '{text}' is not a date/time (line {table.lines[i]})")
        legs.append((started, i))
    legs.sort()
    first, last = legs[0], legs[-1]
    waits = [_seconds(table, found, "wait", i) for _, i in legs]
    end = last[0] + timedelta(
        seconds=waits[-1] + _seconds(table, found, "hold", last[1]) + _seconds(table, found, "talk", last[1])
    )
    customers = [table.columns[found["customer_id"]][i] for _, i in legs] if found["customer_id"] else []
    return {
        "contact_id": call,
        "customer_id": next((c for c in customers if c), None),
        "opened_at": first[0].isoformat(),
        "channel": "phone",
        "department": table.columns[found["queue"]][first[1]] if found["queue"] else None,
        "wait_seconds": f"{sum(waits):g}",
        "handoffs": len(legs) - 1,
        "first_response_at": (first[0] + timedelta(seconds=waits[0])).isoformat(),
        "resolved_at": end.isoformat(),
    }
