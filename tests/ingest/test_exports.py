"""Tools' exports loaded with one `format:` line: every example in examples/<tool>/, made by its
script, loads without a header or label row quarantined, maps the standard fields as documented,
keeps no personal data, and a broken variant of each gives a clear message."""

from __future__ import annotations

import csv
import json
import runpy
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO
from tpnb.ingest import ConfigError, RejectedFile, ingest_file, ingest_sources, load_sources
from tpnb.ingest.options import options_from_mapping

EXAMPLES = REPO / "examples"
PRESETS = (
    "qualtrics",
    "surveymonkey",
    "limesurvey",
    "spss",
    "zendesk",
    "freshdesk",
    "salesforce_case",
    "call_records",
)
# What each example's personal columns hold: none of it may reach the database.
PERSONAL = ("@example.com", "192.0.2.", "198.51.100.", "203.0.113.", "+49 30", "Muster", "Beispiel")


def make_example(tool: str, folder: Path) -> Path:
    """The example's export written by its own script into ``folder``, beside its sources.yaml."""
    folder.mkdir(parents=True, exist_ok=True)
    runpy.run_path(str(EXAMPLES / tool / "make_export.py"), run_name="make_export")["main"](folder)
    shutil.copy(EXAMPLES / tool / "sources.yaml", folder / "sources.yaml")
    return folder / "sources.yaml"


def load(config: Path, db: Path):
    con = duckdb.connect(str(db))
    return con, ingest_sources(con, load_sources(config))


def database_text(con) -> str:
    tables = [r[0] for r in con.sql("select table_name from duckdb_tables() where schema_name = 'main'").fetchall()]
    return "\n".join(str(con.sql(f'select * from "{t}"').fetchall()) for t in tables)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """Every example made and loaded once: tool -> (connection, results, folder)."""
    out = {}
    for tool in PRESETS:
        folder = tmp_path_factory.mktemp(tool)
        con, results = load(make_example(tool, folder), folder / "db.duckdb")
        out[tool] = (con, results, folder)
    yield out
    for con, *_ in out.values():
        con.close()


@pytest.mark.parametrize("tool", PRESETS)
def test_the_example_loads_whole_without_personal_data(loaded, tool):
    con, results, _ = loaded[tool]
    assert [r.status for r in results] == ["loaded"] * len(results)
    assert sum(r.rows_quarantined for r in results) == 0  # no header, label or code row quarantined
    assert con.sql("select count(*) from meta_quarantine").fetchall() == [(0,)]
    text = database_text(con)
    leaked = [p for p in PERSONAL if p in text]
    assert not leaked, f"personal data in the database: {leaked}"


@pytest.mark.parametrize("tool", [t for t in PRESETS if t != "spss"])
def test_the_committed_example_is_what_its_script_makes(loaded, tool):
    _, _, folder = loaded[tool]
    committed = sorted(p.name for p in (EXAMPLES / tool).iterdir() if p.suffix in (".csv", ".json"))
    assert committed, f"examples/{tool} holds no export"
    for name in committed:
        assert (EXAMPLES / tool / name).read_bytes() == (folder / name).read_bytes(), name


def rows(con, sql: str) -> list[tuple]:
    return con.sql(sql).fetchall()


def test_qualtrics_maps_its_standard_columns(loaded):
    con, results, folder = loaded["qualtrics"]
    assert results[1].personal_columns == [
        "IPAddress",
        "RecipientLastName",
        "RecipientFirstName",
        "RecipientEmail",
        "LocationLatitude",
        "LocationLongitude",
    ]
    data = list(csv.reader((folder / "qualtrics_export.csv").open(encoding="utf-8-sig")))
    header, first = data[0], data[3]
    stored = rows(
        con,
        "select response_id, customer_id, answered_at, nps from raw_surveys where response_id = $id".replace(
            "$id", "'" + first[header.index("ResponseId")] + "'"
        ),
    )
    assert stored == [
        (
            first[header.index("ResponseId")],
            first[header.index("ExternalReference")],
            datetime.fromisoformat(first[header.index("RecordedDate")]),
            int(first[header.index("Q1")]),
        )
    ]
    anonymous = sum(1 for r in data[3:] if not r[header.index("ExternalReference")])
    assert anonymous > 0
    assert rows(con, "select count(*) from raw_surveys where customer_id = response_id") == [(anonymous,)]


