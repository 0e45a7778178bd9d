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
from dataclasses import dataclass
from pathlib import Path

import duckdb

from tpnb.ingest.columnar import stage_frame, stage_jsonl, stage_parquet, stage_xlsx
from tpnb.ingest.encoding import CHUNK_BYTES, guess_encoding, has_mixed_line_ends, sniff_delimiter, transcode
from tpnb.ingest.errors import RejectedFile
from tpnb.ingest.options import SourceOptions
from tpnb.ingest.staging import (
    MAX_FIELD_BYTES,
    REJECTS,
    SAMPLE,
    SAMPLE_ROWS,
    SHIFT,
    STAGE,
    STAGE_TABLE,
    Staged,
    count_rows,
    first_line_of,
    make_line_shift,
    target_names,
    temp_files,
)
from tpnb.sqlutil import drop_temp, ident

SAMPLE_BYTES = 1024 * 1024  # the head of a file that decides whether the reader may type a column


@dataclass
class Scan:
    """One pass over a file's bytes: its content hash and what the CSV checks need."""

    sha256: str
    quotes: int
    newlines: int
    has_nul: bool
    ends_with_newline: bool


def scan_bytes(path: Path) -> Scan:
    """Hash the file and count its quotes and line ends in one pass over its bytes."""
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


def file_format(path: Path) -> str:
    """The format of a file by its name: csv (also tsv/txt), parquet, xlsx or jsonl."""
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


def stage_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    options: SourceOptions,
    candidates: dict[str, str] | None = None,
    encoding: str | None = None,
    normalize: bool = False,
    kind_name: str = "surveys",
) -> Staged:
    """Stage ``path``; raise RejectedFile when unreadable.

    ``normalize`` reads a CSV file through a UTF-8 copy with LF line ends (a retry after the
    reader stopped at mixed line ends).

    ``candidates`` (name -> SQL type) are the columns DuckDB's CSV reader may
    parse itself; ``encoding`` overrides the guess (a retry after DuckDB found
    bytes that are not UTF-8).
    """
    if not path.is_file():
        raise RejectedFile(f"{path}: file not found")
    if path.stat().st_size == 0:
        raise RejectedFile(f"{path.name}: the file is empty")
    drop_stage(con)
    fmt = "export" if options.reads_export else file_format(path)
    if fmt == "export":  # a tool's layout (or header rows), read in Python, then validated like any file
        staged = _stage_export(con, path, kind_name, options)
    elif fmt == "csv":
        staged = _stage_csv(con, path, options, candidates or {}, encoding, normalize)
    elif fmt == "parquet":
        staged = stage_parquet(con, path, options, candidates or {})
    else:
        reader = {"xlsx": stage_xlsx, "jsonl": stage_jsonl}[fmt]
        staged = reader(con, path, options)
    if options.derive or options.recode_for(staged.columns):
        _apply_derive_and_recode(con, path, staged, options)
    if not staged.lazy:
        con.execute(f"create temp view {STAGE} as select * from {STAGE_TABLE}")
    if fmt != "csv" or (options.derive or options.recode_for(staged.columns)):
        drop_temp(con, SAMPLE)
        con.execute(
            f"create temp table {SAMPLE} as select * from {staged.source} limit {SAMPLE_ROWS}",
            staged.params,
        )
    return staged


def _stage_export(con, path: Path, kind_name: str, options: SourceOptions) -> Staged:
    from tpnb.ingest.exports import read_export  # the exports read options: imported when used

    table = read_export(path, kind_name, options)
    header, frame = table.frame()
    staged = stage_frame(con, path, header, frame, table.rejects, options, options.format or "csv export")
    staged.dropped = table.dropped
    if staged.rows == 0 and not table.rejects:
        raise RejectedFile(f"{path.name}: the export has no data rows")
    return staged


