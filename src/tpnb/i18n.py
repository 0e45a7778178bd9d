"""Labels and number formats in German and English for published reports."""

from __future__ import annotations

import math

LANGUAGES = ("de", "en")

LABELS: dict[str, dict[str, str]] = {
    "nps": {"de": "NPS", "en": "NPS"},
    "n": {"de": "n", "en": "n"},
    "ci": {"de": "95 %-Intervall", "en": "95% interval"},
    "segment": {"de": "Segment", "en": "Segment"},
    "role": {"de": "Rolle", "en": "Role"},
    "region": {"de": "Region", "en": "Region"},
    "phase": {"de": "Phase", "en": "Phase"},
    "channel": {"de": "Kanal", "en": "Channel"},
    "department": {"de": "Abteilung", "en": "Department"},
    "touchpoint": {"de": "Kontaktpunkt", "en": "Touchpoint"},
    "phone": {"de": "Telefon", "en": "phone"}, "email": {"de": "E-Mail", "en": "e-mail"},
    "letter": {"de": "Brief", "en": "letter"}, "fax": {"de": "Fax", "en": "fax"}, "sms": {"de": "SMS", "en": "SMS"},
    "web": {"de": "Web", "en": "web"}, "chat": {"de": "Chat", "en": "chat"}, "portal": {"de": "Portal", "en": "portal"},
    "social": {"de": "Social Media", "en": "social media"}, "visit": {"de": "Besuch", "en": "visit"},
    "other": {"de": "Sonstiges", "en": "other"},
    "inquiry": {"de": "Anfrage", "en": "inquiry"}, "complaint": {"de": "Reklamation", "en": "complaint"},
    "callback_request": {"de": "Rückrufbitte", "en": "callback request"},
    "quote_request": {"de": "Angebotsanfrage", "en": "quote request"}, "order": {"de": "Bestellung", "en": "order"},
    "delivery_query": {"de": "Lieferanfrage", "en": "delivery query"},
    "invoice_query": {"de": "Rechnungsfrage", "en": "invoice query"},
    "contact_type": {"de": "Anliegen", "en": "request type"},
    "met": {"de": "erfüllt", "en": "met"}, "not met": {"de": "verfehlt", "en": "not met"},
    "not sure": {"de": "nicht sicher", "en": "not sure"}, "no data": {"de": "keine Daten", "en": "no data"},
    "worked": {"de": "wirkt", "en": "worked"}, "worsened": {"de": "verschlechtert", "en": "worsened"},
    "no clear effect": {"de": "keine klare Wirkung", "en": "no clear effect"},
    "too little data": {"de": "zu wenige Daten", "en": "too little data"},
    "same_day_callback_share": {"de": "Rückruf am selben Tag", "en": "callback same day"},
    "*": {"de": "alle", "en": "all"},
    "service_log": {"de": "Servicekette", "en": "service chain"},
    "summary": {"de": "Zusammenfassung", "en": "Summary"},
    "touchpoint_kind": {"de": "Art", "en": "Kind"},
    "reach": {"de": "Reichweite", "en": "Reach"},
    "mean_rating": {"de": "Mittelwert", "en": "Mean rating"},
    "top2_share": {"de": "Top-2-Anteil", "en": "Top-2 share"},
    "bottom_share": {"de": "Bottom-Anteil", "en": "Bottom share"},
    "importance": {"de": "Wichtigkeit (Anteil R²)", "en": "Importance (share of R²)"},
    "performance": {"de": "Leistung (Mittelwert)", "en": "Performance (mean rating)"},
    "quadrant": {"de": "Quadrant", "en": "Quadrant"},
    "certainty": {"de": "Sicherheit", "en": "Certainty"},
    "coef": {"de": "Effekt", "en": "Effect"},
    "period_month": {"de": "Monat", "en": "Month"},
    "change": {"de": "Veränderung", "en": "Change"},
    "suppressed": {"de": "zu wenige Antworten", "en": "too few responses"},
    "fix first": {"de": "zuerst verbessern", "en": "fix first"},
    "keep up": {"de": "Stärke halten", "en": "keep up"},
    "maintain": {"de": "beibehalten", "en": "maintain"},
    "low priority": {"de": "geringe Priorität", "en": "low priority"},
    "pre_purchase": {"de": "vor dem Kauf", "en": "pre-purchase"},
    "purchase": {"de": "Kauf", "en": "purchase"},
    "post_purchase": {"de": "nach dem Kauf", "en": "post-purchase"},
    "ongoing": {"de": "laufend", "en": "ongoing"},
    "unknown": {"de": "unbekannt", "en": "unknown"},
    "decision_maker": {"de": "Entscheider", "en": "decision maker"},
    "influencer": {"de": "Beeinflusser", "en": "influencer"},
    "information_gatherer": {"de": "Informationssammler", "en": "information gatherer"},
    "user": {"de": "Nutzer", "en": "user"},
    "was_passed_around": {"de": "herumgereicht (≥ 2 Weitergaben)", "en": "passed around (≥ 2 handoffs)"},
    "had_late_answer": {"de": "späte Antwort", "en": "late answer"},
    "had_missed_callback": {"de": "Rückruf nicht erfolgt", "en": "callback missed"},
    "first_response_hours_median": {"de": "Erste Antwort, Median (h)", "en": "First response, median (h)"},
    "first_response_hours_p90": {"de": "Erste Antwort, P90 (h)", "en": "First response, p90 (h)"},
    "answered_in_target_share": {"de": "in Zielzeit beantwortet", "en": "answered within target"},
    "unanswered_share": {"de": "unbeantwortet", "en": "unanswered"},
    "callback_same_day_share": {"de": "Rückruf am selben Tag", "en": "callback same day"},
    "callback_missed_share": {"de": "Rückruf nicht erfolgt", "en": "callback missed"},
    "wait_seconds_median": {"de": "Wartezeit, Median (s)", "en": "Queue wait, median (s)"},
    "wait_seconds_p90": {"de": "Wartezeit, P90 (s)", "en": "Queue wait, p90 (s)"},
    "long_wait_share": {"de": "lange Wartezeit", "en": "long wait"},
    "handoffs_per_contact": {"de": "Weitergaben je Kontakt", "en": "handoffs per contact"},
    "passed_around_share": {"de": "herumgereicht", "en": "passed around"},
    "follow_up_share": {"de": "Folgekontakt in 7 Tagen", "en": "follow-up within 7 days"},
    "complaint_resolution_hours_median": {"de": "Reklamation gelöst, Median (h)", "en": "complaint resolved, median (h)"},
    "complaint_interim_update_share": {"de": "Reklamation mit Zwischenbescheid", "en": "complaints with interim update"},
    "outside_hours_share": {"de": "außerhalb der Servicezeiten", "en": "outside service hours"},
    "reopen_share": {"de": "wiedereröffnet", "en": "reopened"},
}


def label(key: str, language: str = "de") -> str:
    """The label of a column, dimension value or KPI; the key itself when unknown."""
    entry = LABELS.get(key)
    return entry.get(language, entry["en"]) if entry else str(key)


def fmt_number(value, language: str = "de", decimals: int = 1) -> str:
    """A number with the language's decimal mark and thousands separator."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{decimals}f}"
    if language == "de":
        text = text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")
    return text


def fmt_share(value, language: str = "de", decimals: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return fmt_number(100 * value, language, decimals) + ("\u00a0%" if language == "de" else "%")


def fmt_signed(value, language: str = "de", decimals: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return ("+" if value > 0 else "") + fmt_number(value, language, decimals)
