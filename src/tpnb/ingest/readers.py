"""Read a source file into a relation of text (and reader-typed) columns.

Every format ends in the same shape: ``Staged.source``, something validation
can select from, whose columns are the file's (normalised, renamed) column
names, plus ``__line`` for formats without lines. A CSV file is read by
DuckDB while validation runs (one pass, never row by row in Python): columns
the contract types as dates or numbers are parsed by the reader itself when a
sample says they are written the standard way; if any value is not, the file
is read again with every column as text and parsed by tpnb's own, more
forgiving rules. Parquet, XLSX and JSON Lines go to a temporary table first.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from tpnb.ingest.errors import RejectedFile
from tpnb.ingest.options import DELIMITERS, SourceOptions, normalize_name
from tpnb.sqlutil import drop_temp, ident

CHUNK_BYTES = 16 * 1024 * 1024
HEAD_BYTES = 8 * 1024 * 1024     # what the encoding is guessed from before DuckDB reads the rest
SAMPLE_BYTES = 1024 * 1024       # the head of a file that decides whether the reader may type a column
SAMPLE_ROWS = 2000               # the same for formats read into a table first
MAX_FIELD_BYTES = 16 * 1024 * 1024
STAGE = "stage"              # the view validation reads when a file is staged in a table
STAGE_TABLE = "stage_read"   # the table behind it
REJECTS = "stage_rejects"    # what the CSV reader could not split (or type)
SHIFT = "stage_line_shift"   # rejected records before a row, to turn row numbers into lines
SAMPLE = "stage_sample"      # the first rows of the file as text: what formats are guessed from


@dataclass
class Scan:
    """One pass over a file's bytes: its content hash and what the CSV checks need."""

    sha256: str
    quotes: int
    newlines: int
    has_nul: bool
    ends_with_newline: bool


def scan_bytes(path: Path) -> Scan:
    digest = hashlib.sha256()
    quotes = newlines = 0
    has_nul = False
    last = b""
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK_BYTES):
            digest.update(chunk)  # releases the GIL: this runs beside DuckDB's read
            quotes += chunk.count(b'"')
            newlines += chunk.count(b"\n")
            has_nul = has_nul or b"\x00" in chunk
            last = chunk[-1:]
    return Scan(digest.hexdigest(), quotes, newlines, has_nul, last == b"\n")


@dataclass
class Staged:
    columns: list[str]          # normalised names
    original: dict[str, str]    # normalised name -> the header as written in the file
    rows: int
    malformed: int              # records DuckDB could not split (go to quarantine)
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    source: str = STAGE         # what validation selects from: a view, or a read_csv(...) call
    params: dict = field(default_factory=dict)
    typed: dict[str, str] = field(default_factory=dict)  # columns the reader typed: name -> SQL type
    # When set, a row's line follows from its position p among the rows read: p + first_line
    # (+ the records the reader rejected before it). None: the staged table has __line.
    first_line: int | None = None
    temp_file: Path | None = None   # a UTF-8 copy of a Windows-1252 file, removed after the load

    @property
    def lazy(self) -> bool:
        """True when the file is read by the statement that validates it."""
        return self.source != STAGE


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


def stage_file(con: duckdb.DuckDBPyConnection, path: Path, options: SourceOptions,
               candidates: dict[str, str] | None = None, encoding: str | None = None) -> Staged:
    """Stage ``path``; raise RejectedFile when unreadable.

    ``candidates`` (name -> SQL type) are the columns DuckDB's CSV reader may
    parse itself; ``encoding`` overrides the guess (a retry after DuckDB found
    bytes that are not UTF-8).
    """
    if not path.is_file():
        raise RejectedFile(f"{path}: file not found")
    if path.stat().st_size == 0:
        raise RejectedFile(f"{path.name}: the file is empty")
    drop_stage(con)
    fmt = file_format(path)
    if fmt == "csv":
        staged = _stage_csv(con, path, options, candidates or {}, encoding)
    elif fmt == "parquet":
        staged = _stage_parquet(con, path, options, candidates or {})
    else:
        reader = {"xlsx": _stage_xlsx, "jsonl": _stage_jsonl}[fmt]
        staged = reader(con, path, options)
    if options.derive or options.recode:
        _apply_derive_and_recode(con, path, staged, options)
    if not staged.lazy:
        con.execute(f"create temp view {STAGE} as select * from {STAGE_TABLE}")
    if fmt != "csv" or (options.derive or options.recode):
        drop_temp(con, SAMPLE)
        con.execute(f"create temp table {SAMPLE} as select * from {staged.source} limit {SAMPLE_ROWS}",
                    staged.params)
    return staged


def drop_stage(con) -> None:
    for name in (STAGE, STAGE_TABLE, REJECTS, "stage_rejects_scan", SHIFT, SAMPLE, "stage_lines"):
        drop_temp(con, name)


