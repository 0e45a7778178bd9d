"""Read the frames the commands need from the marts (values bound, never formatted in)."""

from __future__ import annotations

import polars as pl

from tpnb import warehouse

RESPONSE_DIMENSIONS = {"segment": "segment", "role": "role", "account": "account_id", "region": "region",
                       "month": "period_month", "quarter": "period_quarter"}
TOUCHPOINT_DIMENSIONS = {"touchpoint": "touchpoint_name", "phase": "phase", "channel": "channel"}


def nps_frame(con, dims: list[str], date_from: str | None = None, date_to: str | None = None
              ) -> tuple[pl.DataFrame, list[str]]:
    """Responses (or response x experienced touchpoint) with the columns to group by.

    Touchpoint, phase and channel (the touchpoint's channel) group the NPS of
    respondents who experienced the touchpoint. Any other name is a survey
    attribute.
    """
    params = {"lo": date_from, "hi": date_to}
    where = "($lo is null or answered_at::date >= $lo::date) and ($hi is null or answered_at::date <= $hi::date)"
    if any(d in TOUCHPOINT_DIMENSIONS for d in dims):
        base = f"select * from mart_touchpoint_ratings where is_experienced and {where}"
        known = {**RESPONSE_DIMENSIONS, **TOUCHPOINT_DIMENSIONS}
    else:
        base = f"select * from mart_responses where {where}"
        known = dict(RESPONSE_DIMENSIONS)
    frame = warehouse.query(con, base, params)
    columns = []
    for d in dims:
        if d in known:
            columns.append(known[d])
            continue
        values = warehouse.query(
            con, "select response_id, value_text from core_survey_attributes where attribute = $name", {"name": d})
        if values.height == 0:
            raise ValueError(f"unknown dimension '{d}'; known: {', '.join(known)} or a survey attribute")
        frame = frame.join(values.rename({"value_text": d}), on="response_id", how="left")
        columns.append(d)
    return frame, columns
