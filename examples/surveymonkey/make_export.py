"""Write a synthetic SurveyMonkey CSV export ("expanded", actual answer text) in its two-header-row layout.

python examples/surveymonkey/make_export.py [OUT_FOLDER]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import _synthetic as s  # noqa: E402

NPS = "How likely is it that you would recommend us to a friend or colleague?"
MATRIX = "How satisfied were you with each of the following?"
AGAIN = "Will you buy from us again?"
OPEN = "Is there anything else you would like to tell us?"
LABELS = {
    1: "Very dissatisfied",
    2: "Dissatisfied",
    3: "Neither satisfied nor dissatisfied",
    4: "Satisfied",
    5: "Very satisfied",
}
ROWS = {
    "advice": "Advice",
    "ordering": "Ordering",
    "delivery": "Delivery",
    "invoice": "Invoice",
    "service": "Customer service",
}


def main(out: Path) -> None:
    """Write the export (and the files its sources.yaml names) into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    s.write_touchpoints(out)
    meta = [
        "Respondent ID",
        "Collector ID",
        "Start Date",
        "End Date",
        "IP Address",
        "Email Address",
        "First Name",
        "Last Name",
        "Custom Data 1",
    ]
    first = meta + [NPS, MATRIX] + [""] * (len(ROWS) - 1) + [AGAIN, OPEN]
    second = [""] * len(meta) + ["Response", *ROWS.values(), "Response", "Open-Ended Response"]
    rows = [first, second]
    for a in s.answers(s.customers(400, seed=12), seed=12):
        c = a.customer
        stamp = a.answered_at.strftime("%m/%d/%Y %I:%M:%S %p")
        rows.append(
            [
                11400000000 + a.number,
                401234567,
                stamp,
                stamp,
                f"198.51.100.{a.number % 250}",
                c.email,
                c.first_name,
                c.last_name,
                f"K{c.number:05d}",
                a.nps,
            ]
            + ["N/A" if a.ratings[tp] is None else LABELS[a.ratings[tp]] for tp in ROWS]
            + ["Yes" if a.repurchase else "No", a.comment]
        )
    s.write_csv(out / "surveymonkey_export.csv", rows)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent)
