"""The report words that say how a number was made (model, standard errors, bootstrap, adjustment, which
data a model used), in both languages; ``catalogue`` merges them."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "of_target": {"de": "Ist in % des Solls", "en": "actual in % of the target"},
    "rating_effect": {"de": "Wirkung auf die mittlere Bewertung", "en": "effect on the mean rating"},
    "method": {"de": "Methode", "en": "method"},
    "status": {"de": "Status", "en": "status"},
    "did": {"de": "Differenz der Differenzen", "en": "difference in differences"},
    "its": {"de": "unterbrochene Zeitreihe", "en": "interrupted time series"},
    "OLS, SE clustered by account": {
        "de": "OLS, Standardfehler nach Firma geclustert",
        "en": "OLS, SE clustered by account",
    },
    "OLS, HC3 robust SE": {"de": "OLS, robuste Standardfehler (HC3)", "en": "OLS, HC3 robust SE"},
    "logit, SE clustered by account": {
        "de": "Logit, Standardfehler nach Firma geclustert",
        "en": "logit, SE clustered by account",
    },
    "logit, robust SE": {"de": "Logit, robuste Standardfehler", "en": "logit, robust SE"},
    "linear-probability R²": {"de": "R² des linearen Wahrscheinlichkeitsmodells", "en": "linear-probability R²"},
    "bootstrap.account": {"de": "ganze Firmen gezogen", "en": "whole accounts drawn"},
    "bootstrap.respondent": {"de": "Befragte gezogen", "en": "respondents drawn"},
    "trends differed before the start": {
        "de": "Trends schon vor dem Start verschieden",
        "en": "trends differed before the start",
    },
    "p_adjusted": {"de": "p (Holm)", "en": "p (Holm)"},
    "weights": {"de": "Gewichtung", "en": "weighting"},
    "raked": {"de": "Raking auf die Kundenbasis", "en": "raked to the customer base"},
    "unweighted": {"de": "ungewichtet", "en": "unweighted"},
    "WLS, SE clustered by account": {
        "de": "gewichtete KQ, Standardfehler nach Firma geclustert",
        "en": "WLS, SE clustered by account",
    },
    "WLS, HC3 robust SE": {"de": "gewichtete KQ, robuste Standardfehler (HC3)", "en": "WLS, HC3 robust SE"},
    "weighted logit, SE clustered by account": {
        "de": "gewichtetes Logit, Standardfehler nach Firma geclustert",
        "en": "weighted logit, SE clustered by account",
    },
    "weighted logit, robust SE": {"de": "gewichtetes Logit, robuste Standardfehler", "en": "weighted logit, robust SE"},
    "pretrend_p": {"de": "p Vortrend", "en": "p pre-trend"},
    "placebo_p": {"de": "p Placebo", "en": "p placebo"},
}

TEXTS: dict[str, dict[str, str]] = {
    # analysis.p_adjustment: bh (Benjamini-Hochberg) in place of Holm
    "table.p_bh": {"de": "p (BH)", "en": "p (BH)"},
    "table.significant_bh": {"de": "signifikant (BH)", "en": "significant (BH)"},
    "table.bh_note": {
        "de": "p (BH): nach Benjamini-Hochberg über die Zeilen der Tabelle adjustiert (begrenzt den Anteil "
        "falscher Funde); ✔ bei p (BH) < 0,05.",
        "en": "p (BH): adjusted by the Benjamini-Hochberg method over the table's rows (it bounds the share of "
        "false discoveries); ✔ where p (BH) < 0.05.",
    },
    "measures.checks_bh": {
        "de": "p (BH): über die drei Kennzahlen einer Maßnahme nach Benjamini-Hochberg adjustiert. p Vortrend: "
        "gemeinsamer Test der Monate vor dem Start in einer Event-Studie (klein: die Gruppen liefen schon vorher "
        "auseinander, dann gilt keine Wirkung als belegt). p Placebo: Anteil der Kontaktpunkte ohne Maßnahme, "
        "die zum selben Start eine mindestens so große Differenz zeigen.",
        "en": "p (BH): adjusted by the Benjamini-Hochberg method over a measure's three metrics. p pre-trend: joint "
        "test of the months before the start in an event study (small: the groups were already drifting apart, so "
        "no effect counts as shown). p placebo: share of the touchpoints without a measure that show a difference "
        "at least as large at the same start.",
    },
    "drivers.bh_note": {
        "de": "p (BH): p-Werte nach Benjamini-Hochberg über alle Treiber des Modells adjustiert.",
        "en": "p (BH): p-values adjusted by the Benjamini-Hochberg method over all drivers of the model.",
    },
    "summary.weighted": {
        "de": " Gewichtet: Antworten per Raking an die Anteile der Kundenbasis ({margins}) angepasst; "
        "effektives n {kish}.",
        "en": " Weighted: responses raked to the customer base's shares ({margins}); effective n {kish}.",
    },
    "measures.checks": {
        "de": "p (Holm): über die drei Kennzahlen einer Maßnahme nach Holm adjustiert. p Vortrend: gemeinsamer "
        "Test der Monate vor dem Start in einer Event-Studie (klein: die Gruppen liefen schon vorher "
        "auseinander, dann gilt keine Wirkung als belegt). p Placebo: Anteil der Kontaktpunkte ohne Maßnahme, "
        "die zum selben Start eine mindestens so große Differenz zeigen. „Wirkt“ heißt: Intervall ohne 0, "
        "nach Holm gesichert, Vortrend unauffällig.",
        "en": "p (Holm): adjusted by Holm's method over a measure's three metrics. p pre-trend: joint test of "
        "the months before the start in an event study (small: the groups were already drifting apart, so no "
        "effect counts as shown). p placebo: share of the touchpoints without a measure that show a "
        "difference at least as large at the same start. 'Worked' means: interval without 0, holding after "
        "Holm, no pre-trend.",
    },
    "diag.at_bound": {"de": "Antworten bei 0 oder 10", "en": "answers at 0 or 10"},
    "drivers.at_bound_note": {
        "de": "{share} der Antworten liegen bei 0 oder 10: die OLS-Effekte sind zur Null hin gedrückt "
        "(Deckeneffekt). Die Rangfolge der Treiber prüft das geordnete Logit in der Diagnose.",
        "en": "{share} of the answers sit at 0 or 10: the OLS effects are pulled toward zero (a ceiling). "
        "The ordered logit in the diagnostics checks the drivers' ranking.",
    },
    "drivers.impact_reach": {"de": "Wirkung × Reichweite", "en": "impact × reach"},
    "drivers.holm_note": {
        "de": "p (Holm): p-Werte nach Holm über alle Treiber des Modells adjustiert, denn die Tabelle prüft "
        "sie alle zugleich.",
        "en": "p (Holm): p-values adjusted by Holm's method over all drivers of the model, as the table tests "
        "them all at once.",
    },
    "drivers.scope_all": {
        "de": "Im Zeitraum des Berichts zu wenige Antworten für ein Modell (n = {n}, mindestens {required}): "
        "das Modell nutzt alle Zeiträume ({first} – {last}).",
        "en": "Too few responses in the report's period for a model (n = {n}, at least {required}): the model "
        "uses every period ({first} – {last}).",
    },
}
