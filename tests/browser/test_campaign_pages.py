"""Storm Sessions in a real browser: a PM opens one, a member submits into it and watches their votes left."""
import itertools
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility import serious_violations
from tests.browser.test_journey import register
from tests.browser.test_triage_journey import log_in

_number = itertools.count(1)
CAMPAIGN_PAGES = {"campaigns": "/campaigns", "campaign-open": "/campaigns/first-week",
                  "campaign-closed": "/campaigns/accessibility-month"}


def test_a_pm_opens_a_session_and_a_member_submits_into_it_and_sees_the_budget(browser, demo_server, shoot):
    base = demo_server.url
    title = f"Welcome week {next(_number)}"
    now = datetime.now(timezone.utc)
    pm = browser.new_page()
    log_in(pm, base, "pm@example.com")
    pm.get_by_role("link", name="Product team").click()
    pm.get_by_role("navigation", name="Product team").get_by_role("link", name="Storm Sessions").click()
    pm.get_by_role("link", name="New Storm Session").click()
    pm.get_by_label("Title").fill(title)
    pm.get_by_label("The question you ask").fill("How should we welcome new teams?")
    pm.get_by_label("Description").fill("We are rebuilding **sign-up**.")
    pm.get_by_label("Starts", exact=True).fill(f"{now - timedelta(hours=1):%Y-%m-%dT%H:%M}")
    pm.get_by_label("Ends", exact=True).fill(f"{now + timedelta(days=7):%Y-%m-%dT%H:%M}")
    pm.get_by_label("Vote budget").fill("3")
    assert serious_violations(pm) == []
    shoot(pm, "campaign-admin-form")
    pm.get_by_role("button", name="Save Storm Session").click()
    expect(pm.locator(".flash")).to_contain_text(f"The Storm Session “{title}” is saved.")
    expect(pm.get_by_role("row", name=title)).to_contain_text("Open now")
    shoot(pm, "campaign-admin-list")

    member = browser.new_page()
    register(member, base)
    member.get_by_role("navigation", name="Main").get_by_role("link", name="Storm Sessions").click()
    member.get_by_role("link", name=title).click()
    expect(member.get_by_text("How should we welcome new teams?")).to_be_visible()
    expect(member.locator(".budget")).to_contain_text("You have 3 of 3 votes left in this Storm Session.")
    member.get_by_role("link", name="Submit an idea to this Storm Session").click()
    idea_title = f"A welcome checklist for admins {next(_number)}"
    member.get_by_label("Title").fill(idea_title)
    member.get_by_label("Category").select_option(label="Support & community")
    member.get_by_label("Describe your idea").fill("Five steps, ticked off as you go.")
    member.get_by_role("button", name="Post idea").click()
    expect(member.get_by_role("heading", level=1)).to_have_text(idea_title)
    expect(member.locator(".campaign-tag")).to_contain_text(f"Storm Session: {title}")
    expect(member.locator(".budget")).to_contain_text("You have 2 of 3 votes left in this Storm Session.")
    shoot(member, "campaign-idea")

    # Withdrawing the author's own vote in place gives it back, and the page says so at once.
    member.get_by_role("button", name=f"Vote up “{idea_title}”").click()
    expect(member.locator("[data-budget-left]")).to_have_text("3")
    expect(member.locator("[data-score]")).to_have_text("0")
    member.get_by_role("link", name=title).click()
    expect(member.locator(".budget")).to_contain_text("You have 3 of 3 votes left")
    expect(member.locator("article.idea-card").get_by_role("link", name=idea_title)).to_be_visible()


@pytest.mark.parametrize("name", sorted(CAMPAIGN_PAGES))
@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_storm_session_pages_have_no_serious_violations(page, demo_server, shoot, name, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(demo_server.url + CAMPAIGN_PAGES[name])
    assert serious_violations(page) == []
    shoot(page, f"{name}-{width}")


def test_a_members_budget_shows_on_the_session_page_on_a_phone(page, demo_server, shoot):
    page.set_viewport_size({"width": 390, "height": 900})
    log_in(page, demo_server.url, "sam@example.com")
    page.goto(demo_server.url + "/campaigns/first-week")
    expect(page.locator(".budget")).to_contain_text(" of 5 votes left in this Storm Session.")
    assert serious_violations(page) == []
    shoot(page, "campaign-open-member-390")
