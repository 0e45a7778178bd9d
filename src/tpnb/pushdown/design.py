"""The key-driver design as SQL: the same rows, drivers, centring, indicators, dummies and resampling
units as ``tpnb.analysis.drivers.design.prepare_design`` builds from a frame, found by a few
aggregate queries that any engine runs (``run(sql, params) -> polars frame``: DuckDB, or Spark
through ``tpnb.lake.aggregates.spark_runner``). Only aggregates come back.

Values from the data (levels, attribute names, dates) are bound as parameters, never formatted in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tpnb.analysis.drivers.bootstrap import MAX_BLOCKS
from tpnb.analysis.drivers.design import EXPERIENCE_DRIVERS, MIN_NOT_EXPERIENCED, STRATEGIES
from tpnb.contracts.marts import OUTCOME_COLUMNS
from tpnb.sqlutil import ident

STRAIGHT_MIN_RATINGS = 4  # as prepare_design: four or more equal ratings are a straight line


@dataclass
class SqlDesign:
    """The design on the engine: ``z`` holds SQL for each column of [y, drivers, controls]."""

    outcome: str
    outcome_column: str
    source: str  # SELECT of the candidate rows (period, outcome joined)
    where: str  # the rows the model uses
    params: dict
    driver_names: list[str]
    control_names: list[str] = field(default_factory=list)
    z: list[str] = field(default_factory=list)
    is_rating: list[bool] = field(default_factory=list)
    unit: str = "response_id"  # SQL of a row's resampling unit (its account, or itself)
    clustered: bool = False
    n: int = 0
    n_units: int = 0
    binary: bool = False
    at_bound_share: float | None = None
    info: dict = field(default_factory=dict)
    no_variation: list[str] = field(default_factory=list)

    def block(self, seed: int) -> str:
        """SQL of a row's bootstrap block: its unit, or the unit's hashed block (``hash_block``)."""
        if self.n_units <= MAX_BLOCKS:
            return self.unit
        self.params["block_seed"] = f"{seed}:"
        return f"('0x' || substr(md5($block_seed || {self.unit}), 1, 8))::bigint % {MAX_BLOCKS}"

    def rows(self, *columns: str) -> str:
        """``with src as (...)`` and a SELECT of ``columns`` over the model's rows."""
        return f"with src as ({self.source}) select {', '.join(columns)} from src where {self.where}"


def _columns(run, table: str) -> list[str]:
    return run(f"select * from {table} limit 0").columns


def design_source(run, outcome: str, first_day, last_day) -> tuple[str, str, dict, list[str]]:
    """The candidate rows (mart_responses joined with the wide ratings, in the period), the outcome's
    column, the parameters and the columns."""
    response_columns = _columns(run, "mart_responses")
    ratings = [c for c in _columns(run, "mart_driver_ratings") if c.startswith("tp_")]
    column = OUTCOME_COLUMNS.get(outcome, outcome)
    params = {"lo": first_day, "hi": last_day}
    joins = ""
    extra = ""
    if column not in response_columns and column not in ratings:
        exists = run("select count(*) as n from core_survey_attributes where attribute = $name", {"name": outcome})
        if not exists["n"][0]:
            raise ValueError(
                f"outcome '{outcome}' not found; known: {', '.join(OUTCOME_COLUMNS)} or a numeric / yes-no survey column"
            )
        joins = (
            "left join (select response_id, value_number from core_survey_attributes where attribute = $name) a "
            "on a.response_id = r.response_id"
        )
        extra = f", cast(a.value_number as double) as {ident(column)}"
        params["name"] = outcome
    rated = "".join(f", d.{ident(c)}" for c in ratings)
    source = (
        f"select r.*{rated}{extra} from mart_responses r "
        f"left join mart_driver_ratings d on d.response_id = r.response_id {joins} "
        "where ($lo is null or cast(r.answered_at as date) >= cast($lo as date)) "
        "and ($hi is null or cast(r.answered_at as date) <= cast($hi as date))"
    )
    return source, column, params, [*response_columns, *ratings, *([column] if extra else [])]


def default_drivers(run, source: str, params: dict, columns: list[str], experience: bool) -> list[str]:
    """Every rating column, and with ``experience`` the service-log features that vary in the period."""
    drivers = [c for c in columns if c.startswith("tp_")]
    flags = [d for d in EXPERIENCE_DRIVERS if d in columns] if experience else []
    if flags:
        # varies: two values at least (min < max; no count distinct, which Spark pays for per column)
        varies = run(
            f"with src as ({source}) select "
            + ", ".join(f"coalesce(min({ident(d)}) < max({ident(d)}), false) as {ident(d)}" for d in flags)
            + " from src",
            params,
        )
        drivers += [d for d in flags if varies[d][0]]
    return drivers


