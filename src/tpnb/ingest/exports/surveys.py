"""Survey tools' exports: Qualtrics, SurveyMonkey, LimeSurvey (CSV) and SPSS (.sav, .zsav, .por).

Each reader returns the export as a ``Table`` under the tool's own column names; the
standard ones are renamed by the format's defaults (``PRESETS`` in ``__init__``), the
user's question ids by their ``rename``.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from pathlib import Path

from tpnb.ingest.errors import RejectedFile
from tpnb.ingest.exports.table import Table, read_csv_table, require
from tpnb.ingest.options import SourceOptions, normalize_name


def _user_maps(options: SourceOptions, column: str) -> bool:
    """Whether the user's rename already makes ``column``."""
    return column in options.normalized_rename().values()


def _fallback(table: Table, options: SourceOptions, column: str, first: str, other: str) -> None:
    """``column`` from the export's ``first`` column, else its ``other`` where ``first`` is blank."""
    if _user_maps(options, column) or table.find(column):
        return
    primary, backup = table.values(first), table.values(other)
    table.put(column, [a if a else b for a, b in zip(primary, backup, strict=True)])


# --- Qualtrics ------------------------------------------------------------------


def read_qualtrics(path: Path, kind: str, options: SourceOptions) -> Table:
    """Qualtrics CSV: row 1 the column ids, row 2 the question texts, row 3 {"ImportId": ...}
    (the legacy export has only the first two). Both extra rows are skipped, never quarantined."""
    table, _ = read_csv_table(path, options)
    require(table, path, "Qualtrics", "ResponseId")
    skipped = 0
    for i in range(min(2, len(table.lines))):
        row = [values[i] or "" for values in table.columns.values()]
        id_row = any(cell.startswith('{"ImportId"') for cell in row)
        text_row = normalize_name(table.values("ResponseId")[i] or "") in ("response id", "responseid")
        if not (id_row or text_row):
            break
        skipped += 1
    for name in table.columns:
        table.columns[name] = table.columns[name][skipped:]
    table.lines = table.lines[skipped:]
    if not table.lines:
        raise RejectedFile(f"{path.name}: the Qualtrics export has its header rows but no responses")
    _fallback(table, options, "answered_at", "RecordedDate", "EndDate")
    # a response from an anonymous link has no ExternalReference: it is its own customer
    _fallback(table, options, "customer_id", "ExternalReference", "ResponseId")
    return table


# --- SurveyMonkey ----------------------------------------------------------------

GENERIC_ANSWERS = ("", "response", "open-ended response", "antwort", "offene antwort")


def surveymonkey_names(first: list[str], second: list[str]) -> list[str]:
    """One name per column from SurveyMonkey's two header rows: the question text (written over
    its first column only) and, below it, the option or row label. A column whose label is just
    "Response" takes the question's name; a matrix row's column is "question - row"."""
    names, question = [], ""
    for top, below in zip(first, second, strict=True):
        question = top.strip() or question
        names.append(question if below.strip().lower() in GENERIC_ANSWERS else f"{question} - {below.strip()}")
    return names


def read_surveymonkey(path: Path, kind: str, options: SourceOptions) -> Table:
    """SurveyMonkey CSV (expanded): two header rows, the question text over merged columns."""
    table, headers = read_csv_table(path, options, header_rows=2, drop=False)  # dropped once named
    if len(headers[1]) != len(headers[0]):
        raise RejectedFile(f"{path.name}: SurveyMonkey's two header rows differ in length; is this its CSV export?")
    names = surveymonkey_names(headers[0], headers[1])
    seen: dict[str, int] = {}
    renamed = {}
    for old, new in zip(list(table.columns), names, strict=True):
        seen[new] = seen.get(new, 0) + 1
        renamed[new if seen[new] == 1 else f"{new} ({seen[new]})"] = table.columns[old]
    table.columns = renamed
    require(table, path, "SurveyMonkey", "Respondent ID", "End Date")
    _fallback(table, options, "customer_id", "Custom Data 1", "Respondent ID")
    return table


# --- LimeSurvey ------------------------------------------------------------------


def read_limesurvey(path: Path, kind: str, options: SourceOptions) -> Table:
    """LimeSurvey's CSV export (question codes as headings, full answers), often ';' and Windows-1252."""
    table, _ = read_csv_table(path, options)
    require(table, path, "LimeSurvey", "id", "submitdate")
    # an incomplete response has no submitdate: its last action (datestamp) dates it
    _fallback(table, options, "answered_at", "submitdate", "datestamp")
    _fallback(table, options, "customer_id", "token", "id")
    return table


# --- SPSS ------------------------------------------------------------------------

NUMERIC_TARGETS = ("nps",)
NUMERIC_PREFIXES = ("tp_", "crit_")
YES_NO = {"ja", "nein", "yes", "no", "j", "n", "y", "wahr", "falsch", "true", "false"}


def read_spss(path: Path, kind: str, options: SourceOptions) -> Table:
    """An SPSS file (.sav, .zsav or .por) through pyreadstat: value labels become the stored text
    where the contract wants text, codes where it wants numbers (NPS, ratings); user-missing codes
    ("9 = weiß nicht") are missing in their column. A row's line is its case number."""
    import pyreadstat

    try:
        if path.suffix.lower() == ".por":  # portable files carry no user-missing declarations
            frame, meta = pyreadstat.read_por(str(path), output_format="dict")
        else:
            frame, meta = pyreadstat.read_sav(str(path), user_missing=True, output_format="dict")
    except Exception as exc:  # pyreadstat raises its own ReadstatError / PyreadstatError
        raise RejectedFile(f"{path.name}: cannot read as SPSS: {str(exc).splitlines()[0]}") from exc
    rename = options.normalized_rename()
    columns: dict[str, list[str | None]] = {}
    rows = 0
    for name, values in frame.items():
        values = list(values)
        rows = len(values)
        missing = _user_missing(meta, name)
        labels = meta.variable_value_labels.get(name, {})
        target = rename.get(normalize_name(name), normalize_name(name))
        use_codes = target in NUMERIC_TARGETS or target.startswith(NUMERIC_PREFIXES)
        if target == "repurchase_intent":
            use_codes = not labels or not all(str(v).strip().lower() in YES_NO for v in labels.values())
        out = []
        for value in values:
            if _is_missing(value) or _in_missing(value, missing):
                out.append(None)
            elif labels and not use_codes and _key(value, labels) is not None:
                out.append(str(labels[_key(value, labels)]))
            else:
                out.append(_text(value))
        columns[name] = out
    return Table(columns, list(range(1, rows + 1)))


def _user_missing(meta, name: str) -> list[tuple[float, float]]:
    ranges = [(r["lo"], r["hi"]) for r in (meta.missing_ranges or {}).get(name, [])]
    ranges += [(v, v) for v in (getattr(meta, "missing_user_values", None) or {}).get(name, [])]
    return ranges


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == ""


def _in_missing(value, ranges: list[tuple[float, float]]) -> bool:
    for lo, hi in ranges:
        if isinstance(value, int | float) and isinstance(lo, int | float):
            if lo <= value <= hi:
                return True
        elif str(value) == str(lo):
            return True
    return False


def _key(value, labels: dict):
    if value in labels:
        return value
    if isinstance(value, float) and value.is_integer() and int(value) in labels:
        return int(value)
    return None


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return str(value)
