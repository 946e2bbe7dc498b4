"""Idea pages, voting and browsing through the test client."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from ideaportal.extensions import db
from ideaportal.ideas import services
from ideaportal.ideas.queries import status_timeline
from ideaportal.models import Idea, utcnow
from ideaportal.triage.services import archive_stale, change_status
from tests import factories
from tests.helpers import count_queries, status_id


def card_ids(page: str) -> list[int]:
    return [int(number) for number in re.findall(r'<article class="idea-card" id="idea-(\d+)"', page)]


def set_status(idea_id: int, slug: str) -> None:
    db.session.execute(update(Idea).where(Idea.id == idea_id).values(status_id=status_id(slug)))
    db.session.commit()


def test_submitting_an_idea_shows_it_with_the_authors_vote(client, auth, app):
    author = factories.user(username="ines")
    category = factories.category(name="Mobile app")
    auth.login(author)
    response = client.post("/ideas/new", data={"title": "Offline mode please", "body": "Works on **trains**",
                                               "category": category.id})
    assert response.status_code == 302 and response.headers["Location"].endswith("-offline-mode-please")
    page = client.get(response.headers["Location"]).text
    assert "<h1 id=\"idea-title\">Offline mode please</h1>" in page
    assert "<strong>trains</strong>" in page
    assert "<strong>ines</strong>" in page and "Mobile app" in page
    assert 'class="badge badge--open badge--new">New</span>' in page
    assert '<span data-score>1</span>' in page
    assert '<span data-upvotes>1</span> up · <span data-downvotes>0</span> down' in page


def test_submit_form_keeps_input_and_explains_errors(client, auth, app):
    auth.login(factories.user())
    category = factories.category()
    response = client.post("/ideas/new", data={"title": "Tiny", "body": "Still kept <b>here</b>",
                                               "category": category.id})
    assert response.status_code == 400
    assert "Use 5 to 140 characters." in response.text
    assert 'value="Tiny"' in response.text and "Still kept &lt;b&gt;here&lt;/b&gt;" in response.text


def test_anonymous_visitors_are_sent_to_log_in_before_submitting(client, app):
    response = client.get("/ideas/new")
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login?next=/ideas/new"
    assert "Please log in to continue. You&#39;ll come straight back here." in client.get(response.headers["Location"]).text


def test_idea_url_without_or_with_wrong_slug_redirects_to_the_canonical_one(client, app):
    idea = factories.idea(title="Dark mode everywhere")
    for path in (f"/ideas/{idea.id}", f"/ideas/{idea.id}-wrong"):
        response = client.get(path)
        assert response.status_code == 301
        assert response.headers["Location"] == f"/ideas/{idea.id}-dark-mode-everywhere"


def test_user_html_is_shown_as_text(client, app):
    idea = factories.idea(title="<script>alert('t')</script> title", body="<img src=x onerror=alert(1)>")
    page = client.get(f"/ideas/{idea.id}", follow_redirects=True).text
    assert "&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt; title" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<img src=x" not in page


def test_author_edits_while_new_and_is_refused_after_review(client, auth, app):
    author = factories.user()
    idea = factories.idea(author=author)
    auth.login(author)
    form = client.get(f"/ideas/{idea.id}/edit")
    assert form.status_code == 200 and idea.title in form.text
    response = client.post(f"/ideas/{idea.id}/edit", data={"title": "Edited title", "body": "Edited",
                                                            "category": idea.category_id})
    assert response.status_code == 302
    set_status(idea.id, "under_review")
    assert client.get(f"/ideas/{idea.id}/edit").status_code == 403
    refused = client.post(f"/ideas/{idea.id}/edit", data={"title": "Late edit", "body": "x",
                                                          "category": idea.category_id})
    assert refused.status_code == 403
    assert db.session.get(Idea, idea.id).title == "Edited title"


def test_other_members_cannot_edit(client, auth, app):
    idea = factories.idea()
    auth.login(factories.user())
    assert client.get(f"/ideas/{idea.id}/edit").status_code == 403
    assert client.post(f"/ideas/{idea.id}/edit", data={"title": "Hijacked!", "body": "x",
                                                       "category": idea.category_id}).status_code == 403


def test_vote_without_javascript_redirects_back_to_the_page_and_idea(client, auth, app):
    idea = factories.idea()
    auth.login(factories.user())
    response = client.post(f"/ideas/{idea.id}/vote", data={"value": "1", "next": "/ideas?sort=top"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/ideas?sort=top#idea-{idea.id}"
    page = client.get("/ideas?sort=top").text
    assert '<span data-score>2</span>' in page
    assert 'aria-pressed="true" data-direction="1"' in page


def test_vote_with_json_returns_the_tally(client, auth, app):
    idea = factories.idea()
    auth.login(factories.user())
    headers = {"Accept": "application/json"}
    first = client.post(f"/ideas/{idea.id}/vote", data={"value": "1"}, headers=headers)
    assert first.json == {"score": 2, "upvotes": 2, "downvotes": 0, "my_vote": 1}
    again = client.post(f"/ideas/{idea.id}/vote", data={"value": "1"}, headers=headers)
    assert again.json == first.json
    flipped = client.post(f"/ideas/{idea.id}/vote", data={"value": "-1"}, headers=headers)
    assert flipped.json == {"score": 0, "upvotes": 1, "downvotes": 1, "my_vote": -1}
    withdrawn = client.post(f"/ideas/{idea.id}/vote", data={"value": "0"}, headers=headers)
    assert withdrawn.json == {"score": 1, "upvotes": 1, "downvotes": 0, "my_vote": 0}


@pytest.mark.parametrize("value", ["2", "-5", "up", "", "1.5"])
def test_a_bad_vote_value_is_a_clear_400(client, auth, app, value):
    idea = factories.idea()
    auth.login(factories.user())
    response = client.post(f"/ideas/{idea.id}/vote", data={"value": value}, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.json["error"]["message"] == "A vote is 1 (up), -1 (down) or 0 (withdraw)."


def test_voting_on_a_missing_idea_is_404(client, auth, app):
    auth.login(factories.user())
    assert client.post("/ideas/999999/vote", data={"value": "1"}).status_code == 404


def test_an_anonymous_post_goes_to_login_and_comes_back(client, app):
    """A POST that is not a vote for or against (here a withdrawal) is not kept: the visitor tries again.
    A vote is kept and cast after the login: tests/views/test_vote_intent_views.py."""
    idea = factories.idea()
    voter = factories.user()
    response = client.post(f"/ideas/{idea.id}/vote", data={"value": "0", "next": "/ideas?sort=new"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login?next=/ideas?sort%3Dnew"
    assert "Please log in to do that. You&#39;ll come back to the page you were on" in \
        client.get(response.headers["Location"]).text
    login = client.post("/auth/login", data={"email": voter.email, "password": factories.PASSWORD,
                                              "next": "/ideas?sort=new"})
    assert login.headers["Location"] == "/ideas?sort=new"




def test_list_sorts_by_hot_top_new_and_discussed(client, app):
    author = factories.user()
    first, second, third = (factories.idea(author=author, title=f"Sortable idea {n}") for n in range(3))
    voters = [factories.user() for _ in range(3)]
    for voter in voters:
        services.cast_vote(idea_id=first.id, voter_id=voter.id, value=1)
    services.cast_vote(idea_id=third.id, voter_id=voters[0].id, value=-1)
    db.session.execute(update(Idea).where(Idea.id == second.id).values(comment_count=5))
    db.session.commit()
    assert card_ids(client.get("/ideas?sort=top").text) == [first.id, second.id, third.id]
    assert card_ids(client.get("/ideas?sort=new").text) == [third.id, second.id, first.id]
    assert card_ids(client.get("/ideas?sort=discussed").text)[0] == second.id
    assert card_ids(client.get("/ideas?sort=hot").text)[0] == first.id


def test_list_filters_by_category_and_status(client, app):
    mobile, desktop = factories.category(slug="mobile"), factories.category(slug="desktop")
    on_mobile = factories.idea(category_row=mobile)
    on_desktop = factories.idea(category_row=desktop)
    set_status(on_desktop.id, "planned")
    assert card_ids(client.get("/ideas?category=mobile").text) == [on_mobile.id]
    assert card_ids(client.get("/ideas?status=planned").text) == [on_desktop.id]
    assert card_ids(client.get("/ideas?category=mobile&status=planned").text) == []


def test_hidden_and_merged_ideas_are_left_out_of_lists(client, app):
    shown, hidden, merged = factories.idea(), factories.idea(), factories.idea()
    db.session.execute(update(Idea).where(Idea.id == hidden.id).values(is_hidden=True))
    db.session.execute(update(Idea).where(Idea.id == merged.id).values(merged_into_id=shown.id))
    db.session.commit()
    assert card_ids(client.get("/ideas?sort=new").text) == [shown.id]
    assert client.get(f"/ideas/{hidden.id}", follow_redirects=True).status_code == 404


@pytest.mark.parametrize("sort", ["hot", "top", "new", "discussed"])
def test_keyset_pages_visit_every_idea_once_in_order(client, app, sort):
    author, category = factories.user(), factories.category()
    ideas = [factories.idea(author=author, category_row=category) for _ in range(45)]
    for index, idea in enumerate(ideas[::3]):  # ties on score and comments must still page cleanly
        db.session.execute(update(Idea).where(Idea.id == idea.id).values(comment_count=index % 4))
    db.session.commit()
    seen, url = [], f"/ideas?sort={sort}"
    while url:
        page = client.get(url).text
        seen.extend(card_ids(page))
        next_link = re.search(r'rel="next" href="([^"]+)"', page)
        url = next_link.group(1).replace("&amp;", "&") if next_link else None
    assert sorted(seen) == sorted(idea.id for idea in ideas)
    assert len(seen) == len(set(seen)) == 45


@pytest.mark.parametrize("query", ["sort=sideways", "cursor=!!!", "sort=new&cursor=WzEsMl0", "category=nope",
                                   "status=nope", "cursor=bnVsbA"])
def test_bad_list_parameters_get_a_clear_400_page(client, app, query):
    response = client.get(f"/ideas?{query}")
    assert response.status_code == 400
    assert "<h1>That request didn" in response.text


def test_list_query_count_is_the_same_for_5_and_50_ideas(client, auth, app):
    viewer, category = factories.user(), factories.category()
    auth.login(viewer)

    def queries_for_list():
        client.get("/ideas")  # warm: the session user is loaded once per request
        with count_queries() as statements:
            assert client.get("/ideas").status_code == 200
        return len(statements)

    for _ in range(5):
        factories.idea(category_row=category)
    five = queries_for_list()
    for _ in range(45):
        factories.idea(category_row=category)
    fifty = queries_for_list()
    assert five == fifty
    assert five <= 6


def test_home_shows_hot_and_shipped_ideas_and_the_counter_strip(client, app):
    idea = factories.idea(title="Visible on the home page")
    in_part = factories.idea()
    set_status(idea.id, "implemented")
    set_status(in_part.id, "partially_implemented")
    page = client.get("/").text
    assert "Visible on the home page" in page
    strip = re.sub(r"\s+", " ", re.search(r'<ul class="totals".*?</ul>', page, re.S).group(0))
    assert "<strong>2</strong> ideas" in strip
    assert "<strong>2</strong> votes cast" in strip
    assert "<strong>0</strong> comments" in strip
    assert "<strong>2</strong> implemented" in strip  # in full or in part, as on /stats
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))  # an idea both hot and shipped is listed twice, with distinct ids
    assert f'id="idea-{idea.id}"' in page and f'id="shipped-idea-{idea.id}"' in page
    shipped = page.split('id="shipped-title"')[1].split("</section>")[0]
    assert "Visible on the home page" in shipped and f'id="shipped-idea-{in_part.id}"' in shipped


def test_unknown_pages_get_the_site_404(client, app):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "We couldn" in response.text and 'class="site-header"' in response.text


def test_the_idea_page_and_the_triage_page_show_the_same_status_timeline(client, app, pm):
    idea = factories.idea(title="Status history")
    later = utcnow() + timedelta(days=200)
    assert archive_stale(months=6, response="Archived: no activity.", now=later) == [idea.id]
    change_status(idea_id=idea.id, actor_id=pm.id, status_slug="planned", response="Back, and *planned*.",
                  now=later + timedelta(days=1))

    def timeline(html: str) -> list[str]:
        section = html.split('id="timeline-title"')[1].split("</section>")[0]
        return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", item)).strip()
                for item in re.findall(r'<li class="timeline__item"[^>]*>(.*?)</li>', section, re.S)]

    public = timeline(client.get(f"/ideas/{idea.id}-status-history").text)
    staff = timeline(client.get(f"/admin/ideas/{idea.id}").text)
    assert len(public) == len(staff) == 2
    assert public[0].startswith("Archived") and "Archived: no activity." in public[0] and " by " not in public[0]
    assert public[1].startswith("Planned") and "by petra Official answer Back, and planned." in public[1]
    assert "by the portal Official answer Archived: no activity." in staff[0]  # staff see who moved it
    assert staff[1] == public[1]
    rows = status_timeline(idea.id)  # the one query both pages read
    assert [(status.slug, by) for _, status, by in rows] == [("archived", None), ("planned", "petra")]


def test_the_idea_page_leads_with_the_newest_official_answer(client, app):
    from ideaportal.comments.services import add_comment
    from ideaportal.triage.services import change_status

    idea = factories.idea(title="Calendar sync both ways", body="Please.")
    page = client.get(f"/ideas/{idea.id}", follow_redirects=True).text
    assert 'id="latest-answer-title"' not in page  # no answer yet: nothing claims one
    pm = factories.user(role="pm", username="priya")
    change_status(idea_id=idea.id, actor_id=pm.id, status_slug="planned", response="Coming in **spring**.")
    page = client.get(f"/ideas/{idea.id}", follow_redirects=True).text
    top = page.split('id="latest-answer-title"', 1)[1].split("</aside>", 1)[0]
    assert "from priya" in top and "<strong>spring</strong>" in top and 'href="#status-change-' in top
    assert page.index('id="latest-answer-title"') < page.index("<p>Please.</p>")
    comment_id = add_comment(idea_id=idea.id, author_id=pm.id, body="Update: it is in beta.", official=True)
    top = client.get(f"/ideas/{idea.id}", follow_redirects=True).text.split('id="latest-answer-title"', 1)[1]
    assert "in beta" in top.split("</aside>", 1)[0] and f'href="#comment-{comment_id}"' in top


def test_a_merged_ideas_address_says_where_it_went(client, app):
    from ideaportal.merges.services import merge_idea

    original = factories.idea(title="Dark theme", body="Please.")
    duplicate = factories.idea(title="Night mode", body="Please.")
    merge_idea(source_id=duplicate.id, target_id=original.id, actor_id=factories.user(role="pm").id)
    moved = client.get(f"/ideas/{duplicate.id}")
    assert moved.status_code == 301 and moved.headers["Location"].endswith(f"-dark-theme?merged={duplicate.id}")
    page = client.get(moved.headers["Location"]).text
    assert f"Idea #{duplicate.id}, “Night mode”, was merged into this one" in page
    other = factories.idea(title="Unrelated", body="Please.")
    assert "was merged into this one" not in client.get(f"/ideas/{original.id}-dark-theme?merged={other.id}").text
    assert "was merged into this one" not in client.get(f"/ideas/{original.id}-dark-theme?merged=x").text


def test_a_card_marks_an_idea_the_team_has_answered(client, app):
    from ideaportal.comments.services import add_comment

    pm = factories.user(role="pm")
    answered = factories.idea(title="Answered by the team")
    factories.idea(title="Still waiting for an answer")
    add_comment(idea_id=answered.id, author_id=pm.id, body="We are on it.", official=True)
    cards = client.get("/ideas?sort=new").text.split('<article class="idea-card"')[1:]
    marked = {re.search(r'-title">\s*<a [^>]+>([^<]+)<', card).group(1): 'badge--official">Official answer' in card
              for card in cards}
    assert marked == {"Answered by the team": True, "Still waiting for an answer": False}
