"""NPS sums per group, aggregated inside DuckDB: what ``tpnb.analysis.nps.nps_from_sums`` turns into
NPS and intervals, so only one row per group reaches Python at any data size."""

from __future__ import annotations

import polars as pl

from tpnb.sqlutil import ident
from tpnb.warehouse.db import runner

RESPONSE_DIMENSIONS = {
    "segment": "segment",
    "role": "role",
    "account": "account_id",
    "region": "region",
    "month": "period_month",
    "quarter": "period_quarter",
}
TOUCHPOINT_DIMENSIONS = {"touchpoint": "touchpoint_name", "phase": "phase", "channel": "channel"}


def nps_sums(
    con,
    dims: list[str],
    date_from: str | None = None,
    date_to: str | None = None,
    account_weighted: bool = False,
    weights: pl.DataFrame | None = None,
) -> tuple[pl.DataFrame, list[str]]:
    """Per-group sums for ``metrics.nps_from_sums``, aggregated by the engine: ``con`` is a DuckDB
    connection, or a function ``run(sql, params) -> polars frame`` that runs this DuckDB SQL on
    another engine (``tpnb.lake.aggregates.spark_runner``).

    Account weighting: each account's responses share one unit of weight
    (within the rows the grouping looks at). ``weights`` (``response_id``, ``weight``; survey
    weights such as raked ones) weight each response; the sums then carry each account's
    weighted score and weight for the Taylor-linearised variance.
    """
    params = {"lo": date_from, "hi": date_to}
    where = "($lo is null or answered_at::date >= $lo::date) and ($hi is null or answered_at::date <= $hi::date)"
    touchpoint_level = any(d in TOUCHPOINT_DIMENSIONS for d in dims)
    # by phase or channel, a respondent counts once per group, however many of its touchpoints they
    # experienced: the per-rating cells would count them once per touchpoint
    per_respondent = (
        [TOUCHPOINT_DIMENSIONS[d] for d in dims if d in ("phase", "channel")] if "touchpoint" not in dims else []
    )
    cell_dims = {**RESPONSE_DIMENSIONS, **TOUCHPOINT_DIMENSIONS}
    run = runner(con)
    shared_accounts = run("select count(*) > count(distinct account_id) as shared from mart_responses")["shared"][0]
    if not (account_weighted or per_respondent or shared_accounts or weights is not None) and all(
        d in cell_dims and d != "account" for d in dims
    ):
        return _sums_from_cells(run, dims, touchpoint_level, params), [cell_dims[d] for d in dims]
    known = {**RESPONSE_DIMENSIONS, **(TOUCHPOINT_DIMENSIONS if touchpoint_level else {})}
    once = f"distinct on (response_id, {', '.join(ident(c) for c in per_respondent)}) " if per_respondent else ""
    source = (
        f"select {once}* from mart_touchpoint_ratings where is_experienced and nps is not null and {where}"
        if touchpoint_level
        else f"select * from mart_responses where nps is not null and {where}"
    )
    joins, columns, selects = [], [], []
    for i, d in enumerate(dims):
        if d in known:
            columns.append(known[d])
            selects.append(f"{ident(known[d])}::varchar as {ident(known[d])}")
            continue
        exists = run("select count(*) as n from core_survey_attributes where attribute = $name", {"name": d})["n"][0]
        if not exists:
            raise ValueError(f"unknown dimension '{d}'; known: {', '.join(known)} or a survey attribute")
        alias = f"a{i}"
        joins.append(
            f"left join core_survey_attributes {alias} on {alias}.response_id = s.response_id "
            f"and {alias}.attribute = $attr{i}"
        )
        params[f"attr{i}"] = d
        selects.append(f"{alias}.value_text as {ident(d)}")
        columns.append(d)
    weight = "1.0::double / count(*) over (partition by account_id)" if account_weighted else "1.0::double"
    if weights is not None:
        if callable(con):
            raise ValueError("survey weights run on DuckDB only for now (--weights none on another engine)")
        con.register("tpnb_response_weights", weights.select("response_id", "weight"))
        joins.append("join tpnb_response_weights rw on rw.response_id = s.response_id")
        weight = "rw.weight"
    group = ", ".join(ident(c) for c in columns)
    keys = group + ", " if columns else ""
    # per account first: the interval's design effect needs each account's score sum S and count n
    # (with survey weights, its weighted score sum and weight sum)
    weighted = ", sum(ws ^ 2) as __cws2, sum(ws * w1) as __cwsw, sum(w1 ^ 2) as __cw2" if weights is not None else ""
    sql = f"""
        with scored as (
            select s.nps, s.account_id as __account, {weight} as w{"".join(", " + x for x in selects)}
            from ({source}) s {" ".join(joins)}
        ),
        per_account as (
            select {keys}__account, count(*) as n,
                   count(*) filter (where nps >= 9) as promoters,
                   count(*) filter (where nps between 7 and 8) as passives,
                   count(*) filter (where nps <= 6) as detractors,
                   sum(w * (nps >= 9)::int) as wp, sum(w * (nps <= 6)::int) as wd,
                   sum(w) as w1, sum(w * w) as w2,
                   sum(w * ((nps >= 9)::int - (nps <= 6)::int)) as ws
            from scored group by {keys}__account
        )
        select {keys}sum(n)::bigint as n, sum(promoters)::bigint as promoters,
               sum(passives)::bigint as passives, sum(detractors)::bigint as detractors,
               sum(wp) as __wp, sum(wd) as __wd, sum(w1) as __w, sum(w2) as __w2,
               sum((promoters - detractors)::double ^ 2) as __cs2,
               sum((promoters - detractors)::double * n) as __csn,
               sum(n::double ^ 2) as __cn2, count(*) as __c{weighted}
        from per_account {"group by " + group if columns else ""}
        {"order by " + group if columns else ""}
    """
    try:
        return run(sql, params), columns
    finally:
        if weights is not None:
            con.unregister("tpnb_response_weights")


def _sums_from_cells(run, dims: list[str], touchpoint_level: bool, params: dict) -> pl.DataFrame:
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
        {"group by " + group + " order by " + group if columns else ""}
    """
    return run(sql, {**params, "tp_level": touchpoint_level})
