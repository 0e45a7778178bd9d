"""XLSX as users have it: a title above the header, empty rows between records, Excel error cells.

The sheet is read by calamine (through polars) as text, every row kept so
that a record's line is its row in the sheet. The header is the row the
source sets (``header_row``, 1-based) or, by default, the first of the
sheet's first rows with the most filled cells (a title row has one).
Formula errors (``#DIV/0!``, ``#N/A`` ...) read as empty cells there, so
they are found in the sheet's XML and their rows quarantined, never
loaded as blanks.
"""

from __future__ import annotations

import posixpath
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

import polars as pl

from tpnb.ingest.errors import RejectedFile

HEADER_SEARCH_ROWS = 30
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass
class SheetCells:
    """What the sheet's XML says beyond the values: its first row and its error cells."""

    first_row: int = 1
    errors: dict[int, list[tuple[str, str]]] = field(default_factory=dict)  # sheet row -> [(cell, error)]


def _sheet_part(archive: zipfile.ZipFile, sheet: str | None) -> str:
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    sheets = book.find(f"{MAIN}sheets")
    entries = list(sheets) if sheets is not None else []
    chosen = next((s for s in entries if sheet is None or s.get("name") == sheet), None)
    if chosen is None:
        raise RejectedFile(f"no sheet named {sheet!r}")
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    target = next(r.get("Target") for r in rels.iter(f"{PKG_REL}Relationship") if r.get("Id") == chosen.get(f"{REL}id"))
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))


def sheet_cells(path: Path, sheet: str | None) -> SheetCells:
    """The first row with a cell, and every cell holding an Excel error, of one sheet."""
    out = SheetCells(first_row=0)
    with zipfile.ZipFile(path) as archive:
        with archive.open(_sheet_part(archive, sheet)) as part:
            for _, element in ElementTree.iterparse(part):
                if element.tag == f"{MAIN}row":
                    element.clear()
                elif element.tag == f"{MAIN}c":
                    ref = element.get("r", "")
                    row = int("".join(ch for ch in ref if ch.isdigit()) or 0)
                    if row and not out.first_row:
                        out.first_row = row
                    if element.get("t") == "e":
                        value = element.find(f"{MAIN}v")
                        out.errors.setdefault(row, []).append((ref, value.text if value is not None else "#ERROR"))
    out.first_row = out.first_row or 1
    return out


def header_index(frame: pl.DataFrame, header_row: int | None, first_row: int) -> int:
    """The 0-based position in ``frame`` of the header: the configured sheet row, or the first of
    the first rows with the most filled cells."""
    if header_row is not None:
        index = header_row - first_row
        if not 0 <= index < frame.height:
            raise RejectedFile(
                f"header_row {header_row} is outside the sheet's rows {first_row}-{first_row + frame.height - 1}"
            )
        return index
    head = frame.head(HEADER_SEARCH_ROWS)
    filled = head.select(pl.sum_horizontal(pl.all().is_not_null() & (pl.all().str.strip_chars() != "")))
    counts = filled.to_series().fill_null(0).to_list()
    best = max(counts) if counts else 0
    return counts.index(best) if best else 0
