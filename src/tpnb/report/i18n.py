"""Every word a reader sees, in German and English, and the number and date formats of each language.

The words live in ``catalogue``: ``LABELS`` names data values, columns and KPIs (``label`` falls back to the
value itself for a value it does not know, e.g. a segment name). ``TEXTS``
holds the sentences and headings of the reports, with ``{placeholders}``
filled by ``text``. Both languages have the same keys (a test holds them to
it); no other module chooses words by language.
"""

from __future__ import annotations

import math
from datetime import date, datetime

from tpnb.report.catalogue import LABELS, TEXTS

LANGUAGES = ("de", "en")

__all__ = ["LABELS", "LANGUAGES", "TEXTS", "fmt_date", "fmt_number", "fmt_share", "fmt_signed", "label", "text"]


def text(key: str, language: str = "de", **values: object) -> str:
    """The sentence ``key`` of the catalogue in ``language``, with ``values`` filled in."""
    try:
        template = TEXTS[key][language]
    except KeyError:
        raise KeyError(f"no text {key!r} in language {language!r}") from None
    return template.format(**values) if values else template


def label(key: str, language: str = "de") -> str:
    """The label of a column, dimension value or KPI; the key itself when unknown."""
    entry = LABELS.get(key)
    return entry.get(language, entry["en"]) if entry else str(key)


def fmt_number(value: float | int | None, language: str = "de", decimals: int = 1) -> str:
    """A number with the language's decimal mark and thousands separator ("–" for none; never "-0")."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if round(value, decimals) == 0:
        value = 0.0 if isinstance(value, float) else 0
    text = f"{value:,.{decimals}f}"
    if language == "de":
        text = text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")
    return text


def fmt_share(value: float | None, language: str = "de", decimals: int = 0) -> str:
    """A share (0-1) as a percentage in the language's style."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return fmt_number(100 * value, language, decimals) + ("\u00a0%" if language == "de" else "%")


def fmt_signed(value: float | None, language: str = "de", decimals: int = 1) -> str:
    """A number with its sign (+ for gains); what rounds to zero is 0, never -0 or +0."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if round(value, decimals) == 0:
        return fmt_number(0.0, language, decimals)
    return ("+" if value > 0 else "") + fmt_number(value, language, decimals)


def fmt_date(value: date | datetime | None, language: str = "de") -> str:
    """A date as the language writes it (31.03.2026 / 2026-03-31)."""
    if value is None:
        return "–"
    return f"{value:%d.%m.%Y}" if language == "de" else f"{value:%Y-%m-%d}"


# vega's number and time formats in German: decimal comma, dot for thousands, German months and days
GERMAN_LOCALE = {
    "formatLocale": {
        "decimal": ",",
        "thousands": ".",
        "grouping": [3],
        "currency": ["", "\u00a0€"],
        "percent": "\u202f%",
    },
    "timeFormatLocale": {
        "dateTime": "%A, der %e. %B %Y, %X",
        "date": "%d.%m.%Y",
        "time": "%H:%M:%S",
        "periods": ["AM", "PM"],
        "days": ["Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"],
        "shortDays": ["So", "Mo", "Di", "Mi", "Do", "Fr", "Sa"],
        "months": [
            "Januar",
            "Februar",
            "März",
            "April",
            "Mai",
            "Juni",
            "Juli",
            "August",
            "September",
            "Oktober",
            "November",
            "Dezember",
        ],
        "shortMonths": ["Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez"],
    },
}


def vega_locale(language: str) -> dict:
    """vegaEmbed's number and time format locale of a language (vega's own is English)."""
    return GERMAN_LOCALE if language == "de" else {}
