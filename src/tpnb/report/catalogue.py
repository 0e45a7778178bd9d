"""Every word a reader sees, in German and English: labels of values and columns (``LABELS``) and the
reports' sentences and headings (``TEXTS``). Data only; ``i18n`` looks words up and formats numbers."""

from __future__ import annotations

from tpnb.report.catalogue_methods import LABELS as _method_labels
from tpnb.report.catalogue_methods import TEXTS as _method_texts
from tpnb.report.catalogue_observations import LABELS as _observation_labels
from tpnb.report.catalogue_observations import TEXTS as _observation_texts
from tpnb.report.catalogue_pages import LABELS as _page_labels
from tpnb.report.catalogue_pages import TEXTS as _page_texts

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
    "touchpoint_name": {"de": "Kontaktpunkt", "en": "Touchpoint"},
    "phone": {"de": "Telefon", "en": "phone"},
    "email": {"de": "E-Mail", "en": "e-mail"},
    "letter": {"de": "Brief", "en": "letter"},
    "fax": {"de": "Fax", "en": "fax"},
    "sms": {"de": "SMS", "en": "SMS"},
    "web": {"de": "Web", "en": "web"},
    "chat": {"de": "Chat", "en": "chat"},
    "portal": {"de": "Portal", "en": "portal"},
    "social": {"de": "Social Media", "en": "social media"},
    "visit": {"de": "Besuch", "en": "visit"},
    "other": {"de": "Sonstiges", "en": "other"},
    "inquiry": {"de": "Anfrage", "en": "inquiry"},
    "complaint": {"de": "Reklamation", "en": "complaint"},
    "callback_request": {"de": "Rückrufbitte", "en": "callback request"},
    "quote_request": {"de": "Angebotsanfrage", "en": "quote request"},
    "order": {"de": "Bestellung", "en": "order"},
    "delivery_query": {"de": "Lieferanfrage", "en": "delivery query"},
    "invoice_query": {"de": "Rechnungsfrage", "en": "invoice query"},
    "contact_type": {"de": "Anliegen", "en": "request type"},
    "met": {"de": "erfüllt", "en": "met"},
    "not met": {"de": "verfehlt", "en": "not met"},
    "not sure": {"de": "nicht sicher", "en": "not sure"},
    "no data": {"de": "keine Daten", "en": "no data"},
    "worked": {"de": "wirkt", "en": "worked"},
    "worsened": {"de": "verschlechtert", "en": "worsened"},
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
    "had_complaint": {"de": "Reklamation", "en": "complaint"},
    "was_passed_around": {
        "de": "herumgereicht (≥ 2 Weitergaben)",
        "en": "passed around (≥ 2 handoffs)",
    },
    "had_late_answer": {"de": "späte Antwort", "en": "late answer"},
    "had_missed_callback": {"de": "Rückruf nicht erfolgt", "en": "callback missed"},
    "first_response_hours_median": {
        "de": "Erste Antwort, Median (h)",
        "en": "First response, median (h)",
    },
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
    "complaint_resolution_hours_median": {
        "de": "Reklamation gelöst, Median (h)",
        "en": "complaint resolved, median (h)",
    },
    "complaint_interim_update_share": {
        "de": "Reklamation mit Zwischenbescheid",
        "en": "complaints with interim update",
    },
    "outside_hours_share": {"de": "außerhalb der Servicezeiten", "en": "outside service hours"},
    "reopen_share": {"de": "wiedereröffnet", "en": "reopened"},
}

