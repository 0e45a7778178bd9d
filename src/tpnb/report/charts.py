"""Altair charts: aggregated frames in, charts out.

Charts only ever get aggregated frames (one row per group), so a report page
stays small. In published reports, charts are written as a ``<div>`` plus a
call to ``vegaEmbed``; the vega bundle itself is inlined once per page by
``tpnb.reports`` (no CDN: pages work offline).
"""

from __future__ import annotations

import altair as alt
import polars as pl

from tpnb.report.i18n import label

PHASE_COLORS = {
    "pre_purchase": "#4c78a8",
    "purchase": "#f58518",
    "post_purchase": "#54a24b",
    "ongoing": "#b279a2",
    "unknown": "#9d9d9d",
}
QUADRANT_COLORS = {
    "fix first": "#d62728",
    "keep up": "#2ca02c",
    "maintain": "#1f77b4",
    "low priority": "#9d9d9d",
}
WIDTH = 560


def _data(frame: pl.DataFrame) -> alt.Data:
    return alt.Data(values=frame.to_dicts())


def nps_bars(frame: pl.DataFrame, dim: str, language: str = "de", title: str | None = None) -> alt.LayerChart:
    """NPS per group with its interval; ``frame`` comes from ``metrics.nps``."""
    data = frame.with_columns(
        pl.col(dim).cast(pl.String).alias("group"),
        pl.col(dim)
        .cast(pl.String)
        .map_elements(lambda v: label(v, language), return_dtype=pl.String)
        .alias("group_label"),
    )
    base = alt.Chart(_data(data)).encode(y=alt.Y("group_label:N", title=label(dim, language), sort=None))
    bars = base.mark_bar(color="#4c78a8").encode(
        x=alt.X("nps:Q", title="NPS", scale=alt.Scale(domain=[-100, 100])),
        tooltip=[
            alt.Tooltip("group_label:N", title=label(dim, language)),
            alt.Tooltip("nps:Q", format=".1f"),
            alt.Tooltip("ci_low:Q", format=".1f"),
            alt.Tooltip("ci_high:Q", format=".1f"),
            alt.Tooltip("n:Q"),
        ],
    )
    rule = base.mark_rule(color="#333").encode(x="ci_low:Q", x2="ci_high:Q")
    return (bars + rule).properties(width=WIDTH, title=title or f"NPS – {label(dim, language)}")


def rating_bars(frame: pl.DataFrame, language: str = "de", title: str | None = None) -> alt.LayerChart:
    """Mean rating per touchpoint with interval, coloured by phase; from ``metrics.touchpoint_ratings``."""
    data = frame.with_columns(
        pl.col("phase").map_elements(lambda v: label(v, language), return_dtype=pl.String).alias("phase_label")
    )
    base = alt.Chart(_data(data)).encode(y=alt.Y("touchpoint_name:N", title=label("touchpoint", language), sort=None))
    # the bars start at the scale's bottom (1), where the axis starts, not at 0 left of it
    bars = base.mark_bar().encode(
        x=alt.X("mean_rating:Q", title=label("mean_rating", language), scale=alt.Scale(domain=[1, 5])),
        x2=alt.datum(1),
        color=alt.Color("phase_label:N", title=label("phase", language)),
        tooltip=[
            alt.Tooltip("touchpoint_name:N", title=label("touchpoint", language)),
            alt.Tooltip("mean_rating:Q", format=".2f"),
            alt.Tooltip("top2_share:Q", format=".0%"),
            alt.Tooltip("reach:Q", format=".0%"),
            alt.Tooltip("n:Q"),
        ],
    )
    rule = base.mark_rule(color="#333").encode(x="ci_low:Q", x2="ci_high:Q")
    return (bars + rule).properties(width=WIDTH, title=title or label("mean_rating", language))


