"""Helpers for the phone journeys in Chromium (390 x 844) with axe-core scans, shared by the apps' tests."""

from __future__ import annotations

from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from conftest import browser_login as login  # noqa: F401 - the phone journeys import it from here

PHONE = {"width": 390, "height": 844}
_axe = Axe()


def axe_clean(page: Page, what: str) -> None:
    """No serious or critical axe-core violation on the current page."""
    result = _axe.run(page)
    bad = [v for v in result.response["violations"] if v.get("impact") in ("serious", "critical")]
    detail = "; ".join(
        f"{v['id']} ({v['impact']}): " + ", ".join(", ".join(n["target"]) for n in v["nodes"][:3])
        for v in bad
    )
    assert not bad, f"{what}: {detail}"


def shot(page: Page, directory: Path, name: str, *, full_page: bool = True) -> None:
    page.screenshot(path=str(directory / f"portal-{name}.png"), full_page=full_page)


def image_loaded(page: Page, selector: str, timeout_s: float = 10) -> bool:
    """Poll from Python (the CSP forbids the string-eval that ``wait_for_function`` uses)."""
    import time

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if page.evaluate(f"document.querySelector({selector!r}).naturalWidth") > 0:
            return True
        time.sleep(0.1)
    return False
