"""Notifications in a real browser: a member votes, the product team moves the idea, the bell rings.

The member opens the notification (a POST that marks it read), lands on the exact status change on
the idea's page, and the bell goes back to 0; "My activity" shows the idea with its new status.
The pages pass axe, fit a 320px phone without scrolling sideways, and are shot for a person to look at.
"""
import itertools
import re

from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import account_menu
from tests.browser.test_accessibility import axe_violations
from tests.browser.test_journey import register

_number = itertools.count(1)
RESPONSE = "Good call: **planned** for the spring release, after the new editor."
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def all_violations(page) -> list[str]:
    """Every axe violation, whatever its impact (the pages here are new: hold them to zero)."""
    return axe_violations(page)


def scrolls_sideways(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")


def fits_every_width(page, shoot, name: str) -> None:
    """No sideways scrolling at 1366, 390 and 320 px; shots at the first two; back to the desktop width."""
    for width, height in ((1366, 900), (390, 844), (320, 700)):
        page.set_viewport_size({"width": width, "height": height})
        assert not scrolls_sideways(page), f"{name} scrolls sideways at {width} px"
        if width > 320:
            shoot(page, f"{name}-{width}")
    page.set_viewport_size(DESKTOP)


def post_idea_and_vote(app, *, voter: str) -> tuple[int, str]:
    """An idea by a demo member that `voter` votes on (and so follows): its id and title."""
    from ideaportal.extensions import db
    from ideaportal.ideas.services import cast_vote, submit_idea
    from ideaportal.models import Category, User

    title = f"Keep my filters when I come back to the list {next(_number)}"
    with app.app_context():
        author_id = db.session.scalar(select(User.id).where(User.email == "sam@example.com"))
        voter_id = db.session.scalar(select(User.id).where(User.username == voter))
        category_id = db.session.scalar(select(Category.id).order_by(Category.position).limit(1))
        idea = submit_idea(author_id=author_id, title=title, body="The list forgets them every time.",
                           category_id=category_id)
        idea_id = idea.id
        cast_vote(idea_id=idea_id, voter_id=voter_id, value=1)
        db.session.remove()
    return idea_id, title


def plan_it(app, idea_id: int) -> int:
    """The product manager moves the idea to Planned with a public response: the StatusChange id."""
    from ideaportal.extensions import db
    from ideaportal.models import User
    from ideaportal.triage.services import change_status

    with app.app_context():
        pm_id = db.session.scalar(select(User.id).where(User.email == "pm@example.com"))
        change_id = change_status(idea_id=idea_id, actor_id=pm_id, status_slug="planned", response=RESPONSE)
        db.session.remove()
    return change_id


def test_status_change_rings_the_bell_and_leads_to_the_answer(page, demo_server, shoot):
    base = demo_server.url
    page.set_viewport_size(DESKTOP)
    member = register(page, base)
    idea_id, title = post_idea_and_vote(demo_server.app, voter=member)

    bell = page.locator("a[data-bell]")
    page.goto(f"{base}/notifications")
    expect(bell.locator("[data-unread]")).to_have_text("0")
    expect(bell).not_to_have_class(re.compile(r"\bbell--unread\b"))
    expect(page.locator(".notification")).to_have_count(0)
    expect(page.locator(".empty")).to_contain_text("Nothing yet")

    change_id = plan_it(demo_server.app, idea_id)

    page.reload()
    expect(bell.locator("[data-unread]")).to_have_text("1")
    expect(bell).to_have_class(re.compile(r"\bbell--unread\b"))
    expect(bell).to_have_accessible_name(re.compile(r"Notifications:\s*1\s*unread"))
    item = page.locator("li.notification").first
    expect(item).to_have_class(re.compile(r"\bnotification--unread\b"))
    headline = item.get_by_role("button", name=re.compile("^Unread: .*" + re.escape(f"moved “{title}” to Planned.")))
    expect(headline).to_be_visible()
    expect(item.locator(".notification__excerpt")).to_contain_text("planned for the spring release")
    fits_every_width(page, shoot, "notifications")

    headline.click()  # a POST: marks it read and goes to the exact status change
    expect(page).to_have_url(re.compile(rf"/ideas/{idea_id}(-[\w-]+)?#status-change-{change_id}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    change = page.locator(f"#status-change-{change_id}")
    expect(change).to_be_visible()
    expect(change).to_contain_text("Planned")
    expect(bell.locator("[data-unread]")).to_have_text("0")
    expect(bell).not_to_have_class(re.compile(r"\bbell--unread\b"))
    shoot(page, "notification-landing-1366")

    page.go_back()
    page.reload()  # the list as it is now, not as the browser kept it
    expect(bell.locator("[data-unread]")).to_have_text("0")
    expect(page.locator("li.notification.notification--unread")).to_have_count(0)
    expect(page.locator("li.notification")).to_have_count(1)
    expect(page.get_by_role("button", name="Mark all read")).to_have_count(0)
    shoot(page, "notifications-read-1366")

    account_menu(page).get_by_role("link", name="My activity").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My activity")
    voted = page.get_by_role("region", name="Ideas I voted on")
    entry = voted.locator(".activity-item").filter(has=page.get_by_role("link", name=title))
    expect(entry).to_have_count(1)
    expect(entry.locator(".badge").first).to_have_text("Planned")
    expect(entry).to_contain_text("you voted up")
    following = page.get_by_role("region", name="Ideas I follow")
    expect(following.get_by_role("link", name=title)).to_be_visible()
    fits_every_width(page, shoot, "my-activity")


def test_opening_a_notification_works_without_javascript(browser, demo_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    base = demo_server.url
    member = register(page, base)
    idea_id, title = post_idea_and_vote(demo_server.app, voter=member)
    change_id = plan_it(demo_server.app, idea_id)
    page.goto(f"{base}/notifications")
    expect(page.locator("[data-unread]")).to_have_text("1")
    page.locator(".notification__headline").first.click()
    expect(page).to_have_url(re.compile(rf"#status-change-{change_id}$"))
    expect(page.locator(f"#status-change-{change_id}")).to_be_visible()
    expect(page.locator("[data-unread]")).to_have_text("0")
    context.close()


def test_changed_badge_shows_once_on_my_activity(page, demo_server, shoot):
    base = demo_server.url
    member = register(page, base)
    idea_id, title = post_idea_and_vote(demo_server.app, voter=member)
    page.goto(f"{base}/me")  # the first visit: the moment "since your last visit" counts from
    expect(page.locator(".badge--changed")).to_have_count(0)
    plan_it(demo_server.app, idea_id)

    page.reload()
    voted = page.get_by_role("region", name="Ideas I voted on")
    entry = voted.locator(".activity-item").filter(has=page.get_by_role("link", name=title))
    expect(entry).to_have_class(re.compile(r"\bactivity-item--changed\b"))
    expect(entry.locator(".badge--changed")).to_have_text("Changed since your last visit")
    page.set_viewport_size(PHONE)
    shoot(page, "my-activity-changed-390")
    page.reload()
    expect(entry.locator(".badge--changed")).to_have_count(0)  # seen now


def test_notification_pages_pass_axe(page, demo_server, shoot):
    base = demo_server.url
    member = register(page, base)
    idea_id, _ = post_idea_and_vote(demo_server.app, voter=member)
    plan_it(demo_server.app, idea_id)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        for path in ("/notifications", "/notifications/settings", "/me"):
            page.goto(base + path)
            assert all_violations(page) == [], f"{path} at {width}px"
    page.goto(base + "/notifications/settings")
    shoot(page, "notification-settings-390")
    page.set_viewport_size({"width": 320, "height": 700})
    assert not scrolls_sideways(page)


def test_settings_are_saved_and_read_back(page, demo_server):
    base = demo_server.url
    register(page, base)
    page.goto(f"{base}/notifications/settings")
    status = page.get_by_role("group", name="An idea I follow changes status")
    expect(status.get_by_label("Right away")).to_be_checked()
    status.get_by_label("Never").check()
    page.get_by_label("Follow the ideas I submit, vote on or comment on").uncheck()
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".flash")).to_have_text("Your notification settings are saved.")
    expect(status.get_by_label("Never")).to_be_checked()
    expect(page.get_by_label("Follow the ideas I submit, vote on or comment on")).not_to_be_checked()


def test_keyboard_reaches_the_bell_with_a_visible_focus(page, demo_server):
    base = demo_server.url
    register(page, base)
    page.goto(f"{base}/notifications")
    bell = page.locator("a[data-bell]")
    bell.focus()
    expect(bell).to_be_focused()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # focus by keyboard, so :focus-visible applies
    expect(bell).to_be_focused()
    assert bell.evaluate("element => getComputedStyle(element).outlineStyle") == "solid"
