"""Source configs: how one kind of file is read (YAML `sources:` entries)."""

from __future__ import annotations

import glob
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from fnmatch import fnmatchcase as fnmatch
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from tpnb.contracts import KINDS, NOT_APPLICABLE_CODES
from tpnb.contracts.formats import FORMATS

DEFAULT_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
)
# Two-digit years are not guessed: '01.03.26' parses as the year 26 and is quarantined by the date
# floor with a hint; set date_format: "%d.%m.%y" to read them (00-68 -> 20xx, 69-99 -> 19xx).
DEFAULT_DATE_FLOOR = "1990-01-01"
DEFAULT_TIME_ZONE = "UTC"
SHARED_KEYS = ("time_zone", "date_floor", "phone_region")  # may stand at the top of a source config, for every source
DELIMITERS = (",", ";", "\t", "|")
ENCODINGS = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "utf-8-sig": "utf-8",
    "cp1252": "cp1252",
    "windows-1252": "cp1252",
    "latin-1": "latin-1",
    "latin1": "latin-1",
    "iso-8859-1": "latin-1",
    "iso-8859-15": "iso-8859-15",
}
OPTION_KEYS = {
    "kind",
    "path",
    "rename",
    "scale",
    "not_applicable",
    "date_format",
    "delimiter",
    "encoding",
    "decimal",
    "sheet",
    "derive",
    "recode",
    "time_zone",
    "date_floor",
    "phone_region",
    "header_row",
    "format",
    "header_rows",
    "skip_rows",
    "drop",
    "missing",
    "complaint",
}
# Values that mean "no answer" in an outcome column (NPS, repurchase intent): that value is missing,
# the row is kept. More per column with missing:, and a tool's own codes come with its format:.
MISSING_CODES = (
    "weiß nicht",
    "weiss nicht",
    "k.a.",
    "k. a.",
    "keine angabe",
    "keine antwort",
    "don't know",
    "dont know",
    "do not know",
    "no answer",
    "prefer not to say",
    "n/a",
)
MISSING_CODE_COLUMNS = ("nps", "repurchase_intent")  # the outcome columns MISSING_CODES apply to


class ConfigError(ValueError):
    """A source config that cannot be used (names the file and the entry)."""


