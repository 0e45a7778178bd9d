"""Loading rules: formats, idempotence, history, load log, unknown customers, real data."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest

from tests.conftest import REPO, real_data
from tpnb.contracts import KINDS, describe
from tpnb.ingest import RejectedFile, SourceOptions, ingest_file, ingest_sources, load_sources

# One valid row per kind, as a user's file would hold it.
ROWS = {
    "touchpoints": {
        "touchpoint_id": "delivery",
        "name": "Lieferung",
        "phase": "purchase",
        "kind": "indirect",
    },
    "customers": {
        "customer_id": "K1",
        "account_id": "A1",
        "segment": "KMU",
        "role": "Entscheider",
        "name": "Erika Muster",
        "email": "erika@example.com",
        "phone": "030 123456",
    },
    "surveys": {
        "response_id": "R1",
        "customer_id": "K1",
        "answered_at": "2026-03-01",
        "nps": "9",
        "tp_delivery": "4",
        "comment": "gut",
        "csat": "ja",
    },
    "contacts": {
        "contact_id": "C1",
        "customer_id": "K1",
        "opened_at": "2026-03-01 10:00:00",
        "channel": "phone",
        "first_response_at": "2026-03-01 10:05:00",
        "handoffs": "2",
        "wait_seconds": "30",
    },
    "contact_events": {
        "contact_id": "C1",
        "event_at": "2026-03-01 10:05:00",
        "event_type": "answered",
        "department": "Service",
    },
    "orders": {
        "order_id": "O1",
        "customer_id": "K1",
        "ordered_at": "2026-04-01",
        "amount": "1234.5",
    },
    "targets": {
        "touchpoint_id": "delivery",
        "metric": "mean_rating",
        "valid_from": "2026-01-01",
        "target": "4",
        "direction": "at_least",
    },
    "measures": {
        "measure_id": "M1",
        "touchpoint_id": "delivery",
        "title": "Neuer Logistikpartner",
        "started_at": "2026-02-01",
    },
    "observations": {
        "observation_id": "B1",
        "observed_at": "2026-03-02 16:30:00",
        "channel": "Telefon",
        "scenario_id": "Frage zur Abschlagsrechnung",
        "reached": "ja",
        "answer_correct": "teilweise",
        "crit_friendliness": "4",
    },
}


def _write(frame: pl.DataFrame, path: Path) -> Path:
    suffix = path.suffix
    if suffix == ".csv":
        frame.write_csv(path)
    elif suffix == ".parquet":
        frame.write_parquet(path)
    elif suffix == ".xlsx":
        frame.write_excel(path)
    elif suffix == ".jsonl":
        frame.write_ndjson(path)
    return path


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".xlsx", ".jsonl"])
def test_every_kind_loads_from_every_format(tmp_path, con, kind, suffix):
    path = _write(pl.DataFrame([ROWS[kind]]), tmp_path / f"{kind}{suffix}")
    result = ingest_file(con, kind, path)
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (1, 1, 0)
    assert con.sql(f"select count(*) from raw_{kind}").fetchall()[0][0] == 1


def test_typed_values_and_german_labels(tmp_path, con):
    for kind in ("customers", "surveys", "contacts", "orders"):
        ingest_file(con, kind, _write(pl.DataFrame([ROWS[kind]]), tmp_path / f"{kind}.csv"))
    assert con.sql("select role from raw_customers").fetchall() == [("decision_maker",)]
    assert con.sql("select amount from raw_orders").fetchall() == [(1234.5,)]
    nps, ratings, attributes = con.sql("select nps, ratings, attributes from raw_surveys").fetchall()[0]
    assert nps == 9
    assert ratings == [{"touchpoint_id": "delivery", "experienced": True, "rating": 4.0}]
    assert attributes == [{"name": "csat", "value_text": "ja", "value_number": 1.0}]


def test_personal_data_never_reaches_the_database(tmp_path, con):
    ingest_file(con, "customers", _write(pl.DataFrame([ROWS["customers"]]), tmp_path / "c.csv"))
    columns = [r[0] for r in con.sql("describe raw_customers").fetchall()]
    assert not {"name", "email", "phone"} & set(columns)
    dump = str(con.sql("select * from raw_customers").fetchall())
    assert "Erika" not in dump and "erika@example.com" not in dump


def test_same_file_twice_changes_nothing(tmp_path, con):
    path = _write(pl.DataFrame([ROWS["surveys"]]), tmp_path / "s.csv")
    first = ingest_file(con, "surveys", path)
    second = ingest_file(con, "surveys", path)
    assert first.status == "loaded" and second.status == "unchanged"
    assert con.sql("select count(*) from raw_surveys").fetchall()[0][0] == 1
    assert con.sql("select count(*) from meta_load_log").fetchall()[0][0] == 1


def test_a_corrected_row_replaces_the_old_one_which_goes_to_history(tmp_path, con):
    rows = [ROWS["surveys"], {**ROWS["surveys"], "response_id": "R2"}]
    ingest_file(con, "surveys", _write(pl.DataFrame(rows), tmp_path / "v1.csv"))
    corrected = [{**ROWS["surveys"], "nps": "3"}, rows[1]]
    result = ingest_file(con, "surveys", _write(pl.DataFrame(corrected), tmp_path / "v2.csv"))
    assert (result.rows_loaded, result.rows_replaced, result.rows_unchanged) == (0, 1, 1)
    assert con.sql("select nps from raw_surveys where response_id = 'R1'").fetchall() == [(3,)]
    assert con.sql("select nps, replaced_by_load_id from raw_surveys_history").fetchall() == [(9, result.load_id)]


def test_load_log_records_file_hash_kind_and_counts(tmp_path, con):
    path = _write(
        pl.DataFrame([ROWS["surveys"], {**ROWS["surveys"], "response_id": "R2", "nps": "12"}]),
        tmp_path / "s.csv",
    )
    result = ingest_file(con, "surveys", path)
    row = con.sql(
        "select kind, file, length(file_sha256), rows_read, rows_loaded, rows_quarantined, "
        "unknown_customers, new_touchpoints from meta_load_log"
    ).fetchall()[0]
    assert row == ("surveys", str(path), 64, 2, 1, 1, 1, ["delivery"])
    assert result.unknown_customers == 1  # K1 is not in the customers table: counted, not rejected


def test_rating_column_without_catalogue_entry_is_registered_as_unknown_phase(tmp_path, con):
    ingest_file(con, "surveys", _write(pl.DataFrame([ROWS["surveys"]]), tmp_path / "s.csv"))
    assert con.sql("select touchpoint_id, phase from raw_touchpoints").fetchall() == [("delivery", "unknown")]


def test_failed_file_leaves_nothing_half_loaded(tmp_path, con):
    with pytest.raises(RejectedFile):
        ingest_file(con, "surveys", _write(pl.DataFrame([{"response_id": "R1"}]), tmp_path / "s.csv"))
    for table in ("raw_surveys", "meta_quarantine", "meta_load_log"):
        assert con.sql(f"select count(*) from {table}").fetchall()[0][0] == 0


def test_source_config_renames_and_sets_formats(tmp_path, con):
    (tmp_path / "export.csv").write_bytes(
        "Antwort;Kundennummer;Datum;Empfehlung;tp_delivery\nR1;K1;01.03.2026;9;0\n".encode("cp1252")
    )
    (tmp_path / "sources.yaml").write_text(
        "sources:\n  - kind: surveys\n    path: export.csv\n    encoding: cp1252\n    delimiter: ';'\n"
        "    date_format: '%d.%m.%Y'\n    not_applicable: ['0']\n"
        "    rename: {Antwort: response_id, Kundennummer: customer_id, Datum: answered_at, Empfehlung: nps}\n",
        encoding="utf-8",
    )
    [result] = ingest_sources(con, load_sources(tmp_path / "sources.yaml"))
    assert result.rows_loaded == 1
    assert con.sql("select nps, ratings[1].experienced from raw_surveys").fetchall() == [(9, False)]


def test_contract_description_names_every_column():
    text = describe("contacts")
    for column in KINDS["contacts"].columns:
        assert column.name in text


def test_airline_survey_loads_through_its_documented_config(tmp_path):
    real_data("airline_train.csv")
    con = duckdb.connect(str(tmp_path / "air.duckdb"))
    [result] = ingest_sources(con, load_sources(REPO / "examples" / "airline" / "sources.yaml"))
    assert result.rows_read == 103_904
    assert result.rows_loaded + result.rows_quarantined == result.rows_read
    assert result.rows_quarantined == 0
    # 0 means "not applicable": never a rating
    zeros = con.sql("select count(*) from (select unnest(ratings) r from raw_surveys) where r.rating = 0").fetchall()
    assert zeros == [(0,)]
    not_experienced = con.sql(
        "select count(*) from (select unnest(ratings) r from raw_surveys) "
        "where r.touchpoint_id = 'inflight_wifi' and not r.experienced"
    ).fetchall()[0][0]
    assert not_experienced == 3103  # the zeros in the file's 'Inflight wifi service' column


def test_tripadvisor_aspects_load_with_blanks_as_not_rated(tmp_path):
    real_data("tripadvisor_lara_hotel_aspects.csv")
    con = duckdb.connect(str(tmp_path / "hotels.duckdb"))
    [result] = ingest_sources(con, load_sources(REPO / "examples" / "tripadvisor" / "sources.yaml"))
    assert result.rows_read == 47_797
    assert result.rows_loaded + result.rows_quarantined == result.rows_read
    share = con.sql(
        "select avg((not r.experienced)::int) from (select unnest(ratings) r from raw_surveys) "
        "where r.touchpoint_id = 'business_service'"
    ).fetchall()[0][0]
    assert share > 0.5  # most reviews do not rate business service


def test_two_writers_one_waits_then_fails_cleanly(tmp_path):
    db = tmp_path / "busy.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb,time; c=duckdb.connect({str(db)!r}); print('ready', flush=True); time.sleep(20)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        path = _write(pl.DataFrame([ROWS["surveys"]]), tmp_path / "s.csv")
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "tpnb.cli",
                "ingest",
                "surveys",
                str(path),
                "--db",
                str(db),
                "--wait",
                "1",
                "--json",
            ],
            capture_output=True,
            text=True,
            cwd=REPO,
        )
        assert run.returncode == 2
        assert "in use by another tpnb process" in run.stderr
    finally:
        holder.kill()
        holder.wait()
    # after the holder is gone, the load goes through and the file is intact
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "tpnb.cli",
            "ingest",
            "surveys",
            str(path),
            "--db",
            str(db),
            "--json",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["loads"][0]["rows_loaded"] == 1


KILL_AFTER_INSERT = """
import sys, time, duckdb
import tpnb.ingest as ingest

