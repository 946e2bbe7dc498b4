"""Storm Session pages through the test client: the list, a session, submitting into it, its budget and results."""
import re
from datetime import timedelta

from sqlalchemy import func, select, update

from ideaportal.comments.services import add_comment
from ideaportal.extensions import db
from ideaportal.ideas import services as idea_services
from ideaportal.models import Campaign, Comment, Idea, User, utcnow
from ideaportal.triage.services import change_status
from tests import factories
from tests.helpers import count_queries

FINAL = 'Votes are final<span class="visually-hidden">: this Storm Session closed</span>'


def card_ids(page: str) -> list[int]:
    return [int(number) for number in re.findall(r'<article class="idea-card" id="idea-(\d+)"', page)]


def close(campaign_id: int) -> None:
    now = utcnow()
    db.session.execute(update(Campaign).where(Campaign.id == campaign_id)
                       .values(starts_at=now - timedelta(days=10), ends_at=now - timedelta(minutes=1)))
    db.session.commit()


def test_the_list_shows_open_upcoming_and_past_sessions_with_dates_and_counts(client, app):
    now = utcnow()
    factories.campaign(title="Mobile week", question="What should the app do next?")
    factories.campaign(title="Pricing fortnight", starts_at=now + timedelta(days=3), ends_at=now + timedelta(days=17))
    past = factories.campaign(title="Accessibility month")
    factories.campaign_idea(past)
    factories.campaign_idea(past)
    close(past.id)
    page = client.get("/campaigns").text
    open_now, coming_up, past_part = (page.split('id="active-title"')[1].split('id="upcoming-title"')[0],
                                      page.split('id="upcoming-title"')[1].split('id="past-title"')[0],
                                      page.split('id="past-title"')[1])
    assert "Mobile week" in open_now and "What should the app do next?" in open_now and "0 ideas" in open_now
    assert "Open until" in open_now and " UTC</time>" in open_now
    assert "Pricing fortnight" in coming_up and "Opens" in coming_up
    assert "Accessibility month" in past_part and "2 ideas" in past_part and "Ran from" in past_part
    assert '<a href="/campaigns" aria-current="page">Storm Sessions</a>' in page


def test_a_session_page_shows_its_question_its_own_ideas_and_a_submit_button(client, app):
    campaign = factories.campaign(title="Mobile week", slug="mobile-week", question="What would you change?",
                                  description="We read **everything**.", vote_budget=5)
    mine = [factories.campaign_idea(campaign).id for _ in range(2)]
    outside = factories.idea().id
    page = client.get("/campaigns/mobile-week").text
    assert "<h1 id=\"campaign-title\">Mobile week</h1>" in page and "What would you change?" in page
    assert "<strong>everything</strong>" in page
    assert sorted(card_ids(page)) == sorted(mine) and outside not in card_ids(page)
    assert 'href="/campaigns/mobile-week/submit">Submit an idea to this Storm Session</a>' in page
    assert "Each member has 5 votes to spend in this Storm Session." in page  # visitors see the rule


def test_a_session_sorts_its_ideas_by_score_and_pages_them(client, app, monkeypatch):
    campaign = factories.campaign(slug="scored")
    low, high, middle = (factories.campaign_idea(campaign).id for _ in range(3))
    for voter in (factories.user() for _ in range(2)):
        idea_services.cast_vote(idea_id=high, voter_id=voter.id, value=1)
    idea_services.cast_vote(idea_id=middle, voter_id=factories.user().id, value=1)
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    first = client.get("/campaigns/scored?sort=top").text
    assert card_ids(first) == [high, middle]
    cursor = re.search(r'rel="next" href="/campaigns/scored\?sort=top&amp;cursor=([^"#]+)', first).group(1)
    assert card_ids(client.get(f"/campaigns/scored?sort=top&cursor={cursor}").text) == [low]
    assert client.get("/campaigns/scored?sort=sideways").status_code == 400


def test_an_unknown_session_is_not_found(client, app):
    response = client.get("/campaigns/no-such-session")
    assert response.status_code == 404 and "no Storm Session at this address" in response.text


