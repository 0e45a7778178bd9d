"""A Content-Security-Policy for every published page: only the page's own scripts run, nothing loads.

Defence in depth behind the escaping: a script element in a page runs only
when it is one tpnb wrote (the vega bundle, the table of contents, a chart
script that re-renders to exactly itself from its own spec); its SHA-256 is
then listed in the page's policy. Anything else, and every event-handler
attribute or ``javascript:`` URL, is blocked by the browser, and no request
leaves the page (``default-src 'none'``). Vega compiles its expressions with
``Function``, so ``'unsafe-eval'`` stays allowed for the scripts that run.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from importlib import resources

from tpnb.report.vega import LANGUAGES, chart_script

SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)
CHART = re.compile(
    r"\(function\(\)\{var spec=(.*?);function draw\(\)\{if\(window\.vegaEmbed\)\{window\.vegaEmbed\('#"
    r"(tpnb-chart-[0-9]+-[0-9a-f]{8})',",
    re.S,
)
STATIC_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; base-uri 'none'; form-action 'none'"
)


def toc_script() -> str:
    """The table-of-contents script every report page carries."""
    return (resources.files("tpnb.report") / "templates" / "tpnb" / "toc.js").read_text(encoding="utf-8")


def script_hash(body: str) -> str:
    """The CSP source expression of an inline script: ``'sha256-<base64>'``."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode() + "'"


def is_own_chart(body: str) -> bool:
    """Whether a script is exactly a chart script tpnb writes (re-rendered from its own spec and div)."""
    found = CHART.match(body)
    return bool(found) and any(chart_script(found.group(2), found.group(1), lang) == body for lang in LANGUAGES)


def policy(page: str, own_scripts: Iterable[str]) -> str:
    """The policy of a page: the hashes of its scripts that are tpnb's own, nothing else."""
    own = set(own_scripts)
    hashes = sorted({script_hash(body) for body in SCRIPT.findall(page) if body in own or is_own_chart(body)})
    if not hashes:
        return STATIC_POLICY
    return STATIC_POLICY.replace(
        "default-src 'none';", f"default-src 'none'; script-src {' '.join(hashes)} 'unsafe-eval';"
    )


def meta_tag(content: str) -> str:
    """The policy as the first element of a page's head."""
    return f'<meta http-equiv="Content-Security-Policy" content="{content}">'


def with_policy(page: str, own_scripts: Iterable[str] = ()) -> str:
    """The page with its policy inserted right after ``<head>`` (before any script)."""
    tag = meta_tag(policy(page, own_scripts))
    head = re.search(r"<head[^>]*>", page, re.I)
    if head is None:
        raise ValueError("a published page must have a <head>")
    return page[: head.end()] + tag + page[head.end() :]
