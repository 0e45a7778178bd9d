"""What the `tpnb` command prints: load lines, driver tables, JSON values. No computation here."""

from __future__ import annotations

import json
from pathlib import Path

import typer


def echo_loads(results: list, rejected: list[dict], quarantined: int, reasons) -> None:
    """One line per load, its warnings, the rejected files, and the quarantine's count by reason."""
    for r in results:
        extra = f"  unknown customers {r.unknown_customers:,}" if r.unknown_customers else ""
        typer.echo(
            f"{r.kind:<12} {Path(r.file).name:<24} {r.status:<9} read {r.rows_read:>9,}  "
            f"new {r.rows_loaded:>9,}  replaced {r.rows_replaced:>7,}  quarantined {r.rows_quarantined:>6,}{extra}"
        )
        if r.new_touchpoints:
            typer.echo(
                f"  warning: rating columns without a catalogue entry, registered with phase 'unknown': "
                f"{', '.join(r.new_touchpoints)}",
                err=True,
            )
        if r.personal_columns:
            typer.echo(f"  note: columns of personal data were not loaded: {', '.join(r.personal_columns)}", err=True)
        if r.ignored_columns:
            typer.echo(
                f"  note: columns not in the {r.kind} contract were not loaded: {', '.join(r.ignored_columns)}",
                err=True,
            )
    for item in rejected:
        typer.echo(f"rejected: {item['message']}", err=True)
    if quarantined:
        loads = " ".join(f"--load {r.load_id}" for r in results if r.rows_quarantined)
        typer.echo(f"{quarantined:,} row(s) quarantined; by reason:", err=True)
        for r in reasons.iter_rows(named=True):
            typer.echo(f"  {r['rows']:>7,}  {r['kind']}.{r['column']}: {r['reason']}", err=True)
        typer.echo(f"the rows: tpnb quarantine {loads}".rstrip(), err=True)


def echo_driver_groups(groups: list, by: str | None, outcome: str, min_n: int) -> None:
    """The key-driver models as text: one block per group."""
    for group in groups:
        if group.level is not None:
            typer.echo(f"== {by} = {group.level}")
        if group.result is None:
            typer.echo(f"  n = {group.n}: too few for a model (minimum {min_n}). {group.skipped}")
            continue
        result = group.result
        typer.echo(
            f"{result.model}; outcome {outcome}; n {result.n:,}; R² {result.r2:.3f} "
            f"(controls {result.r2_controls:.3f}); not experienced: {result.strategy}"
        )
        for r in result.drivers.iter_rows(named=True):
            typer.echo(
                f"  {r['label'][:34]:<34} coef {_fixed(r['coef'], 7)} [{_fixed(r['ci_low'], 7)}, {_fixed(r['ci_high'], 7)}]  "
                f"importance {_fixed(r['importance'])} [{_fixed(r['importance_ci_low'])}, {_fixed(r['importance_ci_high'])}]  "
                f"{r['quadrant'] or '':<12}"
            )
        for note in result.notes:
            typer.echo(f"  note: {note}")
        at_bound = result.diagnostics.get("at_bound_share")
        if at_bound is not None and at_bound > 0.2:
            typer.echo(
                f"  note: {at_bound:.0%} of the answers sit at 0 or 10: OLS effects are pulled toward 0 (a ceiling); "
                "--ordered fits an ordered logit beside it"
            )
        ordered = result.diagnostics.get("ordered_logit")
        if ordered:
            typer.echo(
                f"  ordered logit ({ordered['rows']:,} rows; rank agreement with OLS {ordered['spearman_with_ols']:.2f}): "
                + ", ".join(f"{k} {v:.3f}" for k, v in ordered["coefficients"].items())
            )


def empty_table(schema: dict):
    """An empty table of that schema (nothing of the kind is loaded)."""
    import polars as pl

    return pl.DataFrame(schema=schema)


def json_default(value):
    """JSON for values json cannot write: NaN becomes null, anything else its text."""
    import math

    if isinstance(value, float) and math.isnan(value):
        return None
    return str(value)


def _finite(value):
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def to_json(document) -> str:
    """One JSON document: NaN and infinities as null (valid JSON), dates and other values as text."""
    return json.dumps(_finite(document), default=json_default, allow_nan=False)


def _fixed(value: float | None, width: int = 5) -> str:
    """A number with 3 decimals, or "–" where there is none (no bootstrap, no estimate)."""
    if value is None or value != value:
        return "–".rjust(width)
    return f"{value:{width}.3f}"
