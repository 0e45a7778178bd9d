"""The data one report run looks at: its period, comparison period and filters, read through
``tpnb.warehouse.read``, and the key-driver models fitted on it (cached per refresh)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl

import tpnb
from tpnb.analysis.drivers import (
    EXPERIENCE_DRIVERS,
    OUTCOME_COLUMNS,
    InsufficientData,
    KeyDriverResult,
    key_drivers,
)
from tpnb.analysis.nps import nps
from tpnb.analysis.weights import RakedWeights
from tpnb.report.cache import cache_file, read_cache, write_cache
from tpnb.report.i18n import label, text
from tpnb.settings import Settings, database_path, load_settings
from tpnb.warehouse import read
from tpnb.warehouse.db import connect
from tpnb.weighting import survey_weights

DEFAULT_PERIOD_DAYS = 182
# 50 bootstrap draws keep a report run short; the CLI defaults to 200.
REPORT_BOOTSTRAP_DRAWS = 50


@dataclass
class ReportContext:
    """The data one report run looks at, filtered by its parameters."""

    con: duckdb.DuckDBPyConnection
    settings: Settings
    language: str
    period_start: date
    period_end: date
    comparison_start: date
    comparison_end: date
    filters: dict[str, str]
    min_n: int
    as_of: date
    responses: pl.DataFrame  # mart_responses, in the period and filters
    comparison: pl.DataFrame  # the same for the comparison period
    ratings: pl.DataFrame  # mart_touchpoint_ratings, in the period and filters
    contacts: pl.DataFrame  # mart_contacts, in the period and filters
    all_responses: pl.DataFrame  # every period, filters applied (trends, models)
    db_file: Path | None = None
    started: float = field(default_factory=time.time)
    parameters: dict = field(default_factory=dict)
    available: dict[str, bool] = field(default_factory=dict)  # which kinds of data are loaded (read.DATA_KINDS)
    outcome: str = "nps"  # what the key-driver sections explain: nps, or a yes/no or numeric survey answer
    observations: pl.DataFrame = field(default_factory=pl.DataFrame)  # mart_observations in the period
    observation_scores: pl.DataFrame = field(default_factory=pl.DataFrame)  # their virtue scores
    weighting: RakedWeights | None = None  # survey weights of the period (a ``weight`` column in responses)
    _drivers: dict = field(default_factory=dict)

    def nps_of(self, frame: pl.DataFrame, by=None) -> pl.DataFrame:
        """NPS of ``frame`` by ``by``: weighted (Taylor-linearised by account) where it has survey weights."""
        weight = "weight" if "weight" in frame.columns else None
        return nps(frame, by=by, weight=weight, taylor=weight is not None)

    def t(self, key: str) -> str:
        """The label of a column, dimension or value in the report's language."""
        return label(key, self.language)

    def close(self) -> None:
        """Close the connection to the database (a notebook's kernel closes it when it ends)."""
        self.con.close()

    def __enter__(self) -> ReportContext:
        """Use a context in a ``with`` block: its connection closes at the end."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close the connection."""
        self.close()

    def lacking(self, *kinds: str) -> str | None:
        """The first of ``kinds`` (read.DATA_KINDS) that is not loaded, or None when all are."""
        return next((kind for kind in kinds if not self.available.get(kind, True)), None)

    def text(self, key: str, **values: object) -> str:
        """A sentence of the catalogue in the report's language."""
        return text(key, self.language, **values)

    def adjusted_text(self, key: str) -> str:
        """The words of a p-value adjustment (``table.p_holm`` ...) for the one tpnb.yaml chooses."""
        if self.settings.analysis.p_adjustment == "bh":
            key = key.replace("holm", "bh") if "holm" in key else key + "_bh"
        return text(key, self.language)

    @property
    def freshness_days(self) -> int:
        """Data older than this many days is flagged as stale."""
        return self.settings.analysis.freshness_days

    def drivers(self, outcome: str = "nps", **kwargs) -> KeyDriverResult:
        """The key-driver model of ``outcome`` on the page's period (within the filters).

        Where the period holds too few responses for a model, it is fitted on every period instead
        and ``diagnostics["data_scope"]`` says so (with the period's n and the n used). Cached within
        the run and on disk, keyed by the database file's state and everything that shapes the model:
        the reports of one refresh share it.

        Raises
        ------
        InsufficientData
            Too few responses for a model even over every period (cached like a result).
        """
        key = (outcome, tuple(sorted(kwargs.items())))
        if key not in self._drivers:
            defaults = {
                "controls": [c for c in ("segment", "role") if c not in self.filters],
                "bootstrap": REPORT_BOOTSTRAP_DRAWS,
                "seed": 1,
                "adjustment": self.settings.analysis.p_adjustment,
            }
            options = {**defaults, **kwargs}
            period = (self.period_start.isoformat(), self.period_end.isoformat())
            weighted = "weight" in self.responses.columns
            cache = cache_file(
                self.db_file,
                [outcome, sorted(options.items()), sorted(self.filters.items()), self.language, period, weighted],
                tpnb.__version__,
            )
            cached = read_cache(cache)
            if cached is None:
                cached = self._fit(outcome, options)
                write_cache(cache, cached)
            self._drivers[key] = cached
        value = self._drivers[key]
        if isinstance(value, InsufficientData):
            raise value
        return value

    def _fit(self, outcome: str, options: dict) -> KeyDriverResult | InsufficientData:
        """Fit on the period; too few there, on every period, saying which data the model used."""
        labels = self.driver_labels()
        scope = {"scope": "period", "first": self.period_start, "last": self.period_end}
        try:
            weight = "weight" if "weight" in self.responses.columns else None
            result = key_drivers(
                self.with_ratings(self.responses), outcome=outcome, labels=labels, weight=weight, **options
            )
        except InsufficientData as too_few:
            everything = self.with_ratings(self.all_responses)
            try:
                result = key_drivers(everything, outcome=outcome, labels=labels, **options)
            except InsufficientData as exc:
                return exc
            days = everything["answered_at"].drop_nulls()
            scope = {
                "scope": "all periods",
                "first": days.min().date() if days.len() else None,
                "last": days.max().date() if days.len() else None,
                "period_n": too_few.n,
                "required": too_few.required,
            }
        result.diagnostics["data_scope"] = scope
        return result

    def driver_labels(self) -> dict[str, str]:
        """Names of the drivers: touchpoints from the catalogue, service-log features from i18n."""
        return {
            **read.touchpoint_labels(self.con),
            **{d: label(d, self.language) for d in EXPERIENCE_DRIVERS},
        }

    def ordered_check(self) -> dict | None:
        """The ordered-logit check of the NPS model (signs and ranks against OLS); None without a model."""
        if self.outcome != "nps":
            return None
        try:
            result = self.drivers("nps", bootstrap=0, ordered_check=True)
        except InsufficientData:
            return None
        return result.diagnostics.get("ordered_logit")

    def with_ratings(self, responses: pl.DataFrame) -> pl.DataFrame:
        """``responses`` with their ``tp_`` rating columns, and the report's outcome when it is a survey
        answer rather than a column of the mart."""
        frame = responses.join(read.driver_ratings(self.con), on="response_id", how="left")
        if self.outcome not in OUTCOME_COLUMNS and self.outcome not in frame.columns:
            frame = frame.join(read.attribute_values(self.con, self.outcome), on="response_id", how="left")
        return frame


