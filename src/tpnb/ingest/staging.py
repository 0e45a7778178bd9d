"""What every read of a source file ends in: the staged relation, its column names, its lines."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tpnb.ingest.errors import RejectedFile
from tpnb.ingest.options import SourceOptions, normalize_name
from tpnb.sqlutil import drop_temp

SAMPLE_ROWS = 2000  # rows of a file that formats are guessed from
MAX_FIELD_BYTES = 16 * 1024 * 1024  # the longest line or field a reader accepts
STAGE = "stage"  # the view validation reads when a file is staged in a table
STAGE_TABLE = "stage_read"  # the table behind it
REJECTS = "stage_rejects"  # what the CSV reader could not split (or type)
SHIFT = "stage_line_shift"  # rejected records before a row, to turn row numbers into lines
SAMPLE = "stage_sample"  # the first rows of the file as text: what formats are guessed from


@dataclass
class Staged:
    """A source file made ready for validation: its columns, what to select from, and how lines are counted."""

    columns: list[str]  # normalised names
    original: dict[str, str]  # normalised name -> the header as written in the file
    rows: int
    malformed: int  # records DuckDB could not split (go to quarantine)
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    source: str = STAGE  # what validation selects from: a view, or a read_csv(...) call
    params: dict = field(default_factory=dict)
    typed: dict[str, str] = field(default_factory=dict)  # columns the reader typed: name -> SQL type
    # When set, a row's line follows from its position p among the rows read: p + first_line
    # (+ the records the reader rejected before it). None: the staged table has __line.
    first_line: int | None = None
    temp_file: Path | None = None  # a UTF-8 copy of a Windows-1252 file, removed after the load
    dropped: list[str] = field(default_factory=list)  # a tool's personal columns, never read on

    @property
    def lazy(self) -> bool:
        """True when the file is read by the statement that validates it."""
        return self.source != STAGE


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


# The widest file a load accepts; a wider one is rejected from its header, before its body is read.
MAX_COLUMNS = 1000
# Columns tpnb adds to a staged file or a raw table; a user's column of that name is renamed.
INTERNAL_COLUMNS = ("attributes", "ratings", "scores", "load_id")


def target_names(path: Path, header: list[str], options: SourceOptions) -> tuple[list[str], dict[str, str]]:
    """The file's headers normalised and renamed to contract names; reserved or duplicate names reject the file."""
    if len(header) > MAX_COLUMNS:
        raise RejectedFile(
            f"{path.name}: {len(header):,} columns; tpnb loads at most {MAX_COLUMNS:,} per file "
            "(split the file, or drop the columns you do not analyse)"
        )
    rename = options.normalized_rename()
    names: list[str] = []
    original: dict[str, str] = {}
    for i, raw in enumerate(header, start=1):
        name = normalize_name(raw)
        if not name:
            name = f"column_{i}"
        name = rename.get(name, name)
        if name in INTERNAL_COLUMNS:  # a user's column "Attributes" is kept, under a name of its own
            name = f"{name}_{i}"
        if name.startswith("__"):
            raise RejectedFile(
                f"{path.name}: column name '{raw}' (column {i}) is reserved: names starting with '__' are tpnb's; "
                "rename it in the file or with rename:"
            )
        if name in original:
            raise RejectedFile(
                f"{path.name}: duplicate column '{raw}' (columns {list(original.values()).index(original[name]) + 1} "
                f"and {i} both mean '{name}')"
            )
        names.append(name)
        original[name] = str(raw)
    return names, original


def count_rows(con, table: str) -> int:
    """The number of rows of a table."""
    return int(con.sql(f"select count(*) from {table}").fetchall()[0][0])


def first_line_of(exc: Exception) -> str:
    """The first line of an error's message."""
    return str(exc).strip().splitlines()[0]


def temp_files(con) -> tuple[Path | None, str]:
    """Where a load's temporary files go: the database's folder (system temp for an in-memory
    database), named after the database so that leftovers of a killed load can be found."""
    found = con.sql("select path from duckdb_databases() where database_name = current_database()").fetchall()
    path = found[0][0] if found else None
    if not path:
        return None, "tpnb-"
    db = Path(path)
    return db.parent, f".{db.name}.tpnb-"


def remove_leftovers(con) -> list[Path]:
    """Remove temporary files a killed load of this database left (the caller holds its write lock)."""
    folder, prefix = temp_files(con)
    if folder is None:
        return []
    removed = sorted(folder.glob(prefix + "*"))
    for leftover in removed:
        leftover.unlink(missing_ok=True)
    return removed
