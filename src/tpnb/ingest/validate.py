"""Validate a staged file against its kind's contract, in SQL.

``typed_select`` is one SELECT over the staged file: one row per record with
every contract column parsed to its type and ``__errors``, the list of
{column, value, reason} that the row breaks (NULL when none). The loader
inserts it into the raw table as it is read, so a CSV file is read, parsed,
checked and stored in a single pass. Only identifiers (quoted) and
tpnb's own constants are written into the SQL text; a user's values (codes,
formats) are bound parameters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tpnb import contracts as c
from tpnb.contracts import ENUM_ALIASES, Kind
from tpnb.ingest.errors import RejectedFile
from tpnb.ingest.options import SourceOptions
from tpnb.ingest.personal import CANDIDATE_SQL, is_personal_column
from tpnb.ingest.readers import SAMPLE, Staged
from tpnb.ingest.schema import ERRORS_TYPE, wide_type
from tpnb.sqlutil import ident, literal

BOOL_TRUE = ("yes", "y", "ja", "j", "true", "wahr", "1", "x")
BOOL_FALSE = ("no", "n", "nein", "false", "falsch", "0")


def enum_macro_sql() -> str:
    """A macro mapping users' labels (German too) to contract values."""
    pairs = ", ".join(f"{literal(k)}: {literal(v)}" for k, v in sorted(ENUM_ALIASES.items()))
    return f"create or replace temp macro tpnb_enum(s) as coalesce(map {{{pairs}}}[lower(trim(s))], lower(trim(s)))"


def number_macros_sql() -> list[str]:
    """Parse numbers written either way: 1.234,5 / 1,234.5 / 1234,5 / 1234.5."""
    clean = "replace(replace(replace(trim(s), ' ', ''), '''', ''), chr(160), '')"
    return [
        f"create or replace temp macro tpnb_clean_num(s) as {clean}",
        # decimal comma allowed (auto or ','): the last of , and . is the decimal mark
        "create or replace temp macro tpnb_num_comma(s) as coalesce(try_cast(s as double), try_cast(case "
        "when contains(tpnb_clean_num(s), ',') and contains(tpnb_clean_num(s), '.') then "
        "  case when strpos(reverse(tpnb_clean_num(s)), ',') < strpos(reverse(tpnb_clean_num(s)), '.') "
        "    then replace(replace(tpnb_clean_num(s), '.', ''), ',', '.') "
        "    else replace(tpnb_clean_num(s), ',', '') end "
        "when contains(tpnb_clean_num(s), ',') then replace(tpnb_clean_num(s), ',', '.') "
        "else tpnb_clean_num(s) end as double))",
        # decimal point declared: commas are thousands separators
        "create or replace temp macro tpnb_num_point(s) as coalesce(try_cast(s as double), "
        "try_cast(replace(tpnb_clean_num(s), ',', '') as double))",
    ]


@dataclass
class Layout:
    """Which staged columns play which part."""

    contract: list[str]  # contract columns present in the file
    ratings: dict[str, str]  # staged column -> touchpoint_id
    attributes: list[str]  # other survey columns kept as attributes
    ignored: list[str]  # other columns (non-survey kinds) not kept
    personal: list[str] = field(default_factory=list)  # columns of personal data, not kept
    phone_region: str = "DE"  # the region phone numbers are scrubbed as


def set_aside_personal(con, layout: Layout, options: SourceOptions, rows: int = 200) -> None:
    """Attribute columns that hold personal data (by name, or by what the file's sample holds) are not kept."""
    layout.phone_region = options.phone_region
    keep = []
    for name in layout.attributes:
        sample = [r[0] for r in con.sql(f"select {ident(name)}::varchar from {SAMPLE} limit {int(rows)}").fetchall()]
        (layout.personal if is_personal_column(name, sample, options.phone_region) else keep).append(name)
    layout.attributes = keep


