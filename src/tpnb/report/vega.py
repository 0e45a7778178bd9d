"""Charts without a network: the vega bundle (from vl-convert) and the renderers that embed charts.

In a published page the page inlines the bundle once (``runs.render_html``)
and each chart is a div plus a vegaEmbed call; in JupyterLab the first
chart of a session carries the bundle.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path

import altair as alt

from tpnb.report.i18n import vega_locale

VEGA_LITE_VERSION = "6.4"


@lru_cache(maxsize=1)
def vega_bundle() -> str:
    """vega + vega-lite + vega-embed as one script (from vl-convert: no network).

    Bundling takes vl-convert over a second, so the result is cached on disk
    per vl-convert version (every report run of a fan-out would pay it again).
    """
    import vl_convert

    cache_root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tpnb"
    cache = cache_root / f"vega-bundle-{vl_convert.__version__}-vl{VEGA_LITE_VERSION}.js"
    try:
        return cache.read_text(encoding="utf-8")
    except OSError:
        pass
    bundle = vl_convert.javascript_bundle(vl_version=VEGA_LITE_VERSION).replace("</script", "<\\/script")
    try:
        cache_root.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(bundle, encoding="utf-8")
        os.replace(tmp, cache)
    except OSError:  # a read-only home still gets its reports, only slower
        pass
    return bundle


_counter = {"n": 0}


def spec_json(spec: dict) -> str:
    """The spec as JSON that is safe inside a script element: ``<``, ``>`` and ``&`` as unicode escapes,
    so no value (``</script>``, ``<!--``) can end the script or change how the page parses it."""
    return json.dumps(spec).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


_language = {"current": "de"}


def set_language(language: str) -> None:
    """The language whose number and date formats the charts of this kernel use."""
    _language["current"] = language


LANGUAGES = ("de", "en")


def embed_options(language: str) -> str:
    """vegaEmbed's options: SVG, no action menu, and the formats of the report's language."""
    options = {"actions": False, "renderer": "svg", **vega_locale(language)}
    return spec_json(options)


def chart_script(div_id: str, payload: str, language: str | None = None) -> str:
    """The script that draws one chart: ``payload`` (from ``spec_json``) into the div ``div_id``, with the
    number and date formats of ``language`` (default: the kernel's, see ``set_language``)."""
    options = embed_options(language or _language["current"])
    return (
        "(function(){var spec=" + payload + ";"
        "function draw(){if(window.vegaEmbed){window.vegaEmbed('#" + div_id + "',spec," + options + ")"
        ".catch(function(e){var el=document.getElementById('" + div_id + "');el.textContent='Chart failed: '+e;"
        "el.setAttribute('data-error','1');});}else{setTimeout(draw,25);}}draw();})();"
    )


def responsive(spec: dict) -> dict:
    """A chart of a fixed width fills its container instead (a phone's screen, a desktop's column)."""
    if isinstance(spec.get("width"), int | float):
        return {**spec, "width": "container", "autosize": {"type": "fit-x", "contains": "padding"}}
    return spec


def report_html(spec: dict) -> str:
    """A chart as a div + a vegaEmbed call; the page provides vegaEmbed. It fills the page's width."""
    spec = responsive(spec)
    _counter["n"] += 1
    digest = hashlib.sha1(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:8]
    div = f"tpnb-chart-{_counter['n']}-{digest}"
    return f'<div class="tpnb-chart" id="{div}"></div>\n<script>{chart_script(div, spec_json(spec))}</script>'


def _report_renderer(spec: dict, **_kwargs) -> dict:
    return {"text/html": report_html(spec)}


_bundle_sent = {"done": False}


def _notebook_renderer(spec: dict, **_kwargs) -> dict:
    """In JupyterLab: the first chart carries the vega bundle, so charts render offline too."""
    html = report_html(spec)
    if not _bundle_sent["done"]:
        html = f"<script>{vega_bundle()}</script>\n" + html
        _bundle_sent["done"] = True
    return {"text/html": html}


alt.renderers.register("tpnb_report", _report_renderer)
alt.renderers.register("tpnb_notebook", _notebook_renderer)


def use_report_renderer(enabled: bool = True) -> None:
    """Charts never load vega from a CDN: in published reports the page inlines the bundle once
    (``tpnb.report.runs``); in JupyterLab the first chart of the session carries it."""
    _bundle_sent["done"] = False
    alt.renderers.enable("tpnb_report" if enabled else "tpnb_notebook")
