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
