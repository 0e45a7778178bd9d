"""What a key-driver model returns, and the state "too few responses"."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl


@dataclass
class KeyDriverResult:
    """Everything a report or a script needs from one key-driver model."""

    outcome: str
    model: str
    n: int
    r2: float
    r2_controls: float
    strategy: str
    method: str
    drivers: pl.DataFrame
    diagnostics: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        """The JSON contract of ``tpnb drivers --json``."""
        return {
            "outcome": self.outcome,
            "model": self.model,
            "n": self.n,
            "r2": self.r2,
            "r2_controls": self.r2_controls,
            "strategy": self.strategy,
            "method": self.method,
            "drivers": self.drivers.to_dicts(),
            "diagnostics": self.diagnostics,
            "notes": self.notes,
        }


class InsufficientData(ValueError):
    """Too few responses to fit a model: raised instead of fitting.

    Attributes
    ----------
    n : int
        Responses with the outcome.
    required : int
        The fewest a model with these drivers needs.
    """

    def __init__(self, message: str, n: int = 0, required: int = 0):
        """Keep the message, the responses there were and the fewest a model needs."""
        super().__init__(message)
        self.n = n
        self.required = required


@dataclass(frozen=True)
class GroupModel:
    """One level of ``key_drivers_by``: its model, or why none was fitted.

    ``result`` is None exactly when ``skipped`` holds the reason (too few responses).
    """

    level: str
    n: int
    result: KeyDriverResult | None = None
    skipped: InsufficientData | None = None

    @property
    def is_fitted(self) -> bool:
        """A model was fitted for this level."""
        return self.result is not None
