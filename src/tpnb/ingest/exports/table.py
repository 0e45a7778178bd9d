"""An export read in Python: its header, its rows as text, each row's line in the file, and
the records that could not be read. Every tool's reader ends in a ``Table``."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import polars as pl

from tpnb.ingest.encoding import all_utf8, guess_encoding, sniff_delimiter
from tpnb.ingest.errors import RejectedFile
from tpnb.ingest.options import SourceOptions, normalize_name

csv.field_size_limit(16 * 1024 * 1024)


@dataclass
class Table:
    """Text columns in the export's order; ``lines`` holds each row's line (or record number)."""

    columns: dict[str, list[str | None]]
    lines: list[int]
    rejects: list[tuple[int, str, str | None]] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # personal columns never read on

    def find(self, *names: str) -> str | None:
        """The first of ``names`` the export has (names compared like column names)."""
        normal = {normalize_name(c): c for c in self.columns}
        return next((normal[normalize_name(n)] for n in names if normalize_name(n) in normal), None)

    def values(self, name: str) -> list[str | None]:
        """The values of a column (None everywhere when the export lacks it)."""
        found = self.find(name)
        return self.columns[found] if found else [None] * len(self.lines)

    def put(self, name: str, values: list[Any]) -> None:
        """Add or replace a column (values as text; None stays None)."""
        self.columns[name] = [None if v is None else str(v) for v in values]

    def drop(self, patterns: tuple[str, ...]) -> None:
        """Remove the columns whose name matches a pattern (glob, any case); they are listed in ``dropped``."""
        lowered = [p.lower() for p in patterns]
        for name in list(self.columns):
            if any(fnmatchcase(normalize_name(name), p) for p in lowered):
                del self.columns[name]
                self.dropped.append(name)

    def frame(self) -> tuple[list[str], pl.DataFrame]:
        """The header and a frame of text columns c0, c1, ... with ``__line``, as staging wants them."""
        header = list(self.columns)
        data = {f"c{i}": pl.Series(values, dtype=pl.String) for i, values in enumerate(self.columns.values())}
        data["__line"] = pl.Series(self.lines, dtype=pl.Int64)
        return header, pl.DataFrame(data)


def read_csv_table(
    path: Path, options: SourceOptions, header_rows: int | None = None, drop: bool = True
) -> tuple[Table, list[list[str]]]:
    """A CSV export with ``skip_rows`` lines before a header of ``header_rows`` records.

    Returns the table (named by the first header record) and every header record, for a
    tool whose names need more than the first. A record with the wrong number of fields, or
    cut off inside quotes, is a reject with its line; blank lines are skipped.
    """
    header_rows = header_rows or options.header_rows
    encoding = guess_encoding(path, options)
    if encoding == "utf-8" and not options.encoding and not all_utf8(path):
        encoding = "cp1252"
    with path.open(
        encoding="utf-8-sig" if encoding == "utf-8" else encoding,
        errors="tpnb_latin1_fallback" if encoding == "cp1252" else "strict",
        newline="",
    ) as fh:
        for _ in range(options.skip_rows):
            fh.readline()
        start = fh.tell()
        first = fh.readline()
        fh.seek(start)
        if not first.strip():
            raise RejectedFile(f"{path.name}: line {options.skip_rows + 1} is empty; expected the header")
        reader = csv.reader(fh, delimiter=sniff_delimiter(path, first, options), strict=True)
        headers: list[list[str]] = []
        rows: list[list[str]] = []
        lines: list[int] = []
        rejects: list[tuple[int, str, str | None]] = []
        done = 0  # lines read so far (after skip_rows)
        while True:
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                rejects.append((options.skip_rows + done + 1, f"truncated or malformed record: {exc}", None))
                break
            line = options.skip_rows + done + 1
            done = reader.line_num
            if len(headers) < header_rows:
                headers.append(record)
                continue
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(headers[0]):
                what = f"expected {len(headers[0])} fields, found {len(record)}"
                rejects.append((line, what, None))  # the raw line may hold personal data: not kept
                continue
            rows.append(record)
            lines.append(line)
    if len(headers) < header_rows:
        raise RejectedFile(f"{path.name}: expected {header_rows} header row(s), the file has {len(headers)}")
    columns = {}
    for i, name in enumerate(headers[0]):
        key = name if name.strip() and name not in columns else f"{name.strip() or 'column'}_{i + 1}"
        columns[key] = [r[i] if r[i] != "" else None for r in rows]
    if not rows and not rejects:
        raise RejectedFile(f"{path.name}: the file has a header but no data rows")
    table = Table(columns, lines, rejects)
    if drop:
        table.drop(options.drop)  # personal data goes before any reader sees it
    return table, headers


def read_json(path: Path) -> Any:
    """A JSON document; a file cut off or not JSON names the line and column where reading stopped."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RejectedFile(f"{path.name}: not UTF-8 JSON ({exc.reason} at byte {exc.start})") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        # a string that never closes runs to the end of the text: cut off, like an error at the end
        ends_early = exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string")
        cut = " (the file ends too early: is it complete?)" if ends_early else ""
        raise RejectedFile(
            f"{path.name}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}{cut}"
        ) from exc


def records_table(records: list[dict[str, Any]], fields: dict[str, Any]) -> Table:
    """A table from JSON records: ``fields`` maps each column to a key path ("via.channel") or a
    function of the record. A record's line is its position (1-based) in the export."""
    columns: dict[str, list[str | None]] = {name: [] for name in fields}
    for record in records:
        for name, spec in fields.items():
            value = spec(record) if callable(spec) else dig(record, spec)
            columns[name].append(None if value is None or value == "" else str(value))
    return Table(columns, list(range(1, len(records) + 1)))


def dig(record: Any, path: str) -> Any:
    """The value at a dotted key path, or None where a part is missing."""
    for part in path.split("."):
        if not isinstance(record, dict):
            return None
        record = record.get(part)
    return record


def require(table: Table, path: Path, tool: str, *names: str) -> None:
    """Reject the file when the export lacks one of its tool's standard columns."""
    missing = [n for n in names if table.find(n) is None]
    if missing:
        raise RejectedFile(
            f"{path.name}: not a {tool} export as expected: standard column '{missing[0]}' not found"
            + (f" (also missing: {', '.join(missing[1:])})" if missing[1:] else "")
            + f"; columns present: {', '.join(list(table.columns)[:12])}{' ...' if len(table.columns) > 12 else ''}"
        )
