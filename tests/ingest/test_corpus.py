"""The bad-file corpus: each case states its exact outcome.

loaded      -> every row loads
quarantine  -> the named rows go to meta_quarantine with the reason, the rest loads
rejected    -> RejectedFile whose message names the file and the problem; nothing loads
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field

import duckdb
import pytest

from tpnb.ingest import RejectedFile, SourceOptions, ingest_file

SURVEY_HEAD = "response_id,customer_id,answered_at,nps,tp_delivery,comment\n"
CONTACT_HEAD = "contact_id,customer_id,opened_at,channel,wait_seconds,resolved_at\n"


@dataclass
class Case:
    name: str
    kind: str
    content: bytes
    outcome: str  # loaded | quarantine | rejected
    loaded: int = 0
    quarantined: dict[int, str] = field(default_factory=dict)  # line -> part of the reason
    message: str = ""  # part of the rejection message
    suffix: str = ".csv"
    options: SourceOptions = field(default_factory=SourceOptions)


def s(text: str) -> bytes:
    return text.encode("utf-8")


CASES = [
    Case("empty file", "surveys", b"", "rejected", message="the file is empty"),
    Case("header only", "surveys", s(SURVEY_HEAD), "rejected", message="header but no data rows"),
    Case("whitespace only", "surveys", s("\n\n"), "rejected", message="first line is empty"),
    Case("binary garbage", "surveys", bytes(range(256)) * 4, "rejected", message="not a text file"),
    Case(
        "utf-16",
        "surveys",
        codecs.BOM_UTF16_LE + SURVEY_HEAD.encode("utf-16-le"),
        "rejected",
        message="UTF-16",
    ),
    Case(
        "missing required column",
        "surveys",
        s("response_id,customer_id,nps,tp_delivery\nR1,K1,9,4\n"),
        "rejected",
        message="required column 'answered_at' not found; columns present: 'response_id'",
    ),
    Case(
        "no rating column",
        "surveys",
        s("response_id,customer_id,answered_at,nps\nR1,K1,2026-03-01,9\n"),
        "rejected",
        message="no touchpoint rating column",
    ),
    Case(
        "duplicate headers",
        "surveys",
        s("response_id,customer_id,answered_at,NPS,nps,tp_a\nR1,K1,2026-03-01,9,9,4\n"),
        "rejected",
        message="duplicate column 'nps'",
    ),
    Case(
        "wrong delimiter declared",
        "surveys",
        s(SURVEY_HEAD + "R1,K1,2026-03-01,9,4,ok\n"),
        "rejected",
        message="required column",
        options=SourceOptions(delimiter=";"),
    ),
    Case(
        "unknown file type",
        "surveys",
        s(SURVEY_HEAD),
        "rejected",
        message="unknown file type",
        suffix=".doc",
    ),
    Case(
        "semicolon, BOM, German dates, k.A.",
        "surveys",
        codecs.BOM_UTF8
        + s(
            "response_id;customer_id;answered_at;nps;tp_delivery;comment\n"
            "R1;K1;01.03.2026;9;k.A.;gut\nR2;K1;01.03.2026 14:05;3;2;\n"
        ),
        "loaded",
        loaded=2,
    ),
    Case(
        "Windows-1252 umlauts",
        "surveys",
        "response_id;customer_id;answered_at;nps;tp_delivery;comment\nR1;K1;2026-03-01;9;4;Lieferung pünktlich, schön\n".encode(
            "cp1252"
        ),
        "loaded",
        loaded=1,
    ),
    Case(
        "tab separated",
        "surveys",
        s(SURVEY_HEAD.replace(",", "\t") + "R1\tK1\t2026-03-01\t9\t4\tok\n"),
        "loaded",
        loaded=1,
        suffix=".tsv",
    ),
    Case(
        "pipe separated",
        "surveys",
        s(SURVEY_HEAD.replace(",", "|") + "R1|K1|2026-03-01|9|4|ok\n"),
        "loaded",
        loaded=1,
    ),
    Case(
        "quoted newline and delimiter",
        "surveys",
        s(SURVEY_HEAD + 'R1,K1,2026-03-01,9,4,"first line,\nsecond line"\nR2,K1,2026-03-01,8,3,x\n'),
        "loaded",
        loaded=2,
    ),
    Case(
        "nps 11",
        "surveys",
        s(SURVEY_HEAD + "R1,K1,2026-03-01,11,4,\nR2,K1,2026-03-01,10,4,\n"),
        "quarantine",
        loaded=1,
        quarantined={2: "above the maximum 10"},
    ),
    Case(
        "rating outside the scale",
        "surveys",
        s(SURVEY_HEAD + "R1,K1,2026-03-01,9,7,\nR2,K1,2026-03-01,9,5,\n"),
        "quarantine",
        loaded=1,
        quarantined={2: "rating not on the scale 1-5"},
    ),
    Case(
        "not-applicable code from config",
        "surveys",
        s(SURVEY_HEAD + "R1,K1,2026-03-01,9,0,\n"),
        "loaded",
        loaded=1,
        options=SourceOptions(scale=(1, 5), not_applicable=("0",)),
    ),
    Case(
        "unparseable date",
        "surveys",
        s(SURVEY_HEAD + "R1,K1,31.02.2026,9,4,\nR2,K1,2026-03-01,9,4,\n"),
        "quarantine",
        loaded=1,
        quarantined={2: "not a date/time"},
    ),
    Case(
        "date in the future",
        "surveys",
        s(SURVEY_HEAD + "R1,K1,2099-01-01,9,4,\n"),
        "quarantine",
        quarantined={2: "in the future"},
    ),
    Case(
        "missing key",
        "surveys",
        s(SURVEY_HEAD + ",K1,2026-03-01,9,4,\nR2,K1,2026-03-01,9,4,\n"),
        "quarantine",
        loaded=1,
        quarantined={2: "required value missing"},
    ),
    Case(
        "duplicate key, different content",
        "surveys",
        s(SURVEY_HEAD + "R1,K1,2026-03-01,9,4,\nR1,K1,2026-03-01,3,4,\nR2,K1,2026-03-01,9,4,\n"),
        "quarantine",
        loaded=1,
        quarantined={2: "duplicate key", 3: "duplicate key"},
    ),
    Case(
        "duplicate key, same content",
        "surveys",
        s(SURVEY_HEAD + "R1,K1,2026-03-01,9,4,\nR1,K1,2026-03-01,9,4,\n"),
        "loaded",
        loaded=1,
    ),
    Case(
        "ragged row",
        "surveys",
        s(SURVEY_HEAD + "R1,K1,2026-03-01,9,4,ok,extra\nR2,K1,2026-03-01,9,4,ok\n"),
        "quarantine",
        loaded=1,
        quarantined={2: "Expected Number of Columns"},
    ),
    Case(
        "truncated last line",
        "surveys",
        s(SURVEY_HEAD + 'R1,K1,2026-03-01,9,4,ok\nR2,K1,2026-03-01,9,4,"cut of'),
        "quarantine",
        loaded=1,
        quarantined={3: "unterminated quote"},
    ),
    Case(
        "formula injection kept as text",
        "surveys",
        s(SURVEY_HEAD + 'R1,K1,2026-03-01,9,4,"=HYPERLINK(""http://x"",""click"")"\n'),
        "loaded",
        loaded=1,
    ),
    Case(
        "html in comment kept as text",
        "surveys",
        s(SURVEY_HEAD + "R1,K1,2026-03-01,9,4,<script>alert(1)</script>\n"),
        "loaded",
        loaded=1,
    ),
    Case(
        "negative wait",
        "contacts",
        s(CONTACT_HEAD + "C1,K1,2026-03-01 10:00,phone,-5,\nC2,K1,2026-03-01 10:00,phone,5,\n"),
        "quarantine",
        loaded=1,
        quarantined={2: "below the minimum 0"},
    ),
    Case(
        "resolved before opened",
        "contacts",
        s(CONTACT_HEAD + "C1,K1,2026-03-01 10:00,phone,5,2026-02-28 09:00\n"),
        "quarantine",
        quarantined={2: "resolved_at before opened_at"},
    ),
    Case(
        "unknown channel",
        "contacts",
        s(CONTACT_HEAD + "C1,K1,2026-03-01 10:00,pigeon,5,\n"),
        "quarantine",
        quarantined={2: "not one of"},
    ),
    Case(
        "German channel label and decimal comma",
        "contacts",
        s(CONTACT_HEAD.replace(",", ";") + "C1;K1;01.03.2026 10:00;Telefon;12,5;\n"),
        "loaded",
        loaded=1,
    ),
    # --- added with the hostile-input work: line ends, BOMs, reserved names, non-finite numbers, dates
    Case(
        "CRLF and LF in one file",
        "surveys",
        s(
            SURVEY_HEAD.replace("\n", "\r\n")
            + "R1,K1,2026-03-01,9,4,a\nR2,K1,2026-03-01,9,4,b\r\nR3,K1,2026-03-01,9,4,c\n"
        ),
        "loaded",
        loaded=3,
    ),
    Case(
        "CRLF after a long LF head",
        "surveys",
        s(
            SURVEY_HEAD
            + "".join(f"R{i},K1,2026-03-01,9,4,{'x' * 200}\n" for i in range(6000))
            + "R9999,K1,2026-03-01,9,4,y\r\n"
        ),
        "loaded",
        loaded=6001,
    ),
    Case(
        "UTF-8 BOM before Windows-1252 text",
        "surveys",
        codecs.BOM_UTF8 + (SURVEY_HEAD + "R1,Kü1,2026-03-01,9,4,schön\n").encode("cp1252"),
        "loaded",
        loaded=1,
    ),
    Case(
        "a column named like tpnb's own",
        "surveys",
        s(SURVEY_HEAD.replace("\n", ",Attributes,Ratings\n") + "R1,K1,2026-03-01,9,4,a,x,y\n"),
        "loaded",
        loaded=1,
    ),
    Case(
        "a header starting with __",
        "surveys",
        s(SURVEY_HEAD.replace("\n", ",__line\n") + "R1,K1,2026-03-01,9,4,a,1\n"),
        "rejected",
        message="column name '__line' (column 7) is reserved",
    ),
    Case(
        "JSON Lines with one malformed line",
        "surveys",
        s(
            '{"response_id":"R1","customer_id":"K1","answered_at":"2026-03-01","nps":9,"tp_delivery":4}\n'
            '{"response_id":"R2", broken\n'
            '{"response_id":"R3","customer_id":"K1","answered_at":"2026-03-01","nps":7,"tp_delivery":3}\n'
        ),
        "quarantine",
        loaded=2,
        quarantined={2: "not a JSON object"},
        suffix=".jsonl",
    ),
    Case(
        "non-finite and fractional NPS",
        "surveys",
        s(
            SURVEY_HEAD + "R1,K1,2026-03-01,NaN,4,a\nR2,K1,2026-03-01,inf,4,b\nR3,K1,2026-03-01,8.5,4,c\n"
            "R4,K1,2026-03-01,1e30,4,d\nR5,K1,2026-03-01,9,4,e\n"
        ),
        "quarantine",
        loaded=1,
        quarantined={2: "whole number", 3: "whole number", 4: "whole number", 5: "whole number"},
    ),
    Case(
        "non-finite wait",
        "contacts",
        s(CONTACT_HEAD + "C1,K1,2026-03-01,phone,NaN,\nC2,K1,2026-03-01,phone,inf,\nC3,K1,2026-03-01,phone,12.5,\n"),
        "quarantine",
        loaded=1,
        quarantined={2: "not a number", 3: "not a number"},
    ),
    Case(
        "two-digit year and a placeholder date",
        "surveys",
        s(SURVEY_HEAD + "R1,K1,01.03.26,9,4,a\nR2,K1,0001-01-01,9,4,b\nR3,K1,01.03.2026,9,4,c\n"),
        "quarantine",
        loaded=1,
        quarantined={2: "two-digit year", 3: "two-digit year"},
    ),
    Case(
        "times with offsets",
        "contacts",
        s(CONTACT_HEAD + "C1,K1,2026-03-01T10:00:00+02:00,phone,1,\nC2,K1,2026-03-01 10:00:00Z,phone,1,\n"),
        "loaded",
        loaded=2,
    ),
]


# --- one value per case: a valid row (line 2), then the value under test in one column (line 3) ---
SURVEY_VALUES = {  # column -> [(value, outcome, reason on line 3)]
    "nps": [
        ("0", "loaded", ""),
        ("10", "loaded", ""),
        ("9.0", "loaded", ""),
        ("7,0", "loaded", ""),
        (" 8 ", "loaded", ""),
        ("", "loaded", ""),
        ("-1", "quarantine", "below the minimum 0"),
        ("zehn", "quarantine", "not a whole number"),
        ("1e1", "loaded", ""),
        ("9,5", "quarantine", "not a whole number"),
    ],
    "tp_delivery": [
        ("1", "loaded", ""),
        ("5", "loaded", ""),
        ("3,5", "loaded", ""),
        ("n/a", "loaded", ""),
        ("weiß nicht", "loaded", ""),
        ("-", "loaded", ""),
        ("0", "quarantine", "rating not on the scale 1-5"),
        ("6", "quarantine", "rating not on the scale 1-5"),
        ("NaN", "quarantine", "rating not on the scale 1-5"),
        ("gut", "quarantine", "rating not on the scale 1-5"),
    ],
    "answered_at": [
        ("2026-03-01 10:00", "loaded", ""),
        ("01.03.2026", "loaded", ""),
        ("2026-03-01T10:00:00.123", "loaded", ""),
        ("2026-03-01T10:00:00+05:30", "loaded", ""),
        ("1990-01-01", "loaded", ""),
        ("31.02.2026", "quarantine", "not a date/time"),
        ("2026-02-30", "quarantine", "not a date/time"),
        ("2026-03-01 25:00", "quarantine", "not a date/time"),
        ("gestern", "quarantine", "not a date/time"),
        ("1989-12-31", "quarantine", "before the date floor"),
        ("", "quarantine", "required value missing"),
    ],
    "customer_id": [(" K2 ", "loaded", ""), ("", "quarantine", "required value missing")],
}
CONTACT_VALUES = {
    "channel": [
        ("E-Mail", "loaded", ""),
        ("Brief", "loaded", ""),
        ("FAX", "loaded", ""),
        ("Telefon", "loaded", ""),
        ("carrier pigeon", "quarantine", "not one of"),
        ("", "quarantine", "required value missing"),
    ],
    "wait_seconds": [
        ("1.234,5", "loaded", ""),
        ("0", "loaded", ""),
        ("-5", "quarantine", "below the minimum 0"),
        ("abc", "quarantine", "not a number"),
        ("1e400", "quarantine", "not a number"),
    ],
}
SURVEY_ROW = {
    "response_id": "R{n}",
    "customer_id": "K1",
    "answered_at": "2026-03-01",
    "nps": "9",
    "tp_delivery": "4",
    "comment": "ok",
}
CONTACT_ROW = {
    "contact_id": "C{n}",
    "customer_id": "K1",
    "opened_at": "2026-03-01",
    "channel": "phone",
    "wait_seconds": "30",
    "resolved_at": "",
}


def _csv_cell(value: str) -> str:
    return f'"{value}"' if any(ch in value for ch in ',"\n') else value


def _one_value_cases(kind: str, row: dict, values: dict) -> list[Case]:
    cases = []
    for column, entries in values.items():
        for value, outcome, reason in entries:
            lines = [",".join(row)]
            for n, v in ((1, None), (2, value)):
                cells = {**row, **({column: v} if v is not None else {})}
                lines.append(
                    ",".join(
                        _csv_cell(cells[c].format(n=n) if c.endswith("_id") and c != "customer_id" else cells[c])
                        for c in row
                    )
                )
            cases.append(
                Case(
                    f"{kind} {column} = {value!r}",
                    kind,
                    s("\n".join(lines) + "\n"),
                    outcome,
                    loaded=2 if outcome == "loaded" else 1,
                    quarantined={3: reason} if outcome == "quarantine" else {},
                )
            )
    return cases


OBSERVATION_ROW = {
    "observation_id": "B{n}",
    "observed_at": "2026-03-02 16:30",
    "channel": "Telefon",
    "scenario_id": "Frage zur Abschlagsrechnung",
    "reached": "ja",
    "attempts": "1",
    "wait_seconds": "45",
    "answer_code": "A",
    "answer_correct": "teilweise",
    "crit_friendliness": "4",
    "observer": "Erika Muster",
}
OBSERVATION_VALUES = {
    "reached": [("nein", "loaded", ""), ("vielleicht", "quarantine", "not yes/no"), ("", "quarantine", "required")],
    "answer_correct": [
        ("Ja", "loaded", ""),
        ("partly", "loaded", ""),
        ("falsch", "quarantine", "not one of: yes, partly, no"),
    ],
    "channel": [("Chat", "loaded", ""), ("Brieftaube", "quarantine", "not one of: phone")],
    "attempts": [("0", "quarantine", "below the minimum 1"), ("1,5", "quarantine", "not a whole number")],
    "wait_seconds": [("-3", "quarantine", "below the minimum 0")],
    "crit_friendliness": [("k.A.", "loaded", ""), ("9", "quarantine", "rating not on the scale 1-5")],
    "observed_at": [("2099-01-01", "quarantine", "in the future"), ("gestern", "quarantine", "not a date/time")],
    "scenario_id": [("", "quarantine", "required value missing")],
}
CASES += (
    _one_value_cases("surveys", SURVEY_ROW, SURVEY_VALUES)
    + _one_value_cases("contacts", CONTACT_ROW, CONTACT_VALUES)
    + _one_value_cases("observations", OBSERVATION_ROW, OBSERVATION_VALUES)
)
CASES += [
    Case(
        "observations without a scenario column",
        "observations",
        s("observation_id,observed_at,channel,reached\nB1,2026-03-02,phone,ja\n"),
        "rejected",
        message="required column 'scenario_id' not found",
    ),
    Case(
        "observations without any virtue score",
        "observations",
        s(
            "observation_id,observed_at,channel,scenario_id,reached\nB1,2026-03-02,phone,S1,ja\nB2,2026-03-02,chat,S1,nein\n"
        ),
        "loaded",
        loaded=2,
    ),
]


def _write(tmp_path, case: Case):
    path = tmp_path / f"case{case.suffix}"
    path.write_bytes(case.content)
    return path


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_corpus_case(tmp_path, case: Case):
    con = duckdb.connect(str(tmp_path / "db.duckdb"))
    path = _write(tmp_path, case)
    if case.outcome == "rejected":
        with pytest.raises(RejectedFile) as info:
            ingest_file(con, case.kind, path, case.options)
        assert path.name in str(info.value)
        assert case.message in str(info.value)
        assert con.sql(f"select count(*) from raw_{case.kind}").fetchall()[0][0] == 0
        return
    result = ingest_file(con, case.kind, path, case.options)
    assert result.rows_loaded == case.loaded
    assert result.rows_loaded + result.rows_duplicate + result.rows_quarantined == result.rows_read
    rows = con.sql("select line, reason from meta_quarantine order by line").fetchall()
    quarantined_lines = sorted({line for line, _ in rows})
    assert quarantined_lines == sorted(case.quarantined)
    for line, reason in rows:
        assert case.quarantined[line] in reason
    assert con.sql(f"select count(*) from raw_{case.kind}").fetchall()[0][0] == case.loaded


def test_html_and_formula_stay_untouched_text_and_personal_data_is_scrubbed(tmp_path):
    con = duckdb.connect(str(tmp_path / "db.duckdb"))
    path = tmp_path / "s.csv"
    path.write_text(
        SURVEY_HEAD
        + 'R1,K1,2026-03-01,9,4,"<b>hi</b> mail me: jane.doe@example.org or +49 30 1234567"\n'
        + 'R2,K1,2026-03-01,9,4,"=HYPERLINK(""http://x"")"\n',
        encoding="utf-8",
    )
    ingest_file(con, "surveys", path)
    comments = dict(con.sql("select response_id, comment from raw_surveys").fetchall())
    assert comments["R1"] == "<b>hi</b> mail me: [email] or [phone]"
    assert comments["R2"] == '=HYPERLINK("http://x")'


def test_a_10_mb_field_loads(tmp_path):
    con = duckdb.connect(str(tmp_path / "db.duckdb"))
    path = tmp_path / "big.csv"
    path.write_text(SURVEY_HEAD + "R1,K1,2026-03-01,9,4," + "x" * 10_000_000 + "\n", encoding="utf-8")
    result = ingest_file(con, "surveys", path)
    assert result.rows_loaded == 1
    assert con.sql("select length(comment) from raw_surveys").fetchall()[0][0] == 10_000_000


def test_mixed_encodings_in_one_file_lose_no_byte(tmp_path):
    # A UTF-8 line and a Windows-1252 line: read as Windows-1252, every row loads.
    con = duckdb.connect(str(tmp_path / "db.duckdb"))
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        SURVEY_HEAD.encode() + "R1,K1,2026-03-01,9,4,schön\n".encode() + "R2,K1,2026-03-01,9,4,schön\n".encode("cp1252")
    )
    result = ingest_file(con, "surveys", path)
    assert result.rows_loaded == 2
    comments = dict(con.sql("select response_id, comment from raw_surveys").fetchall())
    assert comments["R2"] == "schön"


def _wide(columns: int, rows: int = 20) -> str:
    ratings = columns // 2
    others = columns - 4 - ratings
    head = "response_id,customer_id,answered_at,nps," + ",".join(
        [f"tp_t{i}" for i in range(ratings)] + [f"q{i}" for i in range(others)]
    )
    body = "".join(f"R{r},K1,2026-03-01,9," + ",".join(["4"] * ratings + ["x"] * others) + "\n" for r in range(rows))
    return head + "\n" + body


@pytest.mark.slow
def test_a_file_of_1000_columns_loads(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(_wide(1000))
    con = duckdb.connect(str(tmp_path / "db.duckdb"))
    result = ingest_file(con, "surveys", path)
    assert result.rows_loaded == 20
    assert con.sql("select len(ratings), len(attributes) from raw_surveys limit 1").fetchall() == [(500, 496)]


def test_a_file_wider_than_1000_columns_is_rejected_from_its_header(tmp_path):
    path = tmp_path / "wider.csv"
    path.write_text(_wide(1001, rows=1))
    con = duckdb.connect(str(tmp_path / "db.duckdb"))
    with pytest.raises(RejectedFile, match="1,001 columns; tpnb loads at most 1,000"):
        ingest_file(con, "surveys", path)


def test_an_unknown_target_metric_is_quarantined_with_the_known_ones(tmp_path):
    con = duckdb.connect(str(tmp_path / "db.duckdb"))
    path = tmp_path / "ziele.csv"
    path.write_text(
        "touchpoint_id,metric,valid_from,target,direction\n*,nps,2026-01-01,30,at_least\n*,csat,2026-01-01,4,at_least\n"
    )
    result = ingest_file(con, "targets", path)
    assert (result.rows_loaded, result.rows_quarantined) == (1, 1)
    [(line, reason)] = con.sql("select line, reason from meta_quarantine").fetchall()
    assert line == 3 and reason.startswith("not one of: mean_rating, top2_share, nps")


def test_an_observer_is_stored_as_a_pseudonym_the_same_for_the_same_person(tmp_path):
    con = duckdb.connect(str(tmp_path / "db.duckdb"))
    path = tmp_path / "testkontakte.csv"
    path.write_text(
        "observation_id,observed_at,channel,scenario_id,reached,observer\n"
        "B1,2026-03-02,phone,S1,ja,Erika Muster\nB2,2026-03-02,chat,S1,nein,erika muster\nB3,2026-03-02,chat,S1,ja,Max Probe\n"
    )
    ingest_file(con, "observations", path)
    stored = [r[0] for r in con.sql("select observer from raw_observations order by observation_id").fetchall()]
    assert stored[0] == stored[1] != stored[2] and len(stored[0]) == 16
    everything = str(con.sql("select * from raw_observations").fetchall()) + str(
        con.sql("from meta_load_log").fetchall()
    )
    assert "Erika" not in everything and "Muster" not in everything
