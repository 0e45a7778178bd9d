"""Write a synthetic Qualtrics CSV export (numeric values) in Qualtrics' three-header-row layout.

python examples/qualtrics/make_export.py [OUT_FOLDER]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import _synthetic as s  # noqa: E402

META = [
    ("StartDate", "Start Date", {"ImportId": "startDate", "timeZone": "Europe/Berlin"}),
    ("EndDate", "End Date", {"ImportId": "endDate", "timeZone": "Europe/Berlin"}),
    ("Status", "Response Type", {"ImportId": "status"}),
    ("IPAddress", "IP Address", {"ImportId": "ipAddress"}),
    ("Progress", "Progress", {"ImportId": "progress"}),
    ("Duration (in seconds)", "Duration (in seconds)", {"ImportId": "duration"}),
    ("Finished", "Finished", {"ImportId": "finished"}),
    ("RecordedDate", "Recorded Date", {"ImportId": "recordedDate", "timeZone": "Europe/Berlin"}),
    ("ResponseId", "Response ID", {"ImportId": "_recordId"}),
    ("RecipientLastName", "Recipient Last Name", {"ImportId": "recipientLastName"}),
    ("RecipientFirstName", "Recipient First Name", {"ImportId": "recipientFirstName"}),
    ("RecipientEmail", "Recipient Email", {"ImportId": "recipientEmail"}),
    ("ExternalReference", "External Data Reference", {"ImportId": "externalDataReference"}),
    ("LocationLatitude", "Location Latitude", {"ImportId": "locationLatitude"}),
    ("LocationLongitude", "Location Longitude", {"ImportId": "locationLongitude"}),
    ("DistributionChannel", "Distribution Channel", {"ImportId": "distributionChannel"}),
    ("UserLanguage", "User Language", {"ImportId": "userLanguage"}),
]
NPS_TEXT = "Wie wahrscheinlich ist es, dass Sie uns einem Freund oder Kollegen empfehlen?"
RATE_TEXT = "Wie zufrieden waren Sie mit ...? - "
QUESTIONS = [
    ("Q1", NPS_TEXT, {"ImportId": "QID1"}),
    ("Q1_NPS_GROUP", NPS_TEXT + " - Group", {"ImportId": "QID1_NPS_GROUP"}),
    *[(f"Q2_{i}", RATE_TEXT + name, {"ImportId": f"QID2_{i}"}) for i, (_, name, _) in enumerate(s.TOUCHPOINTS, 1)],
    ("Q3", "Wie wahrscheinlich kaufen Sie wieder bei uns? (1-5)", {"ImportId": "QID3"}),
    ("Q4", "Möchten Sie uns noch etwas sagen?", {"ImportId": "QID4_TEXT"}),
]


def main(out: Path) -> None:
    """Write the export (and the files its sources.yaml names) into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    s.write_touchpoints(out)
    columns = META + QUESTIONS
    rows = [[c[0] for c in columns], [c[1] for c in columns], [json.dumps(c[2]) for c in columns]]
    for a in s.answers(s.customers(400, seed=11), seed=11):
        c = a.customer
        start = a.answered_at.replace(second=0)
        anonymous = a.number % 9 == 0  # an anonymous link: no recipient, no external reference
        group = 1 if a.nps <= 6 else (2 if a.nps <= 8 else 3)
        rows.append(
            [
                start.isoformat(sep=" "),
                a.answered_at.isoformat(sep=" "),
                0,
                f"192.0.2.{a.number % 250}",
                100,
                300 + a.number % 400,
                1,
                a.answered_at.isoformat(sep=" "),
                f"R_{a.number:04d}aB3xYz9",
                "" if anonymous else c.last_name,
                "" if anonymous else c.first_name,
                "" if anonymous else c.email,
                "" if anonymous else f"K{c.number:05d}",
                "52.52",
                "13.40",
                "anonymous" if anonymous else "email",
                "DE",
                a.nps,
                group,
                *("" if a.ratings[tp] is None else a.ratings[tp] for tp, *_ in s.TOUCHPOINTS),
                5 if a.repurchase else 2,
                a.comment,
            ]
        )
    s.write_csv(out / "qualtrics_export.csv", rows, encoding="utf-8-sig")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent)