class FilterMatchesNothing(ValueError):
    """A report's filter (segment, role, account) names a value no response has: the run fails
    (failure page, exit 1) and the last good page stays, never an empty page published as ok."""


FILTER_COLUMNS = {"segment": "segment", "role": "role", "account": "account_id"}


def resolve_filters(con: duckdb.DuckDBPyConnection, given: dict[str, str | None]) -> dict[str, str | None]:
    """The stored value each filter means: matched case-insensitively against the values and their
    labels in either language (``role: Entscheider`` and ``role: decision_maker`` mean the same)."""
    resolved: dict[str, str | None] = {}
    for key, wanted in given.items():
        if wanted in (None, ""):
            resolved[key] = None
            continue
        values = read.dimension_values(con, FILTER_COLUMNS[key])
        spelled = str(wanted).strip().casefold()
        match = next(
            (v for v in values if spelled in {v.casefold(), label(v, "de").casefold(), label(v, "en").casefold()}), None
        )
        if match is None:
            shown = ", ".join(values[:12]) + (" ..." if len(values) > 12 else "")
            raise FilterMatchesNothing(f"{key} {wanted!r} matches no response; known values: {shown or 'none'}")
        resolved[key] = match
    return resolved


def default_outcome(con: duckdb.DuckDBPyConnection, available: dict[str, bool]) -> str:
    """NPS where the survey has it, else its first yes/no answer, else its first numeric answer (an overall
    rating), else NPS (the sections then say it is missing)."""
    return "nps" if available.get("nps", True) else read.default_outcome(con)