def test_the_leaderboard_ranks_ideas_and_contributors_within_the_session(client, app):
    campaign = factories.campaign(slug="board")
    ana, ben = factories.user(username="ana"), factories.user(username="ben")
    first, second = factories.campaign_idea(campaign, author=ana), factories.campaign_idea(campaign, author=ana)
    bens = factories.campaign_idea(campaign, author=ben, title="Ben's only idea")
    factories.idea(author=ben)  # outside the session: does not count
    idea_services.cast_vote(idea_id=bens.id, voter_id=ana.id, value=1)
    idea_services.cast_vote(idea_id=bens.id, voter_id=factories.user().id, value=1)
    page = client.get("/campaigns/board").text
    leaders = page.split('id="leaders-title"')[1]
    assert leaders.index("Ben&#39;s only idea") < leaders.index(f"/ideas/{first.id}-")
    assert f"/ideas/{second.id}-" in leaders
    contributors = leaders.split("Top contributors")[1]
    assert re.search(r"<strong>ana</strong>\s*<span[^>]*>2 ideas, 2 votes</span>", contributors)
    assert re.search(r"<strong>ben</strong>\s*<span[^>]*>1 idea, 3 votes</span>", contributors)
    assert contributors.index("ben") < contributors.index("ana")
    db.session.execute(update(User).where(User.id == ben.id).values(is_active=False))
    db.session.commit()
    contributors = client.get("/campaigns/board").text.split('id="leaders-title"')[1].split("Top contributors")[1]
    assert "<strong>ana</strong>" in contributors and "ben" not in contributors  # deactivated: off the board


def test_a_member_submits_into_a_session_with_its_category_preselected(client, auth, app):
    mobile, other = factories.category(name="Mobile"), factories.category(name="Other")
    campaign = factories.campaign(title="Mobile week", slug="mobile-week", category_row=mobile, vote_budget=3)
    member = factories.user()
    auth.login(member)
    form = client.get("/campaigns/mobile-week/submit").text
    assert f'<option selected value="{mobile.id}">Mobile</option>' in form
    response = client.post("/campaigns/mobile-week/submit",
                           data={"title": "Offline maps please", "body": "On **trains**.", "category": other.id})
    assert response.status_code == 302
    idea = db.session.scalar(select(Idea).where(Idea.title == "Offline maps please"))
    assert (idea.campaign_id, idea.category_id, idea.score) == (campaign.id, other.id, 1)
    page = client.get(response.headers["Location"]).text
    assert "with your own vote on it" in page
    assert 'Storm Session: <a href="/campaigns/mobile-week">Mobile week</a>' in page
    assert re.search(r"You have <strong data-budget-left>2</strong> of 3 votes left in this Storm Session", page)
    campaign_page = client.get("/campaigns/mobile-week").text
    assert "<strong data-budget-left>2</strong> of 3 votes left" in campaign_page


def test_the_submit_form_keeps_input_and_explains_errors(client, auth, app):
    factories.campaign(slug="open")
    category = factories.category()
    auth.login(factories.user())
    response = client.post("/campaigns/open/submit", data={"title": "Tiny", "body": "Kept", "category": category.id})
    assert response.status_code == 400 and "Use 5 to 140 characters." in response.text
    assert 'value="Tiny"' in response.text
    assert db.session.scalar(select(func.count(Idea.id))) == 0


def test_a_near_duplicate_is_shown_before_it_is_posted_into_a_session(client, auth, app):
    category = factories.category()
    original = factories.idea(title="Offline mode for the mobile app", body="Work without a connection.",
                              category_row=category)
    campaign = factories.campaign(slug="mobile-week")
    auth.login(factories.user())
    form = client.get("/campaigns/mobile-week/submit").text
    assert 'data-similar-url="/ideas/similar"' in form and 'id="similar-ideas"' in form
    typed = {"title": "Offline mode for the mobile app", "body": "Work without a connection.", "category": category.id}
    response = client.post("/campaigns/mobile-week/submit", data=typed)
    assert response.status_code == 200 and "looks like an idea already posted" in response.text
    assert f'form="vote-instead-{original.id}"' in response.text
    assert 'value="Offline mode for the mobile app"' in response.text  # what was typed is kept
    assert db.session.scalar(select(func.count(Idea.id))) == 1
    response = client.post("/campaigns/mobile-week/submit", data={**typed, "post_anyway": "y"})
    assert response.status_code == 302
    posted = db.session.scalar(select(Idea).where(Idea.id != original.id))
    assert posted.campaign_id == campaign.id


