"""HTML tables with every cell escaped and numbers formatted in the page's language."""

from __future__ import annotations

import polars as pl

from tpnb.report.blocks import Html, escape
from tpnb.report.i18n import fmt_number, fmt_share, fmt_signed, label

FORMATTERS = {
    "int": lambda v, lang: fmt_number(v, lang, 0),
    "num": lambda v, lang: fmt_number(v, lang, 1),
    "num2": lambda v, lang: fmt_number(v, lang, 2),
    "share": lambda v, lang: fmt_share(v, lang),
    "signed": lambda v, lang: fmt_signed(v, lang),
    "p": lambda v, lang: (
        ("< " + fmt_number(0.001, lang, 3)) if v is not None and v == v and v < 0.001 else fmt_number(v, lang, 3)
    ),
}


def format_value(value: object, kind: str, language: str) -> str:
    """One value as a table shows it: ``int``, ``num`` (1 decimal), ``num2``, ``share``, ``signed`` or ``p``
    (a p-value: three decimals, "< 0,001" below)."""
    return FORMATTERS[kind](value, language)


def html_table(
    frame: pl.DataFrame,
    columns: dict[str, str],
    language: str = "de",
    formats: dict[str, str] | None = None,
    min_n: int | None = None,
    translate: tuple[str, ...] = (),
) -> Html:
    """An HTML table with every cell escaped and numbers formatted per language.

    Parameters
    ----------
    frame : polars.DataFrame
        The rows to show.
    columns : dict
        Frame column -> header, in the order shown.
    formats : dict, optional
        Column -> ``int``, ``num`` (1 decimal), ``num2``, ``share`` or ``signed``;
        other columns are text.
    min_n : int, optional
        Rows whose ``n`` is below it show their figures as suppressed.
    translate : tuple of str
        Text columns whose values are labels of the catalogue (e.g. phase, channel).
    """
    formats = formats or {}
    head = "".join(f"<th>{escape(h)}</th>" for h in columns.values())
    body = []
    for row in frame.iter_rows(named=True):
        small = min_n is not None and "n" in row and row["n"] is not None and row["n"] < min_n
        cells = []
        for col in columns:
            value = row.get(col)
            kind = formats.get(col)
            if small and kind and col != "n":
                shown = label("suppressed", language)
            elif kind:
                shown = format_value(value, kind, language)
            elif col in translate:
                shown = "–" if value is None else label(str(value), language)
            else:
                shown = "" if value is None else str(value)
            cells.append(f'<td class="{"num" if kind else "txt"}">{escape(shown)}</td>')
        row_class = ' class="small"' if small else ""
        body.append(f"<tr{row_class}>{''.join(cells)}</tr>")
    table = f'<table class="tpnb-table"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    return Html(f'<div class="tpnb-scroll">{table}</div>')  # a wide table scrolls in its box, not the page


def key_value_table(rows: list[tuple[str, str]], language: str = "de") -> Html:
    """A two-column table of labels and values (already formatted)."""
    frame = pl.DataFrame({"k": [r[0] for r in rows], "v": [r[1] for r in rows]})
    return html_table(frame, {"k": "", "v": ""}, language)