def drop_stage(con) -> None:
    """Drop the temporary tables and views a staged file left."""
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
                raise RejectedFile(
                    f"{path.name}: derive {target} from column '{spec['column']}', which is not in the file"
                )
            con.execute(f"update {STAGE_TABLE} set {ident(target)} = {ident(spec['column'])}")
        elif "line" in spec:
            if staged.first_line is not None:
                con.execute(
                    f"update {STAGE_TABLE} set {ident(target)} = (rowid + {int(staged.first_line)} + "
                    f"coalesce((select max(shift) from {SHIFT} where first_rowid <= {STAGE_TABLE}.rowid), 0)"
                    ")::varchar"
                )
            else:
                con.execute(f"update {STAGE_TABLE} set {ident(target)} = __line::varchar")
        else:
            con.execute(f"update {STAGE_TABLE} set {ident(target)} = $value", {"value": str(spec["value"])})
        staged.columns.append(target)
        staged.original[target] = f"{target} (derived)"
    for column, mapping in options.recode_for(staged.columns).items():
        if column not in staged.columns:
            if column in options.preset_columns:  # a tool's default for a column this export lacks
                continue
            raise RejectedFile(f"{path.name}: recode names column '{column}', which is not in the file")
        if column in staged.typed:
            raise AssertionError("recoded columns are never typed by the reader")
        for old, new in mapping.items():
            con.execute(
                f"update {STAGE_TABLE} set {ident(column)} = $new where lower(trim({ident(column)})) = lower($old)",
                {"new": new, "old": old},
            )


# --- CSV -------------------------------------------------------------------


def _first_record(path: Path, encoding: str) -> str:
    with path.open("rb") as raw:
        bom = len(codecs.BOM_UTF8) if raw.read(3) == codecs.BOM_UTF8 else 0
    with path.open("r", encoding="utf-8-sig" if encoding == "utf-8" else encoding, errors="replace", newline="") as fh:
        fh.read(bom if encoding != "utf-8" else 0)  # a UTF-8 BOM before Windows-1252 text
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


READ_CSV = (
    "read_csv($path, delim=$delim, quote='\"', escape='\"', header=true, columns=$columns, "
    "store_rejects=true, rejects_table='stage_rejects', rejects_scan='stage_rejects_scan', "
    "strict_mode=true, null_padding=false, max_line_size=$max_line, auto_detect=false, timestampformat=$tsformat)"
)
# The formats the reader may parse a time column with itself. A fixed format (never the reader's own
# cast, which drops an offset such as -05:00) makes any other value a CAST reject, and the file is
# then read as text, where tpnb's parser converts offsets.
READER_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S.%f")


def _stage_csv(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    options: SourceOptions,
    candidates: dict[str, str],
    encoding: str | None,
    normalize: bool = False,
) -> Staged:
    encoding = encoding or guess_encoding(path, options)
    if not normalize:
        with path.open("rb") as fh:
            head = fh.read(SAMPLE_BYTES)
        # a BOM before Windows-1252 text, or CRLF and LF in one file: read a normalised UTF-8 copy
        normalize = has_mixed_line_ends(head) or (encoding != "utf-8" and head.startswith(codecs.BOM_UTF8))
    first = _first_record(path, encoding)
    if not first.strip():
        raise RejectedFile(f"{path.name}: the first line is empty; expected a header row")
    delimiter = sniff_delimiter(path, first, options)
    header = next(csv.reader(io.StringIO(first), delimiter=delimiter, quotechar='"'))
    names, original = target_names(path, header, options)
    folder, prefix = temp_files(con)
    readable = path if encoding == "utf-8" and not normalize else transcode(path, encoding, folder, prefix)
    params = {"path": str(readable), "delim": delimiter, "max_line": MAX_FIELD_BYTES}
    typed = _typed_columns(con, path, params, names, candidates)
    params["columns"] = {n: typed.get(n, "VARCHAR") for n in names}
    return Staged(
        names,
        original,
        0,
        0,
        "csv",
        encoding,
        delimiter,
        source=READ_CSV,
        params=params,
        typed=typed,
        first_line=2,
        temp_file=None if readable == path else readable,
    )


