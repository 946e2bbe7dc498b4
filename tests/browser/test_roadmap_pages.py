"""The roadmap, ideas in action and statistics pages: no serious axe violations, columns that stack on phones."""
import pytest

from tests.browser.test_accessibility import serious_violations

PAGES = {"roadmap": "/roadmap", "implemented": "/implemented", "stats": "/stats",
         "roadmap-filtered": "/roadmap?category=mobile-app"}


@pytest.mark.parametrize("name", sorted(PAGES))
@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_roadmap_pages_have_no_serious_violations(page, demo_server, shoot, name, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(demo_server.url + PAGES[name])
    assert serious_violations(page) == []
    shoot(page, f"{name}-{width}")


def test_an_opened_response_has_no_serious_violations(page, demo_server):
    page.goto(demo_server.url + "/roadmap")
    summaries = page.locator(".roadmap-card__response summary")
    if summaries.count():
        summaries.first.click()
    assert serious_violations(page) == []


@pytest.mark.parametrize("width, side_by_side", [(1280, True), (390, False)], ids=["desktop", "phone"])
def test_columns_sit_side_by_side_on_wide_screens_and_stack_on_phones(page, demo_server, width, side_by_side):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(demo_server.url + "/roadmap")
    boxes = [column.bounding_box() for column in page.locator(".roadmap__column").all()]
    assert len(boxes) == 3
    assert (len({round(box["y"]) for box in boxes}) == 1) is side_by_side
    assert (len({round(box["x"]) for box in boxes}) == 3) is side_by_side
    headings = page.get_by_role("heading", level=2).all_inner_texts()
    assert [text.split("\n")[0].strip() for text in headings[:3]] == ["Planned", "In progress", "Recently implemented"]
    width_used = page.evaluate("document.documentElement.scrollWidth")
    assert width_used <= width  # nothing spills sideways
