"""Write a synthetic SPSS file as a market-research institute delivers it: value labels,
user-missing codes (99 / 9 = weiß nicht), German variable labels.

    python examples/spss/make_export.py [OUT_FOLDER]
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pyreadstat

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import _synthetic as s  # noqa: E402

SCALE = {
    1: "sehr unzufrieden",
    2: "unzufrieden",
    3: "teils/teils",
    4: "zufrieden",
    5: "sehr zufrieden",
    9: "weiß nicht",
}
ITEMS = ("f2_1", "f2_2", "f2_3", "f2_4", "f2_5")  # the touchpoints, in catalogue order


def frame() -> pd.DataFrame:
    """The interviews as SPSS variables (codes as numbers)."""
    rows = []
    for a in s.answers(s.customers(400, seed=14), seed=14):
        c = a.customer
        row = {
            "lfdn": float(a.number),
            "kdnr": f"K{c.number:05d}",
            "datum": a.answered_at,
            "f1": 99.0 if a.number % 10 == 0 else float(a.nps),  # 99 = weiß nicht (user-missing)
            "f3": 1.0 if a.repurchase else 2.0,
            "branche": float(1 + c.number % 3),
            "region": float(1 + c.number % 4),
        }
        for item, (tp, *_) in zip(ITEMS, s.TOUCHPOINTS, strict=True):
            row[item] = 9.0 if a.ratings[tp] is None else float(a.ratings[tp])
        rows.append(row)
    return pd.DataFrame(rows)


LABELS = {
    "f1": {99: "weiß nicht"},
    "f3": {1: "ja", 2: "nein"},
    "branche": {1: "Industrie", 2: "Handel", 3: "Handwerk"},
    "region": {1: "Nord", 2: "Ost", 3: "Süd", 4: "West"},
    **dict.fromkeys(ITEMS, SCALE),
}
MISSING = {"f1": [99], **{item: [9] for item in ITEMS}}
VARIABLE_LABELS = {
    "lfdn": "Laufende Nummer",
    "kdnr": "Kundennummer",
    "datum": "Interviewdatum",
    "f1": "Weiterempfehlung (0-10)",
    "f3": "Wiederkauf",
    "branche": "Branche",
    "region": "Region",
    **{item: f"Zufriedenheit {name}" for item, (_, name, _) in zip(ITEMS, s.TOUCHPOINTS, strict=True)},
}


def main(out: Path) -> None:
    """Write the export (and the files its sources.yaml names) into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    s.write_touchpoints(out)
    data = frame()
    pyreadstat.write_sav(
        data,
        out / "befragung.sav",
        column_labels=[VARIABLE_LABELS[c] for c in data.columns],
        variable_value_labels=LABELS,
        missing_ranges=MISSING,
        variable_format={"datum": "DATETIME20"},
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent)
