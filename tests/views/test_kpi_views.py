"""The KPI dashboard page through the test client: charts with text alternatives, numbers, no inline styles."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import event, select, update

from ideaportal.extensions import db
from ideaportal.models import Idea, Status, utcnow
from tests import factories


def set_idea(idea_id: int, **values) -> None:
    if "status" in values:
        values["status_id"] = db.session.scalar(select(Status.id).where(Status.slug == values.pop("status")))
    db.session.execute(update(Idea).where(Idea.id == idea_id).values(**values))
    db.session.commit()


@pytest.fixture
def portal(app):
    """Four public ideas in two categories: one answered after 6 hours, one implemented; one idea a year old."""
    apps = factories.category(name="Mobile apps")
    billing = factories.category(name="Billing & invoices")
    now = utcnow()
    answered = factories.idea(category_row=apps)
    set_idea(answered.id, created_at=now - timedelta(days=2), first_response_at=now - timedelta(days=2, hours=-6),
             status="under_review", upvotes=7, score=7)
    done = factories.idea(category_row=billing)
    set_idea(done.id, status="implemented", upvotes=3, downvotes=1, score=2)
    factories.idea(category_row=apps)
    old = factories.idea(category_row=billing)
    set_idea(old.id, created_at=now - timedelta(days=400))
    hidden = factories.idea(category_row=billing)
    set_idea(hidden.id, is_hidden=True, upvotes=90, score=90)


def staff_page(client, auth, role="pm", query=""):
    auth.login(factories.user(role=role))
    return client.get(f"/admin/kpis{query}")


@pytest.mark.parametrize("role", ["pm", "admin"])
def test_staff_see_the_dashboard_with_its_numbers(client, auth, portal, role):
    response = staff_page(client, auth, role)
    assert response.status_code == 200
    page = response.text
    assert "<h1>KPIs</h1>" in page
    assert 'href="/admin/kpis" aria-current="page">KPIs</a>' in page
    figures = re.findall(r'<dd class="kpi-figure__value">([^<]+)</dd>', page)
    assert figures == ["4", "25.0%", "6 hours", "1"]  # ideas, answered, median response, implemented
    assert "<dd>1 of 4</dd>" in page and "<dd>25.0% of 4</dd>" in page
    assert "Of 4 ideas submitted, 2 (50.0%) were reviewed, 1 (25.0%) planned and 1 (25.0%) implemented." in page
    assert re.search(r'<th scope="row"><a href="/ideas\?category=[^"]+">Mobile apps</a></th>\s*'
                     r'<td class="number">8</td><td class="number">2</td>', page)
    assert re.search(r'<a href="/ideas\?category=[^"]+">Billing &amp; invoices</a></th>\s*'
                     r'<td class="number">5</td><td class="number">2</td>', page)  # the hidden idea's 90 left out


def test_every_chart_is_an_image_named_by_its_title_and_description(client, auth, portal):
    page = staff_page(client, auth).text
    charts = re.findall(r"<svg ([^>]*)>", page)
    assert len(charts) == 5  # weekly columns, funnel, answered, implemented, categories
    for attributes in charts:
        assert 'role="img"' in attributes
        title_id, desc_id = re.search(r'aria-labelledby="([^" ]+) ([^" ]+)"', attributes).groups()
        assert re.search(rf'<title id="{title_id}">[^<]+</title>', page)
        assert re.search(rf'<desc id="{desc_id}">[^<]*\d[^<]*</desc>', page)  # says the numbers, too
    assert page.count("<table") == 4 and page.count('<th scope="col"') >= 9


def test_the_weekly_chart_draws_26_columns_with_this_weeks_ideas(client, auth, portal):
    page = staff_page(client, auth).text
    chart = page.split('aria-labelledby="kpi-weeks-chart-title', 1)[1].split("</svg>", 1)[0]
    heights = [float(value) for value in re.findall(r'class="kpi-chart__bar"[^>]*height="([\d.]+)"', chart)]
    assert len(heights) == 26
    assert sum(1 for height in heights if height > 0) in (1, 2)  # this week's ideas, and the two-day-old one
    table = page.split("<caption>Ideas submitted per week</caption>", 1)[1].split("</table>", 1)[0]
    assert sum(int(count) for count in re.findall(r'<td class="number">(\d+)</td>', table)) == 3  # not the old one


def test_the_page_has_no_inline_styles(client, auth, portal):
    page = staff_page(client, auth).text
    assert not re.search(r"\sstyle\s*=", page, re.IGNORECASE)
    assert "<style" not in page.lower() and "<script>" not in page.lower()


def test_the_period_filter_counts_ideas_submitted_in_it(client, auth, portal):
    page = staff_page(client, auth, query="?period=30").text
    assert re.findall(r'<dd class="kpi-figure__value">([^<]+)</dd>', page)[0] == "3"
    assert '<option selected value="30">Last 30 days</option>' in page
    assert "Last 30 days: public ideas submitted since" in page


def test_an_unknown_period_is_explained_next_to_the_field(client, auth, portal):
    response = staff_page(client, auth, query="?period=forever")
    assert response.status_code == 400
    assert '<p class="field__error" id="period-error">Choose one of the periods in the list.</p>' in response.text
    assert "All time: public ideas submitted at any time" in response.text


def test_an_empty_portal_shows_zeros(client, auth, app):
    page = staff_page(client, auth).text
    assert re.findall(r'<dd class="kpi-figure__value">([^<]+)</dd>', page) == ["0", "0.0%", "no responses yet", "0"]
    assert "No ideas in this period yet." in page


def test_the_page_runs_the_same_queries_for_3_and_30_ideas(client, auth, app):
    auth.login(factories.user(role="pm"))
    category = factories.category()
    counts = []
    for total in (3, 30):
        while db.session.scalar(select(db.func.count(Idea.id))) < total:
            factories.idea(category_row=category)
        statements = []

        def record(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            assert client.get("/admin/kpis").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        counts.append(len(statements))
    assert counts[0] == counts[1]
