"""Personal data: phone numbers and e-mail addresses scrubbed from free text, personal columns left out,
quarantined values scrubbed too."""

from __future__ import annotations

import duckdb
import pytest

from tpnb.ingest import SourceOptions, ingest_file
from tpnb.ingest.personal import is_personal_column, scrub

HEAD = "response_id,customer_id,answered_at,nps,tp_delivery"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ruf an: (0211) 12 34 56", "ruf an: [phone]"),
        ("0211 / 12 34 56", "[phone]"),
        ("(0151) 123 456 78 bitte", "[phone] bitte"),
        ("0 211 1234567", "[phone]"),
        ("+1 (555) 123-4567", "[phone]"),
        ("+49 30 1234567 oder jane.doe@example.org", "[phone] oder [email]"),
        ("müller@bäckerei.de schrieb", "[email] schrieb"),
        ("o'brien@example.ie", "[email]"),
        # not personal: order numbers, dates, counts, an IBAN-like code stay
        ("Bestellung 12345 vom 2026-03-01, 3 Artikel", "Bestellung 12345 vom 2026-03-01, 3 Artikel"),
        ("nach 14 Tagen", "nach 14 Tagen"),
        # an @ between numbers is no address: a top-level domain is letters (found by hypothesis)
        ("0@0.00", "0@0.00"),
        ("Version 1.2@3.45 installiert", "Version 1.2@3.45 installiert"),
        ("info@xn--bcker-gra.de", "[email]"),
    ],
)
def test_scrub_finds_phone_numbers_and_addresses_and_leaves_other_numbers(text, expected):
    assert scrub(text) == expected


def test_columns_are_personal_by_name_or_by_what_they_hold():
    for name in ("email", "e-mail", "recipientemail", "ipaddress", "telefon", "name", "vorname", "locationlatitude"):
        assert is_personal_column(name, []), name
    assert is_personal_column("kontakt", ["a@b.de", "c@d.com", None, "x"])
    assert is_personal_column("rückruf", ["0211 1234567", "030 1234567"])
    assert is_personal_column("source", ["192.168.0.1", "10.0.0.2"])
    assert not is_personal_column("wave", ["1", "2", "3"])
    assert not is_personal_column("product name", ["Widget"])


def test_personal_columns_are_left_out_and_named_in_the_load_log(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text(f"{HEAD},RecipientEmail,IPAddress,Kontakt,wave\nR1,K1,2026-03-01,9,4,a@b.de,10.1.2.3,x@y.de,2\n")
    con = duckdb.connect(str(tmp_path / "db.duckdb"))
    result = ingest_file(con, "surveys", path)
    assert sorted(result.personal_columns) == ["ipaddress", "kontakt", "recipientemail"]
    assert con.sql("select attributes from raw_surveys").fetchall() == [
        ([{"name": "wave", "value_text": "2", "value_number": 2.0}],)
    ]
    assert sorted(con.sql("select unnest(personal_columns) from meta_load_log").fetchall()) == [
        ("ipaddress",),
        ("kontakt",),
        ("recipientemail",),
    ]


def test_quarantine_keeps_the_reason_and_scrubbed_values_never_the_raw_line(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text(
        f"{HEAD},comment\n"
        "R1,K1,2026-03-01,eleven,4,call 0211 1234567\n"  # a bad NPS: the row is quarantined
        'R2,K1,2026-03-01,9,4,"mail müller@bäckerei.de",extra,fields\n'  # too many fields: a reader reject
        "R3,K1,2026-03-01,9,4,fine\n"
    )
    con = duckdb.connect(str(tmp_path / "db.duckdb"))
    ingest_file(con, "surveys", path)
    stored = " ".join(str(v) for row in con.sql("select * from meta_quarantine").fetchall() for v in row)
    assert "1234567" not in stored and "müller@" not in stored
    assert "[email]" in stored


def test_phone_region_is_an_option(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text(f"{HEAD},comment\nR1,K1,2026-03-01,9,4,call (415) 555-2671\n")
    con = duckdb.connect(str(tmp_path / "db.duckdb"))
    ingest_file(con, "surveys", path, SourceOptions(phone_region="US"))
    assert con.sql("select comment from raw_surveys").fetchall() == [("call [phone]",)]
