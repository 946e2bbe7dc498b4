"""The product manager's loop in a real browser: log in, work an inbox item, and the customer sees the answer."""
import itertools
import re

from playwright.sync_api import expect

from tests.browser.test_accessibility import serious_violations
from tests.browser.test_journey import register

_number = itertools.count(1)


def log_in(page, base: str, email: str, password: str = "demo-portal-passphrase") -> None:
    page.goto(f"{base}/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_pm_answers_an_inbox_item_and_the_customer_sees_it(browser, demo_server, shoot):
    base = demo_server.url
    customer = browser.new_page()
    register(customer, base)
    title = f"Print a single idea as a one-page PDF {next(_number)}"
    customer.get_by_role("link", name="Submit an idea").first.click()
    customer.get_by_label("Title").fill(title)
    customer.get_by_label("Category").select_option(label="Desktop app")
    customer.get_by_label("Describe your idea").fill("For our weekly planning meeting.")
    customer.get_by_role("button", name="Post idea").click()
    expect(customer.get_by_role("heading", level=1)).to_have_text(title)
    idea_url = customer.url

    pm = browser.new_page()
    log_in(pm, base, "pm@example.com")
    pm.get_by_role("link", name="Product team").click()
    expect(pm).to_have_url(re.compile(r"/admin$"))
    # The newest submission is the last item of the oldest-first queue: find it by its words and category.
    pm.get_by_label("Title or description").fill("one-page PDF")
    pm.get_by_label("Category").select_option(label="Desktop app")
    pm.get_by_role("button", name="Apply filters").click()
    expect(pm.get_by_role("link", name=title)).to_be_visible()
    expect(pm.get_by_label("Title or description")).to_have_value("one-page PDF")
    shoot(pm, "triage-inbox")
    assert serious_violations(pm) == []
    pm.set_viewport_size({"width": 390, "height": 900})
    shoot(pm, "triage-inbox-390")
    pm.set_viewport_size({"width": 1280, "height": 720})
    pm.get_by_role("link", name=title).click()
    expect(pm.get_by_role("heading", level=1)).to_have_text(title)
    pm.get_by_label("Status", exact=True).select_option(label="Planned")
    pm.get_by_label(re.compile("response", re.I)).first.fill(
        "Good idea: **planned** for the next desktop release."
    )
    shoot(pm, "triage-idea")
    pm.get_by_role("button", name="Save", exact=True).click()
    expect(pm.locator(".flash")).to_be_visible()

    customer.goto(idea_url)
    timeline = customer.locator(".timeline")
    expect(timeline.get_by_text("Official answer")).to_be_visible()
    expect(timeline.locator("strong", has_text="planned")).to_be_visible()
    expect(customer.locator(".idea .badge").first).to_have_text("Planned")
    shoot(customer, "idea-answered")

    # A member cannot reach the staff area.
    customer.goto(f"{base}/admin")
    expect(customer.get_by_role("heading", level=1)).to_have_text("You can't do that")


def test_select_all_ticks_the_page_and_the_bulk_form_counts_them(page, demo_server):
    log_in(page, demo_server.url, "pm@example.com")
    page.goto(demo_server.url + "/admin")
    boxes = page.locator('input[name="idea_ids"]')
    total = boxes.count()
    assert total > 1
    page.get_by_role("link", name=re.compile(r"^Select all \d+ on this page$")).click()
    expect(page).to_have_url(re.compile(r"/admin$"))  # ticked in place, not reloaded
    expect(page.locator('input[name="idea_ids"]:checked')).to_have_count(total)
    expect(page.locator(".triage-bulk__count")).to_have_text(f"({total} selected)")
    expect(page.locator(".triage-bulk")).to_be_in_viewport()  # held at the screen's foot while ideas are selected
    expect(page.get_by_label(re.compile("response", re.I)).first).to_be_hidden()  # folded until asked for
    boxes.first.uncheck()
    expect(page.locator(".triage-bulk__count")).to_have_text(f"({total - 1} selected)")
    page.get_by_role("link", name=re.compile(r"^Select all \d+ on this page$")).click()
    page.get_by_role("link", name="Clear the selection").click()
    expect(page.locator('input[name="idea_ids"]:checked')).to_have_count(0)
    expect(page.locator(".triage-bulk")).to_have_css("position", "static")  # nothing selected: after the list
