"""Staff tables on a phone: each row a card whose values sit under their column's heading, with nothing to
scroll sideways; on a desktop, the same markup is a table."""
import pytest
from playwright.sync_api import expect

from ideaportal.comments.services import add_comment
from ideaportal.moderation.services import set_comment_hidden
from tests import factories
from tests.browser.test_accessibility import axe_violations
from tests.browser.test_layout import log_in

PAGES = ["/admin", "/admin/moderation?show=hidden", "/admin/campaigns", "/admin/users", "/admin/statuses",
         "/admin/categories", "/admin/audit", "/admin/kpis"]

# Each visible column's heading against the data-label of its cells: a cell without one would show a bare value.
MISLABELLED = """() => [...document.querySelectorAll('table.data-table--stack')].flatMap(table => {
    const headings = [...table.querySelectorAll('thead th')].map(th => th.querySelector('.visually-hidden') ? null : th.textContent.trim());
    return [...table.querySelectorAll('tbody tr')].flatMap(row => [...row.children].flatMap((cell, i) =>
        cell.tagName === 'TD' && headings[i] !== null && cell.dataset.label !== headings[i]
            ? [`${table.caption.textContent.trim()}: "${cell.dataset.label}" under "${headings[i]}"`] : []));
})"""


@pytest.fixture(scope="module")
def admin(browser, demo_server):
    with demo_server.app.app_context():  # something for the hidden-content table to list
        idea = factories.idea(title="An idea with a hidden comment")
        comment_id = add_comment(idea_id=idea.id, author_id=idea.author_id, body="Buy cheap watches here.")
        set_comment_hidden(comment_id=comment_id, actor_id=None, hidden=True)
    context = browser.new_context()
    page = context.new_page()
    log_in(page, demo_server.url, "admin@example.com")
    yield page
    context.close()


def open_tables(page, url: str):
    page.goto(url)
    for summary in page.locator("details:has(table) > summary").all():  # the KPI tables fold under their charts
        summary.click()
    tables = page.locator("table.data-table--stack")
    expect(tables.first).to_be_attached()
    return tables


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("width", [320, 390])
def test_on_a_phone_each_row_is_a_card_with_labelled_values(admin, demo_server, path, width):
    admin.set_viewport_size({"width": width, "height": 800})
    tables = open_tables(admin, demo_server.url + path)
    assert admin.evaluate("document.documentElement.scrollWidth") <= width
    for table in tables.all():
        expect(table.locator("thead")).to_have_css("position", "absolute")  # for screen readers only
        row = table.locator("tbody tr").first
        expect(row).to_have_css("display", "grid")
        labelled = row.locator("td[data-label]").first
        label = labelled.get_attribute("data-label")
        assert labelled.evaluate("cell => getComputedStyle(cell, '::before').content") == f'"{label}"'
        box = row.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
    if width == 390:
        assert axe_violations(admin) == []


@pytest.mark.parametrize("path", PAGES)
def test_on_a_desktop_they_stay_tables_and_every_value_is_labelled_by_its_heading(admin, demo_server, path):
    admin.set_viewport_size({"width": 1366, "height": 900})
    tables = open_tables(admin, demo_server.url + path)
    for table in tables.all():
        expect(table).to_have_css("display", "table")
        expect(table.locator("thead th").first).to_be_visible()
        expect(table.locator("tbody tr").first).to_have_css("display", "table-row")
    assert admin.evaluate(MISLABELLED) == []
