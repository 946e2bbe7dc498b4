"""Avatars next to every author's name, status and answer marks on cards, and a comment's actions in one small
menu that works with the keyboard, with and without JavaScript."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from ideaportal.comments.services import add_comment
from ideaportal.demo import OPEN_SESSION
from ideaportal.extensions import db
from ideaportal.models import User
from tests import factories
from tests.browser.test_accessibility import axe_violations
from tests.browser.test_layout import log_in

CARD_PAGES = ["/", "/ideas", "/ideas?q=offline", "/users/sam", f"/campaigns/{OPEN_SESSION['slug']}"]


@pytest.fixture(scope="module")
def thread(demo_server):
    """An idea with a comment by sam and one by lee, as the demo's members."""
    with demo_server.app.app_context():
        sam, lee = (db.session.scalar(select(User).where(User.username == name)) for name in ("sam", "lee"))
        idea = factories.idea(title="A thread with a menu on each comment")
        add_comment(idea_id=idea.id, author_id=sam.id, body="Sam's own words.")
        add_comment(idea_id=idea.id, author_id=lee.id, body="Lee thinks otherwise.")
        return f"{demo_server.url}/ideas/{idea.id}"


@pytest.mark.parametrize("path", CARD_PAGES)
def test_every_card_shows_its_authors_avatar_beside_the_name(page, demo_server, path):
    page.goto(demo_server.url + path)
    cards = page.locator("article.idea-card")
    expect(cards.first).to_be_visible()
    for card in cards.all()[:5]:
        avatar = card.locator(".byline .avatar")
        expect(avatar).to_have_attribute("aria-hidden", "true")  # decorative: the name beside it says who
        expect(avatar).to_have_text(re.compile(r"^\S{1,2}$"))
        expect(avatar).to_have_class(re.compile(r"avatar--[0-7]\b"))
        expect(card.locator(".badge").first).to_be_visible()  # the status


def test_the_idea_page_and_its_comments_show_avatars(page, demo_server, thread):
    page.goto(thread)
    expect(page.locator(".idea .byline .avatar")).to_have_count(1)
    expect(page.locator(".comment .byline .avatar")).to_have_count(2)
    expect(page.locator(".comment .byline").first).to_contain_text("sam")


def test_a_visitor_sees_no_comment_menu(page, thread):
    page.goto(thread)
    expect(page.locator(".comment")).to_have_count(2)
    expect(page.locator(".actions-menu")).to_have_count(0)


def test_the_comment_menu_works_by_keyboard_and_closes_on_escape_or_a_click_elsewhere(page, demo_server, thread):
    log_in(page, demo_server.url, "sam@example.com")
    page.goto(thread)
    mine, theirs = page.locator(".comment").nth(0), page.locator(".comment").nth(1)
    toggle = theirs.locator(".actions-menu > summary")
    expect(toggle).to_have_accessible_name("Actions on the comment by lee")
    toggle.focus()
    page.keyboard.press("Enter")
    menu = theirs.locator(".actions-menu")
    expect(menu).to_have_attribute("open", "")
    expect(menu.locator("summary", has_text="Report")).to_be_visible()
    expect(menu.get_by_role("link", name="Edit")).to_have_count(0)  # not sam's to edit
    assert axe_violations(page) == []
    page.keyboard.press("Escape")
    expect(menu).not_to_have_attribute("open", "")
    expect(toggle).to_be_focused()
    toggle.click()
    expect(menu).to_have_attribute("open", "")
    page.locator("h1").click()
    expect(menu).not_to_have_attribute("open", "")
    mine.locator(".actions-menu > summary").click()
    expect(mine.get_by_role("link", name="Edit your comment")).to_be_visible()
    expect(mine.get_by_role("button", name="Delete your comment")).to_be_visible()
    expect(mine.locator(".report")).to_have_count(0)  # one's own comment is not reported


def test_without_javascript_a_member_reports_a_comment_from_its_menu(browser, demo_server, thread):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 320, "height": 640})
    page = context.new_page()
    log_in(page, demo_server.url, "sam@example.com")
    page.goto(thread)
    theirs = page.locator(".comment").nth(1)
    theirs.locator(".actions-menu > summary").click()
    theirs.locator(".report > summary").click()
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")  # the open menu fits a 320 px phone
    theirs.get_by_label("Why should a moderator look at it?").select_option(index=1)
    theirs.get_by_role("button", name="Send report").click()
    expect(page.locator(".flash")).to_have_text("Thanks — a moderator will review it.")
    context.close()


def test_staff_hide_a_comment_from_its_menu_and_unhide_it(browser, demo_server, thread):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, demo_server.url, "admin@example.com")
    page.goto(thread)
    lees = page.locator(".comment").nth(1)
    lees.locator(".actions-menu > summary").click()
    lees.get_by_role("button", name="Hide the comment by lee").click()
    expect(page.get_by_text(re.compile(r"Comment #\d+ is hidden from the public"))).to_be_visible()
    lees = page.locator(".comment").nth(1)
    expect(lees.locator(".badge--hidden")).to_be_visible()
    lees.locator(".actions-menu > summary").click()
    lees.get_by_role("button", name="Unhide the comment by lee").click()
    expect(page.get_by_text(re.compile(r"Comment #\d+ is visible again"))).to_be_visible()
    context.close()
