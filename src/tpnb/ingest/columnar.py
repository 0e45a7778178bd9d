"""Parquet, XLSX and JSON Lines: read into a staged table (Parquet by the validating statement itself)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from tpnb.ingest.encoding import all_utf8, guess_encoding, transcode
from tpnb.ingest.errors import RejectedFile
from tpnb.ingest.options import SourceOptions
from tpnb.ingest.spreadsheet import header_index, sheet_cells
from tpnb.ingest.staging import (
    MAX_FIELD_BYTES,
    REJECTS,
    STAGE_TABLE,
    Staged,
    count_rows,
    first_line_of,
    make_line_shift,
    target_names,
    temp_files,
)
from tpnb.sqlutil import ident


def _stage_from_relation_columns(
    con,
    path: Path,
    options: SourceOptions,
    source_sql: str,
    params: dict,
    fmt: str,
    line_offset: int,
) -> Staged:
    try:
        described = con.sql(f"describe select * from {source_sql}", params=params).fetchall()
    except duckdb.Error as exc:
        raise RejectedFile(f"{path.name}: cannot read as {fmt}: {first_line_of(exc)}") from exc
    header = [row[0] for row in described]
    names, original = target_names(path, header, options)
    select = ", ".join(
        f"nullif(trim({ident(h)}::varchar), '') as {ident(n)}" for h, n in zip(header, names, strict=True)
    )
    try:
        con.execute(
            f"create temp table {STAGE_TABLE} as select {select}, "
            f"(row_number() over () + {int(line_offset)})::bigint as __line from {source_sql}",
            params,
        )
    except duckdb.Error as exc:
        raise RejectedFile(f"{path.name}: cannot read as {fmt}: {first_line_of(exc)}") from exc
    con.execute("create temp table stage_rejects (line bigint, error_message varchar, csv_line varchar)")
    rows = count_rows(con, STAGE_TABLE)
    if rows == 0:
        raise RejectedFile(f"{path.name}: the file has no data rows")
    return Staged(names, original, rows, 0, fmt)


def stage_parquet(con, path: Path, options: SourceOptions, candidates: dict[str, str]) -> Staged:
    """Parquet is read by the statement that validates it; columns already of the contract's
    type are used as they are, the others as text. A record's line is its number (1-based)."""
    params = {"path": str(path)}
    try:
        described = con.sql("describe select * from read_parquet($path)", params=params).fetchall()
        rows = int(con.sql("select count(*) from read_parquet($path)", params=params).fetchall()[0][0])
    except duckdb.Error as exc:
        raise RejectedFile(f"{path.name}: cannot read as Parquet: {first_line_of(exc)}") from exc
    header = [row[0] for row in described]
    names, original = target_names(path, header, options)
    types = {n: str(row[1]).upper() for n, row in zip(names, described, strict=True)}
    typed = {n: t for n, t in candidates.items() if types.get(n) == t}
    select = ", ".join(
        f"{ident(h)} as {ident(n)}" if n in typed else f"{ident(h)}::varchar as {ident(n)}"
        for h, n in zip(header, names, strict=True)
    )
    if rows == 0:
        raise RejectedFile(f"{path.name}: the file has no data rows")
    con.execute(f"create temp table {REJECTS} (line bigint, error_message varchar, csv_line varchar)")
    make_line_shift(con)
    return Staged(
        names,
        original,
        rows,
        0,
        "parquet",
        source=f"(select {select} from read_parquet($path))",
        params=params,
        typed=typed,
        first_line=1,
    )


def stage_xlsx(con, path: Path, options: SourceOptions) -> Staged:
    """Read an XLSX sheet (as text) into the staged table; a row's line is its row in the sheet.

    The header is ``header_row`` or the first well-filled row (a title above it is skipped); rows
    with an Excel error cell are quarantined with the cell and the error."""
    try:
        frame = pl.read_excel(
            path,
            sheet_name=options.sheet,
            engine="calamine",
            infer_schema_length=0,
            has_header=False,
            drop_empty_rows=False,
            drop_empty_cols=False,
            raise_if_empty=False,
        )
        cells = sheet_cells(path, options.sheet)
    except RejectedFile as exc:
        raise RejectedFile(f"{path.name}: {exc}") from exc
    except Exception as exc:  # fastexcel and zipfile raise their own error types
        raise RejectedFile(f"{path.name}: cannot read as XLSX: {str(exc).splitlines()[0]}") from exc
    if frame.width == 0 or frame.height == 0:
        raise RejectedFile(f"{path.name}: the sheet is empty")
    try:
        index = header_index(frame, options.header_row, cells.first_row)
    except RejectedFile as exc:
        raise RejectedFile(f"{path.name}: {exc}") from exc
    header = [("" if v is None else str(v)) for v in frame.row(index)]
    header_line = cells.first_row + index
    body = frame.slice(index + 1).with_columns(pl.all().cast(pl.String))
    body = body.with_columns((pl.int_range(pl.len(), dtype=pl.Int64) + header_line + 1).alias("__sheet_row"))
    body = body.filter(pl.any_horizontal(pl.exclude("__sheet_row").is_not_null()))  # empty rows are no records
    bad_rows = sorted(r for r in cells.errors if r > header_line)
    rejects = [(r, "Excel error " + ", ".join(f"{v} in {ref}" for ref, v in cells.errors[r]), None) for r in bad_rows]
    body = body.filter(~pl.col("__sheet_row").is_in(bad_rows))
    body = body.rename(dict(zip(body.columns[:-1], [f"c{i}" for i in range(len(header))], strict=True)))
    staged = stage_frame(con, path, header, body.rename({"__sheet_row": "__line"}), rejects, options, "xlsx")
    if staged.rows == 0 and not rejects:
        raise RejectedFile(f"{path.name}: the sheet has a header but no data rows")
    return staged


