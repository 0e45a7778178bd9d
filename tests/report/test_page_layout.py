"""Published pages as a manager's browser shows them: Debian's Chromium, driven by Playwright, at a
desktop width (1400 px) and a phone (390 px, mobile viewport). Each page: every chart drawn, no mark
outside its chart's plot area, no sideways scrolling of the page, every table wider than the screen
inside its own scroll container, and one language only."""

from __future__ import annotations

import re
import shutil

import duckdb
import pytest

from tests.conftest import DEMO_AS_OF, REPO
from tpnb import demo, warehouse
from tpnb.ingest import ingest_sources, load_sources
from tpnb.report import runs
from tpnb.settings import load_settings

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium")
WIDTHS = {"desktop": {"width": 1400, "height": 900}, "phone": {"width": 390, "height": 844}}
# Words of the other language's interface, and raw values, that must not show on a page.
NOT_ON_GERMAN_PAGES = (
    "straight-liners",
    "converged",
    "quadrant lines",
    "Loads:",
    "Data as of",
    "Stale data",
    "fix first",
    "keep up",
    "low priority",
    "maintain",
    "clustered by account",
    "respondents drawn",
    "notes",
)
NOT_ON_ENGLISH_PAGES = ("Zuerst handeln", "Kontaktpunkt", "Zeitraum", "Befragte", "Abteilung", "zuletzt")
RAW = re.compile(r"\b(None|True|False|NaN|nan)\b|\b[a-z]+_[a-z_]+\b")
RAW_ALLOWED = {"min_n", "tpnb_ingest"}  # names a reader is told to use (settings, commands)


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, list]:
    """The four reports of the demo and of a surveys-only data set, in German, and the demo's overview
    in English: (label, path, language)."""
    out: dict[str, list] = {}
    for name, kinds in (("demo", None), ("surveys_only", ("touchpoints", "surveys"))):
        folder = tmp_path_factory.mktemp(name)
        config = demo.write_sources(demo.generate(seed=5, customers=1200, as_of=DEMO_AS_OF), folder / "src")
        db = folder / "tpnb.duckdb"
        con = duckdb.connect(str(db))
        sources = [s for s in load_sources(config) if kinds is None or s.kind in kinds]
        ingest_sources(con, sources)
        warehouse.build(con, load_settings(REPO))
        con.close()
        declared = (REPO / "reports.yaml").read_text(encoding="utf-8").replace("notebooks/", f"{REPO}/notebooks/")
        if name == "demo":
            declared = declared.replace(
                '  - name: "overview_{segment}"',
                "  - name: overview_en\n    title: Touchpoints\n    notebook: "
                f"{REPO}/notebooks/01_touchpoint_overview.ipynb\n    parameters: {{language: en}}\n"
                '  - name: "overview_{segment}"',
            )
        (folder / "reports.yaml").write_text(declared, encoding="utf-8")
        outcomes = runs.run_reports(folder / "reports.yaml", REPO, db, folder / "reports", jobs=2, progress=False)
        out[name] = [
            (f"{name}/{o.name}", folder / "reports" / f"{o.name}.html", "en" if o.name.endswith("_en") else "de")
            for o in outcomes
        ]
        out[name].append((f"{name}/index", folder / "reports" / "index.html", "en"))
    return out


