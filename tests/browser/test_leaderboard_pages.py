"""The leaderboard and a member profile in Chromium: no serious axe violations at desktop and phone widths."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility import serious_violations

PAGES = {"leaderboard": "/leaderboard", "leaderboard-filtered": "/leaderboard?category=accessibility",
         "leaderboard-rising": "/leaderboard?board=rising",
         "leaderboard-contributors": "/leaderboard?board=contributors",
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
    page.get_by_role("navigation", name="Boards").get_by_role("link", name="Contributors").click()
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


def test_the_boards_are_tabs_that_work_without_javascript(browser, demo_server, shoot):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(demo_server.url + "/leaderboard?category=accessibility")
    tabs = page.get_by_role("navigation", name="Boards")
    expect(tabs.get_by_role("link", name="This week")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("heading", level=2)).to_have_count(1)  # one board per page
    tabs.get_by_role("link", name="Rising").click()
    expect(page).to_have_url(re.compile(r"/leaderboard\?board=rising&category=accessibility$"))
    expect(tabs.get_by_role("link", name="Rising")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("heading", name="Rising", level=2)).to_be_visible()
    expect(page.locator(".board__weight").first).to_contain_text("Weight")
    shoot(page, "leaderboard-rising-390")
    context.close()
