"""axe-core finds no serious or critical accessibility violations on the main pages."""
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

PUBLIC_PAGES = {"home": "/", "list": "/ideas", "idea": "/ideas/1", "login": "/auth/login",
                "register": "/auth/register", "not-found": "/no-such-page"}


def axe_violations(page, impacts: tuple[str, ...] | None = None) -> list[str]:
    """axe-core's violations on the page (of these impacts, or all), one line each."""
    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in results.response["violations"]
        if impacts is None or violation["impact"] in impacts
    ]


def serious_violations(page) -> list[str]:
    return axe_violations(page, ("serious", "critical"))


@pytest.mark.parametrize("name", sorted(PUBLIC_PAGES))
@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_public_pages_have_no_serious_violations(page, demo_server, shoot, name, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(demo_server.url + PUBLIC_PAGES[name])
    assert serious_violations(page) == []
    shoot(page, f"{name}-{width}")


def test_submit_page_has_no_serious_violations_with_errors_shown(page, demo_server, shoot):
    page.goto(demo_server.url + "/auth/login")
    page.get_by_label("Email").fill("noor@example.com")
    page.get_by_label("Password").fill("demo-portal-passphrase")
    page.get_by_role("button", name="Log in").click()
    page.goto(demo_server.url + "/ideas/new")
    assert serious_violations(page) == []
    page.get_by_label("Title").fill("Hi")
    page.get_by_role("button", name="Post idea").click()
    expect(page.locator("#title-error")).to_have_text("Use 5 to 140 characters.")
    expect(page.get_by_label("Title")).to_have_attribute("aria-invalid", "true")
    assert serious_violations(page) == []
    shoot(page, "submit-with-errors")


def test_keyboard_users_can_skip_to_content_and_see_focus(page, demo_server):
    page.goto(demo_server.url + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    outline = skip.evaluate("element => getComputedStyle(element).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("Enter")
    expect(page).to_have_url(demo_server.url + "/#main")
