"""A customer's core loop in a real browser: register, submit, vote in place, comment, log out."""
import itertools
import re

from playwright.sync_api import expect

from tests.browser.conftest import account_menu

_number = itertools.count(1)


def register(page, base: str) -> str:
    name = f"walker{next(_number)}"
    page.goto(f"{base}/auth/register")
    page.get_by_label("Email").fill(f"{name}@example.com")
    page.get_by_label("Username").fill(name)
    page.get_by_label("Password", exact=True).fill("violet tractor umbrella")
    page.get_by_label("Confirm password").fill("violet tractor umbrella")
    page.get_by_role("button", name="Create account").click()
    expect(account_menu(page).get_by_text(f"Signed in as {name}")).to_be_visible()
    return name


def test_register_submit_vote_comment_and_read_anonymously(page, demo_server, shoot):
    base = demo_server.url
    register(page, base)

    page.get_by_role("link", name="Submit an idea").first.click()
    page.get_by_label("Title").fill("Let me export my ideas as CSV")
    page.get_by_label("Category").select_option(label="Integrations")
    page.get_by_label("Describe your idea").fill("A **CSV export** would help our weekly review.")
    page.get_by_role("button", name="Post idea").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Let me export my ideas as CSV")
    expect(page.locator(".prose strong")).to_have_text("CSV export")
    my_idea_url = page.url

    # Vote on someone else's idea: the count changes in place, without a page load.
    page.goto(f"{base}/ideas?sort=new")
    card = page.locator("article.idea-card").filter(has_not_text="Let me export my ideas as CSV").first
    score = card.locator("[data-score]")
    before = int(score.inner_text())
    page.evaluate("window.__stillThisPage = true")
    up = card.get_by_role("button", name=re.compile("^Vote up"))
    up.click()
    expect(score).to_have_text(str(before + 1))
    expect(up).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("window.__stillThisPage") is True
    down = card.get_by_role("button", name=re.compile("^Vote down"))
    down.click()
    expect(score).to_have_text(str(before - 1))
    expect(down).to_have_attribute("aria-pressed", "true")
    expect(up).to_have_attribute("aria-pressed", "false")
    assert page.evaluate("window.__stillThisPage") is True
    page.reload()
    expect(card.locator("[data-score]")).to_have_text(str(before - 1))  # the server kept it
    shoot(page, "list-after-vote")

    page.goto(my_idea_url)
    page.get_by_label("Your comment").fill("Adding an example: one row per idea, with its votes.")
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator(".comment .prose")).to_contain_text("one row per idea")
    expect(page.get_by_role("heading", name="1 comment")).to_be_visible()
    shoot(page, "idea-with-comment")

    account_menu(page).get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in", exact=True)).to_be_visible()
    page.goto(my_idea_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Let me export my ideas as CSV")
    expect(page.get_by_text("one row per idea")).to_be_visible()


def test_anonymous_vote_goes_to_login_and_returns(page, demo_server):
    base = demo_server.url
    page.goto(f"{base}/ideas?sort=top")
    page.locator("article.idea-card").first.get_by_role("button", name=re.compile("^Vote up")).click()
    expect(page).to_have_url(re.compile(r"/auth/login\?next="))
    page.get_by_label("Email").fill("sam@example.com")
    page.get_by_label("Password").fill("demo-portal-passphrase")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base}/ideas?sort=top")


def test_voting_works_without_javascript(browser, demo_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    base = demo_server.url
    page.goto(f"{base}/auth/login")
    page.get_by_label("Email").fill("lee@example.com")
    page.get_by_label("Password").fill("demo-portal-passphrase")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{base}/ideas?sort=new")
    card = page.locator("article.idea-card").nth(3)
    card_id = card.get_attribute("id")
    before = int(card.locator("[data-score]").inner_text())
    pressed = card.get_by_role("button", name=re.compile("^Vote up")).get_attribute("aria-pressed")
    card.get_by_role("button", name=re.compile("^Vote up")).click()
    expect(page).to_have_url(re.compile(rf"/ideas\?sort=new#{card_id}$"))
    after = int(page.locator(f"#{card_id} [data-score]").inner_text())
    assert after == (before - 1 if pressed == "true" else before + 1)
    context.close()
