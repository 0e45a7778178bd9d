"""Personal data: found in free text and scrubbed at load, and columns that hold it left out.

Phone numbers are found with libphonenumber's Python port (``phonenumbers``),
valid numbers of the source's region (``phone_region``, default DE) and any
number written with a ``+`` country code; e-mail addresses with a pattern that
admits internationalised addresses (``müller@bäckerei.de``, ``o'brien@...``).
Free text is scrubbed by a DuckDB function (``tpnb_scrub``) inside the load's
one statement, only where a value holds an ``@`` or five digits.
"""

from __future__ import annotations

import re

import phonenumbers

# The top-level domain is letters (any script) or an IDN's punycode: "0@0.00" or "v1.2@3.45" is no address.
EMAIL = re.compile(
    r"[^\s@<>()\[\]{},;:\"]+@[^\s@<>()\[\]{},;:\"]+\.(?:[^\W\d_]{2,}|xn--[a-z0-9-]+)(?![^\s@<>()\[\]{},;:\".])"
)
IPV4 = re.compile(r"^\s*(\d{1,3}\.){3}\d{1,3}\s*$")
# What a value must hold before the (slower) search runs: an @, or five digits.
CANDIDATE_SQL = r"regexp_matches({value}, '@|([0-9][^0-9]{{0,3}}){{5}}')"
# Headers of columns that hold personal data, after normalisation (lower case, single spaces).
PERSONAL_HEADER = re.compile(
    r"(e-?mail|^mail$|phone|telefon|^tel\b|mobil|handy|^fax\b|ip ?_?address|^ip$|latitude|longitude|"
    r"street|stra(ss|ß)e|address|adresse|iban|birth|geburt|"
    r"^((first|last|full|sur|given|vor|nach|recipient)[ _]?(first|last)?[ _]?)?name$)"
)
SHARE_THAT_MAKES_A_COLUMN_PERSONAL = 0.3


def scrub(text: str | None, region: str = "DE") -> str | None:
    """``text`` with e-mail addresses replaced by ``[email]`` and phone numbers by ``[phone]``."""
    if not text:
        return text
    out = EMAIL.sub("[email]", text)
    spans = [(m.start, m.end) for m in phonenumbers.PhoneNumberMatcher(out, region)]
    spans += [
        (m.start, m.end)
        for m in phonenumbers.PhoneNumberMatcher(out, region, leniency=phonenumbers.Leniency.POSSIBLE)
        if m.raw_string.startswith("+")
    ]
    for start, end in sorted(set(spans), reverse=True):
        out = out[:start] + "[phone]" + out[end:]
    return out


def looks_personal(value: str | None, region: str = "DE") -> bool:
    """Whether one value is an e-mail address, a phone number or an IP address."""
    if not value:
        return False
    if EMAIL.fullmatch(value.strip()) or IPV4.match(value):
        return True
    return scrub(value, region).strip() == "[phone]"


def is_personal_header(name: str) -> bool:
    """Whether a (normalised) column name says it holds personal data."""
    return bool(PERSONAL_HEADER.search(name))


def is_personal_column(name: str, sample: list[str | None], region: str = "DE") -> bool:
    """A column is personal by its name, or when at least 30 % of its sampled values are."""
    if is_personal_header(name):
        return True
    values = [v for v in sample if v]
    return (
        bool(values)
        and sum(looks_personal(v, region) for v in values) / len(values) >= SHARE_THAT_MAKES_A_COLUMN_PERSONAL
    )


def register(con) -> None:
    """Make ``tpnb_scrub(text, region)`` available to the connection's SQL (once)."""
    import duckdb
    import pyarrow as pa

    def scrub_batch(texts, regions):  # pyarrow arrays in, one out (no annotations: DuckDB reads them)
        return pa.array(
            [scrub(t, r or "DE") for t, r in zip(texts.to_pylist(), regions.to_pylist(), strict=True)], type=pa.string()
        )

    try:
        con.create_function(
            "tpnb_scrub", scrub_batch, ["VARCHAR", "VARCHAR"], "VARCHAR", type="arrow", null_handling="special"
        )
    except duckdb.Error as exc:  # already there on this connection
        if "already" not in str(exc).lower():
            raise