def test_a_session_that_is_not_open_explains_why_it_takes_no_ideas(client, auth, app):
    now = utcnow()
    factories.campaign(slug="soon", starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=5))
    closed = factories.campaign(slug="over")
    close(closed.id)
    category = factories.category()
    auth.login(factories.user())
    for slug, message in (("soon", "hasn&#39;t started yet"), ("over", "takes no new ideas")):
        for response in (client.get(f"/campaigns/{slug}/submit"),
                         client.post(f"/campaigns/{slug}/submit",
                                     data={"title": "Too early or late", "body": "x", "category": category.id})):
            assert response.status_code == 409 and message in response.text
    assert db.session.scalar(select(func.count(Idea.id))) == 0
    for slug in ("soon", "over"):
        assert "Submit an idea to this Storm Session" not in client.get(f"/campaigns/{slug}").text
    soon = client.get("/campaigns/soon").text  # nothing to list or rank before it opens
    assert 'id="ideas-title"' not in soon and 'id="leaders-title"' not in soon
    assert 'id="ideas-title"' in client.get("/campaigns/over").text


def test_visitors_are_sent_to_log_in_before_submitting(client, app):
    factories.campaign(slug="open")
    response = client.get("/campaigns/open/submit")
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login?next=/campaigns/open/submit"


def test_a_closed_session_shows_its_results_with_the_latest_official_answer(client, app):
    campaign = factories.campaign(title="Accessibility month", slug="a11y")
    shipped = factories.campaign_idea(campaign, title="Screen reader labels")
    declined = factories.campaign_idea(campaign, title="Voice control everywhere")
    waiting = factories.campaign_idea(campaign, title="Larger buttons")
    idea_services.cast_vote(idea_id=shipped.id, voter_id=factories.user().id, value=1)
    pm = factories.user(role="pm")
    change_status(idea_id=shipped.id, actor_id=pm.id, status_slug="planned", response="On the plan.",
                  now=utcnow() - timedelta(days=2))
    change_status(idea_id=shipped.id, actor_id=pm.id, status_slug="implemented", response="Shipped in **4.2**!",
                  now=utcnow() - timedelta(days=1))
    change_status(idea_id=declined.id, actor_id=pm.id, status_slug="not_planned", response="Not this year.",
                  now=utcnow() - timedelta(days=1))
    comment_id = add_comment(idea_id=declined.id, author_id=pm.id, body="Update: we *might* revisit it.")
    db.session.execute(update(Comment).where(Comment.id == comment_id).values(is_official=True))
    db.session.commit()
    close(campaign.id)

    page = client.get("/campaigns/a11y").text
    results = page.split('id="results-title"')[1].split('id="ideas-title"')[0]
    assert results.index("Screen reader labels") < results.index("Voice control everywhere")  # by score
    shipped_result = results.split(f'id="result-{shipped.id}"')[1].split("</li>")[0]
    assert "Implemented" in shipped_result and "<strong>4.2</strong>" in shipped_result
    assert "On the plan." not in shipped_result
    declined_result = results.split(f'id="result-{declined.id}"')[1].split("</li>")[0]
    assert "Not planned" in declined_result and "<em>might</em>" in declined_result  # the later official comment
    waiting_result = results.split(f'id="result-{waiting.id}"')[1].split("</li>")[0]
    assert "No answer from the product team yet." in waiting_result
    assert "its votes are final" in page and "Submit an idea to this Storm Session" not in page


