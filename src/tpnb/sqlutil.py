"""Small helpers for building SQL text safely.

Identifiers (column names from a user's file) are quoted here; values never
go into SQL text: they are bound as parameters.
"""


def ident(name: str) -> str:
    """Quote an identifier for DuckDB."""
    return '"' + str(name).replace('"', '""') + '"'


def literal(value: str) -> str:
    """Quote one of tpnb's own constants (never a user value) as a SQL string."""
    return "'" + str(value).replace("'", "''") + "'"


def drop_temp(con, name: str) -> None:
    """Drop a temporary table or view of that name, whichever it is."""
    found = con.sql(
        "select 'view' from duckdb_views() where view_name = $n and temporary "
        "union all select 'table' from duckdb_tables() where table_name = $n and temporary",
        params={"n": name},
    ).fetchall()
    for (kind,) in found:
        con.execute(f"drop {kind} if exists {ident(name)}")