def stage_frame(
    con,
    path: Path,
    header: list[str],
    frame: pl.DataFrame,
    rejects: list[tuple[int, str, str | None]],
    options: SourceOptions,
    fmt: str,
) -> Staged:
    """Stage a frame read in Python (text columns c0, c1, ... named by ``header``, and ``__line``),
    with the records that could not be read (line, message, raw text) for quarantine."""
    names, original = target_names(path, header, options)
    con.register("tpnb_frame", frame)
    try:
        select = ", ".join(f"nullif(trim(c{i}), '') as {ident(n)}" for i, n in enumerate(names))
        con.execute(f"create temp table {STAGE_TABLE} as select {select}, __line::bigint as __line from tpnb_frame")
    finally:
        con.unregister("tpnb_frame")
    con.execute(f"create temp table {REJECTS} (line bigint, error_message varchar, csv_line varchar)")
    for line, message, raw in rejects:
        con.execute(
            f"insert into {REJECTS} values ($line, $message, $raw)", {"line": line, "message": message, "raw": raw}
        )
    return Staged(names, original, count_rows(con, STAGE_TABLE), len(rejects), fmt)


def stage_jsonl(con, path: Path, options: SourceOptions) -> Staged:
    """Read JSON Lines into the staged table, one record a line; a line that is not JSON is quarantined."""
    encoding = guess_encoding(path, options)
    if encoding == "utf-8" and not options.encoding and not all_utf8(path):
        encoding = "cp1252"
    folder, prefix = temp_files(con)
    readable = path if encoding == "utf-8" else transcode(path, encoding, folder, prefix)
    try:
        # One VARCHAR per line keeps true line numbers and lets bad JSON reach quarantine.
        con.execute(
            "create temp table stage_lines as select row_number() over ()::bigint as __line, line "
            "from read_csv($path, columns={'line': 'VARCHAR'}, delim=chr(1), quote='', escape='', "
            "header=false, parallel=false, auto_detect=false, max_line_size=$max_line)",
            {"path": str(readable), "max_line": MAX_FIELD_BYTES},
        )
    except duckdb.Error as exc:
        raise RejectedFile(f"{path.name}: cannot read as JSON Lines: {first_line_of(exc)}") from exc
    finally:
        if readable != path:
            readable.unlink(missing_ok=True)
    con.execute("delete from stage_lines where trim(line) = ''")
    # json_type fails on text that is not JSON, and SQL does not short-circuit: test validity first
    con.execute(
        "create temp table stage_rejects as select __line as line, 'not a JSON object' as error_message, "
        "line as csv_line from stage_lines "
        "where not coalesce(case when json_valid(line) then json_type(line) = 'OBJECT' end, false)"
    )
    con.execute("delete from stage_lines where __line in (select line from stage_rejects)")
    keys = [
        row[0]
        for row in con.sql(
            "select k from (select unnest(json_keys(line)) as k, __line from stage_lines) "
            "group by k order by min(__line), k"
        ).fetchall()
    ]
    if not keys:
        raise RejectedFile(f"{path.name}: no JSON object with keys found")
    names, original = target_names(path, keys, options)
    select = ", ".join(f"nullif(trim(json_extract_string(line, $k{i})), '') as {ident(n)}" for i, n in enumerate(names))
    con.execute(
        f"create temp table {STAGE_TABLE} as select {select}, __line from stage_lines",
        {f"k{i}": "$." + _json_path_key(k) for i, k in enumerate(keys)},
    )
    con.execute("drop table stage_lines")
    return Staged(
        names,
        original,
        count_rows(con, STAGE_TABLE),
        count_rows(con, "stage_rejects"),
        "jsonl",
        encoding,
    )


def _json_path_key(key: str) -> str:
    return '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'