def priority_matrix(drivers: pl.DataFrame, language: str = "de", lines: dict | None = None) -> alt.LayerChart:
    """Importance (x) against performance (y) per touchpoint, coloured by quadrant."""
    data = drivers.filter(pl.col("quadrant").is_not_null()).with_columns(
        pl.col("quadrant").map_elements(lambda v: label(v, language), return_dtype=pl.String).alias("quadrant_label")
    )
    points = (
        alt.Chart(_data(data))
        .mark_circle(size=140)
        .encode(
            x=alt.X("importance:Q", title=label("importance", language)),
            y=alt.Y("performance:Q", title=label("performance", language), scale=alt.Scale(zero=False)),
            color=alt.Color(
                "quadrant_label:N",
                title=label("quadrant", language),
                scale=alt.Scale(
                    domain=[label(q, language) for q in QUADRANT_COLORS],
                    range=list(QUADRANT_COLORS.values()),
                ),
            ),
            tooltip=[
                alt.Tooltip("label:N", title=label("touchpoint", language)),
                alt.Tooltip("importance:Q", format=".3f"),
                alt.Tooltip("performance:Q", format=".2f"),
                alt.Tooltip("quadrant_certainty:Q", title=label("certainty", language), format=".0%"),
                alt.Tooltip("reach:Q", format=".0%"),
            ],
        )
    )
    text = (
        alt.Chart(_data(data))
        .mark_text(align="left", dx=8, fontSize=11)
        .encode(x="importance:Q", y="performance:Q", text="label:N")
    )
    layers = [points, text]
    if lines:
        layers.append(
            alt.Chart(alt.Data(values=[lines])).mark_rule(strokeDash=[4, 4], color="#666").encode(x="importance:Q")
        )
        layers.append(
            alt.Chart(alt.Data(values=[lines])).mark_rule(strokeDash=[4, 4], color="#666").encode(y="performance:Q")
        )
    return alt.layer(*layers).properties(width=WIDTH, height=380)


def importance_bars(drivers: pl.DataFrame, language: str = "de", title: str | None = None) -> alt.LayerChart:
    """Importance per driver with its bootstrap interval."""
    data = drivers.with_columns(
        pl.col("kind").map_elements(lambda v: label(v, language), return_dtype=pl.String).alias("driver_kind")
    )
    base = alt.Chart(_data(data)).encode(y=alt.Y("label:N", title=None, sort=None))
    bars = base.mark_bar().encode(
        x=alt.X("importance:Q", title=label("importance", language)),
        color=alt.Color("driver_kind:N", title=None, scale=alt.Scale(range=["#4c78a8", "#e45756"])),
        tooltip=[
            alt.Tooltip("label:N"),
            alt.Tooltip("importance:Q", format=".3f"),
            alt.Tooltip("importance_ci_low:Q", format=".3f"),
            alt.Tooltip("importance_ci_high:Q", format=".3f"),
            alt.Tooltip("coef:Q", format=".2f"),
            alt.Tooltip("rank_ci_low:Q"),
            alt.Tooltip("rank_ci_high:Q"),
        ],
    )
    rule = base.mark_rule(color="#333").encode(x="importance_ci_low:Q", x2="importance_ci_high:Q")
    return (bars + rule).properties(width=WIDTH, title=title or label("importance", language))


def trend(
    frame: pl.DataFrame,
    value: str,
    language: str = "de",
    color: str | None = None,
    value_format: str = ".1f",
    title: str | None = None,
) -> alt.Chart:
    """A monthly line (``period_month`` on x)."""
    data = frame.with_columns(pl.col("period_month").cast(pl.String))
    enc = {
        "x": alt.X("period_month:T", title=label("period_month", language)),
        "y": alt.Y(f"{value}:Q", title=label(value, language)),
        "tooltip": [
            alt.Tooltip("period_month:T", format="%Y-%m"),
            alt.Tooltip(f"{value}:Q", format=value_format),
        ],
    }
    if color:
        enc["color"] = alt.Color(f"{color}:N", title=label(color, language))
        enc["tooltip"].append(alt.Tooltip(f"{color}:N"))
    return (
        alt.Chart(_data(data))
        .mark_line(point=True)
        .encode(**enc)
        .properties(width=WIDTH, title=title or label(value, language))
    )


