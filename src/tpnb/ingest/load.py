"""Load one validated file into its raw table: quarantine, upsert, history, log.

Everything for one file happens in one transaction: a file is loaded whole
(valid rows + quarantine + log) or not at all.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from tpnb.contracts import Kind
from tpnb.ingest.options import SourceOptions
from tpnb.ingest.readers import Staged
from tpnb.ingest.schema import raw_table, stored_columns
from tpnb.ingest.validate import TYPED, Layout
from tpnb.sqlutil import ident


@dataclass
class LoadResult:
    kind: str
    file: str
    status: str = "loaded"          # loaded | unchanged (same file loaded before) | rejected
    load_id: int | None = None
    rows_read: int = 0
    rows_loaded: int = 0            # new keys
    rows_replaced: int = 0          # known keys whose content changed (old version -> history)
    rows_unchanged: int = 0         # known keys, same content
    rows_duplicate: int = 0         # identical repeats of a row within the file
    rows_quarantined: int = 0
    unknown_customers: int = 0
    new_touchpoints: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    message: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(8 * 1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def options_fingerprint(options: SourceOptions) -> str:
    return hashlib.sha256(json.dumps(asdict(options), sort_keys=True, default=str).encode()).hexdigest()[:16]


def previous_load(con, kind: Kind, sha: str, fingerprint: str) -> int | None:
    rows = con.sql(
        "select max(load_id) from meta_load_log where kind = $kind and file_sha256 = $sha "
        "and options_fingerprint = $fp and status = 'loaded'",
        params={"kind": kind.name, "sha": sha, "fp": fingerprint},
    ).fetchall()
    return rows[0][0]


def write_load(con, kind: Kind, path: Path, staged: Staged, layout: Layout, sha: str, fingerprint: str,
               started_at: datetime) -> LoadResult:
    """Move ``typed`` into the raw table. The caller holds the transaction."""
    load_id = int(con.sql("select nextval('meta_load_seq')").fetchall()[0][0])
    result = LoadResult(kind.name, str(path), load_id=load_id, ignored_columns=layout.ignored)
    table = raw_table(kind)
    key = kind.key
    on_key = " and ".join(f"r.{ident(k)} = i.{ident(k)}" for k in key)

    _quarantine(con, kind, path, load_id)
    result.rows_read = staged.rows + staged.malformed
    result.rows_quarantined = _scalar(con, "select count(*) from typed where len(__errors) > 0") + staged.malformed

    cols = [n for n, _ in stored_columns(kind) if n not in ("row_hash", "load_id", "line")]
    present = set(_typed_columns(con))
    select_cols = ", ".join(f"i.{ident(n)}" if n in present else f"null as {ident(n)}" for n in cols)
    key_cols = ", ".join(ident(k) for k in key)
    valid = _scalar(con, f"select count(*) from {TYPED} where len(__errors) = 0")
    repeated = _scalar(con, f"select count(*) from (select 1 from {TYPED} where len(__errors) = 0 "
                            f"group by {key_cols} having count(*) > 1)")
    if repeated:  # identical repeats of a row: keep the first
        con.execute(f"create temp table incoming as select * from {TYPED} where len(__errors) = 0 "
                    f"qualify row_number() over (partition by {key_cols} order by __line) = 1")
    else:
        con.execute(f"create temp view incoming as select * from {TYPED} where len(__errors) = 0")
    incoming = _scalar(con, "select count(*) from incoming") if repeated else valid
    result.rows_duplicate = valid - incoming
    result.rows_unchanged = _scalar(
        con, f"select count(*) from incoming i join {table} r on {on_key} and r.row_hash = i.__row_hash")
    result.rows_replaced = _scalar(
        con, f"select count(*) from incoming i join {table} r on {on_key} and r.row_hash <> i.__row_hash")
    all_cols = ", ".join(ident(n) for n, _ in stored_columns(kind))
    con.execute(
        f"insert into {table}_history select {', '.join('r.' + ident(n) for n, _ in stored_columns(kind))}, "
        f"now()::timestamp, $load_id from {table} r join incoming i on {on_key} and r.row_hash <> i.__row_hash",
        {"load_id": load_id},
    )
    con.execute(
        f"delete from {table} r using incoming i where {on_key} and r.row_hash <> i.__row_hash"
    )
    con.execute(
        f"insert into {table} ({all_cols}) select {select_cols}, i.__row_hash, $load_id, i.__line "
        f"from incoming i where not exists (select 1 from {table} r where {on_key})",
        {"load_id": load_id},
    )
    result.rows_loaded = incoming - result.rows_unchanged - result.rows_replaced

    if kind.wide_ratings:
        result.new_touchpoints = _register_touchpoints(con, load_id, list(layout.ratings.values()))
    if "customer_id" in present and kind.name != "customers":
        result.unknown_customers = _scalar(
            con, "select count(distinct customer_id) from incoming i "
                 "where not exists (select 1 from raw_customers c where c.customer_id = i.customer_id)")
    con.execute("drop table incoming" if repeated else "drop view incoming")

    con.execute(
        "insert into meta_load_log values ($load_id, $kind, $file, $sha, $bytes, $format, $encoding, $delim, $fp, "
        "$read, $loaded, $replaced, $unchanged, $dup, $quarantined, $unknown, $new_tps, $ignored, 'loaded', "
        "$started, now()::timestamp)",
        {"load_id": load_id, "kind": kind.name, "file": str(path), "sha": sha, "bytes": path.stat().st_size,
         "format": staged.format, "encoding": staged.encoding, "delim": staged.delimiter, "fp": fingerprint,
         "read": result.rows_read, "loaded": result.rows_loaded, "replaced": result.rows_replaced,
         "unchanged": result.rows_unchanged, "dup": result.rows_duplicate,
         "quarantined": result.rows_quarantined, "unknown": result.unknown_customers,
         "new_tps": result.new_touchpoints, "ignored": result.ignored_columns, "started": started_at},
    )
    return result


def _quarantine(con, kind: Kind, path: Path, load_id: int) -> None:
    params = {"load_id": load_id, "kind": kind.name, "file": str(path)}
    con.execute(
        "insert into meta_quarantine select $load_id, $kind, $file, __line, e.column, e.value, e.reason "
        f"from (select __line, unnest(__errors) as e from {TYPED} where len(__errors) > 0)",
        params,
    )
    con.execute(
        "insert into meta_quarantine select $load_id, $kind, $file, line, '(row)', left(csv_line, 200), "
        "error_message from stage_rejects",
        params,
    )


def _register_touchpoints(con, load_id: int, touchpoint_ids: list[str]) -> list[str]:
    """Rating columns without a catalogue entry are registered with phase 'unknown'."""
    known = {row[0] for row in con.sql("select touchpoint_id from raw_touchpoints").fetchall()}
    new = sorted(set(touchpoint_ids) - known)
    for tp in new:
        con.execute(
            "insert into raw_touchpoints (touchpoint_id, name, phase, kind, row_hash, load_id) "
            "values ($tp, $tp, 'unknown', 'direct', 'registered-from-survey', $load_id)",
            {"tp": tp, "load_id": load_id},
        )
    return new


def _typed_columns(con) -> list[str]:
    return [row[0] for row in con.sql(f"describe {TYPED}").fetchall()]


def _scalar(con, sql: str) -> int:
    return int(con.sql(sql).fetchall()[0][0])
