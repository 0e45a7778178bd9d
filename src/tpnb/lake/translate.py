"""The SQL models in Spark's dialect: sqlglot transpiles each DuckDB model; tpnb binds its settings.

One source of truth per model: ``tpnb/warehouse/sql``. What sqlglot does not carry over faithfully
is overridden here, by a rewrite of the parsed model, never by a second hand-written copy:

- ``$name`` parameters become literals of tpnb's own settings (numbers and lists of numbers, never
  a user's value);
- ``select * exclude (c)`` becomes the explicit column list (Spark has no EXCLUDE), from the
  columns the engine reports for the relation;
- ``OVERRIDES``: functions whose Spark spelling sqlglot gets wrong or Spark lacks (each with a
  translation test; the mart equality test runs both engines over the demo, Sundays included).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime

import sqlglot
from sqlglot import exp


def _iso_weekday(node: exp.DayOfWeekIso) -> exp.Expression:
    # sqlglot writes (DAYOFWEEK(x) % 7) + 1, which makes Sunday 2; Spark's weekday is 0 for Monday
    return exp.Add(this=exp.Anonymous(this="weekday", expressions=[node.this]), expression=exp.Literal.number(1))


def _date_diff(node: exp.DateDiff) -> exp.Expression:
    # DuckDB counts the unit's boundaries between the two times; Spark's DATEDIFF(unit, ...) is not
    # in open-source Spark. Seconds: the difference of whole epoch seconds, as DuckDB counts them.
    unit = (node.text("unit") or "day").lower()
    if unit not in ("second", "seconds"):
        raise ValueError(f"date_diff('{unit}', ...) has no Spark override yet")
    seconds = [exp.Anonymous(this="unix_seconds", expressions=[e]) for e in (node.expression, node.this)]
    return exp.Paren(this=exp.Sub(this=seconds[1], expression=seconds[0]))


def _decimal_literal(node: exp.Literal) -> exp.Expression:
    # 3600.0 is a DECIMAL in both engines, but DuckDB divides in DOUBLE and Spark in DECIMAL with
    # six digits of scale: a decimal literal is a DOUBLE on Spark, as DuckDB computes it
    if node.is_string or "." not in node.this:
        return node
    return exp.Cast(this=node, to=exp.DataType.build("double"))


def _to_days(node: exp.ToDays) -> exp.Expression:
    # DuckDB's to_days(n), an interval of n days: Spark's make_dt_interval(n)
    return exp.Anonymous(this="make_dt_interval", expressions=[node.this])


def _hex_cast(node: exp.Cast) -> exp.Expression:
    # DuckDB reads '0x' || hex text as a hexadecimal number (the bootstrap's hashed blocks); Spark's
    # cast gives NULL there: conv(hex, 16, 10)
    inner = node.this.unnest()
    if not (
        isinstance(inner, exp.DPipe)
        and isinstance(inner.this, exp.Literal)
        and inner.this.is_string
        and inner.this.this.lower() == "0x"
        and node.to.is_type(*exp.DataType.INTEGER_TYPES)
    ):
        return node
    digits = exp.Anonymous(this="conv", expressions=[inner.expression, exp.Literal.number(16), exp.Literal.number(10)])
    return exp.Cast(this=digits, to=node.to)


def _materialized(node: exp.CTE) -> exp.Expression:
    # DuckDB computes a MATERIALIZED CTE once; Spark has no such keyword (it keeps a costly
    # expression from being copied into every consumer by itself)
    node.set("materialized", None)
    return node


OVERRIDES: dict[type, Callable[[exp.Expression], exp.Expression]] = {
    exp.Cast: _hex_cast,
    exp.CTE: _materialized,
    exp.DayOfWeekIso: _iso_weekday,
    exp.DateDiff: _date_diff,
    exp.ToDays: _to_days,
    exp.Literal: _decimal_literal,
}


def _pivot(tree: exp.Pivot, values_of) -> str:
    """DuckDB's ``pivot t on c using agg(v) group by g`` (columns from the data) as Spark's
    ``pivot (agg(v) for c in (...))`` with the values the data holds, sorted as DuckDB sorts them."""
    if values_of is None:
        raise ValueError("a PIVOT needs the engine's values of its column")
    with_ = tree.args.get("with_")
    prefix = with_.sql(dialect="spark") + " " if with_ is not None else ""
    source = tree.this.sql(dialect="spark")
    [on] = tree.expressions
    [agg] = tree.args["using"]
    group = [g.sql(dialect="spark") for g in tree.args["group"].expressions]
    values = sorted(v for v in values_of(f"{prefix}SELECT DISTINCT {on.sql(dialect='spark')} FROM {source}") if v)
    if not values:
        return f"{prefix}SELECT DISTINCT {', '.join(group)} FROM {source}"
    measured = [c.sql(dialect="spark") for c in agg.find_all(exp.Column)]
    inner = f"SELECT {', '.join([*group, on.sql(dialect='spark'), *measured])} FROM {source}"
    cases = ", ".join(
        f"{exp.Literal.string(v).sql(dialect='spark')} AS {exp.to_identifier(v).sql(dialect='spark')}" for v in values
    )
    return (
        f"{prefix}SELECT * FROM ({inner}) PIVOT ({agg.sql(dialect='spark')} FOR {on.sql(dialect='spark')} IN ({cases}))"
    )


def literal(value) -> exp.Expression:
    """A value as a SQL literal: NULL, a number, a string (a date as its ISO text) or a list of them."""
    if value is None:
        return exp.Null()
    if isinstance(value, date | datetime):
        return exp.Literal.string(value.isoformat())
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int | float):
        return exp.Literal.number(value)
    if isinstance(value, list | tuple):
        return exp.Array(expressions=[literal(v) for v in value])
    return exp.Literal.string(str(value))


def model_select(sql: str) -> exp.Expression:
    """The SELECT of a model file (``create or replace table X as SELECT``), parsed as DuckDB."""
    tree = sqlglot.parse_one(re.sub(r"--[^\n]*", "", sql), read="duckdb")
    return tree.expression if isinstance(tree, exp.Create) else tree


def to_spark(
    sql: str,
    parameters: dict,
    columns_of: Callable[[str], list[str]] | None = None,
    values_of: Callable[[str], list] | None = None,
) -> str:
    """A model's SELECT in Spark SQL, its parameters bound; ``columns_of(sql)`` gives the columns of
    a query (for ``* exclude``), ``values_of(sql)`` its first column's values (for a PIVOT)."""
    tree = model_select(sql)
    if isinstance(tree, exp.Pivot) and tree.args.get("using"):
        return _pivot(tree, values_of)

    tree = _expand_exclude(rewrite(tree, parameters), columns_of)
    return tree.sql(dialect="spark")