def share_heatmap(
    frame: pl.DataFrame, x: str, y: str, value: str, language: str = "de", title: str | None = None
) -> alt.LayerChart:
    """A share per cell of two dimensions, coloured red (low) to green (high), the share written in each
    cell; cells whose ``value`` is null (too few observations) are grey."""
    data = frame.with_columns(
        pl.col(value).map_elements(lambda v: f"{v:.0%}", return_dtype=pl.String).fill_null("–").alias("shown")
    )
    rows = max(frame[y].n_unique(), 1)
    base = alt.Chart(_data(data)).encode(
        x=alt.X(f"{x}:O", title=label(x, language)),
        y=alt.Y(f"{y}:O", title=label(y, language)),
    )
    cells = base.mark_rect(stroke="white").encode(
        color=alt.condition(
            f"datum.{value} !== null",
            alt.Color(
                f"{value}:Q", title=label(value, language), scale=alt.Scale(scheme="redyellowgreen", domain=[0, 1])
            ),
            alt.value("#dddddd"),
        ),
        tooltip=[
            alt.Tooltip(f"{y}:O"),
            alt.Tooltip(f"{x}:O"),
            alt.Tooltip(f"{value}:Q", format=".0%"),
            alt.Tooltip("n:Q"),
        ],
    )
    text = base.mark_text(fontSize=11).encode(text="shown:N")
    return (cells + text).properties(width=WIDTH, height=28 * rows, title=title or label(value, language))


STATUS_COLORS = {"met": "#2ca02c", "not met": "#d62728", "not sure": "#f0a500", "no data": "#9d9d9d"}


def target_bullets(frame: pl.DataFrame, language: str = "de") -> alt.LayerChart:
    """A bullet per target: the actual in % of its target with the interval, a line at 100 %, coloured by
    status. ``frame`` has ``name`` (what the target is on), ``actual``, ``ci_low``, ``ci_high``,
    ``target`` and ``status``."""
    data = frame.filter(pl.col("actual").is_not_null() & (pl.col("target") != 0)).with_columns(
        (pl.col("actual") / pl.col("target")).alias("of_target"),
        (pl.col("ci_low") / pl.col("target")).alias("low"),
        (pl.col("ci_high") / pl.col("target")).alias("high"),
        pl.col("status").map_elements(lambda v: label(v, language), return_dtype=pl.String).alias("status_label"),
    )
    statuses = [s for s in STATUS_COLORS if s in set(data["status"].to_list())]
    color = alt.Color(
        "status_label:N",
        title=label("status", language),
        scale=alt.Scale(domain=[label(s, language) for s in statuses], range=[STATUS_COLORS[s] for s in statuses]),
    )
    base = alt.Chart(_data(data)).encode(y=alt.Y("name:N", title=None, sort=None))
    bars = base.mark_bar(height=10).encode(
        x=alt.X("of_target:Q", title=label("of_target", language), axis=alt.Axis(format="%")),
        x2=alt.datum(0),
        color=color,
        tooltip=[alt.Tooltip("name:N"), alt.Tooltip("of_target:Q", format=".0%"), alt.Tooltip("status_label:N")],
    )
    interval = base.mark_rule(color="#333").encode(x="low:Q", x2="high:Q")
    goal = alt.Chart(_data(pl.DataFrame({"x": [1.0]}))).mark_rule(color="#333", strokeDash=[4, 3]).encode(x="x:Q")
    return (bars + interval + goal).properties(width=WIDTH, title=label("of_target", language))


def measure_forest(frame: pl.DataFrame, language: str = "de") -> alt.LayerChart:
    """Each measure's effect on its touchpoint's mean rating with its interval, by method (difference in
    differences, interrupted time series), and the zero line. ``frame`` has ``name``, ``method``,
    ``effect``, ``ci_low``, ``ci_high``."""
    data = frame.filter(pl.col("effect").is_not_null())
    base = alt.Chart(_data(data)).encode(
        y=alt.Y("name:N", title=None, sort=None),
        yOffset=alt.YOffset("method:N"),
        color=alt.Color("method:N", title=label("method", language)),
    )
    points = base.mark_point(filled=True, size=60).encode(
        x=alt.X("effect:Q", title=label("rating_effect", language)),
        tooltip=[alt.Tooltip("name:N"), alt.Tooltip("method:N"), alt.Tooltip("effect:Q", format=".2f")],
    )
    interval = base.mark_rule().encode(x="ci_low:Q", x2="ci_high:Q")
    zero = alt.Chart(_data(pl.DataFrame({"x": [0.0]}))).mark_rule(color="#333", strokeDash=[4, 3]).encode(x="x:Q")
    return (interval + points + zero).properties(width=WIDTH, title=label("rating_effect", language))
