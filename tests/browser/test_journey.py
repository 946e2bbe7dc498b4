"""A customer's core loop in a real browser: register, submit, vote in place, comment, log out."""
import itertools
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from ideaportal.extensions import db
from tests import factories
from tests.browser.conftest import account_menu
from tests.browser.test_accessibility import serious_violations

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


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_visitors_vote_is_counted_after_logging_in(browser, demo_server, shoot, javascript):
    base = demo_server.url
    with demo_server.app.app_context():  # a member with no votes yet, so the count moves by one
        email = factories.user(username=f"visitor{'js' if javascript else 'nojs'}").email
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    page.goto(f"{base}/ideas?sort=top")
    card = page.locator("article.idea-card").nth(5)
    title = card.locator(".idea-card__title").inner_text()
    before = int(card.locator("[data-score]").inner_text())
    card.get_by_role("button", name=re.compile("^Vote up")).click()
    expect(page).to_have_url(re.compile(r"/auth/login\?next=.*&vote="))
    expect(page.locator(".vote-waiting")).to_have_text(f"You'll vote for “{title}” after logging in.")
    if javascript:  # axe runs as a script in the page
        assert serious_violations(page) == []
    shoot(page, f"login-with-waiting-vote-{'js' if javascript else 'nojs'}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/ideas\?sort=top#idea-\d+$"))
    expect(page.get_by_text(f"Your vote for “{title}” was counted.")).to_be_visible()
    card = page.locator("article.idea-card").filter(has=page.get_by_role("link", name=title, exact=True))
    expect(card.get_by_role("button", name=re.compile("^Vote up"))).to_have_attribute("aria-pressed", "true")
    expect(card.locator("[data-score]")).to_have_text(str(before + 1))
    expect(card.locator("[data-vote-state]")).to_contain_text("Voted")
    if javascript:
        assert serious_violations(page) == []
    shoot(page, f"vote-counted-after-login-{'js' if javascript else 'nojs'}")
    context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_visitors_vote_is_counted_once_the_new_account_is_confirmed(browser, demo_server, monkeypatch, javascript):
    from ideaportal import tokens
    from ideaportal.models import User

    monkeypatch.setitem(demo_server.app.config, "EMAIL_VERIFICATION", True)
    base, name = demo_server.url, f"confirmer{'js' if javascript else 'nojs'}"
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    page.goto(f"{base}/ideas?sort=top")
    card = page.locator("article.idea-card").nth(6)
    title = card.locator(".idea-card__title").inner_text()
    card.get_by_role("button", name=re.compile("^Vote down")).click()
    page.get_by_role("link", name="Create an account").click()
    expect(page.locator(".vote-waiting")).to_have_text(f"You'll vote against “{title}” after creating your account.")
    page.get_by_label("Email").fill(f"{name}@example.com")
    page.get_by_label("Username").fill(name)
    page.get_by_label("Password", exact=True).fill("violet tractor umbrella")
    page.get_by_label("Confirm password").fill("violet tractor umbrella")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    expect(page.locator(".vote-waiting")).to_contain_text(f"Your vote against “{title}” waits for your confirmation")
    with demo_server.app.app_context():  # the link the confirmation email carries
        user = db.session.scalar(select(User).where(User.username == name))
        link = f"{base}/auth/verify/{tokens.sign('verify', [user.id, user.email])}"
    page.goto(link)
    page.get_by_role("button", name="Confirm my address").click()
    expect(page.get_by_text(f"Your vote against “{title}” was counted.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_role("button", name=f"Vote down “{title}”")).to_have_attribute("aria-pressed", "true")
    context.close()


def test_a_pressed_vote_says_voted_and_undo_takes_it_back(page, demo_server):
    base = demo_server.url
    register(page, base)
    page.goto(f"{base}/ideas?sort=new")
    card = page.locator("article.idea-card").nth(2)
    title = card.locator(".idea-card__title").inner_text()
    before = int(card.locator("[data-score]").inner_text())
    state = card.locator("[data-vote-state]")
    expect(state).to_be_hidden()
    card.get_by_role("button", name=f"Vote up “{title}”").click()
    expect(state).to_be_visible()
    expect(state.locator("[data-vote-label]")).to_have_text("Voted")
    undo = card.get_by_role("button", name=f"Undo my vote on “{title}”")
    undo.click()
    expect(state).to_be_hidden()
    expect(card.locator("[data-score]")).to_have_text(str(before))
    card.get_by_role("button", name=f"Vote down “{title}”").click()
    expect(state.locator("[data-vote-label]")).to_have_text("Voted down")
    page.reload()
    expect(card.locator("[data-vote-state]")).to_contain_text("Voted down")  # the server says the same


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
