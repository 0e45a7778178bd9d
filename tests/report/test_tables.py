"""Tables: cells escaped, numbers in the page's language, small cells suppressed."""

import polars as pl

from tpnb.report.tables import html_table, key_value_table

FRAME = pl.DataFrame(
    {"role": ["decision_maker", "<b>x</b>"], "n": [120, 12], "nps": [12.345, -3.0], "share": [0.256, 0.5]}
)
COLUMNS = {"role": "Rolle", "n": "n", "nps": "NPS", "share": "Anteil"}
FORMATS = {"n": "int", "nps": "num", "share": "share"}


def _cells(html: str) -> list[str]:
    import re

    return re.findall(r"<td[^>]*>(.*?)</td>", html)


def test_numbers_follow_the_language_and_labels_are_translated():
    de = html_table(FRAME.head(1), COLUMNS, "de", FORMATS, translate=("role",))
    en = html_table(FRAME.head(1), COLUMNS, "en", FORMATS, translate=("role",))
    assert _cells(de) == ["Entscheider", "120", "12,3", "26\u00a0%"]
    assert _cells(en) == ["decision maker", "120", "12.3", "26%"]


def test_cells_under_min_n_are_suppressed_but_keep_their_n():
    html = html_table(FRAME, COLUMNS, "de", FORMATS, min_n=30)
    assert _cells(html)[4:] == ["&lt;b&gt;x&lt;/b&gt;", "12", "zu wenige Antworten", "zu wenige Antworten"]
    assert html.count('class="small"') == 1


def test_headers_and_values_are_escaped():
    html = key_value_table([("<i>k</i>", "<script>v</script>")], "en")
    assert "<script>" not in html and "&lt;script&gt;v&lt;/script&gt;" in html
