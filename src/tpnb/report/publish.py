"""Publish finished runs atomically, keep the last good page on failure, archive, and write the index."""

from __future__ import annotations

import html
import os
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from tpnb.report.csp import STATIC_POLICY, meta_tag

if TYPE_CHECKING:
    from tpnb.report.runs import RunOutcome

# The index and failure pages run no script at all.
NO_SCRIPTS = meta_tag(STATIC_POLICY)
VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'


def publish(outcome: RunOutcome, reports_dir: Path, archive_day: date) -> RunOutcome:
    """Move a finished run into place; on failure keep the last good HTML."""
    runs_dir = reports_dir / "runs"
    archive = reports_dir / "archive" / archive_day.isoformat()
    runs_dir.mkdir(parents=True, exist_ok=True)
    archive.mkdir(parents=True, exist_ok=True)
    final_html = reports_dir / f"{outcome.name}.html"
    failure_page = reports_dir / f"{outcome.name}.failed.html"
    if outcome.notebook:
        os.replace(outcome.notebook, runs_dir / f"{outcome.name}.ipynb")
        outcome.notebook = str((runs_dir / f"{outcome.name}.ipynb").relative_to(reports_dir))
    if outcome.status in ("ok", "no data"):
        copy_atomic(Path(outcome.html), archive / f"{outcome.name}.html")
        os.replace(outcome.html, final_html)
        outcome.html = final_html.name
        failure_page.unlink(missing_ok=True)
    else:
        tmp = failure_page.with_suffix(".tmp")
        published = datetime.fromtimestamp(final_html.stat().st_mtime) if final_html.exists() else None
        tmp.write_text(failure_html(outcome, published), encoding="utf-8")
        os.replace(tmp, failure_page)
        outcome.html = final_html.name if final_html.exists() else None
    return outcome


def copy_atomic(source: Path, target: Path) -> None:
    """Copy through a temporary file beside the target: a full disk leaves no half-written page."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def failure_html(outcome: RunOutcome, published: datetime | None) -> str:
    """The page published beside the last good report when a run failed, in the report's language:
    what failed, since when the published page is older, what an operator should check; the
    traceback folded below."""
    from tpnb.report.i18n import fmt_date, text

    lang = str(outcome.parameters.get("language", "de"))
    lang = lang if lang in ("de", "en") else "de"
    error = (outcome.error or "").strip()
    last_line = error.splitlines()[-1] if error else "–"
    kept = text("failed.kept", lang, published=fmt_date(published, lang)) if published else text("failed.none", lang)
    when = outcome.finished_at.replace("T", " ")
    return (
        f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'>{NO_SCRIPTS}{VIEWPORT}"
        f"<title>{html.escape(text('failed.title', lang, title=outcome.title))}</title></head>"
        "<body style='font-family:system-ui,sans-serif;max-width:900px;margin:2rem auto;padding:0 1rem'>"
        f"<h1>{html.escape(text('failed.title', lang, title=outcome.title))}</h1>"
        f"<p>{html.escape(text('failed.when', lang, when=when))} {html.escape(kept)}</p>"
        f"<p><strong>{html.escape(text('failed.what', lang, error=last_line))}</strong></p>"
        f"<p>{html.escape(text('failed.check', lang, name=outcome.name))}</p>"
        f"<details><summary>{html.escape(text('failed.details', lang))}</summary>"
        f"<pre style='white-space:pre-wrap;background:#fee;padding:1rem'>{html.escape(error)}</pre></details>"
        f"<p><a href='index.html'>{html.escape(text('failed.index', lang))}</a></p></body></html>"
    )


def prune_archive(reports_dir: Path, retention_days: int, today: date) -> list[str]:
    """Remove archived runs older than ``retention_days``; returns the days removed."""
    removed = []
    archive = reports_dir / "archive"
    if not archive.is_dir():
        return removed
    for folder in sorted(archive.iterdir()):
        try:
            day = date.fromisoformat(folder.name)
        except ValueError:
            continue
        if day < today - timedelta(days=retention_days):
            shutil.rmtree(folder)
            removed.append(folder.name)
    return removed


def write_index(reports_dir: Path, statuses: dict[str, dict], language: str = "de") -> Path:
    """reports/index.html, in the reports' language: every report with the date of the page that is
    published, parameters, data as of, last run and status."""
    from tpnb.report.i18n import text

    lang = language if language in ("de", "en") else "de"
    rows = []
    for name in sorted(statuses):
        s = statuses[name]
        link = (
            f"<a href='{html.escape(s['html'])}'>{html.escape(s['title'])}</a>"
            if s.get("html")
            else html.escape(s["title"])
        )
        failed = (
            f" · <a href='{html.escape(name)}.failed.html'>{html.escape(text('index.error', lang))}</a>"
            if s["status"] == "failed"
            else ""
        )
        params = ", ".join(f"{k} = {v}" for k, v in sorted(s.get("parameters", {}).items()))
        color = {"ok": "#2ca02c", "no data": "#b07d00"}.get(s["status"], "#d62728")
        status_word = text(f"status.{s['status']}", lang) if s["status"] in ("ok", "no data", "failed") else s["status"]
        rows.append(
            f"<tr><td>{link}</td><td>{html.escape((s.get('published_at') or '–').replace('T', ' '))}</td>"
            f"<td>{html.escape(params)}</td><td>{html.escape(s.get('data_as_of') or '–')}</td>"
            f"<td>{html.escape(s['finished_at'].replace('T', ' '))} ({s['seconds']} s)</td>"
            f"<td style='color:{color}' data-status='{html.escape(s['status'])}'>{html.escape(status_word)}{failed}</td></tr>"
        )
    archive = reports_dir / "archive"
    days = sorted((p.name for p in archive.iterdir() if p.is_dir()), reverse=True) if archive.is_dir() else []
    archive_links = " · ".join(
        " ".join(
            f"<a href='archive/{d}/{html.escape(f.name)}'>{d}/{html.escape(f.stem)}</a>"
            for f in sorted((archive / d).glob("*.html"))
        )
        for d in days[:30]
    )
    head = "".join(
        f"<th>{html.escape(text(k, lang))}</th>"
        for k in (
            "index.report",
            "index.published",
            "index.parameters",
            "index.data_as_of",
            "index.run",
            "index.status",
        )
    )
    page = f"""<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">{NO_SCRIPTS}{VIEWPORT}<title>tpnb – {html.escape(text("index.title", lang))}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:1100px;margin:2rem auto;padding:0 1rem}}
table{{border-collapse:collapse;width:100%}}td,th{{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;vertical-align:top}}
th{{background:#f3f3f3}}</style></head><body>
<h1>tpnb – {html.escape(text("index.title", lang))}</h1>
<div style="overflow-x:auto"><table><thead><tr>{head}</tr></thead>
<tbody>{"".join(rows)}</tbody></table></div>
<h2>{html.escape(text("index.archive", lang))}</h2><p>{archive_links or "–"}</p>
<p style="color:#777">{html.escape(text("index.generated", lang, when=f"{datetime.now():%Y-%m-%d %H:%M}"))}</p></body></html>"""
    tmp = reports_dir / "index.html.tmp"
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, reports_dir / "index.html")
    return reports_dir / "index.html"
