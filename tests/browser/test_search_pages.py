"""Search and similar ideas in a real browser: suggestions while typing, voting instead, and axe."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import account_menu
from tests.browser.test_accessibility import serious_violations

DEMO_IDEA = "Offline mode for the mobile app"


def log_in(page, base: str) -> None:
    page.goto(f"{base}/auth/login")
    page.get_by_label("Email").fill("noor@example.com")
    page.get_by_label("Password").fill("demo-portal-passphrase")
    page.get_by_role("button", name="Log in").click()
    expect(account_menu(page).get_by_text("Signed in as noor")).to_be_visible()


def test_searching_from_the_header_highlights_the_matches(page, demo_server, shoot):
    page.goto(demo_server.url + "/")
    page.get_by_role("searchbox", name="Search ideas").fill("offline")
    page.get_by_role("searchbox", name="Search ideas").press("Enter")
    expect(page).to_have_url(re.compile(r"/ideas\?q=offline$"))
    first = page.locator("article.idea-card").first
    expect(first.locator(".idea-card__title mark")).to_have_text("Offline")
    expect(page.get_by_role("link", name="Best match")).to_have_attribute("aria-current", "page")
    shoot(page, "search-results")


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_search_results_have_no_serious_violations(page, demo_server, shoot, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(demo_server.url + "/ideas?q=dark+theme")
    expect(page.locator("mark").first).to_be_visible()
    assert serious_violations(page) == []
    shoot(page, f"search-{width}")


def test_typing_a_title_suggests_a_similar_idea_and_voting_for_it_works(page, demo_server, shoot):
    log_in(page, demo_server.url)
    page.goto(demo_server.url + "/ideas/new")
    page.get_by_label("Title").press_sequentially("Offline mode in the phone app", delay=15)
    suggestions = page.locator("#similar-ideas")
    expect(suggestions.get_by_role("link", name=DEMO_IDEA)).to_be_visible()
    expect(suggestions).to_have_attribute("aria-live", "polite")
    expect(suggestions).to_contain_text("% match")
    assert serious_violations(page) == []
    shoot(page, "submit-with-suggestions")

    suggestions.get_by_role("button", name=re.compile(f"^Vote for this instead.*{DEMO_IDEA}")).click()
    expect(suggestions).to_contain_text("Your vote is counted.")
    see = suggestions.get_by_role("link", name="See the idea")
    expect(see).to_be_focused()
    see.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(DEMO_IDEA)
    expect(page.get_by_role("button", name=f"Vote up “{DEMO_IDEA}”")).to_have_attribute("aria-pressed", "true")


def test_posting_a_near_duplicate_asks_first_and_keeps_the_text(page, demo_server, shoot):
    log_in(page, demo_server.url)
    page.goto(demo_server.url + "/ideas/new")
    page.get_by_label("Title").fill("Offline mode in the phone app")
    page.get_by_label("Category").select_option(label="Mobile app")
    page.get_by_label("Describe your idea").fill("Let me work on the train without signal.")
    page.get_by_role("button", name="Post idea").click()
    expect(page.get_by_label("None of these — post my idea anyway")).not_to_be_checked()
    expect(page.get_by_label("Title")).to_have_value("Offline mode in the phone app")
    expect(page.locator("#similar-ideas").get_by_role("link", name=DEMO_IDEA)).to_be_visible()
    assert serious_violations(page) == []
    shoot(page, "submit-near-duplicate")


def test_the_similar_page_has_no_serious_violations(page, demo_server, shoot):
    page.goto(demo_server.url + "/ideas/similar?title=keyboard+shortcuts")
    expect(page.get_by_role("link", name="Keyboard shortcuts for every menu action")).to_be_visible()
    assert serious_violations(page) == []
    shoot(page, "similar-page")