def _typed_columns(con, path: Path, params: dict, names: list[str], candidates: dict[str, str]) -> dict[str, str]:
    """The candidates whose sampled values all cast the standard way (ISO dates, 1234.5).

    The sample (the head of the file, as text) stays in the temp table ``stage_sample``."""
    wanted = {n: t for n, t in candidates.items() if n in names}
    params["tsformat"] = READER_TIME_FORMATS[0]
    # The sample is the head of the (UTF-8) file, cut after its last full line.
    with Path(params["path"]).open("rb") as fh:
        head = fh.read(SAMPLE_BYTES)
    folder, prefix = temp_files(con)
    fd, sample_path = tempfile.mkstemp(suffix=".csv", prefix=prefix + "sample-", dir=folder)
    with os.fdopen(fd, "wb") as out:
        out.write(head if len(head) < SAMPLE_BYTES else head[: head.rfind(b"\n") + 1])
    sample = READ_CSV.replace(
        "store_rejects=true, rejects_table='stage_rejects', rejects_scan='stage_rejects_scan', ",
        "ignore_errors=true, ",
    )
    try:
        con.execute(
            f"create temp table {SAMPLE} as select * from {sample}",
            {**params, "path": sample_path, "columns": {n: "VARCHAR" for n in names}},
        )
    except duckdb.Error as exc:
        raise RejectedFile(f"{path.name}: cannot read as CSV: {first_line_of(exc)}") from exc
    finally:
        os.unlink(sample_path)
    if not wanted:
        return {}
    times = [n for n, t in wanted.items() if t == "TIMESTAMP"]
    others = {n: t for n, t in wanted.items() if t != "TIMESTAMP"}
    tests = [f"bool_and({ident(n)} is null or try_cast({ident(n)} as {t}) is not null)" for n, t in others.items()]
    tests += [
        f"bool_and({ident(n)} is null or try_strptime({ident(n)}, $f{i}) is not null)"
        for n in times
        for i in range(len(READER_TIME_FORMATS))
    ]
    row = con.sql(
        f"select {', '.join(tests)} from {SAMPLE}",
        params={f"f{i}": f for i, f in enumerate(READER_TIME_FORMATS)} if times else {},
    ).fetchall()[0]
    typed = {n: t for (n, t), ok in zip(others.items(), row[: len(others)], strict=True) if ok is not False}
    fits = row[len(others) :]
    # one format for every typed time column: the one that fits the most of them
    per_format = [
        [n for j, n in enumerate(times) if fits[j * len(READER_TIME_FORMATS) + i] is not False]
        for i in range(len(READER_TIME_FORMATS))
    ]
    best = max(range(len(READER_TIME_FORMATS)), key=lambda i: len(per_format[i])) if times else 0
    params["tsformat"] = READER_TIME_FORMATS[best]
    typed.update({n: "TIMESTAMP" for n in per_format[best]} if times else {})
    return typed


def _materialize(con, path: Path, staged: Staged) -> None:
    try:
        con.execute(f"create temp table {STAGE_TABLE} as select * from {staged.source}", staged.params)
    except duckdb.Error as exc:
        raise RejectedFile(f"{path.name}: cannot read as {staged.format.upper()}: {first_line_of(exc)}") from exc
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
    reported = con.sql(f"select count(*) from {REJECTS} where line >= $line", params={"line": last_line}).fetchall()[0][
        0
    ]
    if scan.quotes % 2 and not reported:
        # An unterminated quote (a file cut off mid-record) that DuckDB dropped without
        # a reject: it is quarantined here, never lost silently.
        con.execute(
            f"insert into {REJECTS} (line, error_message, csv_line) values "
            "($line, 'truncated record: unterminated quote at the end of the file', NULL)",
            {"line": last_line},
        )
    make_line_shift(con)
    staged.malformed = count_rows(con, f"(select distinct line from {REJECTS})")
    if rows == 0 and staged.malformed == 0:
        raise RejectedFile(f"{path.name}: the file has a header but no data rows")
    return None
