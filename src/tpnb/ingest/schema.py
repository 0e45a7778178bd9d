"""The raw and meta tables that ingest writes, derived from the contracts."""

from __future__ import annotations

from tpnb import contracts as c
from tpnb.contracts import KINDS, Kind
from tpnb.contracts.sources import Wide
from tpnb.sqlutil import ident

SQL_TYPES = {
    c.ID: "varchar",
    c.TEXT: "varchar",
    c.ENUM: "varchar",
    c.FREE_TEXT: "varchar",
    c.INTEGER: "bigint",
    c.NUMBER: "double",
    c.TIMESTAMP: "timestamp",
    c.DATE: "date",
    c.BOOL: "boolean",
    c.PSEUDONYM: "varchar",
}
ATTRIBUTES_TYPE = "struct(name varchar, value_text varchar, value_number double)[]"
LINEAGE = (("load_id", "bigint"),)
# The errors a row breaks, while its file loads; rows with errors move to the quarantine
# before the load commits, so it is NULL in every stored row.
ERRORS_TYPE = 'struct("column" varchar, value varchar, reason varchar)[]'


def stored_columns(kind: Kind) -> list[tuple[str, str]]:
    """(name, type) of the raw table of a kind; personal-data columns are never stored."""
    cols = [(col.name, SQL_TYPES[col.type]) for col in kind.columns if col.type != c.PII]
    if kind.wide:
        cols.append((kind.wide.column, wide_type(kind.wide)))
    if kind.keeps_attributes:
        cols.append(("attributes", ATTRIBUTES_TYPE))
    return cols + list(LINEAGE)


def wide_type(wide: Wide) -> str:
    """The list type of a kind's wide ratings: (key, experienced, rating) per column."""
    return f"struct({ident(wide.key)} varchar, experienced boolean, rating double)[]"


def raw_table(kind: Kind) -> str:
    """The raw table of a kind (``raw_<kind>``)."""
    return f"raw_{kind.name}"


def schema_statements() -> list[str]:
    """The statements that create the raw, history and meta tables (idempotent)."""
    statements = [
        "create sequence if not exists meta_load_seq start 1",
        """create table if not exists meta_load_log (
            load_id bigint primary key, kind varchar, file varchar, file_sha256 varchar, file_bytes bigint,
            format varchar, encoding varchar, delimiter varchar, options_fingerprint varchar,
            rows_read bigint, rows_loaded bigint, rows_replaced bigint, rows_unchanged bigint,
            rows_duplicate bigint, rows_quarantined bigint, unknown_customers bigint,
            new_touchpoints varchar[], ignored_columns varchar[], status varchar,
            started_at timestamp, finished_at timestamp)""",
        """create table if not exists meta_quarantine (
            load_id bigint, kind varchar, file varchar, line bigint, "column" varchar, value varchar,
            reason varchar)""",
        # added later: databases of earlier versions get the column on their next load
        "alter table meta_load_log add column if not exists personal_columns varchar[]",
    ]
    for kind in KINDS.values():
        cols = stored_columns(kind)
        body = ", ".join(f"{ident(n)} {t}" for n, t in cols)
        statements.append(f"create table if not exists {raw_table(kind)} ({body}, __errors {ERRORS_TYPE})")
        statements.append(f"alter table {raw_table(kind)} add column if not exists __errors {ERRORS_TYPE}")
        statements.append(
            f"create table if not exists {raw_table(kind)}_history ({body}, replaced_at timestamp, "
            "replaced_by_load_id bigint)"
        )
    return statements


def ensure_schema(con) -> None:
    """Create the raw, history and meta tables where they are missing."""
    for statement in schema_statements():
        con.execute(statement)
