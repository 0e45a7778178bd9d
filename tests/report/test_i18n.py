"""The catalogue: sentences filled per language, numbers and dates in each language's style."""

from datetime import date

import pytest

from tpnb.report.i18n import fmt_date, fmt_number, fmt_share, fmt_signed, label, text


def test_text_fills_its_placeholders_in_either_language():
    assert text("summary.targets", "de", kept=2, total=5) == "Ziele: 2 von 5 nicht verfehlt"
    assert text("summary.targets", "en", kept=2, total=5) == "Targets: 2 of 5 not missed"
    with pytest.raises(KeyError, match="no text"):
        text("summary.nothing", "de")


def test_labels_fall_back_to_the_value_itself():
    assert label("decision_maker", "de") == "Entscheider"
    assert label("Key Account", "de") == "Key Account"


def test_number_share_and_date_formats():
    assert fmt_number(1234.56, "de") == "1.234,6" and fmt_number(1234.56, "en") == "1,234.6"
    assert fmt_share(0.425, "de") == "42\u00a0%" and fmt_share(0.425, "en") == "42%"
    assert fmt_signed(8.66, "de") == "+8,7" and fmt_signed(-0.4, "en") == "-0.4"
    assert fmt_number(None) == "–" and fmt_number(float("nan")) == "–"
    assert fmt_date(date(2026, 3, 30), "de") == "30.03.2026" and fmt_date(date(2026, 3, 30), "en") == "2026-03-30"
