"""The catalog: every query the commands, the analysis and the reports read the marts with.

Each function takes a connection and returns polars frames (or plain values);
a user's values are bound parameters, never formatted into SQL. Above this
module nothing writes SQL: ``tpnb.analysis`` gets the frames.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import duckdb
import polars as pl

from tpnb.contracts.marts import OUTCOME_COLUMNS
from tpnb.sqlutil import ident
from tpnb.warehouse.db import has_rows, query
from tpnb.warehouse.outcomes import (  # noqa: F401 (part of the catalog)
    attribute_values,
    default_outcome,
    numeric_attributes,
    yes_no_attributes,
)
from tpnb.warehouse.sums import RESPONSE_DIMENSIONS, TOUCHPOINT_DIMENSIONS, nps_sums  # noqa: F401 (the catalog)

# --- report frames -------------------------------------------------------------------------------

# A report's filters; NULL means "all".
FILTER_SQL = (
    "($segment is null or segment = $segment) and ($role is null or role = $role) "
    "and ($account is null or account_id = $account)"
)
FILTERS = ("segment", "role", "account")


def _filter_params(filters: dict[str, str | None]) -> dict[str, str | None]:
    return {k: filters.get(k) for k in FILTERS}


def newest_answer_day(con: duckdb.DuckDBPyConnection) -> date | None:
    """The day of the newest survey response, or None without responses."""
    return con.sql("select max(answered_at)::date from mart_responses").fetchall()[0][0]


def _within(
    con: duckdb.DuckDBPyConnection,
    table: str,
    day: str,
    filters: dict[str, str | None],
    first_day: date | None,
    last_day: date | None,
) -> pl.DataFrame:
    """Rows of a mart (``table`` and ``day`` are tpnb's own names) within the filters and days (None: open)."""
    return query(
        con,
        f"select * from {table} where ($lo is null or {day} >= $lo) and ($hi is null or {day} <= $hi) and {FILTER_SQL}",
        {**_filter_params(filters), "lo": first_day, "hi": last_day},
    )


def responses(
    con: duckdb.DuckDBPyConnection,
    filters: dict[str, str | None],
    first_day: date | None = None,
    last_day: date | None = None,
) -> pl.DataFrame:
    """``mart_responses`` within the filters, answered between the two days (inclusive; None: open)."""
    return _within(con, "mart_responses", "answered_on", filters, first_day, last_day)


def touchpoint_ratings(
    con: duckdb.DuckDBPyConnection, filters: dict[str, str | None], first_day: date, last_day: date
) -> pl.DataFrame:
    """``mart_touchpoint_ratings`` (one row per response and touchpoint asked) within filters and days."""
    return _within(con, "mart_touchpoint_ratings", "answered_at::date", filters, first_day, last_day)


def contacts(
    con: duckdb.DuckDBPyConnection,
    filters: dict[str, str | None],
    first_day: date | None = None,
    last_day: date | None = None,
) -> pl.DataFrame:
    """``mart_contacts`` within the filters, opened between the two days (inclusive; None: open)."""
    return _within(con, "mart_contacts", "opened_at::date", filters, first_day, last_day)


def observations(con: duckdb.DuckDBPyConnection, first_day: date | None = None, last_day: date | None = None):
    """``mart_observations`` made between the two days (inclusive; None: open). Observations test the
    company, not a customer: segment, role and account filters do not apply."""
    return query(
        con,
        "select * from mart_observations where ($lo is null or observed_at::date >= $lo) "
        "and ($hi is null or observed_at::date <= $hi)",
        {"lo": first_day, "hi": last_day},
    )


def observation_scores(con: duckdb.DuckDBPyConnection, first_day: date | None = None, last_day: date | None = None):
    """``mart_observation_scores`` of the observations made between the two days."""
    return query(
        con,
        "select s.* from mart_observation_scores s join mart_observations o using (observation_id) "
        "where ($lo is null or o.observed_at::date >= $lo) and ($hi is null or o.observed_at::date <= $hi)",
        {"lo": first_day, "hi": last_day},
    )


def driver_ratings(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """``mart_driver_ratings``: one row per response, a ``tp_<id>`` column per touchpoint (null: not experienced)."""
    return query(con, "select * from mart_driver_ratings")


def driver_frame(
    con: duckdb.DuckDBPyConnection,
    outcome: str | None = None,
    first_day: date | None = None,
    last_day: date | None = None,
) -> pl.DataFrame:
    """One row per response answered between the two days (inclusive; None: open): outcomes,
    dimensions, experience features and tp_ ratings.

    An outcome that is not a standard column is looked up among the survey
    attributes (e.g. ``satisfied``) and added as a number.
    """
    frame = query(
        con,
        "select r.*, d.* exclude (response_id) from mart_responses r "
        "left join mart_driver_ratings d using (response_id) "
        "where ($lo is null or r.answered_at::date >= $lo) and ($hi is null or r.answered_at::date <= $hi) "
        "order by r.response_id",  # one order on every run: the rows a seeded bootstrap resamples
        {"lo": first_day, "hi": last_day},
    )
    if outcome and OUTCOME_COLUMNS.get(outcome, outcome) not in frame.columns:
        values = con.sql(
            "select response_id, value_number from core_survey_attributes where attribute = $name",
            params={"name": outcome},
        ).pl()
        if values.height:
            frame = frame.join(values.rename({"value_number": outcome}), on="response_id", how="left")
            frame = frame.with_columns(pl.col(outcome).cast(pl.Float64))
    return frame


def touchpoint_labels(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """``tp_<id>`` -> the catalogue's touchpoint name."""
    rows = con.sql("select touchpoint_id, touchpoint_name from core_touchpoints").fetchall()
    return {f"tp_{tp}": name for tp, name in rows}


@dataclass(frozen=True)
class LoadSummary:
    """What the database holds, for a report's statement of inputs."""

    newest_answer_at: datetime | None
    newest_contact_at: datetime | None
    loads: int
    last_load_at: datetime | None


def load_summary(con: duckdb.DuckDBPyConnection) -> LoadSummary:
    """Newest response and contact, and the number and time of loads."""
    newest = con.sql("select max(answered_at) from mart_responses").fetchall()[0][0]
    newest_contact = con.sql("select max(opened_at) from mart_contacts").fetchall()[0][0]
    loads, last = con.sql("select count(*), max(finished_at) from meta_load_log").fetchall()[0]
    return LoadSummary(newest, newest_contact, int(loads), last)


FAN_OUT_DIMENSIONS = ("segment", "role", "region", "account_id")


def dimension_values(con: duckdb.DuckDBPyConnection, dimension: str) -> list[str]:
    """The known values of a response dimension (for report fan-out)."""
    if dimension not in FAN_OUT_DIMENSIONS:
        raise ValueError(f"values can be listed for {', '.join(FAN_OUT_DIMENSIONS)}; not {dimension!r}")
    return [
        r[0]
        for r in con.sql(
            f"select distinct {ident(dimension)} from mart_responses where {ident(dimension)} <> 'unknown' order by 1"
        ).fetchall()
    ]


# --- targets and measures ----------------------------------------------------------------------


@dataclass(frozen=True)
class TargetInputs:
    """The frames ``tpnb.analysis.targets`` compares targets with."""

    targets: pl.DataFrame  # core_targets
    ratings: pl.DataFrame  # period_quarter, response_id, touchpoint_id, is_experienced, rating, nps
    responses: pl.DataFrame  # period_quarter, nps
    contacts: pl.DataFrame  # mart_contacts with period_quarter of opened_at
    observations: pl.DataFrame | None = None  # mart_observations with period_quarter of observed_at


def target_inputs(con: duckdb.DuckDBPyConnection) -> TargetInputs | None:
    """Targets and what their actuals are computed from; None when no targets are loaded."""
    if not has_rows(con, "core_targets"):
        return None
    return TargetInputs(
        targets=query(con, "select * from core_targets order by touchpoint_id, metric, valid_from"),
        ratings=query(
            con,
            "select period_quarter, response_id, touchpoint_id, is_experienced, rating, nps from mart_touchpoint_ratings",
        ),
        responses=query(con, "select period_quarter, nps from mart_responses"),
        contacts=query(
            con,
            "select strftime(opened_at, '%Y') || '-Q' || quarter(opened_at)::varchar "
            "as period_quarter, * from mart_contacts",
        ),
        observations=query(
            con,
            "select strftime(observed_at, '%Y') || '-Q' || quarter(observed_at)::varchar "
            "as period_quarter, * from mart_observations",
        )
        if has_rows(con, "mart_observations")
        else None,
    )


@dataclass(frozen=True)
class MeasureInputs:
    """The frames ``tpnb.analysis.measures`` evaluates measures on."""

    measures: pl.DataFrame  # core_measures, by start
    ratings: pl.DataFrame  # response_id, touchpoint_id, rating, is_experienced, nps, day, period_month
    contacts: pl.DataFrame  # touchpoint_id, day, is_answered_in_target


def measure_inputs(con: duckdb.DuckDBPyConnection, window_days: int) -> MeasureInputs | None:
    """Measures and the ratings and contacts within ``window_days`` of any start; None without measures."""
    if not has_rows(con, "core_measures"):
        return None
    params = {"days": window_days}
    window = (
        "between (select min(started_at) from core_measures) - to_days($days::int) "
        "and (select max(started_at) from core_measures) + to_days($days::int)"
    )
    return MeasureInputs(
        measures=query(con, "select * from core_measures order by started_at, measure_id"),
        ratings=query(
            con,
            "select response_id, touchpoint_id, rating, is_experienced, nps, "
            "answered_at::date as day, period_month from mart_touchpoint_ratings "
            f"where answered_at::date {window}",
            params,
        ),
        contacts=query(
            con,
            "select touchpoint_id, opened_at::date as day, is_answered_in_target "
            f"from mart_contacts where opened_at::date {window}",
            params,
        ),
    )


# --- what is loaded ------------------------------------------------------------------------------

DATA_KINDS = ("nps", "ratings", "contacts", "orders", "targets", "measures", "observations")


def available_data(con: duckdb.DuckDBPyConnection) -> dict[str, bool]:
    """Which kinds of data the marts hold: NPS scores, touchpoint ratings, contacts, orders, targets, measures."""

    def scalar(sql: str) -> bool:
        return bool(con.sql(sql).fetchall()[0][0])

    return {
        "nps": scalar("select count(nps) > 0 from mart_responses"),
        "ratings": scalar("select count(*) > 0 from mart_touchpoint_ratings where is_experienced"),
        "contacts": has_rows(con, "mart_contacts"),
        "orders": has_rows(con, "core_orders"),
        "targets": has_rows(con, "core_targets"),
        "measures": has_rows(con, "core_measures"),
        "observations": has_rows(con, "mart_observations"),
    }


def weighting_frames(
    con, variables: list[str], first_day: str | None = None, last_day: str | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The responses of a period (``response_id`` and ``variables``) and the customer base's
    ``variables``: what survey weights are raked from. ``variables`` are customer attributes
    (segment, role, region), never a user's text."""
    allowed = ("segment", "role", "region")
    if any(v not in allowed for v in variables):
        raise ValueError(f"weights: rake on {', '.join(allowed)}, not {variables}")
    columns = ", ".join(ident(v) for v in variables)
    responses = query(
        con,
        f"select response_id, {columns} from mart_responses "
        "where ($lo is null or answered_at::date >= $lo::date) and ($hi is null or answered_at::date <= $hi::date)",
        {"lo": first_day, "hi": last_day},
    )
    return responses, query(con, f"select {columns} from core_customers")
