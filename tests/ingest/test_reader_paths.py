"""The CSV read path: the reader types columns when it can, and every fallback gives the same result."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tpnb.ingest as ingest
from tpnb.ingest import SourceOptions, encoding, ingest_file

HEADER = "contact_id,customer_id,opened_at,channel,wait_seconds,handoffs,resolved_at\n"


def _load(tmp_path, text: str, name: str = "c.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    con = duckdb.connect(str(tmp_path / "db.duckdb"))
    return con, ingest_file(con, "contacts", path)


def _quarantine(con) -> list[tuple]:
    return con.sql('select line, "column", reason from meta_quarantine order by line, "column"').fetchall()


def test_lines_after_a_record_the_reader_rejects_stay_true(tmp_path):
    # line 3 has two fields too many (the reader reports it twice); line 5 holds a month 13
    con, result = _load(
        tmp_path,
        HEADER.replace(",wait_seconds,handoffs,resolved_at", "")
        + "C1,K1,2025-01-01,phone\nC2,K1,2025-01-01,phone,x,y\nC3,K1,2025-01-01,phone\n"
        "C4,K1,2025-13-01,phone\n",
    )
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (4, 2, 2)
    rows = _quarantine(con)
    assert [(line, column) for line, column, _ in rows] == [(3, "(row)"), (5, "opened_at")]
    assert rows[1][2] == "not a date/time"


def test_one_german_date_reads_the_file_as_text_and_loads_it(tmp_path):
    con, result = _load(
        tmp_path,
        HEADER + 'C1,K1,2025-01-01 10:00:00,phone,30.5,1,\nC2,K1,02.01.2025 11:00,phone,"1.234,5",2,2025-01-03\n',
    )
    assert (result.rows_loaded, result.rows_quarantined) == (2, 0)
    stored = con.sql("select contact_id, opened_at, wait_seconds, handoffs from raw_contacts order by 1").fetchall()
    assert stored == [
        ("C1", datetime(2025, 1, 1, 10), 30.5, 1),
        ("C2", datetime(2025, 1, 2, 11), 1234.5, 2),
    ]


def test_bytes_that_are_not_utf8_after_the_head_read_the_file_as_windows_1252(tmp_path, monkeypatch):
    monkeypatch.setattr(encoding, "HEAD_BYTES", 64)  # the guess sees only ASCII
    body = "".join(f"C{i},K1,2025-01-01,phone,1,0,\n" for i in range(20)) + "C99,Kö1,2025-01-01,phone,1,0,\n"
    con, result = _load(tmp_path, HEADER + body, encoding="cp1252")
    assert (result.rows_loaded, result.rows_quarantined) == (21, 0)
    assert con.sql("select customer_id from raw_contacts where contact_id = 'C99'").fetchall() == [("Kö1",)]
    assert con.sql("select encoding from meta_load_log").fetchall() == [("cp1252",)]


def test_a_large_file_hashed_beside_the_read_is_skipped_when_loaded_before(tmp_path, monkeypatch):
    monkeypatch.setattr(ingest, "BACKGROUND_SCAN_BYTES", 0)
    body = "".join(f"C{i},K1,2025-01-01,phone,1,0,\n" for i in range(2000))
    con, first = _load(tmp_path, HEADER + body)
    assert first.status == "loaded" and first.rows_loaded == 2000
    again = ingest_file(con, "contacts", tmp_path / "c.csv")
    assert again.status == "unchanged" and again.load_id == first.load_id
    (tmp_path / "c.csv").write_text(HEADER + body.replace("C7,K1", "C7,K2"))
    changed = ingest_file(con, "contacts", tmp_path / "c.csv")
    assert (changed.status, changed.rows_replaced, changed.rows_unchanged) == ("loaded", 1, 1999)
    assert con.sql("select count(*) from raw_contacts").fetchall() == [(2000,)]


moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2026, 1, 1))
contact = st.fixed_dictionaries(
    {
        "opened_at": moments,
        "wait_seconds": st.one_of(st.none(), st.floats(0, 1e6, allow_nan=False).map(lambda v: round(v, 3))),
        "handoffs": st.one_of(st.none(), st.integers(0, 50)),
        "resolved_after_seconds": st.one_of(st.none(), st.integers(0, 10**7)),
    }
)
STYLES = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%d")
# The same hostile values on both read paths: not finite, not whole, out of range, offsets, short years.
HOSTILE_WAITS = st.sampled_from(["nan", "NaN", "inf", "-inf", "1e400", "-5", "1e30"])
HOSTILE_HANDOFFS = st.sampled_from(["2.5", "inf", "nan", "1e30", "-1", "9007199254740993"])
hostile_contact = st.fixed_dictionaries(
    {
        "opened_at": moments,
        "wait_seconds": st.one_of(
            st.none(), st.floats(0, 1e6, allow_nan=False).map(lambda v: round(v, 3)), HOSTILE_WAITS
        ),
        "handoffs": st.one_of(st.none(), st.integers(0, 50), HOSTILE_HANDOFFS),
        "resolved_after_seconds": st.one_of(st.none(), st.integers(0, 10**7)),
    }
)
HOSTILE_STYLES = (*STYLES, "%Y-%m-%dT%H:%M:%S+02:00", "%Y-%m-%d %H:%M:%SZ", "%d.%m.%y")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(contact, min_size=1, max_size=8), style=st.sampled_from(STYLES))
def test_reader_typed_and_text_paths_store_the_same_rows(tmp_path_factory, monkeypatch, rows, style):
    _both_paths_store_the_same(tmp_path_factory, monkeypatch, rows, style)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(hostile_contact, min_size=1, max_size=8), style=st.sampled_from(HOSTILE_STYLES))
def test_both_read_paths_treat_hostile_values_alike(tmp_path_factory, monkeypatch, rows, style):
    _both_paths_store_the_same(tmp_path_factory, monkeypatch, rows, style)


def _both_paths_store_the_same(tmp_path_factory, monkeypatch, rows, style):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER.strip().split(","))
    for i, r in enumerate(rows):
        resolved = (
            ""
            if r["resolved_after_seconds"] is None
            else (datetime.fromtimestamp(r["opened_at"].timestamp() + r["resolved_after_seconds"]).strftime(style))
        )
        writer.writerow(
            [
                f"C{i}",
                "K1",
                r["opened_at"].strftime(style),
                "phone",
                "" if r["wait_seconds"] is None else r["wait_seconds"],
                "" if r["handoffs"] is None else r["handoffs"],
                resolved,
            ]
        )
    stored = []
    for typed in (True, False):
        folder = tmp_path_factory.mktemp("paths")
        path = folder / "c.csv"
        path.write_text(out.getvalue())
        with monkeypatch.context() as m:
            if not typed:
                m.setattr(ingest, "reader_candidates", lambda kind, options: {})
            con = duckdb.connect(str(folder / "db.duckdb"))
            result = ingest_file(con, "contacts", path)
        assert result.rows_read == len(rows)
        assert result.rows_loaded + result.rows_quarantined == len(rows)  # never a rejected file
        stored.append(
            (
                result.rows_loaded,
                result.rows_quarantined,
                _quarantine(con),
                con.sql("select * exclude (load_id, __errors) from raw_contacts order by contact_id").fetchall(),
            )
        )
    assert stored[0] == stored[1]


@pytest.mark.parametrize("kind_name", ["contacts"])
def test_reader_types_standard_columns_only(kind_name):
    from tpnb.contracts import kind
    from tpnb.ingest import SourceOptions
    from tpnb.ingest.validate import reader_candidates

    default = reader_candidates(kind(kind_name), SourceOptions())
    assert (
        default["opened_at"] == "TIMESTAMP" and default["handoffs"] == "DOUBLE"
    )  # checked whole by tpnb, never rounded
    assert "channel" not in default and "reopened" not in default
    german = reader_candidates(kind(kind_name), SourceOptions(date_format="%d.%m.%Y", decimal=","))
    assert german == {}


def test_parquet_uses_its_own_types_and_numbers_records_from_one(tmp_path):
    import polars as pl

    frame = pl.DataFrame(
        {
            "contact_id": ["C1", "C2", "C3"],
            "customer_id": ["K1", "K1", "K2"],
            "opened_at": [
                datetime(2025, 1, 1, 10),
                datetime(2025, 1, 2, 9),
                datetime(2025, 1, 3, 8),
            ],
            "channel": ["Telefon", "email", "phone"],
            "wait_seconds": [30.0, -5.0, None],
            "handoffs": ["1", "2,0", " 3 "],  # text in the file: parsed by tpnb's own rules
        }
    )
    path = tmp_path / "c.parquet"
    frame.write_parquet(path)
    con = duckdb.connect(str(tmp_path / "db.duckdb"))
    result = ingest_file(con, "contacts", path)
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (3, 2, 1)
    assert _quarantine(con) == [(2, "wait_seconds", "below the minimum 0")]
    assert con.sql("select contact_id, channel, handoffs, opened_at from raw_contacts order by 1").fetchall() == [
        ("C1", "phone", 1, datetime(2025, 1, 1, 10)),
        ("C3", "phone", 3, datetime(2025, 1, 3, 8)),
    ]


HOSTILE_NUMBERS = {
    "2.5": "not a whole number",
    "inf": "not a whole number",
    "nan": "not a whole number",
    "1e30": "not a whole number",
    "-Infinity": "not a whole number",
}


@pytest.mark.parametrize(
    "first_row",
    ["C0,K1,2025-01-01,phone,1,0,\n", "C0,K1,01.01.2025,phone,1,0,\n"],
    ids=["reader-typed", "text"],
)
@pytest.mark.parametrize("value", sorted(HOSTILE_NUMBERS))
def test_a_number_that_is_not_whole_or_finite_quarantines_its_row_on_both_read_paths(tmp_path, first_row, value):
    # handoffs is a whole number: 2.5 is never rounded, inf/nan/1e30 never reject the file
    con, result = _load(tmp_path, HEADER + first_row + f"C1,K1,2025-01-01,phone,1,{value},\n")
    assert (result.rows_loaded, result.rows_quarantined) == (1, 1)
    assert _quarantine(con) == [(3, "handoffs", HOSTILE_NUMBERS[value])]
    assert con.sql("select contact_id, handoffs from raw_contacts").fetchall() == [("C0", 0)]


@pytest.mark.parametrize("value", ["inf", "nan", "-inf"])
def test_a_number_that_is_not_finite_quarantines_its_row(tmp_path, value):
    con, result = _load(tmp_path, HEADER + "C0,K1,2025-01-01,phone,1,0,\n" + f"C1,K1,2025-01-01,phone,{value},0,\n")
    assert (result.rows_loaded, result.rows_quarantined) == (1, 1)
    assert _quarantine(con) == [(3, "wait_seconds", "not a number")]


def test_nps_of_eight_and_a_half_is_never_a_promoter(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text(
        "response_id,customer_id,answered_at,nps,tp_delivery\nR1,K1,2025-01-01,8.5,3\nR2,K1,2025-01-01,9,3\n",
        encoding="utf-8",
    )
    con = duckdb.connect(str(tmp_path / "db.duckdb"))
    result = ingest_file(con, "surveys", path)
    assert (result.rows_loaded, result.rows_quarantined) == (1, 1)
    assert con.sql("select response_id, nps from raw_surveys").fetchall() == [("R2", 9)]


@pytest.mark.parametrize(
    ("first_row", "path"),
    [("C0,K1,2025-01-01 08:00:00,phone,1,0,\n", "reader-typed"), ("C0,K1,01.01.2025 08:00,phone,1,0,\n", "text")],
)
@pytest.mark.parametrize(
    ("opened_at", "stored"),
    [
        ("2026-03-01 23:30:00-05:00", datetime(2026, 3, 2, 4, 30)),  # converted to the zone (UTC)
        ("2026-03-01T23:30:00Z", datetime(2026, 3, 1, 23, 30)),
        ("2026-03-01T23:30:00+02:00", datetime(2026, 3, 1, 21, 30)),
        ("2026-03-01 23:30:00", datetime(2026, 3, 1, 23, 30)),  # no offset: taken as in the zone
    ],
)
def test_times_with_an_offset_are_converted_on_both_read_paths(tmp_path, first_row, path, opened_at, stored):
    con, result = _load(tmp_path, HEADER + first_row + f"C1,K1,{opened_at},phone,1,0,\n")
    assert (result.rows_loaded, result.rows_quarantined) == (2, 0)
    assert con.sql("select opened_at from raw_contacts where contact_id = 'C1'").fetchall() == [(stored,)]


def test_offsets_convert_to_the_configured_zone_and_plain_times_stay(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(HEADER + "C1,K1,2026-07-01T10:00:00Z,phone,1,0,\nC2,K1,2026-07-01 10:00:00,phone,1,0,\n")
    con = duckdb.connect(str(tmp_path / "db.duckdb"))
    ingest_file(con, "contacts", path, SourceOptions(time_zone="Europe/Berlin"))
    rows = con.sql("select contact_id, opened_at from raw_contacts order by 1").fetchall()
    assert rows == [("C1", datetime(2026, 7, 1, 12, 0)), ("C2", datetime(2026, 7, 1, 10, 0))]  # CEST is UTC+2
    assert con.sql("select current_setting('TimeZone')").fetchall()[0][0] != "Europe/Berlin"  # restored


@pytest.mark.parametrize("value", ["01.03.26", "0001-01-01", "1899-12-30"])
def test_dates_before_the_floor_are_quarantined_with_a_hint(tmp_path, value):
    con, result = _load(tmp_path, HEADER + "C0,K1,2025-01-01,phone,1,0,\n" + f"C1,K1,{value},phone,1,0,\n")
    assert (result.rows_loaded, result.rows_quarantined) == (1, 1)
    [(line, column, reason)] = _quarantine(con)
    assert (line, column) == (3, "opened_at") and "two-digit year" in reason


def test_a_two_digit_year_reads_with_its_format_declared(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(HEADER + "C1,K1,01.03.26,phone,1,0,\n")
    con = duckdb.connect(str(tmp_path / "db.duckdb"))
    result = ingest_file(con, "contacts", path, SourceOptions(date_format="%d.%m.%y"))
    assert result.rows_loaded == 1
    assert con.sql("select opened_at from raw_contacts").fetchall() == [(datetime(2026, 3, 1),)]


def test_an_unknown_time_zone_is_a_config_error():
    from tpnb.ingest.options import ConfigError, options_from_mapping

    with pytest.raises(ConfigError, match="time_zone 'Mars/Olympus'"):
        options_from_mapping({"time_zone": "Mars/Olympus"}, "x.yaml")
    with pytest.raises(ConfigError, match="date_floor"):
        options_from_mapping({"date_floor": "01.01.1990"}, "x.yaml")
