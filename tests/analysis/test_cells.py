"""Small cells: no suppressed figure can be solved from what a page shows."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from tpnb.analysis.cells import suppress_small
from tpnb.analysis.nps import nps


def _segments() -> pl.DataFrame:
    # A: 100 answers, B: 80, C: 12 (below min_n 30)
    rows = [("A", 10)] * 60 + [("A", 5)] * 40 + [("B", 9)] * 30 + [("B", 3)] * 50 + [("C", 10)] * 9 + [("C", 0)] * 3
    return pl.DataFrame(rows, schema=["segment", "nps"], orient="row")


def _solve_for_suppressed(shown: pl.DataFrame, total: dict) -> np.ndarray | None:
    """What a reader can do: the total NPS times its n equals the n-weighted sum of the cells' NPS.
    One equation: the suppressed NPS values are solvable only when exactly one is unknown."""
    unknown = shown.filter(pl.col("nps").is_null())
    if unknown.height != 1:
        return None
    known = shown.filter(pl.col("nps").is_not_null())
    rest = total["nps"] * total["n"] - (known["nps"] * known["n"]).sum()
    return np.array([rest / unknown["n"][0]])


def test_a_single_small_cell_is_protected_by_a_second_suppression():
    frame = _segments()
    cells = nps(frame, by="segment")
    total = nps(frame).row(0, named=True)
    # without complementary suppression the small cell's NPS is solved exactly (the leak)
    leaky = suppress_small(cells, 30, complementary=False)
    solved = _solve_for_suppressed(leaky, total)
    assert solved is not None and solved[0] == pytest.approx(cells.filter(pl.col("segment") == "C")["nps"][0])
    # with it, the smallest other cell (B) is blanked too: two unknowns, one equation
    shown = suppress_small(cells, 30)
    assert shown.filter(pl.col("nps").is_null())["segment"].sort().to_list() == ["B", "C"]
    assert _solve_for_suppressed(shown, total) is None
    assert (
        shown.filter(pl.col("segment") == "C")["is_small"][0]
        and not shown.filter(pl.col("segment") == "B")["is_small"][0]
    )


def test_two_small_cells_need_no_second_suppression():
    frame = pl.concat([_segments(), pl.DataFrame({"segment": ["D"] * 10, "nps": [8] * 10})])
    shown = suppress_small(nps(frame, by="segment"), 30)
    assert shown.filter(pl.col("is_suppressed"))["segment"].sort().to_list() == ["C", "D"]