def rewrite(tree: exp.Expression, parameters: dict) -> exp.Expression:
    """``tree`` with its ``$name`` parameters as literals and the ``OVERRIDES`` applied."""

    def bind(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Placeholder) and node.name in parameters:
            return literal(parameters[node.name])
        return node

    tree = tree.transform(bind)
    return tree.transform(lambda node: OVERRIDES[type(node)](node) if type(node) in OVERRIDES else node)


def _expand_exclude(tree: exp.Expression, columns_of) -> exp.Expression:
    """``r.* exclude (a, b)`` -> the columns of r but a and b (Spark has no EXCLUDE).

    The columns are the engine's answer for the same SELECT with just ``r.*`` (and the CTEs before
    it): whatever r is, a table, a CTE or a join, the list is the one the engine would have expanded.
    Stars are expanded in the order they appear, so a CTE's own EXCLUDE is gone before a later
    one asks for its columns."""
    with_ = tree.args.get("with_")
    for star in list(tree.find_all(exp.Star, bfs=False)):
        if not star.args.get("except_"):
            continue
        if columns_of is None:
            raise ValueError("cannot expand '* exclude' without the engine's columns")
        holder = star.parent if isinstance(star.parent, exp.Column) else star
        excluded = {e.name for e in star.args["except_"]}
        select = holder.find_ancestor(exp.Select)
        plain = holder.copy()
        (plain.this if isinstance(plain, exp.Column) else plain).set("except_", None)
        probe = select.copy()
        probe.set("expressions", [plain])
        probe.set("with_", None)
        cte = select.find_ancestor(exp.CTE)
        before = with_.expressions if with_ is not None else []
        if cte is not None and with_ is not None:
            before = before[: before.index(cte)]
        if before:
            probe.set("with_", exp.With(expressions=[c.copy() for c in before]))
        table = holder.table if isinstance(holder, exp.Column) else ""
        names = [c for c in columns_of(probe.sql(dialect="spark")) if c not in excluded]
        position = select.expressions.index(holder)
        expanded = [exp.column(c, table=table or None) for c in names]
        select.set("expressions", select.expressions[:position] + expanded + select.expressions[position + 1 :])
    return tree
