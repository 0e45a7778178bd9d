"""Write the demo data as the files users have: German CSV (Windows-1252, ';'), Parquet, and their source config."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import yaml

from tpnb.demo.generate import DemoData
from tpnb.demo.spec import (
    ROLES_DE,
)

SURVEY_RENAME = {  # the German survey tool's export headers -> the contract
    "Antwort-ID": "response_id",
    "Kundennummer": "customer_id",
    "Antwortdatum": "answered_at",
    "Weiterempfehlung (0-10)": "nps",
    "Wiederkaufabsicht (1-5)": "repurchase_intent",
    "Kommentar": "comment",
    "Welle": "wave",
}


def write_sources(data: DemoData, out: Path) -> Path:
    """Write the demo's source files and their source config; return the config path."""
    out.mkdir(parents=True, exist_ok=True)
    data.touchpoints.write_csv(out / "touchpoints.csv")

    # CRM export: German CSV, Windows-1252, ';', German labels and personal data.
    customers = data.customers.with_columns(pl.col("role").replace(ROLES_DE)).rename(
        {
            "customer_id": "Kundennummer",
            "account_id": "Firmennummer",
            "segment": "Segment",
            "role": "Rolle",
            "region": "Region",
            "name": "Name",
            "email": "E-Mail",
            "phone": "Telefon",
        }
    )
    _write_german_csv(customers, out / "kunden.csv")

    # Survey tool export: German CSV, dates dd.mm.yyyy HH:MM, "k.A." = not experienced.
    survey = data.surveys.drop("segment", "role", "was_passed_around", "had_late_answer", "had_missed_callback")
    tp_cols = [c for c in survey.columns if c.startswith("tp_")]
    survey = survey.with_columns(
        pl.col("answered_at").dt.strftime("%d.%m.%Y %H:%M"),
        *[pl.col(c).cast(pl.Int64).cast(pl.String).fill_null("k.A.") for c in tp_cols],
    ).rename({v: k for k, v in SURVEY_RENAME.items()})
    _write_german_csv(survey, out / "umfrage.csv")

    data.contacts.write_parquet(out / "contacts.parquet")

    orders = data.orders.with_columns(
        pl.col("ordered_at").dt.strftime("%d.%m.%Y"),
        pl.col("amount").map_elements(lambda a: f"{a:.2f}".replace(".", ","), return_dtype=pl.String),
    )
    _write_german_csv(orders, out / "bestellungen.csv")

    observations = data.observations.with_columns(
        pl.col("observed_at").dt.strftime("%d.%m.%Y %H:%M"),
        pl.col("channel").replace({"phone": "Telefon", "email": "E-Mail", "chat": "Chat"}),
        pl.col("wait_seconds").cast(pl.Int64),
        pl.col("^crit_.*$").cast(pl.Int64),
        pl.col("response_hours").map_elements(lambda h: f"{h:.1f}".replace(".", ","), return_dtype=pl.String),
    ).rename(OBSERVATION_RENAME_DE)
    _write_german_csv(observations, out / "testkontakte.csv")

    data.measures.write_csv(out / "massnahmen.csv")
    data.targets.write_csv(out / "ziele.csv")
    config = {
        "sources": [
            {"kind": "touchpoints", "path": "touchpoints.csv"},
            {
                "kind": "customers",
                "path": "kunden.csv",
                "encoding": "cp1252",
                "delimiter": ";",
                "rename": {
                    "Kundennummer": "customer_id",
                    "Firmennummer": "account_id",
                    "Segment": "segment",
                    "Rolle": "role",
                    "Region": "region",
                    "Name": "name",
                    "E-Mail": "email",
                    "Telefon": "phone",
                },
            },
            {
                "kind": "surveys",
                "path": "umfrage.csv",
                "encoding": "cp1252",
                "delimiter": ";",
                "date_format": "%d.%m.%Y %H:%M",
                "scale": [1, 5],
                "rename": SURVEY_RENAME,
            },
            {"kind": "contacts", "path": "contacts.parquet"},
            {
                "kind": "orders",
                "path": "bestellungen.csv",
                "decimal": ",",
                "date_format": "%d.%m.%Y",
                "rename": {},
            },
            {"kind": "targets", "path": "ziele.csv"},
            {"kind": "measures", "path": "massnahmen.csv"},
            {
                "kind": "observations",
                "path": "testkontakte.csv",
                "encoding": "cp1252",
                "delimiter": ";",
                "decimal": ",",
                "date_format": "%d.%m.%Y %H:%M",
                "rename": {v: k for k, v in OBSERVATION_RENAME_DE.items()},
            },
        ]
    }
    path = out / "sources.yaml"
    path.write_text(
        "# Source config of the demo data (see README: bring your own data)\n"
        + yaml.safe_dump(config, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    (out / "truth.json").write_text(json.dumps(data.truth, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


# The mystery-shopping agency's export: German headers.
OBSERVATION_RENAME_DE = {
    "observation_id": "Testkontakt-Nr",
    "observed_at": "Zeitpunkt",
    "channel": "Kanal",
    "department": "Abteilung",
    "touchpoint_id": "Kontaktpunkt",
    "scenario_id": "Szenario",
    "reached": "Erreicht",
    "attempts": "Versuche",
    "wait_seconds": "Wartezeit (s)",
    "response_hours": "Antwortzeit (h)",
    "answer_code": "Antwort-Code",
    "answer_correct": "Antwort korrekt",
    "observer": "Tester",
}


def _write_german_csv(frame: pl.DataFrame, path: Path) -> None:
    text = frame.write_csv(separator=";", quote_style="necessary")
    path.write_bytes(text.encode("cp1252", errors="replace"))
