"""The README's images, taken from the published demo reports in Debian's headless Chromium.

    make screenshots            # runs `make demo` first when reports/ has no pages
    python docs/screenshots.py --reports reports --out docs

Each image is a page as a reader sees it: the key-driver report on a desktop (1400 px wide)
and the overview on a phone (390 px). The browser is the system's (nothing is downloaded)
and has no network: what the image shows is what an offline reader gets.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

# (page, image, viewport width, viewport height, how much of the page: its top in CSS pixels)
SHOTS = (
    ("drivers.html", "drivers-report.png", 1400, 900, 1700),
    ("overview.html", "overview-phone.png", 390, 844, 1500),
)


def take(reports: Path, out: Path) -> list[Path]:
    """Write every image of ``SHOTS`` into ``out``; returns their paths."""
    from playwright.sync_api import sync_playwright

    browser_path = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser_path is None:
        sys.exit("chromium is missing: `make browser` installs Debian's package")
    written = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=browser_path,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            for page_name, image, width, height, top in SHOTS:
                page_path = reports / page_name
                if not page_path.is_file():
                    sys.exit(f"{page_path} is missing: run `make demo` first")
                context = browser.new_context(viewport={"width": width, "height": height}, offline=True)
                page = context.new_page()
                page.goto(page_path.resolve().as_uri())
                page.wait_for_function("document.querySelectorAll('.vega-embed svg, .vega-embed canvas').length > 0")
                page.wait_for_timeout(500)  # the charts' resize after their first draw
                full = page.evaluate("document.documentElement.scrollHeight")
                target = out / image
                page.screenshot(
                    path=str(target), full_page=True, clip={"x": 0, "y": 0, "width": width, "height": min(top, full)}
                )
                context.close()
                written.append(target)
        finally:
            browser.close()
    return written


def main() -> None:
    """Parse the arguments and take the images."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=Path, default=Path("reports"), help="the published reports folder")
    parser.add_argument("--out", type=Path, default=Path("docs"), help="where the images go")
    args = parser.parse_args()
    for path in take(args.reports, args.out):
        print(path)


if __name__ == "__main__":
    main()