def test_qualtrics_legacy_export_with_two_header_rows(tmp_path):
    lines = (EXAMPLES / "qualtrics" / "qualtrics_export.csv").read_text(encoding="utf-8-sig").splitlines(True)
    legacy = tmp_path / "legacy.csv"
    legacy.write_text("".join(lines[:2] + lines[3:23]), encoding="utf-8")
    con = duckdb.connect()
    result = ingest_file(
        con,
        "surveys",
        legacy,
        options_from_mapping({"kind": "surveys", "format": "qualtrics", "rename": {"Q1": "nps", "Q2_1": "tp_a"}}, "t"),
    )
    assert (result.rows_loaded, result.rows_quarantined) == (20, 0)


def test_surveymonkey_names_columns_by_question_and_row_and_reads_labels(loaded):
    con, _, folder = loaded["surveymonkey"]
    data = list(csv.reader((folder / "surveymonkey_export.csv").open(encoding="utf-8")))
    delivery = data[1].index("Delivery")
    labels = [r[delivery] for r in data[2:]]
    scale = ["Very dissatisfied", "Dissatisfied", "Neither satisfied nor dissatisfied", "Satisfied", "Very satisfied"]
    expected = sorted(scale.index(v) + 1 for v in labels if v != "N/A")
    stored = rows(
        con,
        "select r.rating from raw_surveys, unnest(ratings) as t(r) where r.touchpoint_id = 'delivery' and r.experienced",
    )
    assert sorted(int(r[0]) for r in stored) == expected
    first = data[2]
    assert rows(con, f"select answered_at from raw_surveys where response_id = '{first[0]}'") == [
        (datetime.strptime(first[3], "%m/%d/%Y %I:%M:%S %p"),)
    ]


def test_limesurvey_dont_know_and_maybe_are_missing_in_their_column_only(loaded):
    con, _, folder = loaded["limesurvey"]
    data = list(csv.reader((folder / "limesurvey_export.csv").open(encoding="cp1252"), delimiter=";"))
    header, body = data[0], data[1:]
    ka = sum(1 for r in body if r[header.index("NPS")] == "k.A.")
    maybe = sum(1 for r in body if r[header.index("WK")] == "Vielleicht")
    incomplete = [r for r in body if not r[header.index("submitdate")]]
    assert ka and maybe and incomplete
    assert rows(con, "select count(*), count(nps), count(repurchase_intent) from raw_surveys") == [
        (len(body), len(body) - ka, len(body) - maybe)
    ]
    r = incomplete[0]
    assert rows(con, f"select answered_at from raw_surveys where response_id = '{r[0]}'") == [
        (datetime.fromisoformat(r[header.index("datestamp")]),)
    ]
    assert rows(con, "select count(*) from raw_surveys where comment like '%spät%'")[0][0] > 0  # cp1252 read right


def test_spss_labels_where_text_codes_where_numbers_and_user_missing(loaded, tmp_path):
    con, _, folder = loaded["spss"]
    import pyreadstat

    frame, meta = pyreadstat.read_sav(str(folder / "befragung.sav"), user_missing=True)
    user_missing = int((frame["f1"] == 99).sum())
    assert user_missing > 0
    assert rows(con, "select count(*) - count(nps) from raw_surveys") == [(user_missing,)]
    assert {r[0] for r in rows(con, "select distinct segment from raw_surveys")} == {"Industrie", "Handel", "Handwerk"}
    regions = rows(
        con, "select distinct a.value_text from raw_surveys, unnest(attributes) as t(a) where a.name = 'region'"
    )
    assert {r[0] for r in regions} == {"Nord", "Ost", "Süd", "West"}
    yes = int((frame["f3"] == 1).sum())
    assert rows(con, "select sum(repurchase_intent)::int, count(repurchase_intent) from raw_surveys") == [
        (yes, len(frame))
    ]
    nine = int((frame["f2_3"] == 9).sum())
    assert rows(
        con,
        "select count(*) from raw_surveys, unnest(ratings) as t(r) where r.touchpoint_id = 'delivery' and not r.experienced",
    ) == [(nine,)]
    # the same file as .zsav and .por
    data, meta = pyreadstat.read_sav(str(folder / "befragung.sav"), user_missing=True)
    pyreadstat.write_sav(
        data,
        tmp_path / "b.zsav",
        compress=True,
        variable_value_labels=meta.variable_value_labels,
        missing_ranges=meta.missing_ranges,
    )
    pyreadstat.write_por(data.drop(columns=["datum"]), tmp_path / "b.por")
    entry = {
        "kind": "surveys",
        "format": "spss",
        "rename": {"lfdn": "response_id", "kdnr": "customer_id", "f1": "nps", "f2_1": "tp_a"},
        "derive": {"answered_at": {"value": "2026-05-01"}},
    }
    options = options_from_mapping(entry, "t")
    # a portable file carries no user-missing declarations: the config names the codes
    por = options_from_mapping({**entry, "missing": {"nps": ["99"], "tp_*": ["9"]}}, "t")
    for name, opts in (("b.zsav", options), ("b.por", por)):
        result = ingest_file(duckdb.connect(), "surveys", tmp_path / name, opts)
        assert (result.rows_loaded, result.rows_quarantined) == (len(frame), 0), name


