"""What a report section is made of: escaped HTML blocks and charts, shown in order.

Every function here escapes what it is given: a value from data can never
become markup. ``Section`` is what the report notebooks display: a cell that
ends in a section shows its heading, sentences, charts and tables.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


class Html(str):
    """A piece of HTML that is safe to show (built by this module or ``tables``)."""

    def _repr_html_(self) -> str:
        return str(self)


def escape(value: object) -> str:
    """Text as HTML (quotes too, so it is safe in attributes)."""
    return html.escape("" if value is None else str(value), quote=True)


def heading(text: str, level: int = 2) -> Html:
    """A heading with escaped text."""
    return Html(f"<h{level}>{escape(text)}</h{level}>")


def paragraph(*parts: str | Html) -> Html:
    """A paragraph; plain strings are escaped, ``Html`` parts kept."""
    return Html("<p>" + "".join(p if isinstance(p, Html) else escape(p) for p in parts) + "</p>")


def strong(value: object) -> Html:
    """Escaped text in bold."""
    return Html(f"<strong>{escape(value)}</strong>")


def join(*parts: str | Html) -> Html:
    """Text and HTML run together; plain strings escaped."""
    return Html("".join(p if isinstance(p, Html) else escape(p) for p in parts))


def bullets(items: Iterable[Html | str]) -> Html:
    """An unordered list; plain strings escaped."""
    return Html("<ul>" + "".join(f"<li>{i if isinstance(i, Html) else escape(i)}</li>" for i in items) + "</ul>")


def missing(message: str) -> Html:
    """A section's plain sentence on what data it lacks and how to add it (marked for the run's status)."""
    return Html(f'<p class="tpnb-missing">{escape(message)}</p>')


def notice(label: str, message: str) -> Html:
    """A highlighted warning: a bold label and its message."""
    return Html(f"<blockquote>⚠ <strong>{escape(label)}:</strong> {escape(message)}</blockquote>")


def section_or_gap(title: str | None, gap: str | None, message: str) -> Section | None:
    """A section that only says what it lacks when ``gap`` names a missing kind of data, else None."""
    return Section(title, [missing(message)]) if gap else None


@dataclass
class Section:
    """One part of a report page: a heading, then blocks (``Html`` or charts) in order."""

    title: str | None = None
    parts: list[Any] = field(default_factory=list)
    level: int = 2

    def add(self, *parts: Any) -> Section:
        """Append blocks; returns the section."""
        self.parts.extend(parts)
        return self

    def blocks(self) -> list[Any]:
        """The heading (if any) and the parts, as they are shown."""
        return ([heading(self.title, self.level)] if self.title else []) + self.parts

    def html_text(self) -> str:
        """The HTML of the section's non-chart blocks (for tests and plain output)."""
        return "".join(str(b) for b in self.blocks() if isinstance(b, Html))

    def _ipython_display_(self) -> None:
        from IPython.display import display

        for block in self.blocks():
            display(block)