def stop_before_commit(con, *args, **kwargs):
    # the rows are in the raw table, the transaction is open: say so, then wait to be killed
    print("inserted", con.sql("select count(*) from raw_surveys").fetchall()[0][0], flush=True)
    time.sleep(120)

ingest.finish_load = stop_before_commit
ingest.ingest_file(duckdb.connect(sys.argv[1]), "surveys", sys.argv[2])
"""


def test_killed_load_leaves_the_database_as_before(tmp_path):
    db = tmp_path / "kill.duckdb"
    first = _write(pl.DataFrame([ROWS["surveys"]]), tmp_path / "first.csv")
    big = tmp_path / "big.csv"
    rows = pl.DataFrame(
        {
            "response_id": [f"R{i}" for i in range(2, 50_002)],
            "customer_id": "K1",
            "answered_at": "2026-03-01",
            "nps": "8",
            "tp_delivery": "4",
        }
    )
    rows.write_csv(big)
    c = duckdb.connect(str(db))
    ingest_file(c, "surveys", first)
    c.close()
    # killed at a known point: after every row of the file is inserted, before the commit
    proc = subprocess.Popen(
        [sys.executable, "-c", KILL_AFTER_INSERT, str(db), str(big)], cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    try:
        line = proc.stdout.readline().split()
        assert line == ["inserted", "50001"]  # the first row plus the whole file, uncommitted
    finally:
        proc.kill()
        proc.wait()
    c = duckdb.connect(str(db), read_only=True)
    count = c.sql("select count(*) from raw_surveys").fetchall()[0][0]
    loads = c.sql("select count(*) from meta_load_log").fetchall()[0][0]
    c.close()
    assert (count, loads) == (1, 1)  # as before the killed load: nothing of it stays


def test_ingest_options_are_validated():
    from tpnb.ingest.options import ConfigError, options_from_mapping

    with pytest.raises(ConfigError, match="delimiter"):
        options_from_mapping({"delimiter": "#"}, "x.yaml")
    assert options_from_mapping({"delimiter": "tab"}, "x.yaml") == SourceOptions(delimiter="\t")


def test_loading_a_b_a_leaves_a(tmp_path):
    head = "response_id,customer_id,answered_at,nps,tp_delivery\n"
    a = tmp_path / "a.csv"
    b = tmp_path / "b.csv"
    a.write_text(head + "R1,K1,2026-03-01,9,4\nR2,K1,2026-03-01,3,2\n")
    b.write_text(head + "R1,K1,2026-03-01,7,4\nR2,K1,2026-03-01,3,2\n")  # a correction of R1
    con = duckdb.connect(str(tmp_path / "db.duckdb"))
    statuses = [ingest_file(con, "surveys", f).status for f in (a, b, a)]
    assert con.sql("select nps from raw_surveys where response_id = 'R1'").fetchall() == [(9,)]
    assert statuses[2] != "unchanged"  # read again: the stored rows were B's
    again = ingest_file(con, "surveys", a)  # now the stored rows are A's: nothing to do
    assert again.status == "unchanged"


def _catalogue(con, tmp_path, ids):
    path = tmp_path / "tp.csv"
    path.write_text("touchpoint_id,name,phase\n" + "".join(f"{i},{i},purchase\n" for i in ids), encoding="utf-8")
    ingest_file(con, "touchpoints", path)


@pytest.mark.parametrize("header", ["tp_ku\u0308hlung", "tp_k\u00fchlung", "tp_\u200bk\u00fchlung", " TP_Kühlung "])
def test_look_alike_headers_name_the_catalogue_touchpoint(tmp_path, header):
    con = duckdb.connect(str(tmp_path / "db.duckdb"))
    _catalogue(con, tmp_path, ["k\u00fchlung"])
    path = tmp_path / "s.csv"
    path.write_text(f"response_id,customer_id,answered_at,nps,{header}\nR1,K1,2026-03-01,9,4\n", encoding="utf-8")
    result = ingest_file(con, "surveys", path)
    assert result.new_touchpoints == []
    assert con.sql("select ratings[1].touchpoint_id from raw_surveys").fetchall() == [("k\u00fchlung",)]


def test_a_near_duplicate_touchpoint_id_is_an_error_naming_both_spellings(tmp_path):
    con = duckdb.connect(str(tmp_path / "db.duckdb"))
    _catalogue(con, tmp_path, ["Delivery2"])
    path = tmp_path / "s.csv"
    path.write_text("response_id,customer_id,answered_at,nps,tp_delivery2\nR1,K1,2026-03-01,9,4\n", encoding="utf-8")
    with pytest.raises(RejectedFile, match="'tp_delivery2' and the catalogue's touchpoint 'Delivery2'"):
        ingest_file(con, "surveys", path)
    assert con.sql("select count(*) from raw_surveys").fetchall() == [(0,)]


def _sheet(path, title_rows: int = 0, error_row: bool = True):
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Export")
    for i in range(title_rows):
        sheet.write(i, 0, f"Umfrage-Export, Stand {i}")
    top = title_rows + 1 if title_rows else 0  # a blank row under the title
    sheet.write_row(top, 0, ["response_id", "customer_id", "answered_at", "nps", "tp_delivery"])
    sheet.write_row(top + 1, 0, ["R1", "K1", "2026-03-01", 9, 4])
    if error_row:
        sheet.write_row(top + 2, 0, ["R2", "K1", "2026-03-01"])
        sheet.write_formula(top + 2, 3, "=1/0", None, "#DIV/0!")
        sheet.write(top + 2, 4, 3)
    sheet.write_row(top + 4, 0, ["R3", "K1", "2026-03-01", 7, 2])  # after an empty row
    book.close()
    return top + 1  # the header's sheet row (1-based)


@pytest.mark.parametrize("title_rows", [0, 1, 2])
def test_xlsx_finds_its_header_below_a_title_and_quarantines_excel_errors(tmp_path, title_rows):
    path = tmp_path / "s.xlsx"
    header = _sheet(path, title_rows)
    con = duckdb.connect(str(tmp_path / "db.duckdb"))
    result = ingest_file(con, "surveys", path)
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (3, 2, 1)
    [(line, reason)] = con.sql("select line, reason from meta_quarantine").fetchall()
    assert line == header + 2 and reason == f"Excel error #DIV/0! in D{header + 2}"
    assert con.sql("select response_id, nps from raw_surveys order by 1").fetchall() == [("R1", 9), ("R3", 7)]


def test_xlsx_header_row_can_be_set(tmp_path):
    path = tmp_path / "s.xlsx"
    header = _sheet(path, title_rows=2, error_row=False)
    con = duckdb.connect(str(tmp_path / "db.duckdb"))
    result = ingest_file(con, "surveys", path, SourceOptions(header_row=header))
    assert result.rows_loaded == 2
    with pytest.raises(RejectedFile, match="header_row 99 is outside"):
        ingest_file(con, "surveys", path, SourceOptions(header_row=99, sheet="Export"))


def test_a_touchpoint_without_a_catalogue_entry_gets_a_readable_name(tmp_path):
    from tpnb.ingest.load import readable_name

    assert readable_name("inflight_wifi") == "Inflight wifi" and readable_name("check-in") == "Check in"
    path = tmp_path / "s.csv"
    path.write_text("response_id,customer_id,answered_at,nps,tp_online_boarding\nR1,K1,2026-03-01,9,4\n")
    con = duckdb.connect(str(tmp_path / "db.duckdb"))
    assert ingest_file(con, "surveys", path).new_touchpoints == ["online_boarding"]
    assert con.sql("select name, phase from raw_touchpoints").fetchall() == [("Online boarding", "unknown")]
