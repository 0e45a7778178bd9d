"""The report words of the observations (mystery contacts) section, in both languages; ``catalogue`` merges them."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "scenario_id": {"de": "Szenario", "en": "scenario"},
    "observations": {"de": "Testkontakte", "en": "mystery contacts"},
    "hour_band": {"de": "Uhrzeit", "en": "time of day"},
    "weekday": {"de": "Wochentag", "en": "weekday"},
    "reached_share": {"de": "erreicht", "en": "reached"},
    "correct_share": {"de": "richtig", "en": "correct"},
    "partly_share": {"de": "teilweise richtig", "en": "partly correct"},
    "wrong_share": {"de": "falsch", "en": "wrong"},
    "consistency": {"de": "gleiche Antwort", "en": "same answer"},
    "distinct_answers": {"de": "verschiedene Antworten", "en": "distinct answers"},
    "attempts_mean": {"de": "Versuche (Ø)", "en": "attempts (mean)"},
    "score_mean": {"de": "Bewertung (Ø)", "en": "score (mean)"},
    "observed_mean": {"de": "Test (Ø)", "en": "test (mean)"},
    "experienced_mean": {"de": "Kunden (Ø)", "en": "customers (mean)"},
    "gap": {"de": "Differenz", "en": "gap"},
    "friendliness": {"de": "Freundlichkeit", "en": "friendliness"},
    "competence": {"de": "Kompetenz", "en": "competence"},
    "clarity": {"de": "Verständlichkeit", "en": "clarity"},
    "commitment": {"de": "Engagement", "en": "commitment"},
    "reliability": {"de": "Verlässlichkeit", "en": "reliability"},
    "informativeness": {"de": "Informationsgehalt", "en": "informativeness"},
    "helpfulness": {"de": "Hilfsbereitschaft", "en": "helpfulness"},
}

TEXTS: dict[str, dict[str, str]] = {
    "missing.observations": {
        "de": "Keine Testkontakte geladen: dieser Abschnitt braucht Beobachtungen (Testanrufe, Test-E-Mails, "
        "Mystery-Kontakte). Laden mit: tpnb ingest observations DATEI.",
        "en": "No observations loaded: this section needs mystery contacts (test calls, test e-mails and chats). "
        "Load them with: tpnb ingest observations FILE.",
    },
    "obs.reachability": {"de": "Testkontakte: Erreichbarkeit", "en": "Mystery contacts: reachability"},
    "obs.reachability_intro": {
        "de": "Anteil der Testkontakte, bei denen jemand antwortete, je {rows} und Uhrzeit ({n} Testkontakte im "
        "Zeitraum). * = außerhalb der Geschäftszeiten der Kunden ({hours}); graue Felder: weniger als {min_n}.",
        "en": "Share of mystery contacts someone answered, by {rows} and time of day ({n} in the period). "
        "* = outside the customers' business hours ({hours}); grey cells: fewer than {min_n}.",
    },
    "obs.consistency": {
        "de": "Testkontakte: dieselbe Anfrage, dieselbe Antwort?",
        "en": "Mystery contacts: same request, same answer?",
    },
    "obs.consistency_intro": {
        "de": "Je Szenario: Anteil der Antworten, die der häufigsten richtigen Antwort entsprechen, und wie viele "
        "verschiedene Antworten es gab.",
        "en": "Per scenario: the share of answers equal to the most common correct answer, and how many different "
        "answers were given.",
    },
    "obs.channels": {
        "de": "Testkontakte: Richtigkeit und Servicetugenden je Kanal",
        "en": "Mystery contacts: accuracy and service virtues per channel",
    },
    "obs.gap": {"de": "Test und Kundenurteil je Kontaktpunkt", "en": "Test and customer judgement per touchpoint"},
    "obs.gap_intro": {
        "de": "Mittlere Bewertung der Tester neben der mittleren Bewertung der Kunden (gleiche Skala). Positive "
        "Differenz: der Test sagt gut, die Kunden nicht.",
        "en": "The testers' mean score beside the customers' mean rating (same scale). A positive gap: the test "
        "says fine, customers do not.",
    },
    "obs.no_gap": {
        "de": "Keine Testkontakte mit Kontaktpunkt und Bewertung, die Kundenbewertungen gegenüberstehen.",
        "en": "No mystery contacts with a touchpoint and scores that customer ratings could be set against.",
    },
    "summary.obs_reach": {
        "de": "Schwer erreichbar (Testkontakte): ",
        "en": "Hard to reach (mystery contacts): ",
    },
    "summary.obs_consistency": {
        "de": "Uneinheitliche Antworten (Testkontakte): ",
        "en": "Inconsistent answers (mystery contacts): ",
    },
    "summary.obs_share": {"de": "{name} ({share}, n = {n})", "en": "{name} ({share}, n = {n})"},
}
