"""How old the newest data is against the report date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class Freshness:
    """The age of the newest survey response and contact on ``as_of``, against a limit in days.

    Attributes
    ----------
    last_survey_at, last_contact_at : datetime or None
        The newest response and contact (None: none loaded).
    as_of : date
        The day the ages are measured on (the report date).
    max_age_days : int
        Data older than this is stale.
    """

    last_survey_at: datetime | None
    last_contact_at: datetime | None
    as_of: date
    max_age_days: int

    @property
    def survey_age_days(self) -> int | None:
        """Days from the newest survey response to ``as_of`` (None without responses)."""
        return None if self.last_survey_at is None else (self.as_of - self.last_survey_at.date()).days

    @property
    def contact_age_days(self) -> int | None:
        """Days from the newest contact to ``as_of`` (None without contacts)."""
        return None if self.last_contact_at is None else (self.as_of - self.last_contact_at.date()).days

    @property
    def is_stale(self) -> bool:
        """No data, or the newest of it is older than the limit."""
        ages = [a for a in (self.survey_age_days, self.contact_age_days) if a is not None]
        return not ages or max(ages) > self.max_age_days

    @property
    def is_survey_stale(self) -> bool:
        """The newest survey response is older than the limit."""
        return self.survey_age_days is not None and self.survey_age_days > self.max_age_days

    @property
    def is_contact_stale(self) -> bool:
        """The newest contact is older than the limit."""
        return self.contact_age_days is not None and self.contact_age_days > self.max_age_days


def freshness(last_survey_at, last_contact_at, as_of: date, max_age_days: int = 90) -> Freshness:
    """How old the newest data is relative to the report date."""
    return Freshness(last_survey_at, last_contact_at, as_of, max_age_days)
