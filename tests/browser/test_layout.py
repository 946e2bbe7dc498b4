"""Every page fits the screen: no sideways scrolling at 320, 390 or 1366 px (WCAG 1.4.10), one header row on
desktop, a Menu button on phones that works without JavaScript, Stats and Shipped in the footer, and ideas on
a phone's first screen of the home page."""
import pytest
from playwright.sync_api import expect

from ideaportal.demo import DEMO_PASSWORD, OPEN_SESSION, PAST_SESSION
from tests.browser.test_accessibility import serious_violations

SCREENS = {"320": (320, 640), "390": (390, 844), "1366": (1366, 900)}
PAGES = {
    None: ["/", "/ideas", "/ideas?q=offline", "/ideas?sort=top&category=mobile-app", "/ideas/1", "/leaderboard",
           "/leaderboard?board=contributors", "/roadmap", "/implemented", "/stats", "/campaigns",
           f"/campaigns/{OPEN_SESSION['slug']}", f"/campaigns/{PAST_SESSION['slug']}", "/users/sam", "/auth/login",
           "/auth/register", "/auth/forgot", "/ideas/similar?title=dark+mode", "/no-such-page"],
    "sam@example.com": ["/ideas/new", "/me", "/notifications", "/notifications/settings", "/account", "/ideas/1"],
    "admin@example.com": ["/admin", "/admin/ideas/1", "/admin/ideas/1/merge", "/admin/moderation", "/admin/kpis",
                          "/admin/campaigns", "/admin/campaigns/new", "/admin/users", "/admin/statuses",
                          "/admin/categories", "/admin/audit", "/admin/outbox"],
}


def log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".user-menu")).to_have_count(1)


def overflow(page) -> str | None:
    """What sticks out past the right edge when the page scrolls sideways, else None."""
    return page.evaluate("""() => {
        if (document.documentElement.scrollWidth <= innerWidth) return null;
        const wide = [...document.querySelectorAll('body *')]
            .filter(e => e.checkVisibility() && e.getBoundingClientRect().right > innerWidth + 1);
        return `${document.documentElement.scrollWidth}px: ` + wide.slice(0, 3).map(e => `${e.tagName.toLowerCase()}.${e.className}`).join(', ');
    }""")


@pytest.mark.parametrize("who", list(PAGES), ids=["visitor", "member", "admin"])
@pytest.mark.parametrize("screen", list(SCREENS))
def test_no_page_scrolls_sideways(browser, demo_server, who, screen):
    width, height = SCREENS[screen]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    if who:
        log_in(page, demo_server.url, who)
    wide = {}
    for path in PAGES[who]:
        page.goto(demo_server.url + path)
        if (what := overflow(page)) is not None:
            wide[path] = what
    context.close()
    assert wide == {}


def test_the_phone_menu_opens_without_javascript(browser, demo_server, shoot):
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    page.goto(demo_server.url + "/")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Leaderboard")).to_be_hidden()
    header = page.locator(".site-header").bounding_box()
    assert header["height"] < 70  # one compact row: the brand and the Menu button
    page.locator(".site-menu > summary").click()
    expect(nav.get_by_role("link", name="Leaderboard")).to_be_visible()
    expect(page.get_by_role("searchbox", name="Search ideas")).to_be_visible()
    assert overflow(page) is None
    shoot(page, "header-menu-open-390")
    nav.get_by_role("link", name="Leaderboard").click()
    expect(page).to_have_url(demo_server.url + "/leaderboard")
    context.close()


def test_the_open_phone_menu_has_no_serious_violations(browser, demo_server):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, demo_server.url, "pm@example.com")
    page.locator(".site-menu > summary").click()
    menu = page.locator(".site-menu")
    expect(menu.get_by_role("link", name="My activity")).to_be_visible()  # the account's links, unfolded
    expect(menu.get_by_role("link", name="Product team")).to_be_visible()
    assert serious_violations(page) == []
    page.keyboard.press("Escape")
    expect(menu.get_by_role("link", name="My activity")).to_be_hidden()
    context.close()


@pytest.mark.parametrize("email", [None, "admin@example.com"], ids=["visitor", "admin"])
def test_the_desktop_header_is_one_row(browser, demo_server, email):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    if email:
        log_in(page, demo_server.url, email)
    page.goto(demo_server.url + "/")
    expect(page.locator(".site-menu > summary")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Storm Sessions")).to_be_visible()
    expect(page.get_by_role("link", name="Submit an idea").first).to_be_visible()
    assert page.locator(".site-header").bounding_box()["height"] < 70
    context.close()


def test_stats_and_shipped_are_in_the_footer(page, demo_server):
    page.goto(demo_server.url + "/")
    footer = page.get_by_role("navigation", name="More")
    footer.get_by_role("link", name="Shipped").click()
    expect(page).to_have_url(demo_server.url + "/implemented")
    page.get_by_role("navigation", name="More").get_by_role("link", name="Stats").click()
    expect(page).to_have_url(demo_server.url + "/stats")


def test_a_phone_sees_the_first_idea_on_the_home_page_first_screen(browser, demo_server, shoot):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(demo_server.url + "/")
    title = page.locator(".idea-card .idea-card__title").first
    box = title.bounding_box()
    assert box["y"] + box["height"] <= 844, box
    shoot(page, "home-first-screen-390")
    context.close()