def plan_layout(kind: Kind, staged: Staged, file_name: str) -> Layout:
    """Which columns of the file are contract columns, ratings, attributes or ignored; reject it without a required column."""
    present = set(staged.columns)
    missing = [col for col in kind.required if col not in present]
    if missing:
        shown = ", ".join(f"'{staged.original[n]}'" for n in staged.columns)
        raise RejectedFile(
            f"{file_name}: required column '{missing[0]}' not found"
            + (f" (also missing: {', '.join(missing[1:])})" if missing[1:] else "")
            + f"; columns present: {shown}"
        )
    contract_cols = [col.name for col in kind.columns if col.name in present]
    ratings: dict[str, str] = {}
    attributes: list[str] = []
    ignored: list[str] = []
    for name in staged.columns:
        if name in contract_cols:
            continue
        if kind.wide and name.startswith(kind.wide.prefix) and len(name) > len(kind.wide.prefix):
            ratings[name] = name[len(kind.wide.prefix) :]
        elif kind.keeps_attributes:
            attributes.append(name)
        else:
            ignored.append(name)
    if kind.wide and kind.wide.required and not ratings:
        shown = ", ".join(f"'{staged.original[n]}'" for n in staged.columns)
        raise RejectedFile(
            f"{file_name}: no touchpoint rating column found (expected at least one 'tp_<touchpoint_id>' column, "
            f"or a rename in the source config); columns present: {shown}"
        )
    return Layout(contract_cols, ratings, attributes, ignored)


@dataclass(frozen=True)
class Check:
    """One rule a row can break: a SQL condition and what to record when it does."""

    condition: str
    column: str
    raw: str
    reason: str

    def sql(self) -> str:
        """The check as a SQL expression: the error struct when the condition holds, else NULL."""
        return (
            f"case when {self.condition} then {{'column': {literal(self.column)}, "
            f"'value': left({self.raw}, 200), 'reason': {literal(self.reason)}}} end"
        )


# Whole numbers are read as DOUBLE: the reader's BIGINT cast rounds 8.5 to 9, while tpnb
# quarantines a value that is not whole (the same on every read path).
# Times the reader types use a fixed format (readers.READER_TIME_FORMATS): a value with an offset
# makes the file be read as text, where the offset is converted to the source's time_zone.
READER_TYPES = {c.TIMESTAMP: "TIMESTAMP", c.DATE: "DATE", c.NUMBER: "DOUBLE", c.INTEGER: "DOUBLE"}
# An offset at the end of a time: Z, +02, +0200 or +02:00.
OFFSET_PATTERN = r"(Z|[+-][0-9]{2}(:?[0-9]{2})?)$"
# The largest whole number stored exactly in a DOUBLE; larger "whole numbers" are out of range.
MAX_WHOLE = 2.0**53


def reader_candidates(kind: Kind, options: SourceOptions) -> dict[str, str]:
    """Contract columns DuckDB's CSV reader may parse itself, when written the standard way.

    Its cast is the first thing tpnb's own parsers try, so a value it accepts
    means the same either way. Not when the config sets a date format (tried
    first) or a decimal comma, nor for recoded columns or repurchase intent
    (which may be yes/no).
    """
    out = {}
    for col in kind.columns:
        if col.type not in READER_TYPES or col.name == "repurchase_intent":
            continue
        if col.name in options.recode_for([col.name]) or col.name in options.missing:
            continue
        if col.type in (c.TIMESTAMP, c.DATE) and options.date_format:
            continue
        if col.type in (c.NUMBER, c.INTEGER) and options.decimal == ",":
            continue
        out[col.name] = READER_TYPES[col.type]
    return out