@dataclass(frozen=True)
class SourceOptions:
    """How to read one source. Everything not set is detected."""

    rename: dict[str, str] = field(default_factory=dict)
    scale: tuple[float, float] = (1, 5)
    # Codes that mean "not experienced" in every rating column; per column in not_applicable_by.
    not_applicable: tuple[str, ...] = ()
    not_applicable_by: dict[str, tuple[str, ...]] = field(default_factory=dict)
    date_format: str | None = None
    delimiter: str | None = None
    encoding: str | None = None
    decimal: str = "auto"  # "auto", "," or "."
    sheet: str | None = None
    # Columns a file lacks, made from another column, the line number or a constant:
    # {"customer_id": {"column": "id"}, "response_id": {"line": True}, "answered_at": {"value": "2019-12-31"}}
    derive: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Values to translate per column (after renaming): {"satisfied": {"satisfied": "1", "neutral or dissatisfied": "0"}}
    recode: dict[str, dict[str, str]] = field(default_factory=dict)
    # Times with an offset (+02:00, Z) are converted to this zone; times without one are taken as in it.
    time_zone: str = DEFAULT_TIME_ZONE
    # Dates before this day are quarantined (a two-digit year, 0001-01-01 placeholders).
    date_floor: str = DEFAULT_DATE_FLOOR
    # Phone numbers in free text are found as numbers of this region (ISO 3166 code) or with a + prefix.
    phone_region: str = "DE"
    # XLSX: the sheet row (1-based) that holds the header; None finds it (a title above it is skipped).
    header_row: int | None = None
    # A tool's export layout (tpnb.ingest.exports): qualtrics, surveymonkey, limesurvey, spss, zendesk, ...
    format: str | None = None
    # CSV: the rows of the header (the first names the columns; the others, such as question
    # texts, are skipped) and the lines before it (a title).
    header_rows: int = 1
    skip_rows: int = 0
    # Columns never loaded (glob patterns on the header, any case): a tool's personal data.
    drop: tuple[str, ...] = ()
    # Values that mean missing in one column (glob on the renamed name): {"nps": ["99"]}.
    missing: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Ticket types and tags that mark a complaint (the ticket-system formats).
    complaint: tuple[str, ...] = ("complaint", "beschwerde", "reklamation")
    # Columns a format's defaults recode that an export may lack (no error when absent).
    preset_columns: tuple[str, ...] = ()

    @property
    def reads_export(self) -> bool:
        """Whether the file goes through an export reader (a tool's layout) instead of the plain reader."""
        return self.format is not None or self.header_rows > 1 or self.skip_rows > 0 or bool(self.drop)

    def not_applicable_for(self, column: str) -> list[str]:
        """The not-experienced codes of one rating column (lower case): the shared ones and its own."""
        own = [code for pattern, codes in self.not_applicable_by.items() if fnmatch(column, pattern) for code in codes]
        return sorted({*self.not_applicable_codes, *(c.strip().lower() for c in own)})

    def missing_for(self, column: str) -> list[str]:
        """The values that mean missing in ``column`` (lower case); outcome columns know the usual ones."""
        own = [code for pattern, codes in self.missing.items() if fnmatch(column, pattern) for code in codes]
        shared = MISSING_CODES if column in MISSING_CODE_COLUMNS else ()
        return sorted({*shared, *(c.strip().lower() for c in own)})

    def recode_for(self, columns: list[str]) -> dict[str, dict[str, str]]:
        """The recode map per staged column: a key may be a glob (tp_*) for many columns; an exact key wins."""
        out: dict[str, dict[str, str]] = {}
        for pattern, mapping in self.recode.items():
            if any(ch in pattern for ch in "*?["):
                for column in columns:
                    if fnmatch(column, pattern):
                        out[column] = {**mapping, **out.get(column, {})}
        for name, mapping in self.recode.items():
            if not any(ch in name for ch in "*?["):
                out[name] = {**out.get(name, {}), **mapping}
        return out

    @property
    def date_formats(self) -> list[str]:
        """The date formats tried, the configured one first."""
        return [self.date_format, *DEFAULT_DATE_FORMATS] if self.date_format else list(DEFAULT_DATE_FORMATS)

    @property
    def not_applicable_codes(self) -> list[str]:
        """The codes that mean 'not experienced' in a rating column (lower case)."""
        return sorted({*NOT_APPLICABLE_CODES, *(c.strip().lower() for c in self.not_applicable)})

    def normalized_rename(self) -> dict[str, str]:
        """The rename map with its keys normalised like column names."""
        return {normalize_name(k): normalize_name(v) for k, v in self.rename.items()}


def normalize_name(name: str) -> str:
    """Column names match case-insensitively after trimming, in Unicode's composed form (NFC),
    without zero-width characters (a header copied from a web page may hold one)."""
    text = unicodedata.normalize("NFC", re.sub("[\u200b\u200c\u200d\u2060\ufeff]", "", str(name)))
    return " ".join(text.split()).lower()


@dataclass(frozen=True)
class Source:
    """A source to load: its kind, files and options."""

    kind: str
    paths: tuple[Path, ...]
    options: SourceOptions


