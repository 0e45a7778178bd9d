"""Reports built from a hostile data set: every text field carries script, event-handler, javascript:
link, HTML comment and template payloads. Nothing runs, no link is live, every chart still draws."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import duckdb
import polars as pl
import pytest

from tests.conftest import DEMO_AS_OF, REPO
from tests.report.browser import drawn_charts, dump_dom
from tpnb import demo, warehouse
from tpnb.ingest import ingest_sources, load_sources
from tpnb.report import runs
from tpnb.report.csp import is_own_chart, toc_script
from tpnb.report.vega import vega_bundle
from tpnb.settings import load_settings


def mark(how: str) -> str:
    """Script that, if it ever ran, would leave a trace in the DOM."""
    return f"document.documentElement.setAttribute('data-pwned','{how}')"


PAYLOADS = {
    "script": f"<script>{mark('script')}</script>",
    "handler": f'<img src=x onerror="{mark("handler")}">',
    "link": f"[Invoice](javascript:{mark('link')})",
    "comment": "Website <!--<script>",
    "template": "{{7*7}} ${7*7} {% raw %} </script><script>" + mark("template") + "</script>",
}


def _hostile(data: demo.DemoData) -> demo.DemoData:
    names = dict(zip(["delivery", "invoice", "website", "hotline", "portal"], PAYLOADS.values(), strict=True))
    data.touchpoints = data.touchpoints.with_columns(
        pl.col("touchpoint_id").replace_strict(names, default=pl.col("name"), return_dtype=pl.String).alias("name")
    )
    data.customers = data.customers.with_columns(
        pl.col("segment").replace({"Key Account": "Key " + PAYLOADS["script"], "Kleinkunde": PAYLOADS["link"]}),
        pl.col("region").replace({"Nord": PAYLOADS["handler"], "Süd": PAYLOADS["comment"]}),
    )
    payloads = list(PAYLOADS.values())
    data.surveys = data.surveys.with_columns(
        pl.when(pl.col("comment").is_not_null())
        .then(pl.Series([payloads[i % len(payloads)] for i in range(data.surveys.height)]))
        .alias("comment")
    )
    data.measures = data.measures.with_columns(pl.lit(PAYLOADS["handler"]).alias("title"))
    return data


@pytest.fixture(scope="module")
def hostile_reports(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    config = demo.write_sources(_hostile(demo.generate(seed=11, customers=1500, as_of=DEMO_AS_OF)), folder / "src")
    db = folder / "tpnb.duckdb"
    con = duckdb.connect(str(db))
    ingest_sources(con, load_sources(config))
    warehouse.build(con, load_settings(REPO))
    con.close()
    out = folder / "reports"
    runs_yaml = folder / "reports.yaml"
    declared = (REPO / "reports.yaml").read_text(encoding="utf-8").replace("notebooks/", f"{REPO}/notebooks/")
    runs_yaml.write_text(declared.replace("enabled: false", "enabled: true"), encoding="utf-8")
    outcomes = runs.run_reports(runs_yaml, REPO, db, out, jobs=2, progress=False)
    return out, outcomes


def test_every_hostile_report_runs_and_publishes(hostile_reports):
    out, outcomes = hostile_reports
    assert [o.status for o in outcomes] == ["ok"] * len(outcomes), [o.error for o in outcomes if o.error]
    assert len(outcomes) == 4 + 3  # the four reports and one per segment
    assert len({o.name for o in outcomes}) == len(outcomes)


class _Markup(HTMLParser):
    """Every element with its attributes, and the text of every script element."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag):
        self._in_script = False if tag == "script" else self._in_script

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def test_no_payload_reaches_a_page_as_markup(hostile_reports):
    out, _ = hostile_reports
    pages = sorted(out.glob("*.html"))
    assert len(pages) >= 8  # the reports and the index
    own = {vega_bundle(), toc_script()}
    for page in pages:
        text = page.read_text(encoding="utf-8")
        markup = _Markup()
        markup.feed(text)
        for tag, attrs in markup.tags:
            for name, value in attrs:
                assert "data-pwned" not in (value or ""), f"{page.name}: <{tag} {name}> carries a payload"
                assert not (value or "").strip().lower().startswith("javascript:"), (
                    f"{page.name}: live javascript: link"
                )
        for script in markup.scripts:  # the bundle, the contents and charts tpnb wrote: nothing else
            assert script in own or is_own_chart(script), f"{page.name}: a script tpnb did not write: {script[:80]}"
        assert '<meta http-equiv="Content-Security-Policy"' in text, page.name
        assert "data-pwned" in text or page.name == "index.html"  # the payloads are there, as text


@pytest.mark.browser
def test_nothing_runs_and_every_chart_draws_in_a_real_browser(hostile_reports, tmp_path):
    out, outcomes = hostile_reports
    for outcome in outcomes:
        dom = dump_dom(out / f"{outcome.name}.html", tmp_path / outcome.name)
        html_tag = re.search(r"<html[^>]*>", dom).group(0)
        assert "data-pwned" not in html_tag, f"{outcome.name}: a payload ran ({html_tag})"
        charts = drawn_charts(dom)
        assert all(drawn for _, drawn in charts), f"{outcome.name}: charts not drawn: {charts}"
        if outcome.name == "overview":
            assert len(charts) >= 5
    index = dump_dom(out / "index.html", tmp_path / "index")
    assert "data-pwned" not in re.search(r"<html[^>]*>", index).group(0)


@pytest.mark.browser
def test_the_policy_blocks_a_script_the_page_did_not_write(hostile_reports, tmp_path):
    # defence in depth: a script smuggled into a page after publishing does not run
    out, _ = hostile_reports
    page = (out / "overview.html").read_text(encoding="utf-8")
    tampered = tmp_path / "tampered.html"
    head, tail = page.rsplit("</body>", 1)  # the page's own end (the bundle's code holds the word too)
    tampered.write_text(f"{head}<script>{mark('smuggled')}</script></body>{tail}", encoding="utf-8")
    dom = dump_dom(tampered, tmp_path / "profile")
    assert "data-pwned" not in re.search(r"<html[^>]*>", dom).group(0)
    assert all(drawn for _, drawn in drawn_charts(dom))
    # the control: without the policy the same smuggled script runs, so the check above can fail
    unguarded = tmp_path / "unguarded.html"
    unguarded.write_text(re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", tampered.read_text()))
    dom = dump_dom(unguarded, tmp_path / "profile-unguarded")
    assert 'data-pwned="smuggled"' in re.search(r"<html[^>]*>", dom).group(0)