MEASURE = """
() => {
  const out = {overflow: document.documentElement.scrollWidth - window.innerWidth, charts: [], tables: [], text: ''};
  for (const box of document.querySelectorAll('.tpnb-chart')) {
    const svg = box.querySelector('svg');
    const chart = {id: box.id, drawn: !!svg, marks: 0, outside: []};
    if (svg) {
      const domains = [...svg.querySelectorAll('.role-axis-domain line, .role-axis-domain path')]
        .map(e => e.getBoundingClientRect());
      const xs = domains.filter(r => r.width >= r.height), ys = domains.filter(r => r.height > r.width);
      const area = {
        left: ys.length ? Math.min(...ys.map(r => r.left)) : -Infinity,
        right: xs.length ? Math.max(...xs.map(r => r.right)) : Infinity,
        top: ys.length ? Math.min(...ys.map(r => r.top)) : -Infinity,
        bottom: xs.length ? Math.max(...xs.map(r => r.bottom)) : Infinity,
      };
      const marks = svg.querySelectorAll('.role-mark.mark-rect path, .role-mark.mark-symbol path, .role-mark.mark-rule line, .role-mark.mark-line path');
      chart.marks = marks.length;
      for (const m of marks) {
        if (m.closest('.role-legend')) continue;
        let r = m.getBoundingClientRect();
        if (r.width === 0 && r.height === 0) continue;
        if (m.closest('.mark-symbol')) {  // a point counts by its centre: its radius may cross the axis
          const x = (r.left + r.right) / 2, y = (r.top + r.bottom) / 2;
          r = {left: x, right: x, top: y, bottom: y};
        }
        if (r.left < area.left - 1.5 || r.right > area.right + 1.5 || r.top < area.top - 1.5 || r.bottom > area.bottom + 1.5)
          chart.outside.push([Math.round(r.left), Math.round(r.right), Math.round(area.left), Math.round(area.right)]);
      }
    }
    out.charts.push(chart);
  }
  for (const t of document.querySelectorAll('table')) {
    const wide = t.scrollWidth > window.innerWidth;
    let scroller = null;
    for (let e = t.parentElement; e && e !== document.body; e = e.parentElement) {
      const s = getComputedStyle(e).overflowX;
      if ((s === 'auto' || s === 'scroll') && e.clientWidth <= window.innerWidth) { scroller = e; break; }
    }
    out.tables.push({wide, scrolls: !!scroller});
  }
  out.misaligned = [...document.querySelectorAll('.tpnb-table td.txt')]
    .filter(e => !['left', 'start'].includes(getComputedStyle(e).textAlign)).length;
  out.text = document.body.innerText;
  out.axis = [...document.querySelectorAll('.role-axis-label text')].map(t => t.textContent);
  return out;
}
"""


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (make browser)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        yield b
        b.close()


def _measure(browser, path, size: str) -> dict:
    context = browser.new_context(viewport=WIDTHS[size], is_mobile=size == "phone", has_touch=size == "phone")
    page = context.new_page()
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)
    result = page.evaluate(MEASURE)
    context.close()
    return result


@pytest.mark.parametrize("data", ["demo", "surveys_only"])
@pytest.mark.parametrize("size", list(WIDTHS))
def test_every_page_draws_its_charts_inside_and_fits_the_screen(pages, browser, data, size):
    problems = []
    for label, path, _ in pages[data]:
        got = _measure(browser, path, size)
        if got["misaligned"]:
            problems.append(f"{label}: {got['misaligned']} text cells not left-aligned")
        if got["overflow"] > 1:
            problems.append(f"{label}: the page scrolls sideways by {got['overflow']} px")
        for chart in got["charts"]:
            if not chart["drawn"] or chart["marks"] == 0:
                problems.append(f"{label}: chart {chart['id']} not drawn")
            elif chart["outside"]:
                problems.append(
                    f"{label}: chart {chart['id']} draws marks outside its plot area {chart['outside'][:2]}"
                )
        for i, table in enumerate(got["tables"]):
            if table["wide"] and not table["scrolls"]:
                problems.append(f"{label}: table {i + 1} is wider than the screen and not in a scroll container")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("data", ["demo", "surveys_only"])
def test_every_page_speaks_one_language_without_raw_values(pages, browser, data):
    problems = []
    for label, path, language in pages[data]:
        if label.endswith("/index"):
            continue  # the index shows parameters as reports.yaml writes them (period_start = ...)
        text = _measure(browser, path, "desktop")["text"]
        foreign = NOT_ON_GERMAN_PAGES if language == "de" else NOT_ON_ENGLISH_PAGES
        problems += [f"{label}: '{word}'" for word in foreign if re.search(rf"\b{re.escape(word)}\b", text)]
        raw = {m.group(0) for m in RAW.finditer(text)} - RAW_ALLOWED
        problems += [f"{label}: raw value '{r}'" for r in sorted(raw)]
    assert not problems, "\n".join(problems)


def test_german_charts_write_numbers_and_months_in_german(pages, browser):
    labels = []
    for label, path, language in pages["demo"]:
        if language == "de" and not label.endswith("/index"):
            labels += _measure(browser, path, "desktop")["axis"]
    decimals = [t for t in labels if re.fullmatch(r"-?\d+[.,]\d+", t)]
    assert decimals and all("," in t for t in decimals), decimals[:10]
    english_months = {"January", "February", "March", "May", "June", "July", "October", "December"}
    assert not english_months & set(labels)
    assert {"Januar", "Februar", "März", "Oktober", "Dezember", "Juli", "Juni", "Mai"} & set(labels)
