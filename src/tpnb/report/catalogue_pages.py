"""The words of the pages around the reports (the failure page), in both languages; ``catalogue`` merges them."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {}

TEXTS: dict[str, dict[str, str]] = {
    "failed.title": {"de": "Bericht fehlgeschlagen: {title}", "en": "Report run failed: {title}"},
    "failed.when": {"de": "Lauf vom {when}.", "en": "Run of {when}."},
    "failed.kept": {
        "de": "Veröffentlicht bleibt der letzte gute Bericht vom {published}: seine Zahlen sind älter als dieser Lauf.",
        "en": "The last good report, of {published}, stays published: its figures are older than this run.",
    },
    "failed.none": {
        "de": "Es gibt noch keinen veröffentlichten Bericht dieser Art.",
        "en": "No report of this kind has been published yet.",
    },
    "failed.what": {"de": "Was fehlschlug: {error}", "en": "What failed: {error}"},
    "failed.check": {
        "de": "Zu prüfen: ob die Datenbank da ist und nicht gerade geschrieben wird (tpnb status), ob die Filter "
        "des Berichts in reports.yaml zu den Daten passen, und die technischen Details unten. Danach den Bericht "
        "neu erstellen: tpnb reports --only {name}.",
        "en": "To check: that the database is there and not being written (tpnb status), that the report's "
        "filters in reports.yaml match the data, and the technical details below. Then run it again: "
        "tpnb reports --only {name}.",
    },
    "failed.details": {"de": "Technische Details", "en": "Technical details"},
    "failed.index": {"de": "Alle Berichte", "en": "All reports"},
    "index.title": {"de": "Berichte", "en": "Reports"},
    "index.report": {"de": "Bericht", "en": "Report"},
    "index.published": {"de": "Veröffentlicht", "en": "Published"},
    "index.parameters": {"de": "Parameter", "en": "Parameters"},
    "index.data_as_of": {"de": "Daten bis", "en": "Data as of"},
    "index.run": {"de": "Letzter Lauf", "en": "Last run"},
    "index.status": {"de": "Status", "en": "Status"},
    "index.error": {"de": "Fehler", "en": "error"},
    "index.archive": {"de": "Archiv", "en": "Archive"},
    "index.generated": {"de": "Erstellt am {when} von tpnb.", "en": "Generated {when} by tpnb."},
    "status.ok": {"de": "ok", "en": "ok"},
    "status.no data": {"de": "keine Daten für diesen Bericht", "en": "no data for this report"},
    "status.failed": {"de": "fehlgeschlagen", "en": "failed"},
}
