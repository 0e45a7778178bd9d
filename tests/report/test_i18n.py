"""The catalogue: sentences filled per language, numbers and dates in each language's style."""

from datetime import date

import pytest

from tpnb.report.i18n import fmt_date, fmt_number, fmt_share, fmt_signed, label, text


def test_text_fills_its_placeholders_in_either_language():
    assert text("summary.targets", "de", missed=2, total=5) == "Ziele: 2 von 5 verfehlt"
    assert text("summary.targets", "en", missed=2, total=5) == "Targets: 2 of 5 missed"
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


def test_a_number_that_rounds_to_zero_has_no_sign():
    from tpnb.report.i18n import fmt_number, fmt_signed

    assert fmt_signed(-0.02, "de") == "0,0" and fmt_signed(0.04, "en") == "0.0"
    assert (
        fmt_number(-0.001, "de", 2) == "0,00" and fmt_signed(-0.6, "de") == "-0,6" and fmt_signed(0.6, "en") == "+0.6"
    )
