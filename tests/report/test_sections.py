"""Report building blocks: the management summary and the driver cache shared by a refresh."""

import shutil

import duckdb
import polars as pl
import pytest

from tpnb.report import context, sections
from tpnb.report.summary import summary_html


@pytest.fixture
def open_report():
    """``open_report`` whose contexts are closed after the test: another test may open the same
    database with other engine settings, which DuckDB refuses while a connection is open."""
    opened = []

    def open_(*args, **kwargs):
        opened.append(context.open_report(*args, **kwargs))
        return opened[-1]

    yield open_
    for ctx in opened:
        ctx.close()


def test_summary_names_nps_touchpoints_targets_and_the_service_problem(demo_db, open_report):
    ctx = open_report(str(demo_db[0]), language="en")
    text = summary_html(ctx)
    # fitted on the page's period, delivery (improved by the logistics measure) is rated above the
    # median: keep up, not act first (on every period's data it was act first: issue 14)
    act_first = text.split("Act first on:", 1)[1].split("</li>", 1)[0]
    assert "<strong>NPS " in text and act_first.startswith(" <strong>Invoice</strong>")
    assert "Delivery" not in act_first
    assert "Measures that worked: Neuer Logistikpartner" in text
    assert "Biggest service-chain problem" in text
    # the demo's change is far beyond chance: its p-value is "< 0.001", never "0.000"
    assert "a significant change, p &lt; 0.001)" in text and "p = 0.000" not in text