def test_zendesk_derives_response_handoffs_reopens_and_complaints(loaded):
    con, results, folder = loaded["zendesk"]
    doc = json.loads((folder / "zendesk_tickets.json").read_text(encoding="utf-8"))
    ticket, metric = doc["tickets"][0], doc["metric_sets"][0]
    opened = datetime.fromisoformat(ticket["created_at"]).replace(tzinfo=None)
    stored = rows(
        con,
        f"select opened_at, first_response_at, handoffs, reopened, channel, department from raw_contacts where contact_id = '{ticket['id']}'",
    )
    assert stored == [
        (
            opened,
            opened + timedelta(minutes=metric["reply_time_in_minutes"]["calendar"]),
            max(metric["assignee_stations"], metric["group_stations"]) - 1,
            metric["reopens"] > 0,
            {"voice": "phone", "native_messaging": "chat"}.get(ticket["via"]["channel"], ticket["via"]["channel"]),
            next(g["name"] for g in doc["groups"] if g["id"] == ticket["group_id"]),
        )
    ]
    complaints = sum(1 for t in doc["tickets"] if "beschwerde" in t["tags"])
    assert rows(con, "select count(*) from raw_contacts where contact_type = 'complaint'") == [(complaints,)]
    assert rows(con, "select count(*), count(account_id) from raw_customers") == [(len(doc["users"]),) * 2]


def test_freshdesk_codes_and_its_csv_export(loaded, tmp_path):
    con, _, folder = loaded["freshdesk"]
    tickets = json.loads((folder / "freshdesk_tickets.json").read_text(encoding="utf-8"))
    codes = {1: "email", 2: "portal", 3: "phone", 7: "chat"}
    by_channel = {}
    for t in tickets:
        by_channel[codes[t["source"]]] = by_channel.get(codes[t["source"]], 0) + 1
    assert dict(rows(con, "select channel, count(*) from raw_contacts group by 1")) == by_channel
    reopened = sum(1 for t in tickets if t["stats"]["reopened_at"])
    assert rows(con, "select count(*) filter (where reopened) from raw_contacts") == [(reopened,)]
    path = tmp_path / "tickets.csv"
    path.write_text(
        "Ticket ID,Subject,Status,Priority,Source,Type,Group,Created time,Resolved time,Closed time,"
        "Initial response time,Tags,Full name,Email,Contact ID\n"
        "11,Frage,Closed,Low,Email,Question,Vertrieb,2026-05-04 09:00:00,2026-05-05 10:00:00,,2026-05-04 11:00:00,,"
        "Erika Muster,erika@example.com,C1\n"
        "12,Kaputt,Resolved,High,Feedback Widget,Incident,Technik,2026-05-04 09:30:00,,2026-05-06 10:00:00,,reklamation,"
        "Max Probe,max@example.com,C2\n"
        "13,Fax,Open,Low,Pigeon,Question,Technik,2026-05-04 09:30:00,,,,,Max Probe,max@example.com,C2\n",
        encoding="utf-8",
    )
    db = duckdb.connect()
    result = ingest_file(db, "contacts", path, options_from_mapping({"kind": "contacts", "format": "freshdesk"}, "t"))
    assert (result.rows_loaded, result.rows_quarantined) == (2, 1)  # an unknown source code: its row, with the reason
    assert rows(db, 'select "column", value, reason from meta_quarantine') == [
        ("channel", "Pigeon", "not one of: phone, email, letter, fax, sms, web, chat, portal, social, visit, other")
    ]
    assert rows(db, "select contact_id, channel, contact_type, resolved_at from raw_contacts order by 1") == [
        ("11", "email", "inquiry", datetime(2026, 5, 5, 10)),
        ("12", "web", "complaint", datetime(2026, 5, 6, 10)),
    ]
    assert "erika" not in database_text(db).lower()