def test_the_idea_page_of_a_closed_session_says_its_votes_are_final(client, auth, app):
    campaign = factories.campaign(title="Old session", slug="old", vote_budget=3)
    idea = factories.campaign_idea(campaign)
    close(campaign.id)
    auth.login(factories.user())
    page = client.get(f"/ideas/{idea.id}", follow_redirects=True).text
    assert 'Storm Session: <a href="/campaigns/old">Old session</a>' in page and "its votes are final" in page
    assert "votes left" not in page
    response = client.post(f"/ideas/{idea.id}/vote", data={"value": 1}, headers={"Accept": "application/json"})
    assert response.status_code == 409 and "votes are final" in response.json["error"]["message"]


def test_the_vote_json_adds_the_votes_left_and_refuses_over_budget(client, auth, app):
    campaign = factories.campaign(vote_budget=1)
    first, second = factories.campaign_idea(campaign), factories.campaign_idea(campaign)
    plain = factories.idea()
    auth.login(factories.user())
    json_vote = {"Accept": "application/json"}
    reply = client.post(f"/ideas/{first.id}/vote", data={"value": 1}, headers=json_vote).json
    assert reply == {"score": 2, "upvotes": 2, "downvotes": 0, "my_vote": 1, "budget_left": 0}
    refused = client.post(f"/ideas/{second.id}/vote", data={"value": 1}, headers=json_vote)
    assert refused.status_code == 409 and "used all 1 of your votes" in refused.json["error"]["message"]
    page = client.post(f"/ideas/{second.id}/vote", data={"value": 1})  # without JavaScript: a page that explains
    assert page.status_code == 409 and "used all 1 of your votes" in page.text
    assert "budget_left" not in client.post(f"/ideas/{plain.id}/vote", data={"value": 1}, headers=json_vote).json


def vote_widget(page: str, idea_id: int) -> str:
    """The vote widget of one idea's card (or of the idea page's header)."""
    card = page.split(f'id="idea-{idea_id}"')[1]
    return re.search(r'<(form|div) class="vote[^"]*".*?</\1>', card, re.S).group(0)


def test_ideas_of_a_closed_session_show_their_score_without_vote_buttons(client, auth, app):
    campaign = factories.campaign(slug="over")
    final = factories.campaign_idea(campaign, title="Dark mode for reports")
    open_again = factories.campaign(slug="still-voting", voting_after_close=True)
    still_open = factories.campaign_idea(open_again, title="Bigger charts")
    outside = factories.idea(title="An idea in no session")
    member = factories.user()
    idea_services.cast_vote(idea_id=final.id, voter_id=member.id, value=1)
    close(campaign.id)
    close(open_again.id)
    auth.login(member)
    for path in ("/ideas", "/", "/campaigns/over", f"/ideas/{final.id}-dark-mode-for-reports"):
        widget = vote_widget(client.get(path).text, final.id)
        assert "<button" not in widget and "data-vote" not in widget and "<form" not in widget, path
        assert FINAL in widget, path
        assert "<span data-score>2</span>" in widget and "You voted up" in widget, path
    listing = client.get("/ideas").text
    for idea in (still_open, outside):  # open ideas keep the no-JS form and its buttons
        widget = vote_widget(listing, idea.id)
        # up, down, and Undo (hidden until there is a vote)
        assert f'action="/ideas/{idea.id}/vote" data-vote' in widget and widget.count("<button") == 3
        assert "Votes are final" not in widget


def test_a_closed_sessions_page_runs_as_many_queries_for_5_as_for_50_ideas(client, auth, app, monkeypatch):
    campaign = factories.campaign(slug="big")
    category = factories.category()
    auth.login(factories.user())
    monkeypatch.setitem(app.config, "PAGE_SIZE", 50)

    def queries_for_page():
        client.get("/campaigns/big")  # warm: the session user is loaded once per request
        with count_queries() as statements:
            page = client.get("/campaigns/big").text
        assert page.count(FINAL) == len(card_ids(page))
        return len(statements)

    def add(count: int) -> None:
        db.session.execute(update(Campaign).where(Campaign.id == campaign.id)
                           .values(starts_at=utcnow() - timedelta(days=1), ends_at=utcnow() + timedelta(days=1)))
        db.session.commit()
        for _ in range(count):
            factories.campaign_idea(campaign, category_row=category)
        close(campaign.id)

    add(5)
    five = queries_for_page()
    add(45)
    assert five == queries_for_page()