def parse_date(value: object) -> date | None:
    """A report parameter as a date (ISO text, date or datetime; None or "" for none)."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def open_report(
    db_path: str | None = None,
    period_start=None,
    period_end=None,
    comparison_start=None,
    comparison_end=None,
    segment: str | None = None,
    role: str | None = None,
    account: str | None = None,
    min_n: int | None = None,
    language: str = "de",
    as_of=None,
    settings: Settings | None = None,
    outcome: str | None = None,
    weights: str | None = None,
) -> ReportContext:
    """Read what a report needs from the database, with its parameters applied.

    Without dates, the period is the half year up to the newest survey
    response and the comparison is the half year before it; freshness is judged against ``as_of``,
    the run date unless given. ``min_n``
    defaults to ``analysis.min_n`` of tpnb.yaml. ``outcome`` is what the key-driver sections
    explain: by default NPS, or, in a survey without NPS, its first yes/no answer (``satisfied``).
    ``weights``: ``raked`` or ``none`` (default: raked when tpnb.yaml sets ``weights:``); raked, each
    period's responses are raked to the margins and every NPS and driver model of the period is
    weighted (trends over all periods stay unweighted).
    """
    settings = settings or load_settings()
    con = connect(db_path)
    try:
        filters = resolve_filters(con, {"segment": segment, "role": role, "account": account})
    except FilterMatchesNothing:
        con.close()
        raise
    newest = read.newest_answer_day(con)
    end = parse_date(period_end) or newest or date.today()
    start = parse_date(period_start) or end - timedelta(days=DEFAULT_PERIOD_DAYS)
    comp_end = parse_date(comparison_end) or start - timedelta(days=1)
    comp_start = parse_date(comparison_start) or comp_end - (end - start)
    ctx = ReportContext(
        db_file=database_path(db_path),
        con=con,
        settings=settings,
        language=language,
        period_start=start,
        period_end=end,
        comparison_start=comp_start,
        comparison_end=comp_end,
        filters={k: v for k, v in filters.items() if v},
        as_of=parse_date(as_of) or date.today(),
        min_n=min_n or settings.analysis.min_n,
        responses=read.responses(con, filters, start, end),
        comparison=read.responses(con, filters, comp_start, comp_end),
        ratings=read.touchpoint_ratings(con, filters, start, end),
        contacts=read.contacts(con, filters, start, end),
        all_responses=read.responses(con, filters),
        available=read.available_data(con),
    )
    ctx.outcome = outcome or default_outcome(con, ctx.available)
    try:
        ctx.weighting = survey_weights(con, settings, weights, start.isoformat(), end.isoformat())
        if ctx.weighting is not None:
            ctx.responses = ctx.responses.join(ctx.weighting.weights, on="response_id", how="left")
            ctx.ratings = ctx.ratings.join(ctx.weighting.weights, on="response_id", how="left")
            before = survey_weights(con, settings, weights, comp_start.isoformat(), comp_end.isoformat())
            ctx.comparison = ctx.comparison.join(before.weights, on="response_id", how="left")
    except ValueError as exc:
        if "no responses in the period" not in str(exc):
            con.close()
            raise
    if ctx.available.get("observations"):  # they test the company, not a customer: no filters apply
        ctx.observations = read.observations(con, start, end)
        ctx.observation_scores = read.observation_scores(con, start, end)
    ctx.parameters = {
        "period": f"{start} – {end}",
        "comparison": f"{comp_start} – {comp_end}",
        **ctx.filters,
        "outcome": ctx.outcome,
        "weights": label("raked" if ctx.weighting is not None else "unweighted", language),
        "min_n": ctx.min_n,
        "language": language,
    }
    return ctx
