"""Searching from the header and the ideas list: ranked, highlighted, filterable, paged, never a 500."""
import html
import re

import pytest

from tests import factories
from tests.html_safety import unsafe_markup


def card_ids(page: str) -> list[int]:
    return [int(number) for number in re.findall(r'<article class="idea-card" id="idea-(\d+)"', page)]


def test_every_page_has_a_search_box_in_the_header(client, app):
    page = client.get("/").text
    form = re.search(r'<form class="site-search" role="search"[^>]*action="/ideas">(.*?)</form>', page, re.S)
    assert form and 'name="q"' in form.group(1)
    assert '<label for="site-search-q" class="visually-hidden">Search ideas</label>' in form.group(1)


def test_search_results_are_ranked_and_highlighted(client, app):
    body_only = factories.idea(title="Reports for managers", body="Add a **calendar** view to the reports.")
    in_title = factories.idea(title="Calendar sync", body="Two ways.")
    factories.idea(title="Unrelated", body="Nothing here.")
    response = client.get("/ideas?q=calendars")
    assert response.status_code == 200
    assert card_ids(response.text) == [in_title.id, body_only.id]
    assert "<mark>Calendar</mark> sync" in response.text and "Add a <mark>calendar</mark> view" in response.text
    assert 'aria-current="page">Best match</a>' in response.text
    assert "<h1>Ideas matching “calendars”</h1>" in response.text


def test_a_search_with_more_matches_than_it_ranks_says_where_its_list_comes_from(client, app, monkeypatch):
    monkeypatch.setattr("ideaportal.ideas.queries.SEARCH_NEWEST", 2)
    ideas = [factories.idea(title=f"Calendar {number}", body="A calendar view.") for number in range(3)]
    page = client.get("/ideas?q=calendar").text
    assert sorted(card_ids(page)) == sorted(idea.id for idea in ideas[1:])
    assert "More than 2 ideas match. This list is\n      drawn from the newest 2 of them" in page
    assert "More than" not in client.get("/ideas?q=calendar+2").text


def test_hostile_idea_text_is_escaped_in_highlights(client, app):
    factories.idea(title='<script>alert(1)</script> export <mark onclick="x()">',
                   body="<img src=x onerror=alert(1)> export")
    page = client.get("/ideas?q=export").text
    assert unsafe_markup(page) == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>export</mark> &lt;mark onclick=" in page


def test_search_keeps_the_filters_sorts_and_pages(client, app):
    mobile, desktop = factories.category(slug="mobile"), factories.category(slug="desktop")
    wanted = [factories.idea(category_row=mobile, title=f"Offline mode {number}", body="offline " * number)
              for number in range(1, 6)]
    factories.idea(category_row=desktop, title="Offline installer")
    app.config["PAGE_SIZE"] = 2
    try:
        seen, url = [], "/ideas?q=offline&category=mobile"
        while url:
            page = client.get(url).text
            seen += card_ids(page)
            found = re.search(r'rel="next" href="([^"]+)"', page)
            url = html.unescape(found.group(1)) if found else None
            assert url is None or ("q=offline" in url and "category=mobile" in url and "sort=relevance" in url)
    finally:
        app.config["PAGE_SIZE"] = 20
    assert sorted(seen) == sorted(idea.id for idea in wanted) and len(seen) == len(set(seen))
    page = client.get("/ideas?q=offline&category=mobile").text
    assert 'href="/ideas?sort=top&amp;category=mobile&amp;q=offline"' in page
    assert '<input type="hidden" name="q" value="offline">' in page
    newest_first = card_ids(client.get("/ideas?q=offline&category=mobile&sort=new").text)
    assert newest_first == sorted(idea.id for idea in wanted)[::-1][:20]


@pytest.mark.parametrize("q, message", [
    ("", "Type a word or two to search the ideas."),
    ("   ", "Type a word or two to search the ideas."),
    ("the of and", "“the of and” has only very common words"),
])
def test_a_search_without_words_explains_itself(client, app, q, message):
    factories.idea(title="The best of ideas")
    response = client.get("/ideas", query_string={"q": q})
    assert response.status_code == 200 and message in response.text
    assert card_ids(response.text) == [] and "No ideas match your search." not in response.text  # said once


def test_a_search_that_finds_nothing_invites_the_idea(client, app):
    factories.idea(title="Export to CSV")
    page = client.get("/ideas", query_string={"q": "teleport"}).text
    assert "No ideas match your search. Try other or fewer words." in page
    assert '<a href="/ideas/new?title=teleport">Submit it as a new idea</a>' in page  # the words start the form
    assert "Submit it as a new idea" not in client.get("/ideas", query_string={"q": "export"}).text


def test_without_q_the_list_is_the_usual_one(client, app):
    idea = factories.idea(title="Anything")
    page = client.get("/ideas").text
    assert card_ids(page) == [idea.id] and "Best match" not in page and "<mark>" not in page
    assert client.get("/ideas?sort=relevance").status_code == 400  # relevance needs a search


@pytest.mark.parametrize("q", ['"unbalanced', "a AND", "NEAR(", "*", "-", "OR", "^", ":", "\\", "'",
                               "%", "x" * 1_000, "😀", "{title}:x", "<script>alert(1)</script>"])
def test_any_query_text_gets_a_page_not_an_error(client, app, q):
    factories.idea(title="Export to CSV")
    response = client.get("/ideas", query_string={"q": q, "sort": "relevance"})
    assert response.status_code == 200 and unsafe_markup(response.text) == []
