"""What a table is: the source kinds users hand to tpnb (``sources``) and the marts they read (``marts``)."""

from tpnb.contracts.sources import (
    BOOL,
    CHANNELS,
    CONTACT_TYPES,
    DATE,
    DIRECTIONS,
    ENUM,
    ENUM_ALIASES,
    EVENT_TYPES,
    FREE_TEXT,
    ID,
    INTEGER,
    KINDS,
    NOT_APPLICABLE_CODES,
    NUMBER,
    PHASES,
    PII,
    RATING_PREFIX,
    ROLES,
    TEXT,
    TIMESTAMP,
    Column,
    Kind,
    describe,
    kind,
)

__all__ = [
    "BOOL", "CHANNELS", "CONTACT_TYPES", "DATE", "DIRECTIONS", "ENUM", "ENUM_ALIASES", "EVENT_TYPES", "FREE_TEXT",
    "ID", "INTEGER", "KINDS", "NOT_APPLICABLE_CODES", "NUMBER", "PHASES", "PII", "RATING_PREFIX", "ROLES", "TEXT",
    "TIMESTAMP", "Column", "Kind", "describe", "kind",
]