class _Builder:
    def __init__(self, kind: Kind, options: SourceOptions, typed: dict[str, str]):
        self.kind = kind
        self.options = options
        self.typed = typed  # columns the reader already parsed
        self.num = "tpnb_num_point" if options.decimal == "." else "tpnb_num_comma"
        self.present: set[str] = set()
        self.formats: dict[str, int] = {}  # date column -> index of its likely format in date_formats
        self.params: dict[str, list[str]] = {}  # code lists the SQL binds
        self.missing_keys: dict[str, str] = {}  # column -> its missing-codes parameter

    def raw(self, name: str) -> str:
        """The value as text (NULL when blank, or a code that means missing in this column)."""
        if name in self.typed:
            return f"{ident(name)}::varchar"
        col = ident(name)
        # trim() copies every string; most values hold no space at all
        value = f"nullif(case when contains({col}, ' ') then trim({col}) else {col} end, '')"
        missing = self.options.missing_for(name)
        if not missing:
            return value
        key = self.missing_keys.setdefault(name, f"missing_{len(self.missing_keys)}")
        self.params[key] = missing
        return f"(list_transform([{value}], lambda v: case when not list_contains(${key}, lower(v)) then v end))[1]"

    def parse(self, col: c.Column) -> str:
        number = ident(col.name) if col.name in self.typed else f"{self.num}({self.raw(col.name)})"
        # NaN, inf and whole numbers beyond a double's exact range are not values: the row is
        # quarantined ("not a number"), never the file rejected by a failed cast.
        if col.type == c.INTEGER:
            return (
                f"(list_transform([{number}], lambda v: case when isfinite(v) and v = round(v) "
                f"and abs(v) <= {MAX_WHOLE} then v::bigint end))[1]"
            )
        if col.type == c.NUMBER and col.name != "repurchase_intent":
            return f"(list_transform([{number}], lambda v: case when isfinite(v) then v end))[1]"
        if col.name in self.typed:
            return ident(col.name)
        raw = self.raw(col.name)
        if col.type in (c.ID, c.TEXT):
            return raw
        if col.type == c.PSEUDONYM:  # the same person, the same pseudonym; the name is not stored
            return f"left(sha256('tpnb:' || lower({raw})), 16)"
        if col.type == c.FREE_TEXT:  # personal data scrubbed where a value could hold any (personal.py)
            return f"(case when {CANDIDATE_SQL.format(value=raw)} then tpnb_scrub({raw}, $phone_region) else {raw} end)"
        if col.name == "repurchase_intent":
            number = f"(list_transform([{self.num}({raw})], lambda v: case when isfinite(v) then v end))[1]"
            return f"coalesce({number}, {self.boolean(raw)}::int::double)"
        if col.type in (c.TIMESTAMP, c.DATE):
            first = f"try_strptime({raw}, $first_format), " if self.options.date_format else ""
            # the format that fits the file's sample first: most values need no other try
            # (a failed try costs as much as ten that succeed)
            likely = f"try_strptime({raw}, $format_{self.formats[col.name]}), " if col.name in self.formats else ""
            expr = f"coalesce({likely}{first}try_cast({raw} as timestamp), try_strptime({raw}, $date_formats))"
            if col.type == c.DATE:
                return f"({expr})::date"
            # a time with an offset is converted to the source's zone (the plain cast would drop the offset)
            offset = f"regexp_matches({raw}, {literal(OFFSET_PATTERN)})"
            return f"(case when {offset} then try_cast({raw} as timestamptz) at time zone $time_zone else {expr} end)"
        if col.type == c.BOOL:
            return self.boolean(raw)
        if col.type == c.ENUM:
            if col.choices:  # a value already written as the contract's saves the lookup
                allowed = ", ".join(literal(v) for v in col.choices)
                return f"(case when list_contains([{allowed}], {raw}) then {raw} else tpnb_enum({raw}) end)"
            return f"tpnb_enum({raw})"
        raise AssertionError(f"no parser for type {col.type}")

    @staticmethod
    def boolean(raw: str) -> str:
        yes = ", ".join(literal(v) for v in BOOL_TRUE)
        no = ", ".join(literal(v) for v in BOOL_FALSE)
        return (
            f"(case when list_contains([{yes}], lower({raw})) then true "
            f"when list_contains([{no}], lower({raw})) then false end)"
        )

    @staticmethod
    def value(name: str) -> str:
        """The parsed value of a contract column inside the checks."""
        return ident("__v_" + name)

    def errors(self, col: c.Column) -> list[Check]:
        raw = self.raw(col.name)
        parsed = self.value(col.name)
        checks: list[Check] = []

        def err(condition: str, reason: str) -> None:
            checks.append(Check(condition, col.name, raw, reason))

        # parsed by the reader: blank is NULL, and it never fails here (but a number may not be finite or whole)
        typed = col.name in self.typed and col.type not in (c.INTEGER, c.NUMBER)
        # text-like values are NULL after parsing exactly when the text is blank
        blank_is_null = typed or col.type in (c.ID, c.TEXT, c.ENUM, c.FREE_TEXT, c.PSEUDONYM)
        if col.key or col.required:
            err(
                f"{parsed} is null" if blank_is_null else f"{parsed} is null and {raw} is null",
                "required value missing",
            )
        expected = {
            c.INTEGER: "a whole number",
            c.NUMBER: "a number",
            c.TIMESTAMP: "a date/time",
            c.DATE: "a date",
            c.BOOL: "yes/no",
        }.get(col.type)
        if expected and not typed:
            err(f"{raw} is not null and {parsed} is null", f"not {expected}")
        if col.type == c.ENUM and col.choices:
            allowed = ", ".join(literal(v) for v in col.choices)
            err(
                f"{parsed} is not null and not list_contains([{allowed}], {parsed})",
                "not one of: " + ", ".join(col.choices),
            )
        if col.min is not None:
            err(f"{parsed} < {float(col.min)}", f"below the minimum {col.min:g}")
        if col.max is not None:
            err(f"{parsed} > {float(col.max)}", f"above the maximum {col.max:g}")
        if col.type in (c.TIMESTAMP, c.DATE):
            err(
                f"{parsed} < $date_floor::date",
                "before the date floor (a two-digit year? write the year in full, or set date_format or date_floor)",
            )
        if col.name in self.kind.no_future:
            err(f"{parsed} > now()::timestamp + interval 1 day", "in the future")
        if col.not_before and col.not_before in self.present:
            err(f"{parsed} < {self.value(col.not_before)}", f"{col.name} before {col.not_before}")
        return checks


