"""Load one file into its raw table: insert, quarantine, repeated keys, upsert, history, log.

Everything for one file happens in one transaction, which the caller holds: a
file is loaded whole (valid rows + quarantine + log) or not at all.

The rows are inserted straight from the reader, parsed and checked on the way
(``validate.typed_select``), each with the errors it breaks in ``__errors``.
Then, among the rows of this load: rows with errors move to the quarantine,
keys repeated in the file are settled, and keys stored before are compared
with what is stored. A row's line follows from its position in the load: one
INSERT keeps the reader's order (DuckDB preserves insertion order) and its
rows are contiguous, which ``finish_load`` checks.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from tpnb.contracts import Kind
from tpnb.ingest.errors import RejectedFile
from tpnb.ingest.options import SourceOptions
from tpnb.ingest.readers import REJECTS, SHIFT, STAGE_TABLE, Staged
from tpnb.ingest.schema import raw_table, stored_columns
from tpnb.ingest.validate import Layout, typed_select
from tpnb.sqlutil import drop_temp, ident, literal

NEW = "load_rows"  # temp view: the rows of this load, with __pos (0-based position in the file)
TEMPS = (NEW, "load_bad", "load_lines", "load_dup_keys", "load_conflicts", "load_known")


ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")


@dataclass
class LoadResult:
    """What one file's load did: rows read, loaded, replaced, unchanged, duplicated and quarantined."""

    kind: str
    file: str
    status: str = "loaded"  # loaded | unchanged (same file loaded before) | rejected
    load_id: int | None = None
    rows_read: int = 0
    rows_loaded: int = 0  # new keys
    rows_replaced: int = 0  # known keys whose content changed (old version -> history)
    rows_unchanged: int = 0  # known keys, same content
    rows_duplicate: int = 0  # identical repeats of a row within the file
    rows_quarantined: int = 0
    unknown_customers: int = 0
    new_touchpoints: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    personal_columns: list[str] = field(default_factory=list)  # personal data found in the file, not kept
    message: str = ""

    def as_dict(self) -> dict:
        """The JSON of ``tpnb ingest --json`` for this load."""
        return asdict(self)


def options_fingerprint(options: SourceOptions) -> str:
    """A hash of the options that change what a file loads as (same file, other options: a new load)."""
    return hashlib.sha256(json.dumps(asdict(options), sort_keys=True, default=str).encode()).hexdigest()[:16]


def loaded_before(con, kind: Kind, fingerprint: str) -> dict[str, int]:
    """Content hash -> the last load of it, for files of ``kind`` read with the same options, while the
    stored rows are still what that load left: once a later load of the kind added or replaced rows
    (a corrected file B after A), loading A again is read and compared row by row (A, B, A leaves A)."""
    rows = con.sql(
        "with latest_change as (select coalesce(max(load_id), 0) as load_id from meta_load_log "
        "where kind = $kind and status = 'loaded' and (rows_loaded > 0 or rows_replaced > 0)) "
        "select file_sha256, max(l.load_id) from meta_load_log l, latest_change c where l.kind = $kind "
        "and l.options_fingerprint = $fp and l.status = 'loaded' group by file_sha256 "
        "having max(l.load_id) >= max(c.load_id)",
        params={"kind": kind.name, "fp": fingerprint},
    ).fetchall()
    return dict(rows)


def insert_rows(con, kind: Kind, staged: Staged, layout: Layout, options: SourceOptions, load_id: int) -> None:
    """Insert every record of the staged file into the raw table (the caller holds the transaction)."""
    select, params = typed_select(con, kind, staged, layout, options)
    stored = {n for n, _ in stored_columns(kind)}
    produced = [n for n in layout.contract if n in stored]
    produced += [n for n in (kind.wide and kind.wide.column, "attributes") if n in stored]
    cols = ", ".join(ident(n) for n in produced)
    con.execute(
        f"insert into {raw_table(kind)} ({cols}, load_id, __errors) "
        f"select {cols}, {int(load_id)}, __errors from ({select})",
        params,
    )


def count_rows(con, kind: Kind, load_id: int) -> int:
    """The number of rows of a table."""
    return _scalar(con, f"select count(*) from {raw_table(kind)} where load_id = {int(load_id)}")