def test_driver_results_are_shared_until_the_database_changes(demo_db, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    db = tmp_path / "copy.duckdb"
    shutil.copy(demo_db[0], db)
    with context.open_report(str(db)) as ctx:  # closed before the database is written below
        first = ctx.drivers("nps", bootstrap=5)
    files = list((tmp_path / "cache" / "tpnb" / "drivers").glob("*.pickle"))
    assert len(files) == 1
    with context.open_report(str(db)) as ctx:
        again = ctx.drivers("nps", bootstrap=5)
    assert again.drivers.equals(first.drivers)
    assert len(list(files[0].parent.glob("*.pickle"))) == 1  # read, not recomputed
    con = duckdb.connect(str(db))
    con.execute("delete from mart_responses where segment = 'Kleinkunde'")
    con.close()
    with context.open_report(str(db)) as ctx:
        changed = ctx.drivers("nps", bootstrap=5)
    assert changed.n < first.n
    assert len(list(files[0].parent.glob("*.pickle"))) == 2


REPORT_SECTIONS = {
    "overview": lambda s, ctx: [
        s.nps_trend(ctx),
        s.nps_by(ctx, "role"),
        s.touchpoint_ratings(ctx),
        s.nps_by_touchpoint(ctx, "phase"),
        s.verbatims(ctx),
    ],
    "drivers": lambda s, ctx: [
        s.priority_matrix(ctx),
        s.nps_drivers(ctx),
        s.outcome_drivers(ctx, "repurchase"),
        s.drivers_by_role(ctx),
        s.diagnostics(ctx),
    ],
    "service_chain": lambda s, ctx: [
        s.service.kpis(ctx),
        s.service.kpis_by(ctx, "channel"),
        s.service.channels(ctx),
        s.service.trends(ctx),
        s.service.loyalty(ctx),
    ],
    "targets_measures": lambda s, ctx: [s.targets(ctx), s.measures(ctx)],
}


@pytest.mark.parametrize("language", ["de", "en"])
def test_every_section_of_every_report_renders_in_the_page_language(
    demo_db, language, monkeypatch, tmp_path, open_report
):
    from tpnb.report import sections

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    ctx = open_report(str(demo_db[0]), language=language)
    for report, build in REPORT_SECTIONS.items():
        page = [sections.title(ctx, report), sections.summary(ctx), *build(sections, ctx), sections.inputs(ctx)]
        text = "".join(s.html_text() for s in page)
        assert all(s.title for s in page), report
        other = {"de": ("Management summary", "Inputs of this report"), "en": ("Zusammenfassung", "Eingaben")}
        assert not any(word in text for word in other[language]), report
        if report == "targets_measures":
            assert ("Soll" if language == "de" else "Target") in text


def test_a_filter_with_too_few_responses_says_so_in_each_driver_section(demo_db, monkeypatch, tmp_path, open_report):
    from tpnb.report import sections
    from tpnb.warehouse import read

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    con = duckdb.connect(str(demo_db[0]), read_only=True)
    account = read.dimension_values(con, "account_id")[0]
    con.close()
    ctx = open_report(str(demo_db[0]), account=account, language="de")
    for section in (sections.priority_matrix(ctx), sections.nps_drivers(ctx), sections.diagnostics(ctx)):
        assert "zu wenige für ein Modell" in section.html_text()
    assert "Zuerst handeln" not in summary_html(ctx)  # no model, no advice


@pytest.mark.parametrize(
    ("language", "prefix", "age"), [("de", "Veraltete Daten", "Tage alt"), ("en", "Stale data", "days old")]
)
def test_stale_data_is_flagged_in_the_page_language_only(
    demo_db, language, prefix, age, tmp_path, monkeypatch, open_report
):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    ctx = open_report(str(demo_db[0]), language=language, as_of="2030-01-01")
    text = summary_html(ctx)
    assert f"<strong>{prefix}:</strong>" in text and age in text
    assert text.count("Stale data") + text.count("Veraltete Daten") == 1


def test_the_driver_model_is_fitted_on_the_pages_period(demo_db, open_report):
    with open_report(str(demo_db[0]), period_start="2026-04-01", period_end="2026-09-30") as ctx:
        in_period = ctx.responses.filter(pl.col("nps").is_not_null()).height
        result = ctx.drivers("nps")
        assert result.n == in_period < ctx.all_responses.filter(pl.col("nps").is_not_null()).height
        assert result.diagnostics["data_scope"]["scope"] == "period"
        statement = sections.nps_drivers(ctx).html_text()
    assert "alle Zeiträume" not in statement


def test_a_period_too_small_for_a_model_says_which_data_the_model_used(demo_db, open_report):
    with open_report(str(demo_db[0]), period_start="2026-06-01", period_end="2026-06-02") as ctx:
        result = ctx.drivers("nps")
        scope = result.diagnostics["data_scope"]
        assert scope["scope"] == "all periods" and scope["period_n"] == ctx.responses.height < scope["required"]
        assert result.n == ctx.all_responses.filter(pl.col("nps").is_not_null()).height
        statement = sections.nps_drivers(ctx).html_text()
    assert "Im Zeitraum des Berichts zu wenige Antworten" in statement and "alle Zeiträume" in statement


def test_nps_by_phase_on_the_page_counts_each_respondent_once(demo_db, open_report):
    from tpnb.report.sections.overview import nps_table

    with open_report(str(demo_db[0])) as ctx:
        table, _, _ = nps_table(ctx, "phase")
        experienced = ctx.ratings.filter(pl.col("is_experienced") & pl.col("nps").is_not_null())
        expected = dict(experienced.group_by("phase").agg(pl.col("response_id").n_unique()).iter_rows())
    assert dict(table.select("phase", "n").iter_rows()) == expected
    assert max(expected.values()) <= ctx.responses.height


def test_repurchase_shares_state_their_own_n_and_interval(demo_db, open_report):
    from tpnb.report.sections import service

    with open_report(str(demo_db[0])) as ctx:
        html_text = service.loyalty(ctx).html_text()
        frame = ctx.responses.with_columns(pl.col("had_complaint").fill_null(0))
        known = frame.filter(pl.col("had_complaint") == 1)["repurchased"].drop_nulls()
        answered = frame.filter(pl.col("had_complaint") == 1).height
    assert 0 < known.len() < answered  # some windows have not passed yet
    import re

    rows = [r for r in html_text.split("<tr") if "Reklamation" in r and ">ja<" in r]
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", rows[0])
    assert f"{known.len():,}".replace(",", ".") in cells  # n (Wiederkauf), not the NPS n
    assert "n (Wiederkauf)" in html_text and "Intervall nach Wilson" in html_text


def test_a_ceiling_of_nps_answers_is_named_under_the_drivers(demo_db, open_report):
    with open_report(str(demo_db[0])) as ctx:
        at_bound = ctx.responses.filter(pl.col("nps").is_not_null())["nps"].is_in([0, 10]).mean()
        html_text = sections.nps_drivers(ctx).html_text()
    assert at_bound > 0.2
    assert "der Antworten liegen bei 0 oder 10" in html_text and "Wirkung × Reichweite" in html_text


def test_verbatims_are_grouped_by_nps_category_with_their_own_dates_and_counts(demo_db, open_report):
    from tpnb.report.sections.overview import verbatims

    with open_report(str(demo_db[0])) as ctx:
        html_text = verbatims(ctx).html_text()
        commented = ctx.responses.filter(pl.col("comment").is_not_null() & pl.col("nps").is_not_null())
        critics = commented.filter(pl.col("nps") <= 6).sort("answered_at", descending=True)
    assert f"Kritiker (0-6): {critics.height} Kommentare im Zeitraum, die 4 neuesten" in html_text
    newest = critics["answered_at"][0]
    assert f"{newest:%d.%m.%Y}" in html_text  # German dates, the group's own newest first
    assert html_text.index("Kritiker (0-6)") < html_text.index("Passive (7-8)") < html_text.index("Promotoren (9-10)")


def test_targets_score_complete_quarters_of_the_period_with_names_and_shares(demo_db, open_report):
    with open_report(str(demo_db[0]), period_start="2026-03-30", period_end="2026-09-28") as ctx:
        html_text = sections.targets(ctx).html_text()
    assert "2026-Q2" in html_text and "2026-Q3" not in html_text  # Q3 ends after the period
    assert "Delivery / logistics partner" in html_text and ">delivery<" not in html_text
    assert "\xa0%" in html_text  # the callback share as a share, not 0,47


def test_targets_and_measures_are_drawn(demo_db, open_report):
    from tpnb.report.blocks import Section

    with open_report(str(demo_db[0])) as ctx:
        parts = sections.targets(ctx).parts + sections.measures(ctx).parts
        measures_text = sections.measures(ctx).html_text()
    charts = [p for p in parts if hasattr(p, "to_dict")]
    assert len(charts) == 2 and not isinstance(charts[0], Section)
    bullet, forest = (c.to_dict() for c in charts)
    assert bullet["title"] == "Ist in % des Solls" and forest["title"] == "Wirkung auf die mittlere Bewertung"
    assert "Delivery / logistics partner" in measures_text  # names, not ids


def test_benjamini_hochberg_from_tpnb_yaml_is_named_on_the_page(demo_db, open_report):
    from dataclasses import replace

    from tests.conftest import REPO
    from tpnb.report.sections.overview import nps_by
    from tpnb.settings import load_settings

    base = load_settings(REPO)
    settings = replace(base, analysis=replace(base.analysis, p_adjustment="bh"))
    ctx = open_report(str(demo_db[0]), language="en", settings=settings)
    page = nps_by(ctx, "segment").html_text()
    assert "p (BH)" in page and "Benjamini-Hochberg" in page and "Holm" not in page
