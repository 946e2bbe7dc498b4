"""Browser tests: Playwright drives Debian's Chromium against the live server (never a downloaded browser)."""
import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import skip_or_fail

CHROMIUM = os.environ.get("IDEAPORTAL_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        skip_or_fail(f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def demo_server(live_server):
    """The live server with the demo portal loaded once."""
    from ideaportal import demo

    with live_server.app.app_context():
        if demo.is_empty():
            demo.load()
    return live_server


@pytest.fixture
def shoot():
    """Save a screenshot under test-results/screenshots for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(page, name: str):
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return save


def account_menu(page):
    """The header's menu of the signed-in member, open: on wide screens it folds under their name."""
    toggle = page.locator(".user-menu > summary")
    toggle.wait_for(state="attached")  # right after a login the old page may still be showing
    page.wait_for_load_state("load")  # and until its stylesheet applies, whether the toggle shows is not yet known
    if toggle.is_visible() and not page.locator(".user-menu[open]").count():
        toggle.click()
        expect(page.locator(".user-menu[open]")).to_have_count(1)
    return page.locator(".user-menu")