def finish_load(
    con,
    kind: Kind,
    path: Path,
    staged: Staged,
    layout: Layout,
    load_id: int,
    sha: str,
    fingerprint: str,
    started_at: datetime,
) -> LoadResult:
    """Settle the inserted rows of ``load_id`` and log the load. The caller holds the transaction."""
    result = LoadResult(
        kind.name, str(path), load_id=load_id, ignored_columns=layout.ignored, personal_columns=layout.personal
    )
    table = raw_table(kind)
    lid = int(load_id)
    key_cols = ", ".join(ident(k) for k in kind.key)
    stored = [n for n, _ in stored_columns(kind)]
    content = [n for n in stored if n != "load_id"]
    rows, first, last = con.sql(
        f"select count(*), min(rowid), max(rowid) from {table} where load_id = {lid}"
    ).fetchall()[0]
    if rows and last - first + 1 != rows:
        raise AssertionError(f"the rows of load {lid} are not contiguous; cannot tell their lines")
    base = int(first or 0)
    con.execute(f"create temp view {NEW} as select rowid - {base} as __pos, * from {table} where load_id = {lid}")

    def drop_positions(positions_sql: str) -> None:
        """Delete this load's rows at the positions the query returns."""
        con.execute(f"delete from {table} where load_id = {lid} and rowid - {base} in ({positions_sql})")

    staged.rows = rows
    result.rows_read = rows + staged.malformed

    # Rows that break the contract; then keys repeated within the file.
    con.execute(f"create temp table load_bad as select __pos, __errors from {NEW} where __errors is not null")
    con.execute(
        f"create temp table load_dup_keys as select {key_cols} from {NEW} "
        f"where {' and '.join(ident(k) + ' is not null' for k in kind.key)} group by all having count(*) > 1"
    )
    repeats = _scalar(con, "select count(*) from load_dup_keys")
    if repeats:
        differs = ", ".join(ident(n) for n in content)
        first_key = kind.key[0]
        con.execute(
            f"create temp table load_conflicts as select {key_cols} from {NEW} semi join load_dup_keys "
            f"using ({key_cols}) group by all having count(distinct ({differs})) > 1"
        )
        con.execute(
            f"insert into load_bad select __pos, [{{'column': {literal(first_key)}, "
            f"'value': left({ident(first_key)}::varchar, 200), "
            f"'reason': 'duplicate key with different content in the same file'}}] "
            f"from {NEW} semi join load_conflicts using ({key_cols})"
        )
    _quarantine(con, kind, path, staged, load_id, layout.phone_region)
    result.rows_quarantined = _scalar(con, "select count(distinct __pos) from load_bad") + staged.malformed
    drop_positions("select __pos from load_bad")
    if repeats:  # identical repeats of a row: the first stays
        drop_positions(
            f"select __pos from {NEW} semi join load_dup_keys using ({key_cols}) "
            f"qualify row_number() over (partition by {key_cols} order by __pos) > 1"
        )
    incoming = count_rows(con, kind, load_id)
    result.rows_duplicate = rows - (result.rows_quarantined - staged.malformed) - incoming

    # Keys stored before: same content -> this load's row goes; other content -> the stored row
    # moves to the history table.
    if _scalar(con, f"select count(*) from (select 1 from {table} where load_id <> {lid} limit 1)"):
        on_key = " and ".join(f"r.{ident(k)} = n.{ident(k)}" for k in kind.key)
        changed = (
            f"({', '.join('r.' + ident(n) for n in content)}) is distinct from "
            f"({', '.join('n.' + ident(n) for n in content)})"
        )
        con.execute(
            f"create temp table load_known as select n.__pos, r.rowid as stored_rowid, {changed} as changed "
            f"from {NEW} n join {table} r on {on_key} and r.load_id <> {lid}"
        )
        result.rows_unchanged = _scalar(con, "select count(*) from load_known where not changed")
        result.rows_replaced = _scalar(con, "select count(*) from load_known where changed")
        all_cols = ", ".join(ident(n) for n in stored)
        con.execute(
            f"insert into {table}_history ({all_cols}, replaced_at, replaced_by_load_id) "
            f"select {all_cols}, now()::timestamp, $load_id from {table} "
            f"where rowid in (select stored_rowid from load_known where changed)",
            {"load_id": load_id},
        )
        con.execute(f"delete from {table} where rowid in (select stored_rowid from load_known where changed)")
        drop_positions("select __pos from load_known where not changed")
    result.rows_loaded = incoming - result.rows_unchanged - result.rows_replaced

    if kind.wide and kind.wide.key == "touchpoint_id":
        result.new_touchpoints = _register_touchpoints(con, path, load_id, list(layout.ratings.values()))
    if "customer_id" in layout.contract and kind.name != "customers":
        result.unknown_customers = _scalar(
            con,
            f"select count(*) from (select distinct customer_id from {table} where load_id = {lid}) n "
            "where not exists (select 1 from raw_customers c where c.customer_id = n.customer_id)",
        )

    con.execute(
        "insert into meta_load_log by name select $load_id as load_id, $kind as kind, $file as file, "
        "$sha as file_sha256, $bytes as file_bytes, $format as format, $encoding as encoding, $delim as delimiter, "
        "$fp as options_fingerprint, $read as rows_read, $loaded as rows_loaded, $replaced as rows_replaced, "
        "$unchanged as rows_unchanged, $dup as rows_duplicate, $quarantined as rows_quarantined, "
        "$unknown as unknown_customers, $new_tps as new_touchpoints, $ignored as ignored_columns, "
        "$personal as personal_columns, 'loaded' as status, $started as started_at, now()::timestamp as finished_at",
        {
            "load_id": load_id,
            "kind": kind.name,
            "file": str(path),
            "sha": sha,
            "bytes": path.stat().st_size,
            "format": staged.format,
            "encoding": staged.encoding,
            "delim": staged.delimiter,
            "fp": fingerprint,
            "read": result.rows_read,
            "loaded": result.rows_loaded,
            "replaced": result.rows_replaced,
            "unchanged": result.rows_unchanged,
            "dup": result.rows_duplicate,
            "quarantined": result.rows_quarantined,
            "unknown": result.unknown_customers,
            "new_tps": result.new_touchpoints,
            "ignored": result.ignored_columns,
            "personal": result.personal_columns,
            "started": started_at,
        },
    )
    drop_load_temps(con)
    return result


