"""The tools' export formats a source config can name (``format:``): for each, its files, the
kinds it feeds, the option defaults it lays under the user's (standard columns, code lists,
missing codes), the personal columns it drops, and where each contract field comes from.
The readers that know each layout are in ``tpnb.ingest.exports``; docs/contract.md lists these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# The labels of the usual five-step satisfaction scales, in English and German.
SATISFACTION_LABELS = {
    "very dissatisfied": "1",
    "dissatisfied": "2",
    "neither satisfied nor dissatisfied": "3",
    "neutral": "3",
    "satisfied": "4",
    "very satisfied": "5",
    "sehr unzufrieden": "1",
    "unzufrieden": "2",
    "eher unzufrieden": "2",
    "weder zufrieden noch unzufrieden": "3",
    "weder noch": "3",
    "teils/teils": "3",
    "eher zufrieden": "4",
    "zufrieden": "4",
    "sehr zufrieden": "5",
}


SATISFACTION = {"tp_*": SATISFACTION_LABELS}
CHANNELS_ZENDESK = {
    "web": "web",
    "web_form": "web",
    "web_widget": "web",
    "voice": "phone",
    "phone": "phone",
    "chat": "chat",
    "native_messaging": "chat",
    "messaging": "chat",
    "whatsapp": "chat",
    "api": "other",
    "mobile": "portal",
    "mobile_sdk": "portal",
    "sms": "sms",
    "twitter": "social",
    "facebook": "social",
    "instagram_dm": "social",
    "closed_ticket": "other",
    "sample_ticket": "other",
    "any_channel": "other",
}
# Freshdesk's source codes (API) and labels (CSV export).
CHANNELS_FRESHDESK = {
    "1": "email",
    "2": "portal",
    "3": "phone",
    "7": "chat",
    "9": "web",
    "10": "email",
    "email": "email",
    "portal": "portal",
    "phone": "phone",
    "chat": "chat",
    "feedback widget": "web",
    "outbound email": "email",
    "mobihelp": "portal",
}
CHANNELS_SALESFORCE = {"email": "email", "phone": "phone", "web": "web", "chat": "chat", "social": "social"}


@dataclass(frozen=True)
class Format:
    """One tool's export: its files, its defaults per kind (option entries laid under the user's),
    the personal columns it drops, and where each contract field comes from (``fields``)."""

    name: str
    tool: str
    suffixes: tuple[str, ...]
    defaults: dict[str, dict[str, Any]]  # kind -> option entries laid under the user's
    personal: tuple[str, ...] = ()
    fields: dict[str, str] = field(default_factory=dict)


FORMATS: dict[str, Format] = {
    p.name: p
    for p in (
        Format(
            "qualtrics",
            "Qualtrics",
            (".csv",),
            {"surveys": {"rename": {"ResponseId": "response_id"}}},
            personal=("recipient*", "ipaddress", "location*"),
            fields={
                "response_id": "ResponseId",
                "answered_at": "RecordedDate (EndDate where empty)",
                "customer_id": "ExternalReference; a response from an anonymous link is its own customer (ResponseId)",
                "header": "row 1 (column ids); the question-text row and the ImportId row are skipped",
                "dropped": "RecipientLastName, RecipientFirstName, RecipientEmail, IPAddress, LocationLatitude, "
                "LocationLongitude",
            },
        ),
        Format(
            "surveymonkey",
            "SurveyMonkey",
            (".csv",),
            {
                "surveys": {
                    "rename": {"Respondent ID": "response_id", "End Date": "answered_at"},
                    "date_format": "%m/%d/%Y %I:%M:%S %p",
                    "recode": SATISFACTION,
                }
            },
            personal=("email address", "first name", "last name", "ip address"),
            fields={
                "response_id": "Respondent ID",
                "answered_at": "End Date (MM/DD/YYYY hh:mm:ss AM)",
                "customer_id": "Custom Data 1, else Respondent ID",
                "header": "two rows: the question text (over its first column) and the option or row label; "
                "a column is named 'question' or, for a matrix row, 'question - row'",
                "tp_*": "satisfaction labels (Very dissatisfied ... Very satisfied, German too) read as 1-5",
                "dropped": "Email Address, First Name, Last Name, IP Address",
            },
        ),
        Format(
            "limesurvey",
            "LimeSurvey",
            (".csv",),
            {
                "surveys": {
                    "rename": {"id": "response_id"},
                    "recode": SATISFACTION,
                    "missing": {"repurchase_intent": ["vielleicht", "maybe", "unentschlossen"]},
                }
            },
            personal=("ipaddr", "refurl", "email", "firstname", "lastname"),
            fields={
                "response_id": "id",
                "answered_at": "submitdate (datestamp for an incomplete response)",
                "customer_id": "token, else id",
                "nps": "k.A., keine Antwort, weiß nicht: missing (the row is kept)",
                "repurchase_intent": "Vielleicht: missing (recode it to a number to count it otherwise)",
                "tp_*": "German and English satisfaction labels read as 1-5",
                "dropped": "ipaddr, refurl, email, firstname, lastname",
            },
        ),
        Format(
            "spss",
            "SPSS",
            (".sav", ".zsav", ".por"),
            {"surveys": {}, "customers": {}, "observations": {}},
            fields={
                "labels": "value labels are stored where the contract wants text, codes where it wants numbers "
                "(nps, tp_*, crit_*; repurchase_intent by label when its labels are yes/no)",
                "missing": "user-missing codes (9 = weiß nicht) are missing in their column",
                "line": "the case number",
            },
        ),
        Format(
            "zendesk",
            "Zendesk",
            (".json",),
            {"contacts": {"recode": {"channel": CHANNELS_ZENDESK}}, "customers": {}},
            fields={
                "contact_id": "tickets[].id",
                "customer_id": "requester_id (customers: users[].id, account_id organization_id)",
                "opened_at": "created_at",
                "channel": "via.channel (voice = phone, web_form = web, native_messaging = chat, ...)",
                "department": "the group's name (groups sideloaded), else group_id",
                "contact_type": "complaint when type or a tag is on the complaint list; question = inquiry",
                "first_response_at": "created_at + metric_sets.reply_time_in_minutes.calendar",
                "resolved_at": "metric_sets.solved_at, else created_at + full_resolution_time_in_minutes.calendar",
                "handoffs": "the larger of assignee_stations and group_stations, minus 1",
                "reopened": "metric_sets.reopens > 0",
                "dropped": "requester e-mail and names are never read (users: id and organization_id only)",
            },
        ),
        Format(
            "freshdesk",
            "Freshdesk",
            (".json", ".csv"),
            {
                "contacts": {
                    "rename": {
                        "source": "channel",
                        "Ticket ID": "contact_id",
                        "Contact ID": "customer_id",
                        "Created time": "opened_at",
                        "Group": "department",
                        "Initial response time": "first_response_at",
                        "Subject": "subject",
                    },
                    "recode": {"channel": CHANNELS_FRESHDESK},
                },
                "customers": {},
            },
            personal=("full name", "email", "work phone", "mobile phone", "phone", "twitter id"),
            fields={
                "contact_id": "id / Ticket ID",
                "customer_id": "requester_id / Contact ID (customers: account_id company_id / Company Name)",
                "opened_at": "created_at / Created time",
                "channel": "source: 1 e-mail, 2 portal, 3 phone, 7 chat, 9 feedback widget (web), 10 outbound e-mail",
                "department": "group_id / Group",
                "contact_type": "complaint when type or a tag is on the complaint list; Question = inquiry",
                "first_response_at": "stats.first_responded_at / Initial response time",
                "resolved_at": "stats.resolved_at (closed_at) / Resolved time (Closed time)",
                "reopened": "stats.reopened_at set (JSON only)",
                "not mapped": "status, priority, due_by and fr_due_by (the contract sets targets, not SLAs)",
            },
        ),
        Format(
            "salesforce_case",
            "Salesforce Service Cloud",
            (".csv",),
            {
                "contacts": {
                    "rename": {
                        "CaseNumber": "contact_id",
                        "CreatedDate": "opened_at",
                        "Origin": "channel",
                        "Subject": "subject",
                    },
                    "recode": {"channel": CHANNELS_SALESFORCE},
                },
                "customers": {},
            },
            personal=("suppliedemail", "suppliedname", "suppliedphone", "contactemail", "contactphone"),
            fields={
                "contact_id": "CaseNumber",
                "customer_id": "ContactId, else AccountId (customers: ContactId with AccountId)",
                "opened_at": "CreatedDate",
                "channel": "Origin",
                "contact_type": "complaint when Type or Reason is on the complaint list; Question = inquiry",
                "resolved_at": "ClosedDate where IsClosed",
                "not mapped": "Priority, IsEscalated; a follow-up case (ParentId) counts as a contact of its own",
            },
        ),
        Format(
            "call_records",
            "call records",
            (".csv",),
            {"contacts": {}, "customers": {}},
            personal=("caller*", "ani", "calling_number", "phone*"),
            fields={
                "contact_id": "call_id (one contact per call)",
                "customer_id": "customer_id of the call's legs",
                "opened_at": "the first leg's leg_started_at",
                "channel": "phone",
                "department": "the first leg's queue",
                "wait_seconds": "queue_wait_seconds summed over the legs",
                "handoffs": "legs after the first",
                "first_response_at": "the first leg's start + its queue wait",
                "resolved_at": "the last leg's start + its wait, hold and talk",
                "dropped": "caller number (caller*, ani, phone*)",
            },
        ),
    )
}


def describe_format(name: str) -> str:
    """One format in plain text: its tool, files, kinds and where each contract field comes from."""
    fmt = FORMATS.get(name)
    if fmt is None:
        raise ValueError(f"unknown format '{name}'; known: {', '.join(FORMATS)}")
    lines = [
        f"{fmt.name}: {fmt.tool} export ({', '.join(fmt.suffixes)}), for kind(s) {', '.join(fmt.defaults)}",
        "",
    ]
    lines += [f"  {column:<20} {source}" for column, source in fmt.fields.items()]
    if fmt.personal:
        lines += ["", f"  personal columns dropped at load: {', '.join(fmt.personal)}"]
    return "\n".join(lines)


def formats_markdown() -> list[str]:
    """The formats as Markdown lines (docs/contract.md): each tool, its kinds and its field mapping."""
    out = [
        "## Tools' exports (`format:`)",
        "",
        "A source with `format: NAME` is read in its tool's layout; `rename` then maps only your own",
        "question ids and fields. Any other tool: `header_rows:` (the first row names the columns,",
        "the others are skipped), `skip_rows:` (lines before the header), `drop:` (columns never",
        "loaded), `missing:` (codes that mean missing, per column), `not_applicable:` (a list, or",
        "per column), `recode:` (a column name or a glob such as `tp_*`). Examples: `examples/<format>/`.",
        "",
    ]
    for fmt in FORMATS.values():
        out += [
            f"### {fmt.name}",
            "",
            f"{fmt.tool}: {', '.join(fmt.suffixes)} files, for kind(s) {', '.join(f'`{k}`' for k in fmt.defaults)}.",
            "",
            "| field | from the export |",
            "| --- | --- |",
        ]
        out += [f"| `{column}` | {source.replace('|', '/')} |" for column, source in fmt.fields.items()]
        if fmt.personal:
            out.append(f"| dropped at load | {', '.join(f'`{c}`' for c in fmt.personal)} |")
        out.append("")
    return out