# Sentences and headings of the reports. Values from data are escaped by the caller.
TEXTS: dict[str, dict[str, str]] = {
    # titles and standard sections
    "title.overview": {"de": "Kontaktpunkte: Überblick", "en": "Touchpoints: overview"},
    "title.drivers": {
        "de": "Schlüsseltreiber von Weiterempfehlung und Wiederkauf",
        "en": "Key drivers of recommendation and repurchase",
    },
    "title.service_chain": {
        "de": "Servicekette: Schmerzpunkte aus den Kontaktlogs",
        "en": "Service chain: pain points from the contact logs",
    },
    "title.targets_measures": {"de": "Ziele und Maßnahmen", "en": "Targets and measures"},
    "section.summary": {"de": "Management-Zusammenfassung", "en": "Management summary"},
    "section.inputs": {"de": "Eingaben dieses Berichts", "en": "Inputs of this report"},
    "section.verbatims": {"de": "Stimmen der Kunden", "en": "Customer comments"},
    "verbatims.group": {
        "de": "{group}: {n} Kommentare im Zeitraum, die {shown} neuesten",
        "en": "{group}: {n} comments in the period, the {shown} newest",
    },
    "verbatims.detractors": {"de": "Kritiker (0-6)", "en": "Detractors (0-6)"},
    "verbatims.passives": {"de": "Passive (7-8)", "en": "Passives (7-8)"},
    "verbatims.promoters": {"de": "Promotoren (9-10)", "en": "Promoters (9-10)"},
    # summary
    "summary.stale": {"de": "Veraltete Daten", "en": "Stale data"},
    "summary.no_surveys": {"de": "Keine Umfragedaten.", "en": "No survey data."},
    "summary.survey_age": {
        "de": "die neueste Umfrageantwort ist {days} Tage alt",
        "en": "the newest survey response is {days} days old",
    },
    "summary.contact_age": {
        "de": "der neueste Kontakt ist {days} Tage alt",
        "en": "the newest contact is {days} days old",
    },
    "summary.and": {"de": " und ", "en": " and "},
    "summary.age_limit": {"de": " (Grenze {days} Tage).", "en": " (limit {days} days)."},
    "summary.no_responses": {
        "de": "Keine Antworten im Zeitraum.",
        "en": "No responses in the period.",
    },
    "summary.nps": {"de": "NPS {nps}", "en": "NPS {nps}"},
    "summary.nps_detail": {
        "de": " ({ci} {low} … {high}, n = {n}{deff})",
        "en": " ({ci} {low} … {high}, n = {n}{deff})",
    },
    "summary.deff": {
        "de": "; Designeffekt {deff}: mehrere Befragte je Firma",
        "en": "; design effect {deff}: several respondents per account",
    },
    "summary.change_significant": {
        "de": "; gegenüber dem Vorzeitraum {change} Punkte (eine signifikante Veränderung, p {p}).",
        "en": "; {change} points against the previous period (a significant change, p {p}).",
    },
    "summary.change_not_significant": {
        "de": "; gegenüber dem Vorzeitraum {change} Punkte (keine gesicherte Veränderung, p {p}).",
        "en": "; {change} points against the previous period (not a reliable change, p {p}).",
    },
    "summary.few_responses": {
        "de": " Achtung: weniger als {min_n} Antworten.",
        "en": " Caution: fewer than {min_n} responses.",
    },
    "summary.act_first": {"de": "Zuerst handeln bei: ", "en": "Act first on: "},
    "summary.act_first_item": {
        "de": " (Ø {performance}, {certainty} sicher)",
        "en": " (Ø {performance}, {certainty} certain)",
    },
    "summary.act_first_why": {
        "de": " – wichtig für die Weiterempfehlung und unterdurchschnittlich bewertet.",
        "en": " – they matter for recommendation and are rated below the median.",
    },
    "summary.targets": {
        "de": "Ziele: {missed} von {total} verfehlt",
        "en": "Targets: {missed} of {total} missed",
    },
    "summary.targets_missed": {"de": " ({names})", "en": " ({names})"},
    "summary.measures_worked": {
        "de": "Maßnahmen mit nachweisbarer Wirkung: {names}",
        "en": "Measures that worked: {names}",
    },
    "summary.measures_none": {"de": "keine", "en": "none"},
    "summary.measures_rated": {"de": " ({n} bewertet)", "en": " ({n} evaluated)"},
    "summary.biggest_problem": {
        "de": "Größtes Problem in der Servicekette: ",
        "en": "Biggest service-chain problem: ",
    },
    "summary.biggest_problem_detail": {
        "de": " (betrifft {share} der Befragten; kostet im Mittel {cost} NPS-Skalenpunkte je Betroffenen).",
        "en": " (affects {share} of respondents; costs {cost} points on the 0-10 scale per affected respondent).",
    },
    # what a section lacks, and how to add it
    "missing.nps": {
        "de": "Keine NPS-Antworten geladen: dieser Abschnitt braucht die Weiterempfehlungsfrage (0-10) "
        "der Umfrage. Laden mit: tpnb ingest surveys DATEI (Spalte nps).",
        "en": "No NPS answers loaded: this section needs the survey's recommendation question (0-10). "
        "Load them with: tpnb ingest surveys FILE (column nps).",
    },
    "missing.ratings": {
        "de": "Keine Bewertungen von Kontaktpunkten geladen: dieser Abschnitt braucht Spalten "
        "tp_<kontaktpunkt> in der Umfrage. Laden mit: tpnb ingest surveys DATEI.",
        "en": "No touchpoint ratings loaded: this section needs tp_<touchpoint> columns in the "
        "survey. Load them with: tpnb ingest surveys FILE.",
    },
    "missing.contacts": {
        "de": "Keine Kontaktlogs geladen: dieser Abschnitt braucht den Service-Log (Tickets, Anrufe, "
        "E-Mails). Laden mit: tpnb ingest contacts DATEI.",
        "en": "No contact logs loaded: this section needs the service log (tickets, calls, e-mails). "
        "Load them with: tpnb ingest contacts FILE.",
    },
    "missing.orders": {
        "de": "Keine Bestellungen geladen: beobachteter Wiederkauf braucht sie. Laden mit: tpnb ingest orders DATEI.",
        "en": "No orders loaded: observed repurchase needs them. Load them with: tpnb ingest orders FILE.",
    },
    # overview
    "overview.nps_by_month": {"de": "NPS je Monat", "en": "NPS by month"},
    "overview.nps_by": {"de": "NPS – {dimension}", "en": "NPS – {dimension}"},
    "overview.nps_by_experienced": {
        "de": "NPS – {dimension} (Befragte, die ihn erlebt haben)",
        "en": "NPS – {dimension} (respondents who experienced it)",
    },
    "overview.change_intro": {
        "de": "Veränderung gegenüber dem Vorzeitraum:",
        "en": "Change against the previous period:",
    },
    "overview.ratings": {"de": "Bewertungen je Kontaktpunkt", "en": "Ratings per touchpoint"},
    # drivers
    "drivers.matrix": {
        "de": "Prioritätenmatrix: Wichtigkeit und Leistung",
        "en": "Priority matrix: importance and performance",
    },
    "drivers.nps": {
        "de": "Treiber der Weiterempfehlung (NPS 0-10)",
        "en": "Drivers of recommendation (NPS 0-10)",
    },
    "drivers.outcome": {"de": "Treiber von „{outcome}“", "en": "Drivers of “{outcome}”"},
    "summary.act_first_why_outcome": {
        "de": " – wichtig für „{outcome}“ und unterdurchschnittlich bewertet.",
        "en": " – they matter for “{outcome}” and are rated below the median.",
    },
    "drivers.promoter": {"de": "Promotoren", "en": "Promoters"},
    "drivers.detractor": {"de": "Kritiker", "en": "Detractors"},
    "drivers.repurchase": {"de": "Beobachteter Wiederkauf", "en": "Observed repurchase"},
    "drivers.by_role": {"de": "Nach Rolle", "en": "By role"},
    "drivers.by_role_model": {"de": "{level} (n = {n}): {top}", "en": "{level} (n = {n}): {top}"},
    "drivers.by_role_skipped": {
        "de": "{level}: n = {n}: zu wenige für ein Modell (mindestens {required}).",
        "en": "{level}: n = {n}: too few for a model (minimum {required}).",
    },
    "drivers.too_few": {
        "de": "{n} Antworten sind zu wenige für ein Modell (mindestens {required}); kein Modell geschätzt.",
        "en": "{n} responses are too few for a model (minimum {required}); no model fitted.",
    },
    "drivers.diagnostics": {"de": "Anhang: Modelldiagnose", "en": "Appendix: model diagnostics"},
    "drivers.strategy_indicator": {
        "de": "nicht erlebte Kontaktpunkte bleiben im Modell (Indikator, Bewertung zentriert)",
        "en": "not-experienced touchpoints kept (indicator, rating centred)",
    },
    "drivers.strategy_complete_case": {
        "de": "nur vollständige Antworten",
        "en": "complete cases only",
    },
    "drivers.statement": {
        "de": "{model}; n = {n}; R² = {r2} (davon Kontrollen {r2_controls}); {strategy}; Wichtigkeit: {method} "
        "({basis}), {draws} Bootstrap-Ziehungen ({unit}).",
        "en": "{model}; n = {n}; R² = {r2} (controls {r2_controls}); {strategy}; importance: {method} "
        "({basis}), {draws} Bootstrap-draws ({unit}).",
    },
    "diag.max_vif": {"de": "max VIF", "en": "max VIF"},
    "diag.straightliners": {
        "de": "Gleichantworter (überall dieselbe Bewertung)",
        "en": "straight-liners (same rating everywhere)",
    },
    "diag.converged": {"de": "Schätzung konvergiert", "en": "estimation converged"},
    "diag.quadrant_lines": {"de": "Linien der Prioritätenmatrix", "en": "priority-matrix lines"},
    "diag.rule.configured": {"de": "vorgegeben", "en": "configured"},
    "diag.rule.medians": {"de": "Mediane der Kontaktpunkte", "en": "medians of the touchpoints"},
    "diag.notes": {"de": "Hinweise", "en": "notes"},
    "diag.ordered_logit": {
        "de": "geordnetes Logit vs. OLS (Spearman)",
        "en": "ordered logit vs OLS (Spearman)",
    },
    # service chain
    "service.kpis": {"de": "Kennzahlen der Servicekette", "en": "Service-chain KPIs"},
    "service.channels": {
        "de": "Kanäle: Mix und Einheitlichkeit",
        "en": "Channels: mix and consistency",
    },
    "service.consistency_intro": {
        "de": "Wird dasselbe Anliegen auf jedem Kanal gleich behandelt?",
        "en": "Is the same request treated alike on every channel?",
    },
    "service.trends": {"de": "Entwicklung", "en": "Trends"},
    "service.loyalty": {"de": "Servicekette und Loyalität", "en": "Service chain and loyalty"},
    "service.share": {"de": "Anteil", "en": "Share"},
    "service.request_type": {"de": "Anliegen", "en": "Request type"},
    "service.channels_count": {"de": "Kanäle", "en": "Channels"},
    "service.spread_in_target": {
        "de": "Spanne: in Zielzeit beantwortet",
        "en": "Spread: answered within target",
    },
    "service.spread_resolution": {
        "de": "Spanne: Lösungszeit, Median (h)",
        "en": "Spread: resolution median (h)",
    },
    "service.worst_channel": {"de": "schwächster Kanal", "en": "weakest channel"},
    "service.experience": {"de": "Erlebnis", "en": "Experience"},
    "service.repurchase": {"de": "Wiederkauf", "en": "Repurchase"},
    "service.repurchase_n": {"de": "n (Wiederkauf)", "en": "n (repurchase)"},
    "service.repurchase_note": {
        "de": "Wiederkauf: Anteil mit einer Bestellung binnen {days} Tagen nach der Antwort, nur über Antworten, "
        "deren Fenster abgelaufen ist (n (Wiederkauf)); Intervall nach Wilson, 95 %.",
        "en": "Repurchase: the share with an order within {days} days after the answer, only over answers whose "
        "window has passed (n (repurchase)); Wilson interval, 95%.",
    },
    "yes": {"de": "ja", "en": "yes"},
    "no": {"de": "nein", "en": "no"},
    # targets and measures
    "targets.heading": {"de": "Soll und Ist", "en": "Target and actual"},
    "targets.none": {
        "de": "Es sind noch keine Ziele geladen (tpnb ingest targets DATEI).",
        "en": "No targets are loaded yet (tpnb ingest targets FILE).",
    },
    "targets.intro": {
        "de": "Neuestes abgeschlossenes Quartal im Zeitraum des Berichts je Ziel (ein laufendes Quartal wird "
        "noch nicht bewertet); nicht sicher heißt: das Intervall schließt das Ziel ein.",
        "en": "Newest complete quarter in the report's period per target (a running quarter is not scored "
        "yet); not sure means the interval includes the target.",
    },
    "targets.metric": {"de": "Kennzahl", "en": "Metric"},
    "targets.quarter": {"de": "Quartal", "en": "Quarter"},
    "targets.actual": {"de": "Ist", "en": "Actual"},
    "targets.target": {"de": "Soll", "en": "Target"},
    "targets.gap": {"de": "Abstand", "en": "Gap"},
    "targets.status": {"de": "Status", "en": "Status"},
    "targets.trend": {"de": "Trend", "en": "Trend"},
    "measures.heading": {"de": "Wirkung der Maßnahmen", "en": "Effect of measures"},
    "measures.none": {
        "de": "Es sind noch keine Maßnahmen geladen (tpnb ingest measures DATEI).",
        "en": "No measures are loaded yet (tpnb ingest measures FILE).",
    },
    "measures.intro": {
        "de": "Primäre Schätzung: Differenz-von-Differenzen gegenüber den Kontaktpunkten ohne Maßnahme. "
        "Annahme: ohne die Maßnahme hätte sich der Kontaktpunkt wie diese entwickelt. "
        "Fenster: {days} Tage vor und nach dem Start.",
        "en": "Primary estimate: difference-in-differences against the touchpoints without a measure. "
        "Assumption: without the measure the touchpoint would have moved like them. "
        "Window: {days} days before and after the start.",
    },
    "measures.measure": {"de": "Maßnahme", "en": "Measure"},
    "measures.start": {"de": "Start", "en": "Start"},
    "measures.effect": {"de": "Wirkung", "en": "Effect"},
    "measures.n_before": {"de": "n vorher", "en": "n before"},
    "measures.n_after": {"de": "n nachher", "en": "n after"},
    "measures.verdict": {"de": "Urteil", "en": "Verdict"},
    # tables shared by the reports
    "table.n_before": {"de": "n (vorher)", "en": "n (before)"},
    "table.nps_before": {"de": "NPS vorher", "en": "NPS before"},
    "table.significant": {"de": "signifikant (Holm)", "en": "significant (Holm)"},
    "table.p_holm": {"de": "p (Holm)", "en": "p (Holm)"},
    "table.holm_note": {
        "de": "p (Holm): nach Holm über die Zeilen der Tabelle adjustiert; ✔ bei p (Holm) < 0,05.",
        "en": "p (Holm): adjusted by Holm's method over the table's rows; ✔ where p (Holm) < 0.05.",
    },
    "table.date": {"de": "Datum", "en": "Date"},
    "table.comment": {"de": "Kommentar", "en": "Comment"},
    "inputs.parameters": {"de": "Parameter", "en": "Parameters"},
    "inputs.data_as_of": {"de": "Daten bis", "en": "Data as of"},
    "inputs.data_as_of_value": {
        "de": "NPS-Umfrage {survey}, Kontakte {contacts}",
        "en": "NPS survey {survey}, contacts {contacts}",
    },
    "inputs.responses": {"de": "Antworten im Zeitraum", "en": "Responses in period"},
    "inputs.contacts": {"de": "Kontakte im Zeitraum", "en": "Contacts in period"},
    "inputs.loads": {"de": "Ladevorgänge", "en": "Loads"},
    "inputs.loads_value": {"de": "{n}, zuletzt {when}", "en": "{n}, latest {when}"},
    "inputs.version": {"de": "tpnb-Version", "en": "tpnb version"},
    "inputs.run": {"de": "Laufzeit", "en": "Run time"},
}

# The words of the observations section and of the methods live beside this file; i18n sees one catalogue.
LABELS |= _observation_labels | _method_labels | _page_labels
TEXTS |= _observation_texts | _method_texts | _page_texts