def options_from_mapping(entry: dict[str, Any], where: str) -> SourceOptions:
    """``SourceOptions`` from one entry of a source config; unknown keys name ``where``.

    With ``format:``, the tool's defaults (its standard columns, code lists, personal columns)
    come first and the entry's own options are laid over them."""
    unknown = sorted(set(entry) - OPTION_KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown option(s) {', '.join(unknown)}; known: {', '.join(sorted(OPTION_KEYS))}")
    if entry.get("format") is not None:
        entry = with_format(entry, where)
    scale = entry.get("scale", (1, 5))
    if not (isinstance(scale, list | tuple) and len(scale) == 2):
        raise ConfigError(f"{where}: scale must be [min, max], got {scale!r}")
    delimiter = entry.get("delimiter")
    if delimiter in ("\\t", "tab"):
        delimiter = "\t"
    if delimiter is not None and delimiter not in DELIMITERS:
        raise ConfigError(f"{where}: delimiter must be one of , ; tab |, got {delimiter!r}")
    encoding = entry.get("encoding")
    if encoding is not None:
        if str(encoding).lower() not in ENCODINGS:
            raise ConfigError(f"{where}: encoding must be one of {', '.join(ENCODINGS)}, got {encoding!r}")
        encoding = ENCODINGS[str(encoding).lower()]
    decimal = str(entry.get("decimal", "auto"))
    if decimal not in ("auto", ",", "."):
        raise ConfigError(f"{where}: decimal must be auto, ',' or '.', got {decimal!r}")
    derive = {}
    for target, spec in (entry.get("derive") or {}).items():
        if not (isinstance(spec, dict) and len(spec) == 1 and next(iter(spec)) in ("column", "line", "value")):
            raise ConfigError(f"{where}: derive.{target} must be one of {{column: NAME}}, {{line: true}}, {{value: V}}")
        derive[normalize_name(target)] = {k: (normalize_name(v) if k == "column" else v) for k, v in spec.items()}
    time_zone = str(entry.get("time_zone", DEFAULT_TIME_ZONE))
    if time_zone not in known_time_zones():
        raise ConfigError(f"{where}: time_zone {time_zone!r} is not a time zone name (e.g. Europe/Berlin, UTC)")
    date_floor = str(entry.get("date_floor", DEFAULT_DATE_FLOOR))
    try:
        date.fromisoformat(date_floor)
    except ValueError:
        raise ConfigError(f"{where}: date_floor must be a date YYYY-MM-DD, got {date_floor!r}") from None
    phone_region = str(entry.get("phone_region", "DE")).upper()
    if phone_region not in phone_regions():
        raise ConfigError(f"{where}: phone_region must be a country code such as DE, AT, CH, US; got {phone_region!r}")
    recode = {
        normalize_name(col): {str(k): str(v) for k, v in (mapping or {}).items()}
        for col, mapping in (entry.get("recode") or {}).items()
    }
    na = entry.get("not_applicable") or ()
    na_by = {}
    if isinstance(na, dict):  # per column: {tp_delivery: ["99"], "tp_*": ["0"]}
        na_by = {normalize_name(col): _codes(codes, where, "not_applicable") for col, codes in na.items()}
        na = ()
    missing = entry.get("missing") or {}
    if not isinstance(missing, dict):
        raise ConfigError(f"{where}: missing must map a column to its codes, e.g. {{nps: ['99', 'k.A.']}}")
    return SourceOptions(
        not_applicable_by=na_by,
        format=entry.get("format"),
        header_rows=_count(entry.get("header_rows", 1), where, "header_rows", 1),
        skip_rows=_count(entry.get("skip_rows", 0), where, "skip_rows", 0),
        drop=_codes(entry.get("drop") or (), where, "drop"),
        missing={normalize_name(col): _codes(codes, where, "missing") for col, codes in missing.items()},
        complaint=_codes(entry.get("complaint", SourceOptions.complaint), where, "complaint"),
        preset_columns=tuple(entry.get("_preset_columns", ())),
        derive=derive,
        recode=recode,
        rename={str(k): str(v) for k, v in (entry.get("rename") or {}).items()},
        scale=(float(scale[0]), float(scale[1])),
        not_applicable=_codes(na, where, "not_applicable"),
        date_format=entry.get("date_format"),
        delimiter=delimiter,
        encoding=encoding,
        decimal=decimal,
        sheet=entry.get("sheet"),
        time_zone=time_zone,
        date_floor=date_floor,
        phone_region=phone_region,
        header_row=_header_row(entry.get("header_row"), where),
    )


def with_format(entry: dict[str, Any], where: str) -> dict[str, Any]:
    """A source entry laid over its format's defaults (rename, recode and missing merged; drop added)."""
    name = str(entry["format"])
    fmt = FORMATS.get(name)
    if fmt is None:
        raise ConfigError(f"{where}: unknown format '{name}'; known: {', '.join(FORMATS)}")
    kind = entry.get("kind")
    if kind not in fmt.defaults:
        raise ConfigError(
            f"{where}: format '{name}' ({fmt.tool}) reads kind(s) {', '.join(fmt.defaults)}, not '{kind}'"
        )
    base = fmt.defaults[kind]
    merged = {**base, **entry}
    for key in ("rename", "missing"):
        merged[key] = {**base.get(key, {}), **(entry.get(key) or {})}
    recode = {col: dict(m) for col, m in base.get("recode", {}).items()}
    for col, mapping in (entry.get("recode") or {}).items():
        recode[col] = {**recode.get(col, {}), **(mapping or {})}
    merged["recode"] = recode
    merged["drop"] = [*fmt.personal, *(entry.get("drop") or [])]
    merged["_fmt_columns"] = list(base.get("recode", {}))
    return merged


def _codes(value: Any, where: str, key: str) -> tuple[str, ...]:
    if isinstance(value, str | int | float):
        value = [value]
    if not isinstance(value, list | tuple):
        raise ConfigError(f"{where}: {key} must be a list of values, got {value!r}")
    return tuple(str(v) for v in value)


def _count(value: Any, where: str, key: str, least: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < least:
        raise ConfigError(f"{where}: {key} must be a whole number of rows ({least} or more), got {value!r}")
    return value


def _header_row(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ConfigError(f"{where}: header_row must be a sheet row number (1 or more), got {value!r}")
    return value


def phone_regions() -> frozenset[str]:
    """The regions libphonenumber knows (ISO 3166 codes)."""
    import phonenumbers

    return frozenset(phonenumbers.SUPPORTED_REGIONS)


@lru_cache(maxsize=1)
def known_time_zones() -> frozenset[str]:
    """The time zone names DuckDB knows (ICU, built in)."""
    import duckdb

    con = duckdb.connect()
    try:
        return frozenset(row[0] for row in con.sql("select name from pg_timezone_names()").fetchall())
    finally:
        con.close()


def load_sources(config_path: Path) -> list[Source]:
    """Read a source config: `sources:` is a list of {kind, path, options...}.

    ``time_zone`` and ``date_floor`` at the top level apply to every source (one may override them).
    """
    try:
        raw = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{config_path}: cannot read the source config: {exc}") from exc
    entries = raw.get("sources")
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"{config_path}: expected a non-empty list under 'sources:'")
    unknown = sorted(set(raw) - {"sources", *SHARED_KEYS})
    if unknown:
        raise ConfigError(
            f"{config_path}: unknown top-level key(s) {', '.join(unknown)}; known: sources, {', '.join(SHARED_KEYS)}"
        )
    shared = {k: raw[k] for k in SHARED_KEYS if k in raw}
    base = config_path.parent
    sources = []
    for i, entry in enumerate(entries, start=1):
        where = f"{config_path}: sources[{i}]"
        if not isinstance(entry, dict) or "kind" not in entry or "path" not in entry:
            raise ConfigError(f"{where}: each source needs 'kind' and 'path'")
        if entry["kind"] not in KINDS:
            raise ConfigError(f"{where}: unknown kind '{entry['kind']}'; known: {', '.join(KINDS)}")
        pattern = str(entry["path"])
        full = pattern if Path(pattern).is_absolute() else str(base / pattern)
        paths = tuple(Path(p) for p in sorted(glob.glob(full)))
        if not paths:
            raise ConfigError(f"{where}: no file matches '{pattern}'")
        sources.append(Source(entry["kind"], paths, options_from_mapping({**shared, **entry}, where)))
    return sources