def test_salesforce_cases_closed_only_when_closed_and_complaints_from_reason(loaded):
    con, _, folder = loaded["salesforce_case"]
    data = list(csv.DictReader((folder / "salesforce_cases.csv").open(encoding="utf-8")))
    open_cases = sum(1 for r in data if r["IsClosed"] == "false")
    complaints = sum(1 for r in data if r["Reason"] == "Complaint")
    assert open_cases and complaints
    assert rows(
        con,
        "select count(*) - count(resolved_at), count(*) filter (where contact_type = 'complaint') from raw_contacts",
    ) == [(open_cases, complaints)]
    assert rows(con, "select count(*) from raw_customers") == [(len({r["ContactId"] for r in data}),)]


def test_call_records_one_contact_per_call(loaded):
    con, _, folder = loaded["call_records"]
    legs = list(csv.DictReader((folder / "call_records.csv").open(encoding="utf-8")))
    calls: dict[str, list[dict]] = {}
    for leg in legs:
        calls.setdefault(leg["call_id"], []).append(leg)
    some = next(c for c in calls.values() if len(c) > 2)
    stored = rows(
        con,
        f"select wait_seconds, handoffs, opened_at, channel from raw_contacts where contact_id = '{some[0]['call_id']}'",
    )
    assert stored == [
        (
            float(sum(int(x["queue_wait_seconds"]) for x in some)),
            len(some) - 1,
            datetime.fromisoformat(some[0]["leg_started_at"]),
            "phone",
        )
    ]
    assert rows(con, "select count(*) from raw_contacts") == [(len(calls),)]


# --- broken exports ------------------------------------------------------------------


BROKEN_MISSING = {
    "qualtrics": ("qualtrics_export.csv", "ResponseId", "Qualtrics"),
    "surveymonkey": ("surveymonkey_export.csv", "Respondent ID", "SurveyMonkey"),
    "limesurvey": ("limesurvey_export.csv", "submitdate", "LimeSurvey"),
    "salesforce_case": ("salesforce_cases.csv", "CaseNumber", "Salesforce Case"),
    "call_records": ("call_records.csv", "call_id", "call records"),
}


@pytest.mark.parametrize("tool", sorted(BROKEN_MISSING))
def test_a_missing_standard_column_names_the_tool_and_the_column(loaded, tool, tmp_path):
    _, _, folder = loaded[tool]
    name, column, label = BROKEN_MISSING[tool]
    encoding = "cp1252" if tool == "limesurvey" else "utf-8-sig"
    text = (folder / name).read_text(encoding=encoding)
    first, rest = text.split("\n", 1)
    (tmp_path / name).write_text(first.replace(column, "something_else", 1) + "\n" + rest, encoding=encoding)
    entry = {"kind": "surveys" if tool in ("qualtrics", "surveymonkey", "limesurvey") else "contacts", "format": tool}
    with pytest.raises(RejectedFile, match=f"not a {label} export as expected: standard column '{column}' not found"):
        ingest_file(duckdb.connect(), entry["kind"], tmp_path / name, options_from_mapping(entry, "t"))


@pytest.mark.parametrize("tool,name", [("zendesk", "zendesk_tickets.json"), ("freshdesk", "freshdesk_tickets.json")])
def test_a_truncated_json_export_says_it_ends_too_early(loaded, tool, name, tmp_path):
    _, _, folder = loaded[tool]
    text = (folder / name).read_text(encoding="utf-8")
    (tmp_path / name).write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(RejectedFile, match=r"not valid JSON at line \d+, column \d+: .*the file ends too early"):
        ingest_file(
            duckdb.connect(),
            "contacts",
            tmp_path / name,
            options_from_mapping({"kind": "contacts", "format": tool}, "t"),
        )