def drop_load_temps(con) -> None:
    """Drop the temporary tables a load made."""
    for name in TEMPS:
        drop_temp(con, name)


def _quarantine(con, kind: Kind, path: Path, staged: Staged, load_id: int, phone_region: str) -> None:
    """Move the rows that break the contract to meta_quarantine: line, column, the value (scrubbed of
    personal data, never the raw line) and the reason."""
    params = {"load_id": load_id, "kind": kind.name, "file": str(path), "region": phone_region}
    # a row's line: CSV from its position (and the records the reader rejected before it),
    # other formats from the staged table's __line
    if staged.first_line is not None:
        con.execute(
            f"create temp table load_lines as select b.__pos, b.__pos + {int(staged.first_line)} "
            f"+ coalesce(k.shift, 0) as __line from (select distinct __pos from load_bad) b "
            f"asof left join {SHIFT} k on b.__pos >= k.first_rowid"
        )
    else:
        con.execute(
            f"create temp table load_lines as select b.__pos, s.__line from (select distinct __pos from load_bad) b "
            f"join (select rowid as __pos, __line from {STAGE_TABLE}) s using (__pos)"
        )
    con.execute(
        "insert into meta_quarantine select $load_id, $kind, $file, l.__line, e.column, tpnb_scrub(e.value, $region), "
        "e.reason "
        "from (select __pos, unnest(__errors) as e from load_bad) b join load_lines l using (__pos) "
        "order by l.__line",
        params,
    )
    con.execute(
        "insert into meta_quarantine select $load_id, $kind, $file, line, '(row)', "
        "tpnb_scrub(left(any_value(csv_line), 200), $region), "
        f"string_agg(distinct error_message, '; ' order by error_message) from {REJECTS} group by line",
        params,
    )


def readable_name(identifier: str) -> str:
    """A name for an id that has none in the catalogue: separators as spaces, the first letter capital."""
    words = " ".join(re.split(r"[_\-.]+", identifier)).strip()
    return words[:1].upper() + words[1:] if words else identifier


def match_key(identifier: str) -> str:
    """How two ids are compared for near-duplicates: NFC, trimmed, case-folded, without zero-width characters."""
    return unicodedata.normalize("NFC", ZERO_WIDTH.sub("", identifier)).strip().casefold()


def _register_touchpoints(con, path: Path, load_id: int, touchpoint_ids: list[str]) -> list[str]:
    """Rating columns without a catalogue entry are registered with phase 'unknown' and a readable name
    made from the id (``inflight_wifi`` -> "Inflight wifi"), so no report shows a raw id."""
    known = {row[0] for row in con.sql("select touchpoint_id from raw_touchpoints").fetchall()}
    new = sorted(set(touchpoint_ids) - known)
    spellings = {match_key(k): k for k in known}
    for tp in new:
        if match_key(tp) in spellings:  # Delivery2 and delivery2, kühlung as NFC and NFD: one touchpoint
            raise RejectedFile(
                f"{path.name}: rating column 'tp_{tp}' and the catalogue's touchpoint "
                f"'{spellings[match_key(tp)]}' differ only in case, spaces or Unicode form; "
                "use one spelling (rename the column, or the catalogue's touchpoint_id)"
            )
    for tp in new:
        con.execute(
            "insert into raw_touchpoints (touchpoint_id, name, phase, kind, load_id) "
            "values ($tp, $name, 'unknown', 'direct', $load_id)",
            {"tp": tp, "name": readable_name(tp), "load_id": load_id},
        )
    return new


def _scalar(con, sql: str) -> int:
    return int(con.sql(sql).fetchall()[0][0])
