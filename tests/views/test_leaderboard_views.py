"""The public leaderboard through the test client: sections, filters, errors, links and query count."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from ideaportal.extensions import db
from ideaportal.ideas.services import cast_vote
from ideaportal.models import Campaign, Idea, User, Vote, utcnow
from tests import factories
from tests.helpers import count_queries, fixture_uncached_leaderboard  # noqa: F401 (an autouse fixture)


def section(page: str, heading_id: str) -> str:
    """The HTML of one board section, found by its heading's id."""
    match = re.search(rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', page, re.DOTALL)
    assert match, f"no section {heading_id}"
    return match.group(0)


def titles(html: str) -> list[str]:
    return re.findall(r'class="board__title"[^>]*>([^<]+)</a>', html)


def voted(idea, voters, *, days_ago: float = 1) -> None:
    for voter in voters:
        cast_vote(idea_id=idea.id, voter_id=voter.id, value=1)
    db.session.execute(update(Vote).where(Vote.idea_id == idea.id)
                       .values(created_at=utcnow() - timedelta(days=days_ago)))
    db.session.commit()


def test_each_board_is_a_tab_of_its_own(client, app):
    voters = [factories.user() for _ in range(4)]
    writer = factories.user(username="writer")
    recent = factories.idea(author=writer, title="Recently loved idea")
    older = factories.idea(title="Loved last month")
    voted(recent, voters[:2], days_ago=1)
    voted(older, voters, days_ago=20)
    response = client.get("/leaderboard")
    assert response.status_code == 200
    page = response.text
    assert titles(section(page, "board-week-title")) == ["Recently loved idea"]  # the first tab by default
    assert "+3 this week" in section(page, "board-week-title")
    assert 'aria-labelledby="board-month-title"' not in page and 'id="contributors-title"' not in page
    tabs = re.sub(r"\s+", " ", re.search(r'<nav class="tabs[^"]*" aria-label="Boards">.*?</nav>', page, re.S).group(0))
    assert '<a href="/leaderboard" aria-current="page">This week</a>' in tabs
    assert '<a href="/leaderboard?board=rising" >Rising</a>' in tabs
    month = client.get("/leaderboard?board=month").text
    assert titles(section(month, "board-month-title")) == ["Loved last month", "Recently loved idea"]
    assert 'aria-labelledby="board-week-title"' not in month
    all_time = client.get("/leaderboard?board=all-time").text
    assert titles(section(all_time, "board-all-time-title")) == ["Loved last month", "Recently loved idea"]
    assert "+5 votes" in section(all_time, "board-all-time-title")
    contributors = section(client.get("/leaderboard?board=contributors").text, "contributors-title")
    assert '<a href="/users/writer">writer</a>' in contributors
    assert '<th scope="col" class="number">Points</th>' in contributors
    assert '<a href="/leaderboard" aria-current="page">Leaderboard</a>' in page


def test_rising_shows_what_each_idea_weighs(client, app):
    voters = [factories.user() for _ in range(6)]
    young = factories.idea(title="Young and rising")
    old = factories.idea(title="Old but loved")
    db.session.execute(update(Idea).where(Idea.id == old.id).values(created_at=utcnow() - timedelta(days=30)))
    db.session.commit()
    voted(young, voters[:3], days_ago=0.1)
    voted(old, voters, days_ago=0.1)
    board = section(client.get("/leaderboard?board=rising").text, "board-rising-title")
    assert titles(board) == ["Young and rising", "Old but loved"]  # +4 outranks +7: the weights say why
    weights = [re.sub(r"\s+", " ", weight) for weight in re.findall(r'<p class="board__weight">(.*?)</p>', board, re.S)]
    assert re.fullmatch(r"Weight <strong>1\.\d\d</strong> = 4 ÷ \(0\.\d days \+ 2\)<sup>1\.5</sup> ?", weights[0])
    assert re.fullmatch(r"Weight <strong>0\.04</strong> = 7 ÷ \(30\.\d days \+ 2\)<sup>1\.5</sup> ?", weights[1])
    assert "to the power 1.5" in board


def test_the_tab_and_the_filters_keep_each_other(client, app):
    factories.category(slug="apps", name="Mobile apps")
    page = client.get("/leaderboard?board=rising&category=apps").text
    assert '<input type="hidden" name="board" value="rising">' in page
    assert 'href="/leaderboard?board=month&amp;category=apps"' in page
    assert '<a href="/leaderboard?board=rising">Clear filters</a>' in page


def test_an_unknown_board_is_a_clear_400(client, app):
    response = client.get("/leaderboard?board=nope")
    assert response.status_code == 400
    assert "There is no board &#39;nope&#39;. Choose one of the tabs." in response.text


def test_an_empty_portal_explains_each_empty_board(client, app):
    for board, message in (("week", "No votes in the last 7 days yet."), ("month", "No votes in the last 30 days yet."),
                           ("rising", "No idea is rising right now."), ("all-time", "No idea has more votes up than down yet."),
                           ("contributors", "Nobody has earned points yet.")):
        assert message in client.get(f"/leaderboard?board={board}").text


def test_the_category_filter_narrows_the_board_and_says_so(client, app):
    apps = factories.category(slug="apps", name="Mobile apps")
    factories.idea(category_row=apps, title="An apps idea")
    factories.idea(title="Somewhere else entirely")
    page = client.get("/leaderboard?board=all-time&category=apps").text
    assert titles(section(page, "board-all-time-title")) == ["An apps idea"]
    assert "Counting only ideas in <strong>Mobile apps</strong>" in page
    assert '<option value="apps" selected>Mobile apps</option>' in page
    assert '<a href="/leaderboard?board=all-time">Clear filters</a>' in page


def test_the_campaign_filter_appears_once_a_storm_session_exists_and_narrows_the_board(client, app):
    idea = factories.idea(title="Asked for in the session")
    factories.idea(title="Not in any session")
    assert 'name="campaign"' not in client.get("/leaderboard").text
    now = utcnow()
    session = Campaign(slug="spring", title="Spring ideas", question="What next?",
                       starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=1))
    db.session.add(session)
    db.session.commit()
    db.session.execute(update(Idea).where(Idea.id == idea.id).values(campaign_id=session.id))
    db.session.commit()
    page = client.get("/leaderboard?board=all-time&campaign=spring").text
    assert '<option value="spring" selected>Spring ideas</option>' in page
    assert titles(section(page, "board-all-time-title")) == ["Asked for in the session"]
    assert "from the Storm Session <strong>Spring ideas</strong>" in page


