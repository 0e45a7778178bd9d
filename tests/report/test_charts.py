"""Charts: aggregated frames in, specs out; no chart ever loads vega from a CDN."""

import altair as alt
import polars as pl

from tpnb.report import charts, vega


def test_nps_bars_carry_the_interval_and_translated_labels():
    frame = pl.DataFrame(
        {
            "role": ["decision_maker", "user"],
            "nps": [10.0, 30.0],
            "ci_low": [0.0, 20.0],
            "ci_high": [20.0, 40.0],
            "n": [100, 200],
        }
    )
    spec = charts.nps_bars(frame, "role", "de").to_dict()
    values = spec["data"]["values"]
    assert {v["group_label"] for v in values} == {"Entscheider", "Nutzer"}
    assert spec["layer"][1]["encoding"]["x2"]["field"] == "ci_high"


def test_priority_matrix_keeps_only_touchpoints():
    drivers = pl.DataFrame(
        {
            "label": ["A", "late answer"],
            "importance": [0.1, 0.05],
            "performance": [3.2, None],
            "quadrant": ["fix first", None],
            "quadrant_certainty": [0.9, None],
            "reach": [0.8, None],
        }
    )
    spec = charts.priority_matrix(drivers, "en").to_dict()
    points = spec["layer"][0]["data"]["values"]
    assert [p["label"] for p in points] == ["A"]


def test_report_renderer_never_references_a_cdn_and_notebooks_get_the_bundle_once():
    chart = alt.Chart(alt.Data(values=[{"a": 1}])).mark_point().encode(x="a:Q")
    vega.use_report_renderer(True)
    page_part = chart._repr_mimebundle_()["text/html"]
    spec = vega.spec_json(chart.to_dict())
    assert "vegaEmbed" in page_part and spec in page_part
    code = page_part.replace(spec, "")  # what the page runs, without the chart's data
    assert "http" not in code and "src=" not in code and "<link" not in code
    vega.use_report_renderer(False)
    first, second = chart._repr_mimebundle_()["text/html"], chart._repr_mimebundle_()["text/html"]
    assert "window.vegaEmbed=" in first and "window.vegaEmbed=" not in second
    assert "cdn.jsdelivr" not in first
