"""Similar ideas over HTTP: the JSON the submit form asks for, its own page, and the check on submit."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from ideaportal.extensions import db
from ideaportal.models import Campaign, Idea, Vote, utcnow
from tests import factories
from tests.html_safety import unsafe_markup

JSON = {"Accept": "application/json"}


@pytest.fixture
def existing(app):
    return factories.idea(title="Offline mode for the mobile app", body="Read and edit my lists without a connection.")


def test_similar_ideas_as_json_for_anyone(client, existing):
    response = client.get("/ideas/similar", query_string={"title": "Offline mobile app"}, headers=JSON)
    assert response.status_code == 200
    [idea] = response.json["ideas"]
    assert idea["id"] == existing.id and idea["title"] == existing.title
    assert idea["url"] == f"/ideas/{existing.id}-offline-mode-for-the-mobile-app"
    assert idea["vote_url"] == f"/ideas/{existing.id}/vote"
    assert idea["status_label"] == "New" and idea["votes"] == 1 and 0 < idea["similarity"] <= 1


def test_an_unfinished_last_word_counts_while_typing(client, existing):
    asked = {"title": "Working offl"}
    assert client.get("/ideas/similar", query_string=asked, headers=JSON).json["ideas"] == []
    typing = client.get("/ideas/similar", query_string={**asked, "typing": "1"}, headers=JSON).json["ideas"]
    assert [idea["id"] for idea in typing] == [existing.id]


def test_the_similar_page_works_without_javascript(client, auth, existing):
    page = client.get("/ideas/similar?title=offline+mode").text
    assert existing.title in page and "% match" in page and "Vote for this instead" not in page  # visitors: no vote
    auth.login(factories.user())
    page = client.get("/ideas/similar?title=offline+mode").text
    assert f'form="vote-instead-{existing.id}"' in page and f'id="vote-instead-{existing.id}"' in page
    assert client.get("/ideas/similar?title=zzz+qqq").text.count("No idea like it yet") == 1
    assert "No idea like it yet" not in client.get("/ideas/similar").text


@pytest.mark.parametrize("text", ['"NEAR(', "x" * 20_000, "<script>alert(1)</script>", "😀 *", "-", "the"])
def test_any_text_gets_an_answer(client, existing, text):
    for headers in (JSON, {}):
        response = client.get("/ideas/similar", query_string={"title": text, "body": text}, headers=headers)
        assert response.status_code == 200 and unsafe_markup(response.text) == []


def test_hostile_titles_are_data_in_json_and_text_in_html(client, app):
    factories.idea(title='<img src=x onerror=alert(1)> offline mode', body="Offline.")
    assert client.get("/ideas/similar?title=offline", headers=JSON).json["ideas"][0]["title"].startswith("<img")
    page = client.get("/ideas/similar?title=offline").text
    assert unsafe_markup(page) == [] and "&lt;img src=x onerror=alert(1)&gt; offline mode" in page


def new_idea(client, **extra):
    category = extra.pop("category")
    return client.post("/ideas/new", data={"title": "Offline mode in the mobile app",
                                           "body": "Let me edit my lists without a connection.",
                                           "category": category, **extra})


def ideas_count() -> int:
    return db.session.scalar(select(func.count(Idea.id)))


def test_a_near_duplicate_is_shown_before_posting_and_what_was_typed_is_kept(client, auth, existing):
    auth.login(factories.user())
    response = new_idea(client, category=existing.category_id)
    assert response.status_code == 200 and ideas_count() == 1
    page = response.text
    assert existing.title in page and f'form="vote-instead-{existing.id}"' in page
    assert 'name="post_anyway"' in page and "None of these — post my idea anyway" in page
    assert 'value="Offline mode in the mobile app"' in page and "Let me edit my lists without a connection." in page
    assert re.search(r'id="similar-ideas" class="similar" aria-live="polite">\s*<h2', page)
    response = new_idea(client, category=existing.category_id, post_anyway="y")
    assert response.status_code == 302 and ideas_count() == 2


def test_an_idea_unlike_any_other_is_posted_at_once(client, auth, existing):
    auth.login(factories.user())
    response = client.post("/ideas/new", data={"title": "Gantt chart of project timelines",
                                               "body": "Dependencies between tasks.", "category": existing.category_id})
    assert response.status_code == 302 and ideas_count() == 2
    assert "post_anyway" not in client.get("/ideas/new").text


def test_vote_for_this_instead_votes_and_leads_to_the_idea(client, auth, existing):
    voter = factories.user()
    auth.login(voter)
    page = new_idea(client, category=existing.category_id).text
    pattern = rf'<form id="vote-instead-{existing.id}" method="post" action="([^"]+)"[^>]*>(.*?)</form>'
    form = re.search(pattern, page, re.S)
    next_url = re.search(r'name="next" value="([^"]+)"', form.group(2)).group(1)
    response = client.post(form.group(1), data={"value": "1", "next": next_url})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/ideas/{existing.id}-offline-mode-for-the-mobile-app#idea-{existing.id}"
    assert db.session.scalar(select(Vote.value).where(Vote.user_id == voter.id, Vote.idea_id == existing.id)) == 1


def test_an_idea_whose_votes_are_final_is_suggested_without_a_vote_button(client, auth, app):
    session = factories.campaign(slug="offline-week")
    final = factories.campaign_idea(session, title="Offline mode for the mobile app")
    still_open = factories.idea(title="Offline mode for the desktop app")
    db.session.execute(update(Campaign).where(Campaign.id == session.id)
                       .values(starts_at=utcnow() - timedelta(days=10), ends_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    ideas = client.get("/ideas/similar", query_string={"title": "Offline mode app"}, headers=JSON).json["ideas"]
    assert {idea["id"]: idea["votes_open"] for idea in ideas} == {final.id: False, still_open.id: True}
    auth.login(factories.user())
    page = client.get("/ideas/similar?title=Offline+mode+app").text
    assert f'id="vote-instead-{still_open.id}"' in page and f'form="vote-instead-{still_open.id}"' in page
    assert f"vote-instead-{final.id}" not in page
    assert page.count("Votes are final: its Storm Session closed") == 1


def test_voting_instead_without_javascript_says_the_vote_counted_and_the_draft_was_not_posted(client, auth, existing):
    auth.login(factories.user())
    page = client.post("/ideas/new", data={"title": "Offline mode for the mobile app", "body": "x",
                                           "category": existing.category_id}).text
    form = re.search(rf'<form id="vote-instead-{existing.id}".*?</form>', page, re.S).group(0)
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form))
    assert fields["instead"] == "1" and fields["next"].startswith(f"/ideas/{existing.id}-")
    response = client.post(f"/ideas/{existing.id}/vote", data={**fields, "value": "1"}, follow_redirects=True)
    assert "Your vote for this idea is counted. Your own draft was not posted." in response.text
    assert db.session.scalar(select(func.count(Idea.id))) == 1
    plain = client.post(f"/ideas/{existing.id}/vote", data={"value": "0", "next": fields["next"]},
                        follow_redirects=True)
    assert "Your own draft was not posted" not in plain.text  # an ordinary vote says nothing


def test_a_closed_idea_is_never_offered_a_vote_instead(client, auth, existing):
    from tests.helpers import status_id

    db.session.execute(update(Idea).where(Idea.id == existing.id).values(status_id=status_id("implemented")))
    db.session.commit()
    [idea] = client.get("/ideas/similar", query_string={"title": "Offline mobile app"}, headers=JSON).json["ideas"]
    assert idea["closed_note"] == "Already done: see how it was answered"
    auth.login(factories.user())
    page = client.get("/ideas/similar?title=offline+mode").text
    assert "Already done" in page and f'id="vote-instead-{existing.id}"' not in page
    assert "Vote for this instead" not in page


def test_an_idea_page_shows_related_ideas_but_not_itself(client, existing):
    other = factories.idea(title="Offline sync on the phone", body="Edit lists without a connection, sync later.")
    factories.idea(title="Invoices in PDF", body="For our accounting.")
    page = client.get(f"/ideas/{other.id}", follow_redirects=True).text
    related = page.split('id="related-title"', 1)[1]
    assert existing.title in related and "Invoices in PDF" not in related
    assert f'href="/ideas/{other.id}-' not in related


def test_the_triage_page_lists_possible_duplicates_with_a_merge_preview(client, pm, existing):
    other = factories.idea(title="Offline sync on the phone", body="Edit lists without a connection, sync later.")
    page = client.get(f"/admin/ideas/{other.id}").text
    duplicates = page.split('id="similar-title"', 1)[1].split("</section>", 1)[0]
    assert existing.title in duplicates
    assert f'href="/admin/ideas/{other.id}/merge?into={existing.id}"' in duplicates
    preview = client.get(f"/admin/ideas/{other.id}/merge?into={existing.id}")
    assert preview.status_code == 200 and existing.title in preview.text


def test_the_new_idea_form_chooses_no_category_and_asks_for_one(client, auth, existing):
    auth.login(factories.user())
    page = client.get("/ideas/new").text
    select = page.split('name="category"', 1)[1].split("</select>", 1)[0]
    assert re.search(r'<option selected value="">Choose a category…</option>|<option value="" selected>', select)
    response = client.post("/ideas/new", data={"title": "Gantt chart of timelines", "body": "Dependencies.",
                                               "category": ""})
    assert response.status_code == 400 and "Please choose a category." in response.text
    assert "Not a valid choice" not in response.text
    assert client.post("/ideas/new", data={"title": "Gantt chart of timelines", "body": "Dependencies.",
                                           "category": "99999"}).status_code == 400


def test_words_of_an_empty_search_start_the_new_idea(client, auth, app):
    auth.login(factories.user())
    factories.idea(title="Something else entirely", body="Nothing alike.")
    results = client.get("/ideas?q=gantt+chart").text
    assert 'href="/ideas/new?title=gantt+chart"' in results
    page = client.get("/ideas/new?title=gantt+chart&body=With+dependencies").text
    assert 'value="gantt chart"' in page and "With dependencies</textarea>" in page
    similar = client.get("/ideas/similar?title=zzz+qqq&body=xyz").text
    assert 'href="/ideas/new?title=zzz+qqq&amp;body=xyz"' in similar


def test_the_duplicate_question_comes_right_after_the_suggestions(client, auth, existing):
    auth.login(factories.user())
    page = client.post("/ideas/new", data={"title": "Offline mode for the mobile app", "body": "Without a connection.",
                                           "category": existing.category_id}).text
    assert page.index('id="similar-ideas"') < page.index("post my idea anyway") < page.index('name="category"')