def _apply_derive_and_recode(con, path: Path, staged: Staged, options: SourceOptions) -> None:
    """Make the columns a source config derives, and translate recoded values (values bound)."""
    if staged.lazy:  # updates need the rows in a table
        _materialize(con, path, staged)
    for target, spec in options.derive.items():
        if target in staged.columns:
            raise RejectedFile(f"{path.name}: column '{target}' is in the file and derived in the config; choose one")
        con.execute(f"alter table {STAGE_TABLE} add column {ident(target)} varchar")
        if "column" in spec:
            if spec["column"] not in staged.columns:
                raise RejectedFile(f"{path.name}: derive {target} from column '{spec['column']}', which is not in the file")
            con.execute(f"update {STAGE_TABLE} set {ident(target)} = {ident(spec['column'])}")
        elif "line" in spec:
            if staged.first_line is not None:
                con.execute(f"update {STAGE_TABLE} set {ident(target)} = (rowid + {int(staged.first_line)} + "
                            f"coalesce((select max(shift) from {SHIFT} where first_rowid <= {STAGE_TABLE}.rowid), 0)"
                            ")::varchar")
            else:
                con.execute(f"update {STAGE_TABLE} set {ident(target)} = __line::varchar")
        else:
            con.execute(f"update {STAGE_TABLE} set {ident(target)} = $value", {"value": str(spec["value"])})
        staged.columns.append(target)
        staged.original[target] = f"{target} (derived)"
    for column, mapping in options.recode.items():
        if column not in staged.columns:
            raise RejectedFile(f"{path.name}: recode names column '{column}', which is not in the file")
        if column in staged.typed:
            raise AssertionError("recoded columns are never typed by the reader")
        for old, new in mapping.items():
            con.execute(f"update {STAGE_TABLE} set {ident(column)} = $new where lower(trim({ident(column)})) = lower($old)",
                        {"new": new, "old": old})


def make_line_shift(con) -> None:
    """Records the reader rejected get no row, so each moves the rows after it one line on.

    A row at 0-based position p among the rows read is on line
    p + 2 + the shift of the last entry with first_rowid <= p (the header is line 1).
    """
    drop_temp(con, SHIFT)
    con.execute(
        f"create temp table {SHIFT} as select first_rowid, max(shift) as shift from ("
        f"select line - 2 - (row_number() over (order by line) - 1) as first_rowid, "
        f"row_number() over (order by line) as shift from (select distinct line from {REJECTS} "
        f"where line is not null)) group by first_rowid"
    )


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

def _guess_encoding(path: Path, options: SourceOptions) -> str:
    """The encoding set in the config, else UTF-8 when the head of the file decodes as UTF-8.

    Bytes further on that are not UTF-8 make DuckDB reject their record as
    'INVALID ENCODING'; the file is then read again as Windows-1252.
    """
    if options.encoding:
        return options.encoding
    with path.open("rb") as fh:
        head = fh.read(HEAD_BYTES)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise RejectedFile(f"{path.name}: UTF-16 files are not supported; save as UTF-8 or Windows-1252")
    if b"\x00" in head:
        raise RejectedFile(f"{path.name}: not a text file (it holds NUL bytes); is it binary or UTF-16?")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=len(head) < HEAD_BYTES)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def _all_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(CHUNK_BYTES):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


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


READ_CSV = ("read_csv($path, delim=$delim, quote='\"', escape='\"', header=true, columns=$columns, "
            "store_rejects=true, rejects_table='stage_rejects', rejects_scan='stage_rejects_scan', "
            "strict_mode=true, null_padding=false, max_line_size=$max_line, auto_detect=false)")


def _stage_csv(con: duckdb.DuckDBPyConnection, path: Path, options: SourceOptions,
               candidates: dict[str, str], encoding: str | None) -> Staged:
    encoding = encoding or _guess_encoding(path, options)
    first = _first_record(path, encoding)
    if not first.strip():
        raise RejectedFile(f"{path.name}: the first line is empty; expected a header row")
    delimiter = _sniff_delimiter(path, first, options)
    header = next(csv.reader(io.StringIO(first), delimiter=delimiter, quotechar='"'))
    names, original = _target_names(path, header, options)
    readable = path if encoding == "utf-8" else _transcode(path, encoding)
    params = {"path": str(readable), "delim": delimiter, "max_line": MAX_FIELD_BYTES}
    typed = _typed_columns(con, path, params, names, candidates)
    params["columns"] = {n: typed.get(n, "VARCHAR") for n in names}
    return Staged(names, original, 0, 0, "csv", encoding, delimiter, source=READ_CSV, params=params,
                  typed=typed, first_line=2, temp_file=None if readable == path else readable)


