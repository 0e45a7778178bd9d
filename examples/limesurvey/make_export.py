"""Write a synthetic LimeSurvey CSV export (question codes, full answers) as a German
installation writes it: ';' between fields, Windows-1252, "k.A." and "Vielleicht" among the answers.

    python examples/limesurvey/make_export.py [OUT_FOLDER]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import _synthetic as s  # noqa: E402

LABELS = {
    1: "Sehr unzufrieden",
    2: "Unzufrieden",
    3: "Weder zufrieden noch unzufrieden",
    4: "Zufrieden",
    5: "Sehr zufrieden",
}
CODES = {
    "advice": "beratung",
    "ordering": "bestellung",
    "delivery": "lieferung",
    "invoice": "rechnung",
    "service": "service",
}


def main(out: Path) -> None:
    """Write the export (and the files its sources.yaml names) into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    s.write_touchpoints(out)
    header = [
        "id",
        "submitdate",
        "lastpage",
        "startlanguage",
        "seed",
        "token",
        "startdate",
        "datestamp",
        "ipaddr",
        "refurl",
        "NPS",
        *(f"TP[{code}]" for code in CODES.values()),
        "WK",
        "KOMMENTAR",
    ]
    rows = [header]
    for a in s.answers(s.customers(400, seed=13), seed=13):
        c = a.customer
        stamp = a.answered_at.strftime("%Y-%m-%d %H:%M:%S")
        complete = a.number % 15 != 0  # an incomplete response: no submitdate, its last action in datestamp
        nps = "k.A." if a.number % 8 == 0 else a.nps
        again = "Vielleicht" if a.number % 6 == 0 else ("Ja" if a.repurchase else "Nein")
        rows.append(
            [
                a.number,
                stamp if complete else "",
                4 if complete else 2,
                "de",
                1000 + a.number,
                f"tok{c.number:05d}",
                stamp,
                stamp,
                f"203.0.113.{a.number % 250}",
                "https://example.com/umfrage?ref=mail",
                nps,
            ]
            + ["weiß nicht" if a.ratings[tp] is None else LABELS[a.ratings[tp]] for tp in CODES]
            + [again, a.comment]
        )
    s.write_csv(out / "limesurvey_export.csv", rows, encoding="cp1252", delimiter=";")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent)