def test_a_truncated_csv_export_quarantines_the_cut_record_and_keeps_the_rest(loaded, tmp_path):
    _, _, folder = loaded["surveymonkey"]
    text = (folder / "surveymonkey_export.csv").read_text(encoding="utf-8")
    cut = text[: text.rindex('"')]  # inside the last quoted field
    (tmp_path / "sm.csv").write_text(cut, encoding="utf-8")
    options = options_from_mapping(
        {
            "kind": "surveys",
            "format": "surveymonkey",
            "rename": {
                "How likely is it that you would recommend us to a friend or colleague?": "nps",
                "How satisfied were you with each of the following? - Delivery": "tp_delivery",
            },
        },
        "t",
    )
    db = duckdb.connect()
    result = ingest_file(db, "surveys", tmp_path / "sm.csv", options)
    assert result.rows_quarantined == 1 and result.rows_loaded > 300
    [(reason,)] = rows(db, "select reason from meta_quarantine")
    assert "truncated" in reason


def test_a_damaged_spss_file_is_named(tmp_path):
    (tmp_path / "x.sav").write_bytes(b"$FL2@(#) not really spss")
    with pytest.raises(RejectedFile, match="x.sav: cannot read as SPSS"):
        ingest_file(
            duckdb.connect(),
            "surveys",
            tmp_path / "x.sav",
            options_from_mapping({"kind": "surveys", "format": "spss"}, "t"),
        )


# --- the options any export can use -------------------------------------------------------


def test_header_rows_and_skip_rows_for_any_tool(tmp_path):
    path = tmp_path / "tool.csv"
    path.write_text(
        "Export of 2026-05-04\n"
        "id,kunde,datum,empfehlung,tp_a\n"
        "ID,Customer,Date,Recommend (0-10),Rating A\n"
        "1,K1,2026-05-01,9,5\n2,K2,2026-05-02,k.A.,4\n",
        encoding="utf-8",
    )
    options = options_from_mapping(
        {
            "kind": "surveys",
            "skip_rows": 1,
            "header_rows": 2,
            "rename": {"id": "response_id", "kunde": "customer_id", "datum": "answered_at", "empfehlung": "nps"},
        },
        "t",
    )
    db = duckdb.connect()
    result = ingest_file(db, "surveys", path, options)
    assert (result.rows_loaded, result.rows_quarantined) == (2, 0)
    assert rows(db, "select response_id, nps from raw_surveys order by 1") == [("1", 9), ("2", None)]


def test_recode_globs_missing_per_column_and_not_applicable_per_column(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text(
        "response_id,customer_id,answered_at,nps,tp_a,tp_b,wk\n"
        "1,K1,2026-05-01,99,gut,0,ja\n2,K2,2026-05-02,7,schlecht,3,vielleicht\n",
        encoding="utf-8",
    )
    options = options_from_mapping(
        {
            "kind": "surveys",
            "rename": {"wk": "repurchase_intent"},
            "recode": {"tp_*": {"gut": "5", "schlecht": "1"}},
            "missing": {"nps": ["99"], "repurchase_intent": ["vielleicht"]},
            "not_applicable": {"tp_b": ["0"]},
        },
        "t",
    )
    db = duckdb.connect()
    result = ingest_file(db, "surveys", path, options)
    assert (result.rows_loaded, result.rows_quarantined) == (2, 0)
    assert rows(db, "select nps, repurchase_intent, ratings from raw_surveys order by response_id") == [
        (
            None,
            1.0,
            [
                {"touchpoint_id": "a", "experienced": True, "rating": 5.0},
                {"touchpoint_id": "b", "experienced": False, "rating": None},
            ],
        ),
        (
            7,
            None,
            [
                {"touchpoint_id": "a", "experienced": True, "rating": 1.0},
                {"touchpoint_id": "b", "experienced": True, "rating": 3.0},
            ],
        ),
    ]


def test_a_dont_know_in_an_outcome_column_is_missing_not_a_lost_row(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text(
        "response_id,customer_id,answered_at,nps,tp_a\n1,K1,2026-05-01,weiß nicht,4\n2,K2,2026-05-01,8,4\n",
        encoding="utf-8",
    )
    db = duckdb.connect()
    result = ingest_file(db, "surveys", path)
    assert (result.rows_loaded, result.rows_quarantined) == (2, 0)


def test_unknown_format_and_format_for_another_kind_are_config_errors():
    with pytest.raises(ConfigError, match="unknown format 'typeform'; known: qualtrics, surveymonkey"):
        options_from_mapping({"kind": "surveys", "format": "typeform"}, "cfg")
    with pytest.raises(
        ConfigError, match="format 'zendesk' \\(Zendesk\\) reads kind\\(s\\) contacts, customers, not 'surveys'"
    ):
        options_from_mapping({"kind": "surveys", "format": "zendesk"}, "cfg")