@pytest.mark.parametrize("query, message", [
    ("category=nope", "There is no category &#39;nope&#39;. Choose one from the list."),
    ("campaign=nope", "There is no Storm Session &#39;nope&#39;. Choose one from the list."),
])
def test_an_unknown_filter_is_a_clear_400(client, app, query, message):
    response = client.get(f"/leaderboard?{query}")
    assert response.status_code == 400
    assert message in response.text
    json = client.get(f"/leaderboard?{query}", headers={"Accept": "application/json"})
    assert json.status_code == 400 and json.json["error"]["code"] == "invalid"


def test_empty_filters_mean_everything(client, app):
    factories.idea(title="Shown with empty filters")
    page = client.get("/leaderboard?board=all-time&category=&campaign=").text
    assert titles(section(page, "board-all-time-title")) == ["Shown with empty filters"]
    assert "Counting only ideas" not in page


def test_user_text_is_escaped_on_the_board(client, app):
    factories.idea(title="<script>alert(1)</script> on the board")
    page = client.get("/leaderboard?board=all-time").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; on the board" in page
    assert "<script>alert(1)" not in page


def test_the_board_runs_the_same_number_of_queries_for_3_and_30_ideas(client, app):
    voters = [factories.user() for _ in range(2)]

    def queries_for_board():
        client.get("/leaderboard")
        with count_queries() as statements:
            assert client.get("/leaderboard").status_code == 200
        return len(statements)

    for _ in range(3):
        voted(factories.idea(), voters)
    three = queries_for_board()
    for _ in range(27):
        voted(factories.idea(), voters)
    thirty = queries_for_board()
    assert three == thirty
    assert three <= 12


def test_a_deactivated_authors_idea_stays_on_the_board_without_a_profile_link(client, app):
    author = factories.user(username="departed")
    factories.idea(author=author, title="Still a good idea")
    db.session.execute(update(User).where(User.id == author.id).values(is_active=False))
    db.session.commit()
    page = client.get("/leaderboard?board=all-time").text
    assert titles(section(page, "board-all-time-title")) == ["Still a good idea"]
    assert "by departed" in page and 'href="/users/departed"' not in page
    assert "Nobody has earned points yet." in client.get("/leaderboard?board=contributors").text
