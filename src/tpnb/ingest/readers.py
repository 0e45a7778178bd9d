"""Read a source file into an all-text staging table in DuckDB.

Every format ends in the same shape: a temporary table ``stage`` whose
columns are the file's (normalised, renamed) column names as VARCHAR, plus
``__line`` (the line or record number in the file). Validation then runs in
SQL over that table, so a large file never passes through Python row by row.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from tpnb.ingest.errors import RejectedFile
from tpnb.ingest.options import DELIMITERS, SourceOptions, normalize_name
from tpnb.sqlutil import drop_temp, ident

CHUNK_BYTES = 16 * 1024 * 1024
MAX_FIELD_BYTES = 64 * 1024 * 1024
STAGE = "stage"          # the view validation reads: the file's columns + __line
STAGE_TABLE = "stage_read"  # the table behind it


@dataclass
class Staged:
    columns: list[str]          # normalised names in the staging table
    original: dict[str, str]    # normalised name -> the header as written in the file
    rows: int
    malformed: int              # rows DuckDB could not split (go to quarantine)
    format: str
    encoding: str | None = None
    delimiter: str | None = None


def file_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt", ".psv"):
        return "csv"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    raise RejectedFile(f"{path.name}: unknown file type '{suffix}'; expected .csv/.tsv, .parquet, .xlsx or .jsonl")


def stage_file(con: duckdb.DuckDBPyConnection, path: Path, options: SourceOptions) -> Staged:
    """Create the temp table ``stage`` from ``path``; raise RejectedFile when unreadable."""
    if not path.is_file():
        raise RejectedFile(f"{path}: file not found")
    if path.stat().st_size == 0:
        raise RejectedFile(f"{path.name}: the file is empty")
    drop_stage(con)
    fmt = file_format(path)
    reader = {"csv": _stage_csv, "parquet": _stage_parquet, "xlsx": _stage_xlsx, "jsonl": _stage_jsonl}[fmt]
    staged = reader(con, path, options)
    _apply_derive_and_recode(con, path, staged, options)
    # CSV rows keep insertion order, so their line is the rowid (+ the header line).
    line = ", (rowid + 2)::bigint as __line" if fmt == "csv" else ""
    con.execute(f"create temp view {STAGE} as select *{line} from {STAGE_TABLE}")
    return staged


def drop_stage(con) -> None:
    for name in (STAGE, STAGE_TABLE, "stage_rejects", "stage_lines"):
        drop_temp(con, name)


def _apply_derive_and_recode(con, path: Path, staged: Staged, options: SourceOptions) -> None:
    """Make the columns a source config derives, and translate recoded values (values bound)."""
    for target, spec in options.derive.items():
        if target in staged.columns:
            raise RejectedFile(f"{path.name}: column '{target}' is in the file and derived in the config; choose one")
        con.execute(f"alter table {STAGE_TABLE} add column {ident(target)} varchar")
        if "column" in spec:
            if spec["column"] not in staged.columns:
                raise RejectedFile(f"{path.name}: derive {target} from column '{spec['column']}', which is not in the file")
            con.execute(f"update {STAGE_TABLE} set {ident(target)} = {ident(spec['column'])}")
        elif "line" in spec:
            line = "rowid + 2" if staged.format == "csv" else "__line"
            con.execute(f"update {STAGE_TABLE} set {ident(target)} = ({line})::varchar")
        else:
            con.execute(f"update {STAGE_TABLE} set {ident(target)} = $value", {"value": str(spec["value"])})
        staged.columns.append(target)
        staged.original[target] = f"{target} (derived)"
    for column, mapping in options.recode.items():
        if column not in staged.columns:
            raise RejectedFile(f"{path.name}: recode names column '{column}', which is not in the file")
        for old, new in mapping.items():
            con.execute(f"update {STAGE_TABLE} set {ident(column)} = $new where lower(trim({ident(column)})) = lower($old)",
                        {"new": new, "old": old})


# --- names -----------------------------------------------------------------

def _target_names(path: Path, header: list[str], options: SourceOptions) -> tuple[list[str], dict[str, str]]:
    rename = options.normalized_rename()
    names: list[str] = []
    original: dict[str, str] = {}
    for i, raw in enumerate(header, start=1):
        name = normalize_name(raw)
        if not name:
            name = f"column_{i}"
        name = rename.get(name, name)
        if name.startswith("__"):
            raise RejectedFile(f"{path.name}: column name '{raw}' is reserved")
        if name in original:
            raise RejectedFile(
                f"{path.name}: duplicate column '{raw}' (columns {list(original.values()).index(original[name]) + 1} "
                f"and {i} both mean '{name}')"
            )
        names.append(name)
        original[name] = str(raw)
    return names, original


# --- CSV -------------------------------------------------------------------

@dataclass
class Scan:
    encoding: str
    quotes: int
    newlines: int
    ends_with_newline: bool


def _scan(path: Path, options: SourceOptions) -> Scan:
    """One pass over the bytes: encoding (unless set), quote and line counts."""
    encoding = options.encoding
    quotes = newlines = 0
    last = b""
    with path.open("rb") as fh:
        head = fh.read(4)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise RejectedFile(f"{path.name}: UTF-16 files are not supported; save as UTF-8 or Windows-1252")
        if encoding is None and head.startswith(codecs.BOM_UTF8):
            encoding = "utf-8"
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")() if encoding is None else None
        while chunk := fh.read(CHUNK_BYTES):
            if b"\x00" in chunk:
                raise RejectedFile(f"{path.name}: not a text file (it holds NUL bytes); is it binary or UTF-16?")
            quotes += chunk.count(b'"')
            newlines += chunk.count(b"\n")
            last = chunk[-1:]
            if decoder is not None:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    decoder, encoding = None, "cp1252"
        if decoder is not None:
            try:
                decoder.decode(b"", final=True)
                encoding = "utf-8"
            except UnicodeDecodeError:
                encoding = "cp1252"
    return Scan(encoding or "utf-8", quotes, newlines, last == b"\n")


def _detect_encoding(path: Path, options: SourceOptions) -> str:
    return _scan(path, options).encoding


def _transcode(path: Path, encoding: str) -> Path:
    """Write a UTF-8 copy of a Windows-1252 / Latin-1 file (DuckDB reads UTF-8)."""
    fd, tmp = tempfile.mkstemp(suffix=".csv", prefix="tpnb-")
    # cp1252 leaves 5 bytes undefined; those fall back to Latin-1 so no byte is lost.
    errors = "tpnb_latin1_fallback" if encoding == "cp1252" else "strict"
    with os.fdopen(fd, "wb") as out, path.open("rb") as src:
        decoder = codecs.getincrementaldecoder(encoding)(errors=errors)
        while chunk := src.read(CHUNK_BYTES):
            out.write(decoder.decode(chunk).encode("utf-8"))
        out.write(decoder.decode(b"", final=True).encode("utf-8"))
    return Path(tmp)


def _latin1_fallback(exc: UnicodeDecodeError) -> tuple[str, int]:
    return exc.object[exc.start:exc.end].decode("latin-1"), exc.end


codecs.register_error("tpnb_latin1_fallback", _latin1_fallback)


def _first_record(path: Path, encoding: str) -> str:
    with path.open("r", encoding="utf-8-sig" if encoding == "utf-8" else encoding,
                   errors="replace", newline="") as fh:
        lines = []
        for _ in range(50):  # a header may hold quoted newlines
            line = fh.readline()
            if not line:
                break
            lines.append(line)
            text = "".join(lines)
            if text.count('"') % 2 == 0:
                return text
        return "".join(lines)


def _sniff_delimiter(path: Path, first: str, options: SourceOptions) -> str:
    if options.delimiter:
        return options.delimiter
    if path.suffix.lower() == ".tsv":
        return "\t"
    outside_quotes = first.split('"')[::2]
    counts = {d: sum(part.count(d) for part in outside_quotes) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _stage_csv(con: duckdb.DuckDBPyConnection, path: Path, options: SourceOptions) -> Staged:
    scan = _scan(path, options)
    encoding = scan.encoding
    first = _first_record(path, encoding)
    if not first.strip():
        raise RejectedFile(f"{path.name}: the first line is empty; expected a header row")
    delimiter = _sniff_delimiter(path, first, options)
    header = next(csv.reader(io.StringIO(first), delimiter=delimiter, quotechar='"'))
    names, original = _target_names(path, header, options)
    readable = path if encoding == "utf-8" else _transcode(path, encoding)
    try:
        con.execute(
            f"create temp table {STAGE_TABLE} as select * from read_csv($path, delim=$delim, quote='\"', "
            "escape='\"', header=true, columns=$columns, store_rejects=true, "
            "rejects_table='stage_rejects', rejects_scan='stage_rejects_scan', strict_mode=true, "
            "null_padding=false, max_line_size=$max_line, auto_detect=false)",
            {"path": str(readable), "delim": delimiter, "columns": {n: "VARCHAR" for n in names},
             "max_line": MAX_FIELD_BYTES},
        )

    except duckdb.Error as exc:
        raise RejectedFile(f"{path.name}: cannot read as CSV: {_first_line(exc)}") from exc
    finally:
        if readable != path:
            readable.unlink(missing_ok=True)
    last_line = scan.newlines + (0 if scan.ends_with_newline else 1)
    reported = con.sql("select count(*) from stage_rejects where line >= $line", params={"line": last_line}).fetchall()[0][0]
    if scan.quotes % 2 and not reported:
        # An unterminated quote (a file cut off mid-record) that DuckDB dropped without
        # a reject: it is quarantined here, never lost silently.
        con.execute(
            "insert into stage_rejects (line, error_message, csv_line) values "
            "($line, 'truncated record: unterminated quote at the end of the file', NULL)",
            {"line": last_line},
        )
    rows = _count(con, STAGE_TABLE)
    malformed = _count(con, "stage_rejects")
    if rows == 0 and malformed == 0:
        raise RejectedFile(f"{path.name}: the file has a header but no data rows")
    return Staged(names, original, rows, malformed, "csv", encoding, delimiter)


# --- Parquet, XLSX, JSON Lines ---------------------------------------------

def _stage_from_relation_columns(con, path: Path, options: SourceOptions, source_sql: str, params: dict,
                                 fmt: str, line_offset: int) -> Staged:
    try:
        described = con.sql(f"describe select * from {source_sql}", params=params).fetchall()
    except duckdb.Error as exc:
        raise RejectedFile(f"{path.name}: cannot read as {fmt}: {_first_line(exc)}") from exc
    header = [row[0] for row in described]
    names, original = _target_names(path, header, options)
    select = ", ".join(f"nullif(trim({ident(h)}::varchar), '') as {ident(n)}" for h, n in zip(header, names, strict=True))
    try:
        con.execute(
            f"create temp table {STAGE_TABLE} as select {select}, "
            f"(row_number() over () + {int(line_offset)})::bigint as __line from {source_sql}",
            params,
        )
    except duckdb.Error as exc:
        raise RejectedFile(f"{path.name}: cannot read as {fmt}: {_first_line(exc)}") from exc
    con.execute("create temp table stage_rejects (line bigint, error_message varchar, csv_line varchar)")
    rows = _count(con, STAGE_TABLE)
    if rows == 0:
        raise RejectedFile(f"{path.name}: the file has no data rows")
    return Staged(names, original, rows, 0, fmt)


def _stage_parquet(con, path: Path, options: SourceOptions) -> Staged:
    # Parquet has no lines; __line is the record number (1-based).
    return _stage_from_relation_columns(con, path, options, "read_parquet($path)", {"path": str(path)},
                                        "Parquet", 0)


def _stage_xlsx(con, path: Path, options: SourceOptions) -> Staged:
    try:
        frame = pl.read_excel(path, sheet_name=options.sheet, engine="calamine",
                              infer_schema_length=0, raise_if_empty=False)
    except Exception as exc:  # fastexcel raises its own error types
        raise RejectedFile(f"{path.name}: cannot read as XLSX: {str(exc).splitlines()[0]}") from exc
    if frame.width == 0:
        raise RejectedFile(f"{path.name}: the sheet is empty")
    frame = frame.with_columns(pl.all().cast(pl.String))
    con.register("xlsx_frame", frame)
    try:
        # Spreadsheet row 1 is the header, so record n sits on sheet row n + 1.
        return _stage_from_relation_columns(con, path, options, "xlsx_frame", {}, "XLSX", 1)
    finally:
        con.unregister("xlsx_frame")


def _stage_jsonl(con, path: Path, options: SourceOptions) -> Staged:
    encoding = _detect_encoding(path, options)
    readable = path if encoding == "utf-8" else _transcode(path, encoding)
    try:
        # One VARCHAR per line keeps true line numbers and lets bad JSON reach quarantine.
        con.execute(
            "create temp table stage_lines as select row_number() over ()::bigint as __line, line "
            "from read_csv($path, columns={'line': 'VARCHAR'}, delim=chr(1), quote='', escape='', "
            "header=false, parallel=false, auto_detect=false, max_line_size=$max_line)",
            {"path": str(readable), "max_line": MAX_FIELD_BYTES},
        )
    except duckdb.Error as exc:
        raise RejectedFile(f"{path.name}: cannot read as JSON Lines: {_first_line(exc)}") from exc
    finally:
        if readable != path:
            readable.unlink(missing_ok=True)
    con.execute("delete from stage_lines where trim(line) = ''")
    con.execute(
        "create temp table stage_rejects as select __line as line, 'not a JSON object' as error_message, "
        "line as csv_line from stage_lines where not coalesce(json_valid(line) and json_type(line) = 'OBJECT', false)"
    )
    keys = [row[0] for row in con.sql(
        "select k from (select unnest(json_keys(line)) as k, __line from stage_lines "
        "where json_valid(line) and json_type(line) = 'OBJECT') group by k order by min(__line), k"
    ).fetchall()]
    if not keys:
        raise RejectedFile(f"{path.name}: no JSON object with keys found")
    names, original = _target_names(path, keys, options)
    select = ", ".join(
        f"nullif(trim(json_extract_string(line, $k{i})), '') as {ident(n)}" for i, n in enumerate(names)
    )
    con.execute(
        f"create temp table {STAGE_TABLE} as select {select}, __line from stage_lines "
        "where json_valid(line) and json_type(line) = 'OBJECT'",
        {f"k{i}": "$." + _json_path_key(k) for i, k in enumerate(keys)},
    )
    con.execute("drop table stage_lines")
    return Staged(names, original, _count(con, STAGE_TABLE), _count(con, "stage_rejects"), "jsonl", encoding)


def _json_path_key(key: str) -> str:
    return '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _count(con, table: str) -> int:
    return int(con.sql(f"select count(*) from {table}").fetchall()[0][0])


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0]
