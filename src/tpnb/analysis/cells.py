"""Small cells: flag them, and blank their figures in published tables."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl


def flag_small(frame: pl.DataFrame, min_n: int = 30, n: str = "n") -> pl.DataFrame:
    """Add ``is_small``: the cell has fewer than ``min_n`` responses."""
    return frame.with_columns((pl.col(n) < min_n).alias("is_small"))


def suppress_small(
    frame: pl.DataFrame, min_n: int = 30, n: str = "n", keep: Sequence[str] = (), complementary: bool = True
) -> pl.DataFrame:
    """Blank every figure of cells under ``min_n`` (the row and its n stay).

    For published reports: a cell is shown as suppressed, never silently
    dropped, and totals are computed from all rows before suppression.
    Complementary suppression: where exactly one cell is small, its figure
    could be solved from the total and the other cells, so the smallest other
    cell is blanked too (``is_suppressed`` marks both; ``is_small`` only the first).
    """
    flagged = flag_small(frame, min_n, n)
    suppressed = flagged["is_small"]
    if complementary and int(suppressed.sum()) == 1 and flagged.height > 2:
        others = flagged.with_row_index("__row").filter(~pl.col("is_small")).sort(n)
        second = others["__row"][0]
        suppressed = suppressed | (pl.Series(range(flagged.height)) == second)
    flagged = flagged.with_columns(suppressed.alias("is_suppressed"))
    figures = [c for c, dtype in flagged.schema.items() if dtype.is_numeric() and c not in (n, *keep)]
    return flagged.with_columns(
        [pl.when(pl.col("is_suppressed")).then(None).otherwise(pl.col(c)).alias(c) for c in figures]
    )
