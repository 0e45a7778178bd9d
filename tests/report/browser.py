"""Debian's chromium, headless, as a reader's browser: the rendered DOM of a page, offline."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        if os.environ.get("CI"):
            pytest.fail("chromium is required for the browser tests in CI (make browser installs it)")
        pytest.skip("chromium not installed (make browser)")
    return path


def dump_dom(page: Path, profile: Path, budget_ms: int = 15000) -> str:
    """The DOM after the page's scripts ran (no network: the proxy is a closed port)."""
    return subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--proxy-server=127.0.0.1:9",
            "--proxy-bypass-list=<-loopback>",
            f"--virtual-time-budget={budget_ms}",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout


def drawn_charts(dom: str) -> list[tuple[str, bool]]:
    """(chart id, drawn) for every chart container: drawn means an SVG with marks and no failure."""
    charts = re.findall(r'<div class="tpnb-chart[^"]*" id="([^"]+)"[^>]*>(.*?)</div>\s*<script', dom, re.S)
    return [(cid, "<svg" in inner and "Chart failed" not in inner) for cid, inner in charts]
