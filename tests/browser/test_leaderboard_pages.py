"""The leaderboard and a member profile in Chromium: no serious axe violations at desktop and phone widths."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility import serious_violations

PAGES = {"leaderboard": "/leaderboard", "leaderboard-filtered": "/leaderboard?category=accessibility",
         "profile": "/users/noor"}


@pytest.mark.parametrize("name", sorted(PAGES))
@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_leaderboard_pages_have_no_serious_violations(page, demo_server, shoot, name, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(demo_server.url + PAGES[name])
    assert serious_violations(page) == []
    shoot(page, f"{name}-{width}")


def test_a_visitor_goes_from_the_board_to_a_profile_and_back(page, demo_server):
    page.goto(demo_server.url + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Leaderboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Leaderboard")
    contributors = page.get_by_role("table")
    first = contributors.get_by_role("row").nth(1).get_by_role("link")
    name = first.inner_text()
    first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.get_by_role("heading", name="Badges")).to_be_visible()
    page.get_by_role("link", name="See the leaderboard").click()
    expect(page).to_have_url(demo_server.url + "/leaderboard")


def test_the_filters_work_without_javascript(browser, demo_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(demo_server.url + "/leaderboard")
    page.get_by_label("Category").select_option("accessibility")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"/leaderboard\?category=accessibility(&campaign=)?$"))
    expect(page.get_by_text("Counting only ideas in Accessibility")).to_be_visible()
    context.close()