def prepare_sql_design(
    run,
    outcome: str,
    drivers: list[str] | None = None,
    controls: list[str] = (),
    strategy: str = "indicator",
    cluster: str | None = "account_id",
    exclude_straightliners: bool = False,
    experience: bool = True,
    first_day=None,
    last_day=None,
    where: str | None = None,
    where_params: dict | None = None,
) -> SqlDesign:
    """The design of ``prepare_design``, found with aggregate queries. ``no_variation`` names the
    drivers without variance in these rows (the caller prepares again without them)."""
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {', '.join(STRATEGIES)}, got {strategy!r}")
    source, column, params, columns = design_source(run, outcome, first_day, last_day)
    if where:
        source = f"select * from ({source}) s where {where}"
        params.update(where_params or {})
    if drivers is None:
        drivers = default_drivers(run, source, params, columns, experience)
    missing = [d for d in [*drivers, *controls] if d not in columns]
    if missing:
        raise ValueError(f"column(s) not in the data: {', '.join(missing)}")
    design = SqlDesign(outcome, column, source, f"{ident(column)} is not null", params, list(drivers))
    ratings = [d for d in drivers if d.startswith("tp_")]
    if ratings:
        count = " + ".join(f"(case when {ident(d)} is null then 0 else 1 end)" for d in ratings)
        spread = (
            f"greatest({', '.join(ident(d) for d in ratings)}) - least({', '.join(ident(d) for d in ratings)})"
            if len(ratings) > 1
            else "0"
        )
        straight = f"({count}) >= {STRAIGHT_MIN_RATINGS} and coalesce({spread}, 1) = 0"
        share = run(design.rows(f"avg(case when {straight} then 1.0 else 0.0 end) as share"), params)["share"][0]
        design.info["straightliner_share"] = float(share) if share is not None else 0.0
        if exclude_straightliners:
            design.where += f" and not ({straight})"
    if strategy == "complete_case" and ratings:
        design.where += "".join(f" and {ident(d)} is not null" for d in ratings)
    if strategy == "indicator" and ratings:
        nulls = run(design.rows(*(f"count(*) - count({ident(d)}) as {ident(d)}" for d in ratings)), params)
        rare = {d: int(nulls[d][0]) for d in ratings if 0 < nulls[d][0] < MIN_NOT_EXPERIENCED}
        if rare:
            design.info["rare_not_experienced_dropped"] = rare
            design.where += "".join(f" and {ident(d)} is not null" for d in rare)
    design.where += "".join(f" and {ident(d)} is not null" for d in drivers if not d.startswith("tp_"))
    if cluster and cluster in columns:
        design.unit = f"coalesce(cast({ident(cluster)} as varchar), 'row:' || cast(response_id as varchar))"
        design.clustered = True
    _profile(run, design, ratings, list(controls), strategy)
    return design


def _profile(run, design: SqlDesign, ratings: list[str], controls: list[str], strategy: str) -> None:
    """Count the rows, centre the ratings, find the indicators, dummies and units (one query, and
    one per control for its levels)."""
    y = ident(design.outcome_column)
    parts = [
        "count(*) as n",
        f"count(distinct {design.unit}) as n_units",
        f"sum(case when {y} in (0, 1) then 0 else 1 end) as not_binary",
        f"avg(case when {y} <= 0 or {y} >= 10 then 1.0 else 0.0 end) as at_bound",
    ]
    for i, d in enumerate(design.driver_names):
        varies = f"coalesce(min({ident(d)}) < max({ident(d)}), false)"
        parts += [f"avg({ident(d)}) as m{i}", f"count({ident(d)}) as c{i}", f"{varies} as v{i}"]
    stats = run(design.rows(*parts), design.params).row(0, named=True)
    design.n = int(stats["n"])
    design.n_units = int(stats["n_units"] or 0)
    design.clustered = design.clustered and design.n_units < design.n
    if not design.clustered:
        design.unit = "cast(response_id as varchar)"
        design.n_units = design.n
    design.binary = design.n > 0 and not stats["not_binary"]
    design.at_bound_share = (
        float(stats["at_bound"])
        if design.outcome_column == "nps" and design.n and stats["at_bound"] is not None
        else None
    )
    z = [f"cast({y} as double)"]
    indicators = []
    for i, d in enumerate(design.driver_names):
        if not stats[f"v{i}"]:  # one value, or none: the centred column has no variance
            design.no_variation.append(d)
        if d.startswith("tp_"):
            seen, mean = stats[f"c{i}"], stats[f"m{i}"]
            design.params[f"mean{i}"] = float(mean) if mean is not None else 0.0
            z.append(f"case when {ident(d)} is null then 0.0 else {ident(d)} - $mean{i} end")
            if strategy == "indicator" and 0 < seen < design.n:
                indicators.append((f"not_experienced_{d[3:]}", f"case when {ident(d)} is null then 1.0 else 0.0 end"))
        else:
            z.append(f"cast({ident(d)} as double)")
    design.is_rating = [d.startswith("tp_") for d in design.driver_names]
    for name, sql in indicators:
        design.control_names.append(name)
        z.append(sql)
    for j, c in enumerate(controls):
        level_sql = f"coalesce(cast({ident(c)} as varchar), 'unknown')"
        counts = run(design.rows(f"{level_sql} as level", "count(*) as n") + " group by 1", design.params)
        levels = counts.sort(["n", "level"], descending=[True, False])["level"].to_list()
        for k, level in enumerate(levels[1:]):  # the most common level is the reference
            design.params[f"level{j}_{k}"] = level
            design.control_names.append(f"{c}={level}")
            z.append(f"case when {level_sql} = $level{j}_{k} then 1.0 else 0.0 end")
    design.z = z