def likely_formats(con, kind: Kind, layout: Layout, staged: Staged, options: SourceOptions) -> dict[str, int]:
    """Date columns read as text -> the first of ``options.date_formats`` that parses every
    value of the file's sample (``stage_sample``) that a plain cast does not."""
    columns = [n for n in layout.contract if kind.column(n).type in (c.TIMESTAMP, c.DATE) and n not in staged.typed]
    if not columns:
        return {}
    formats = options.date_formats
    tests = ", ".join(
        f"bool_and(v is null or try_cast(v as timestamp) is not null or try_strptime(v, $f{i}) is not null) "
        f"and count(v) > 0"
        for i in range(len(formats))
    )
    found = {}
    for name in columns:
        value = f"nullif(trim({ident(name)}::varchar), '')"
        row = con.sql(
            f"select {tests} from (select {value} as v from {SAMPLE})",
            params={f"f{i}": f for i, f in enumerate(formats)},
        ).fetchall()[0]
        fits = [i for i, ok in enumerate(row) if ok]
        if fits:
            found[name] = fits[0]
    return found


def typed_select(con, kind: Kind, staged: Staged, layout: Layout, options: SourceOptions) -> tuple[str, dict]:
    """A SELECT over the staged file: each contract column parsed to its type (named as in the
    contract), ratings and attributes where the kind has them, and ``__errors``."""
    b = _Builder(kind, options, staged.typed)
    b.present = set(layout.contract)
    b.formats = likely_formats(con, kind, layout, staged, options)
    cols = [kind.column(n) for n in layout.contract if kind.column(n).type != c.PII]
    parsed = [f"{b.parse(col)} as {b.value(col.name)}" for col in cols]
    errors: list[Check] = []
    for col in cols:
        errors += b.errors(col)

    extra_select: list[str] = []
    outer_extra: list[str] = []
    if layout.ratings:
        lo, hi = options.scale
        items = []
        for i, (staged_col, tp) in enumerate(layout.ratings.items()):
            raw = b.raw(staged_col)
            na = "na_codes"
            if options.not_applicable_by and options.not_applicable_for(staged_col) != options.not_applicable_codes:
                na = f"na_codes_{i}"
                b.params[na] = options.not_applicable_for(staged_col)
            # parsed once here; the ratings list and the checks read the columns
            parsed.append(f"({raw} is null or list_contains(${na}, lower({raw}))) as __na_{i}")
            parsed.append(
                f"case when not ({raw} is null or list_contains(${na}, lower({raw}))) "
                f"then {b.num}({raw}) end as __r_{i}"
            )
            items.append(f"{{{literal(kind.wide.key)}: {literal(tp)}, 'experienced': not __na_{i}, 'rating': __r_{i}}}")
            errors.append(
                Check(
                    f"not __na_{i} and (__r_{i} is null or __r_{i} < {float(lo)} or __r_{i} > {float(hi)})",
                    staged.original[staged_col],
                    raw,
                    f"rating not on the scale {lo:g}-{hi:g} (nor a not-applicable code)",
                )
            )
        outer_extra.append("[" + ", ".join(items) + f"] as {ident(kind.wide.column)}")
    elif kind.wide:
        outer_extra.append(f"[]::{wide_type(kind.wide)} as {ident(kind.wide.column)}")
    if kind.keeps_attributes:
        if layout.attributes:
            attrs = ", ".join(
                f"{{'name': {literal(a)}, 'value_text': {b.raw(a)}, "
                f"'value_number': coalesce({b.num}({b.raw(a)}), {b.boolean(b.raw(a))}::int::double)}}"
                for a in layout.attributes
            )
            extra_select.append(f"list_filter([{attrs}], lambda a: a.value_text is not null) as attributes")
        else:
            extra_select.append("[]::struct(name varchar, value_text varchar, value_number double)[] as attributes")

    # Most rows are valid: their __errors is NULL, and the list is built only where a check fires.
    # (Value lists are list_contains, not IN: DuckDB plans an IN list as a join per list.)
    any_error = " or ".join(f"coalesce({e.condition}, false)" for e in errors)
    error_list = (
        (f"case when {any_error} then list_filter([{', '.join(e.sql() for e in errors)}], lambda e: e is not null) end")
        if errors
        else "null"
    )
    outputs = ", ".join(f"{b.value(col.name)} as {ident(col.name)}" for col in cols)
    extras = "".join(f", {e}" for e in outer_extra) + "".join(f", {e.rsplit(' as ', 1)[1]}" for e in extra_select)
    sql = (
        f"select {outputs}{extras}, {error_list}::{ERRORS_TYPE} as __errors "
        f"from (select src.*, {', '.join(parsed + extra_select)} from {staged.source} src)"
    )
    params = dict(staged.params)
    if "$first_format" in sql:
        params["first_format"] = options.date_format
    if "$date_formats" in sql:
        params["date_formats"] = options.date_formats
    if "$time_zone" in sql:
        params["time_zone"] = options.time_zone
    if "$date_floor" in sql:
        params["date_floor"] = options.date_floor
    if "$phone_region" in sql:
        params["phone_region"] = options.phone_region
    if "$na_codes" in sql:
        params["na_codes"] = options.not_applicable_codes
    params.update({k: v for k, v in b.params.items() if re.search(rf"\${k}\b", sql)})
    for i in set(b.formats.values()):
        params[f"format_{i}"] = options.date_formats[i]
    return sql, params
