"""The roadmap, ideas in action and public statistics pages, and the home page's answer figures."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from ideaportal.extensions import db
from ideaportal.models import Idea, utcnow
from ideaportal.roadmap import queries as roadmap_queries
from ideaportal.triage.services import change_status
from tests import factories
from tests.helpers import count_queries, fixture_answering_pm, fixture_author  # noqa: F401 (fixtures pm, author)


def card_ids(page: str) -> list[int]:
    return [int(number) for number in re.findall(r'<article class="roadmap-card" id="idea-(\d+)"', page)]


def section(page: str, key: str) -> str:
    start = page.index(f'aria-labelledby="column-{key}-title"')
    return page[start:page.index("</section>", start)]


def shipped(pm, author, category, count: int, *, slug: str = "implemented", response: str = "Shipped it.",
            first_day: int = 1) -> list[int]:
    """`count` ideas moved to `slug` with a response, one a day apart, the first `first_day` days ago."""
    ids = []
    for number in range(count):
        idea_id = factories.idea(author=author, category_row=category, title=f"Idea {slug} {number}").id
        change_status(idea_id=idea_id, actor_id=pm.id, status_slug=slug, response=f"{response} #{number}",
                      now=utcnow() - timedelta(days=number + first_day))
        ids.append(idea_id)
    return ids


def test_roadmap_shows_each_column_as_a_section_with_cards_and_answers(client, pm, author):
    category = factories.category(name="Mobile")
    planned = shipped(pm, author, category, 1, slug="planned", response="Coming in **spring**.")
    building = shipped(pm, author, category, 1, slug="in_progress", response="Started.")
    done = shipped(pm, author, category, 1)
    factories.idea(author=author, category_row=category, title="Still new, not on the roadmap")
    page = client.get("/roadmap").text
    assert '<h2 id="column-planned-title">Planned' in page
    assert '<h2 id="column-in_progress-title">In progress' in page
    assert '<h2 id="column-implemented-title">Recently implemented' in page
    assert card_ids(section(page, "planned")) == planned
    assert card_ids(section(page, "in_progress")) == building
    assert card_ids(section(page, "implemented")) == done
    assert "Still new" not in page
    planned_card = section(page, "planned")
    assert "Coming in <strong>spring</strong>. #0" in planned_card
    assert "<strong>1</strong> vote (1 up, 0 down)" in planned_card
    assert re.search(r"Planned since\s*<time datetime=", planned_card)
    assert 'href="/roadmap?category=' in planned_card and "Mobile" in planned_card


def test_roadmap_escapes_titles_and_cuts_long_answers_into_details(client, pm, author):
    category = factories.category()
    idea = factories.idea(author=author, category_row=category, title="</h3><script>alert(1)</script> plan")
    long_answer = " ".join(["We will build this carefully."] * 30)
    change_status(idea_id=idea.id, actor_id=pm.id, status_slug="planned", response=long_answer)
    page = client.get("/roadmap").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;/h3&gt;&lt;script&gt;alert(1)&lt;/script&gt; plan" in page
    card = section(page, "planned")
    assert "<details>" in card and "Read the whole response" in card
    assert f"<p>{long_answer}</p>" in card  # the whole answer, inside the details


def test_roadmap_filters_by_category_and_refuses_unknown_ones(client, pm, author):
    mobile = factories.category(slug="mobile", name="Mobile")
    desktop = factories.category(slug="desktop", name="Desktop")
    phone = shipped(pm, author, mobile, 1, slug="planned")
    shipped(pm, author, desktop, 1, slug="planned")
    page = client.get("/roadmap?category=mobile").text
    assert card_ids(page) == phone
    assert "<h1>Roadmap: Mobile</h1>" in page
    assert '<option value="mobile" selected>Mobile</option>' in page
    assert 'href="/feeds/categories/mobile.atom"' in page
    response = client.get("/roadmap?category=nope")
    assert response.status_code == 400 and "There is no category" in response.text


def test_the_latest_implemented_show_even_when_nothing_is_planned(client, pm, author):
    ids = shipped(pm, author, factories.category(), roadmap_queries.RECENTLY_IMPLEMENTED + 2)
    page = client.get("/roadmap").text
    assert card_ids(section(page, "implemented")) == ids[:roadmap_queries.RECENTLY_IMPLEMENTED]
    assert "Nothing here at the moment." in section(page, "planned")
    assert 'href="/implemented"' in section(page, "implemented")


def test_a_cut_active_column_links_to_the_full_list(client, pm, author, monkeypatch):
    monkeypatch.setattr(roadmap_queries, "COLUMN_LIMIT", 2)
    shipped(pm, author, factories.category(), 3, slug="planned")
    column = section(client.get("/roadmap").text, "planned")
    assert len(card_ids(column)) == 2
    assert 'href="/ideas?sort=top&amp;status=planned"' in column and "All 3 “Planned” ideas" in column


@pytest.mark.parametrize("path", ["/roadmap", "/implemented"])
def test_pages_run_the_same_number_of_queries_for_3_or_30_ideas(client, pm, author, path):
    category = factories.category()

    def statements() -> int:
        with count_queries() as seen:
            assert client.get(path).status_code == 200
        return len(seen)

    for slug in ("planned", "in_progress", "implemented"):
        shipped(pm, author, category, 1, slug=slug)
    few = statements()
    for slug in ("planned", "in_progress", "implemented"):
        shipped(pm, author, category, 9, slug=slug)
    assert len(card_ids(client.get(path).text)) == {"/roadmap": 30, "/implemented": 10}[path]
    assert statements() == few


def test_implemented_page_lists_answers_newest_first_and_pages_on(client, app, pm, author):
    app.config["PAGE_SIZE"] = 2
    try:
        category = factories.category()
        ids = shipped(pm, author, category, 2, response="Thanks, it shipped.")
        ids += shipped(pm, author, category, 1, slug="partially_implemented", first_day=5)
        shipped(pm, author, category, 1, slug="planned")
        first = client.get("/implemented").text
        assert card_ids(first) == ids[:2]
        assert "<p>Thanks, it shipped. #0</p>" in first
        assert "Implemented on" in first
        cursor = re.search(r'href="/implemented\?cursor=([^"]+)"', first).group(1)
        second = client.get(f"/implemented?cursor={cursor}").text
        assert card_ids(second) == [ids[2]] and "Partially implemented" in second
        assert 'rel="next"' not in second and 'href="/implemented">← Latest first' in second
        assert client.get("/implemented?cursor=broken").status_code == 400
    finally:
        app.config["PAGE_SIZE"] = 20


def test_hidden_ideas_never_show_on_the_public_pages(client, pm, author):
    category = factories.category()
    visible, hidden = shipped(pm, author, category, 2)
    db.session.execute(update(Idea).where(Idea.id == hidden).values(is_hidden=True))
    db.session.commit()
    assert card_ids(client.get("/roadmap").text) == [visible]
    assert card_ids(client.get("/implemented").text) == [visible]
    assert "<dd class=\"kpi-figure__value\">1</dd>" in client.get("/stats").text


def test_stats_page_says_the_numbers_in_plain_words(client, pm, author):
    category = factories.category()
    shipped(pm, author, category, 1)  # answered at once
    factories.idea(author=author, category_row=category)  # not answered
    page = client.get("/stats").text
    assert "<h1>Are we listening? The numbers</h1>" in page
    assert "<dt>Ideas answered</dt><dd class=\"kpi-figure__value\">50%</dd>" in page
    assert "Half of the answered ideas heard back within <strong>less than a day</strong>" in page
    assert re.search(r"<strong>1</strong> idea is now implemented", page)
    assert '<th scope="col" class="number">First answered</th>' in page


def test_stats_page_draws_its_weeks_as_an_accessible_chart_and_keeps_the_table(client, pm, author):
    category = factories.category()
    shipped(pm, author, category, 1)
    factories.idea(author=author, category_row=category)
    page = client.get("/stats").text
    chart = re.search(r'<svg class="kpi-chart".*?</svg>', page, re.S).group(0)
    assert 'role="img" aria-labelledby="stats-weeks-chart-title stats-weeks-chart-desc"' in chart
    assert '<title id="stats-weeks-chart-title">Ideas shared and first answered, week by week</title>' in chart
    desc = re.search(r'<desc id="stats-weeks-chart-desc">(.*?)</desc>', chart).group(1)
    assert re.fullmatch(r"In the 12 weeks starting \d+ \w+ \d{4} to \d+ \w+ \d{4}, 2 ideas were shared and 1 got "
                        r"their first answer; the most were shared in the week of \d+ \w+ \d{4}, 2\.", desc)
    assert chart.count("<rect ") == 24  # a pair of columns a week
    assert chart.count('kpi-chart__bar--series-1') == 12
    assert re.search(r"<title>\d+ \w+, First answered: 1</title>", chart)
    assert '<summary>The numbers, week by week</summary>' in page  # the same numbers as a table
    assert page.count('<tr><th scope="row"><time') == 12


def test_stats_page_of_an_empty_portal_invites_the_first_idea(client):
    page = client.get("/stats").text
    assert "No ideas yet." in page and "Half of the answered" not in page


def test_home_page_links_the_answered_share_and_median_to_the_stats(client, pm, author):
    category = factories.category()
    assert "answered" not in client.get("/").text.split('aria-label="Portal totals"')[1].split("</ul>")[0]
    shipped(pm, author, category, 1)
    factories.idea(author=author, category_row=category)
    totals = client.get("/").text.split('aria-label="Portal totals"')[1].split("</ul>")[0]
    assert '<a href="/stats"><strong>50%</strong> answered · median less than a day to an answer</a>' in totals


def test_list_and_idea_pages_announce_their_feeds(client, author):
    category = factories.category(slug="tools")
    idea = factories.idea(author=author, category_row=category)
    listing = client.get("/ideas").text
    link = '<link rel="alternate" type="application/atom+xml" title="New ideas (Atom)" href="/feeds/ideas.atom">'
    assert link in listing
    assert "/feeds/categories/" not in listing
    assert 'href="/feeds/categories/tools.atom"' in client.get("/ideas?category=tools").text
    detail = client.get(f"/ideas/{idea.id}", follow_redirects=True).text
    link = f'title="Status updates on this idea (Atom)" href="/ideas/{idea.id}/status.atom"'
    assert f'<link rel="alternate" type="application/atom+xml" {link}>' in detail
    assert 'href="/feeds/ideas.atom"' in client.get("/roadmap").text