def _typed_columns(con, path: Path, params: dict, names: list[str], candidates: dict[str, str]) -> dict[str, str]:
    """The candidates whose sampled values all cast the standard way (ISO dates, 1234.5).

    The sample (the head of the file, as text) stays in the temp table ``stage_sample``."""
    wanted = {n: t for n, t in candidates.items() if n in names}
    # The sample is the head of the (UTF-8) file, cut after its last full line.
    with Path(params["path"]).open("rb") as fh:
        head = fh.read(SAMPLE_BYTES)
    fd, sample_path = tempfile.mkstemp(suffix=".csv", prefix="tpnb-sample-")
    with os.fdopen(fd, "wb") as out:
        out.write(head if len(head) < SAMPLE_BYTES else head[: head.rfind(b"\n") + 1])
    sample = READ_CSV.replace("store_rejects=true, rejects_table='stage_rejects', rejects_scan='stage_rejects_scan', ",
                              "ignore_errors=true, ")
    try:
        con.execute(f"create temp table {SAMPLE} as select * from {sample}",
                    {**params, "path": sample_path, "columns": {n: "VARCHAR" for n in names}})
    except duckdb.Error as exc:
        raise RejectedFile(f"{path.name}: cannot read as CSV: {_first_line(exc)}") from exc
    finally:
        os.unlink(sample_path)
    if not wanted:
        return {}
    tests = ", ".join(f"bool_and({ident(n)} is null or try_cast({ident(n)} as {t}) is not null)"
                      for n, t in wanted.items())
    row = con.sql(f"select {tests} from {SAMPLE}").fetchall()[0]
    return {n: t for (n, t), ok in zip(wanted.items(), row, strict=True) if ok is not False}


def _materialize(con, path: Path, staged: Staged) -> None:
    try:
        con.execute(f"create temp table {STAGE_TABLE} as select * from {staged.source}", staged.params)
    except duckdb.Error as exc:
        raise RejectedFile(f"{path.name}: cannot read as {staged.format.upper()}: {_first_line(exc)}") from exc
    staged.source, staged.params = STAGE, {}
    make_line_shift(con)


def settle_csv(con, path: Path, staged: Staged, options: SourceOptions, scan: Scan, rows: int) -> str | None:
    """After the read: what the reader rejected, and whether to read the file again.

    Returns None when the file is read, "text" to read it again with every
    column as text (a value the reader could not type), or "cp1252" to read
    it again as Windows-1252 (bytes that are not UTF-8).
    """
    if scan.has_nul:
        raise RejectedFile(f"{path.name}: not a text file (it holds NUL bytes); is it binary or UTF-16?")
    kinds = {row[0] for row in con.sql(f"select distinct error_type::varchar from {REJECTS}").fetchall()}
    if "INVALID ENCODING" in kinds and staged.encoding == "utf-8" and not options.encoding:
        return "cp1252"
    if "CAST" in kinds and staged.typed:
        return "text"
    last_line = scan.newlines + (0 if scan.ends_with_newline else 1)
    reported = con.sql(f"select count(*) from {REJECTS} where line >= $line", params={"line": last_line}).fetchall()[0][0]
    if scan.quotes % 2 and not reported:
        # An unterminated quote (a file cut off mid-record) that DuckDB dropped without
        # a reject: it is quarantined here, never lost silently.
        con.execute(
            f"insert into {REJECTS} (line, error_message, csv_line) values "
            "($line, 'truncated record: unterminated quote at the end of the file', NULL)",
            {"line": last_line},
        )
    make_line_shift(con)
    staged.malformed = _count(con, f"(select distinct line from {REJECTS})")
    if rows == 0 and staged.malformed == 0:
        raise RejectedFile(f"{path.name}: the file has a header but no data rows")
    return None


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


def _stage_parquet(con, path: Path, options: SourceOptions, candidates: dict[str, str]) -> Staged:
    """Parquet is read by the statement that validates it; columns already of the contract's
    type are used as they are, the others as text. A record's line is its number (1-based)."""
    params = {"path": str(path)}
    try:
        described = con.sql("describe select * from read_parquet($path)", params=params).fetchall()
        rows = int(con.sql("select count(*) from read_parquet($path)", params=params).fetchall()[0][0])
    except duckdb.Error as exc:
        raise RejectedFile(f"{path.name}: cannot read as Parquet: {_first_line(exc)}") from exc
    header = [row[0] for row in described]
    names, original = _target_names(path, header, options)
    types = {n: str(row[1]).upper() for n, row in zip(names, described, strict=True)}
    typed = {n: t for n, t in candidates.items() if types.get(n) == t}
    select = ", ".join(f"{ident(h)} as {ident(n)}" if n in typed else f"{ident(h)}::varchar as {ident(n)}"
                       for h, n in zip(header, names, strict=True))
    if rows == 0:
        raise RejectedFile(f"{path.name}: the file has no data rows")
    con.execute(f"create temp table {REJECTS} (line bigint, error_message varchar, csv_line varchar)")
    make_line_shift(con)
    return Staged(names, original, rows, 0, "parquet", source=f"(select {select} from read_parquet($path))",
                  params=params, typed=typed, first_line=1)


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
    encoding = _guess_encoding(path, options)
    if encoding == "utf-8" and not options.encoding and not _all_utf8(path):
        encoding = "cp1252"
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
