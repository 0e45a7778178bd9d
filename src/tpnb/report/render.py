"""An executed report notebook as one offline HTML page: no code, the vega bundle inlined once, a
Content-Security-Policy, and the page's status (a page of gaps only is "no data")."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from tpnb.report.csp import toc_script, with_policy
from tpnb.report.vega import vega_bundle


def render_html(notebook_path: Path, title: str) -> str:
    """Executed notebook -> HTML without code, prompts, parameter cells or stderr."""
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    nb = nbformat.read(str(notebook_path), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [
                o
                for o in cell.get("outputs", [])
                if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
            ]
    nb.metadata["title"] = title
    templates = str(resources.files("tpnb.report") / "templates")
    exporter = HTMLExporter(template_name="tpnb", extra_template_basedirs=[templates])
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    remover = TagRemovePreprocessor(remove_cell_tags={"parameters", "injected-parameters", "remove-cell"})
    exporter.register_preprocessor(remover, enabled=True)
    # the vega bundle (about 0.9 MB) only where a chart needs it
    has_charts = any('class="tpnb-chart' in str(o.get("data", {})) for c in nb.cells for o in c.get("outputs", []))
    bundle, toc = (vega_bundle() if has_charts else ""), toc_script()
    body, _ = exporter.from_notebook_node(nb, resources={"tpnb_vega_bundle": bundle, "tpnb_toc_js": toc})
    return with_policy(body, own_scripts=(bundle, toc) if bundle else (toc,))


# A run publishes its page when it is "ok", or "no data" when every section of it only says what
# data it lacks (the index shows that status; the command does not count it as a failure).
PUBLISHED = ("ok", "no data")


def page_status(page: str) -> str:
    """ "no data" when each content section of the page (all but summary and inputs) is a gap, else "ok"."""
    body = re.sub(r"<script\b.*?</script>", "", page, flags=re.S)  # the vega bundle holds tags too
    sections = body.count("<h2") - 2
    gaps = body.count('class="tpnb-missing"')
    return "no data" if sections > 0 and gaps >= sections else "ok"
