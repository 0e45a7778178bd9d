"""Read the frames the commands need from the marts (values bound, never formatted in)."""

from __future__ import annotations

import polars as pl

from tpnb import warehouse
from tpnb.sqlutil import ident

RESPONSE_DIMENSIONS = {"segment": "segment", "role": "role", "account": "account_id", "region": "region",
                       "month": "period_month", "quarter": "period_quarter"}
TOUCHPOINT_DIMENSIONS = {"touchpoint": "touchpoint_name", "phase": "phase", "channel": "channel"}


def nps_sums(con, dims: list[str], date_from: str | None = None, date_to: str | None = None,
             account_weighted: bool = False) -> tuple[pl.DataFrame, list[str]]:
    """Per-group sums for ``metrics.nps_from_sums``, aggregated inside DuckDB.

    Account weighting: each account's responses share one unit of weight
    (within the rows the grouping looks at).
    """
    params = {"lo": date_from, "hi": date_to}
    where = "($lo is null or answered_at::date >= $lo::date) and ($hi is null or answered_at::date <= $hi::date)"
    touchpoint_level = any(d in TOUCHPOINT_DIMENSIONS for d in dims)
    cell_dims = {**RESPONSE_DIMENSIONS, **TOUCHPOINT_DIMENSIONS}
    if not account_weighted and all(d in cell_dims and d != "account" for d in dims):
        return _sums_from_cells(con, dims, touchpoint_level, params), [cell_dims[d] for d in dims]
    known = {**RESPONSE_DIMENSIONS, **(TOUCHPOINT_DIMENSIONS if touchpoint_level else {})}
    source = (f"select * from mart_touchpoint_ratings where is_experienced and nps is not null and {where}"
              if touchpoint_level else f"select * from mart_responses where nps is not null and {where}")
    joins, columns, selects = [], [], []
    for i, d in enumerate(dims):
        if d in known:
            columns.append(known[d])
            selects.append(f"{ident(known[d])}::varchar as {ident(known[d])}")
            continue
        exists = con.sql("select count(*) from core_survey_attributes where attribute = $name",
                         params={"name": d}).fetchall()[0][0]
        if not exists:
            raise ValueError(f"unknown dimension '{d}'; known: {', '.join(known)} or a survey attribute")
        alias = f"a{i}"
        joins.append(f"left join core_survey_attributes {alias} on {alias}.response_id = s.response_id "
                     f"and {alias}.attribute = $attr{i}")
        params[f"attr{i}"] = d
        selects.append(f"{alias}.value_text as {ident(d)}")
        columns.append(d)
    weight = "1.0::double / count(*) over (partition by account_id)" if account_weighted else "1.0::double"
    group = ", ".join(ident(c) for c in columns)
    sql = f"""
        with scored as (
            select s.nps, {weight} as w{''.join(', ' + x for x in selects)}
            from ({source}) s {' '.join(joins)}
        )
        select {group + ', ' if columns else ''}count(*) as n,
               count(*) filter (where nps >= 9) as promoters,
               count(*) filter (where nps between 7 and 8) as passives,
               count(*) filter (where nps <= 6) as detractors,
               sum(w * (nps >= 9)::int) as __wp, sum(w * (nps <= 6)::int) as __wd,
               sum(w) as __w, sum(w * w) as __w2
        from scored {'group by ' + group if columns else ''}
        {'order by ' + group if columns else ''}
    """
    return warehouse.query(con, sql, params), columns


def _sums_from_cells(con, dims: list[str], touchpoint_level: bool, params: dict) -> pl.DataFrame:
    """The same sums from mart_nps_cells (counts per day and dimension value): fast at any size."""
    columns = [{**RESPONSE_DIMENSIONS, **TOUCHPOINT_DIMENSIONS}[d] for d in dims]
    group = ", ".join(ident(c) for c in columns)
    select = "".join(f"{ident(c)}::varchar as {ident(c)}, " for c in columns)
    sql = f"""
        select {select}sum(n)::bigint as n, sum(promoters)::bigint as promoters,
               sum(passives)::bigint as passives, sum(detractors)::bigint as detractors,
               sum(promoters)::double as __wp, sum(detractors)::double as __wd,
               sum(n)::double as __w, sum(n)::double as __w2
        from mart_nps_cells
        where is_touchpoint_level = $tp_level
          and ($lo is null or answered_on >= $lo::date) and ($hi is null or answered_on <= $hi::date)
        {'group by ' + group + ' order by ' + group if columns else ''}
    """
    return warehouse.query(con, sql, {**params, "tp_level": touchpoint_level})
