"""Merging through the staff pages: preview, merge, the duplicate's address, unmerge."""
import re

from sqlalchemy import func, select, update

from ideaportal.comments.services import add_comment
from ideaportal.extensions import db
from ideaportal.ideas.services import cast_vote
from ideaportal.merges import services
from ideaportal.models import Flag, Idea, IdeaMerge, User
from tests import factories
from tests.helpers import deadlock_every_time


def flat(html: str) -> str:
    return re.sub(r"\s+", " ", html)


def setup_pair(auth):
    category = factories.category()
    source = factories.idea(category_row=category, title="Dark theme for the app")
    target = factories.idea(category_row=category, title="Night mode")
    shared, newcomer = factories.user(), factories.user()
    for voter in (shared, newcomer):
        cast_vote(idea_id=source.id, voter_id=voter.id, value=1)
    cast_vote(idea_id=target.id, voter_id=shared.id, value=-1)
    staff = factories.user(role="pm")
    auth.login(staff)
    return source, target, staff


def merges() -> int:
    return db.session.scalar(select(func.count()).select_from(IdeaMerge))


def test_the_merge_page_asks_for_the_original(client, auth, app):
    source, _, _ = setup_pair(auth)
    page = client.get(f"/admin/ideas/{source.id}/merge")
    assert page.status_code == 200
    assert '<label class="field__label" for="into">Merge into idea #</label>' in page.text
    assert 'method="get"' in page.text and "Preview" in page.text
    assert f'action="/admin/ideas/{source.id}/merge"' in page.text
    assert 'method="post"' not in page.text.split('class="admin__main"')[1]  # nothing to confirm yet


def test_the_preview_shows_both_ideas_their_votes_and_shared_voters(client, auth, app):
    source, target, _ = setup_pair(auth)
    page = flat(client.get(f"/admin/ideas/{source.id}/merge?into={target.id}").text)
    assert "Dark theme for the app" in page and "Night mode" in page
    assert "3 votes (3 up · 0 down)" in page and "0 votes (1 up · 1 down)" in page
    assert f"<strong>1</strong> voter voted on both and keeps their vote on #{target.id}" in page
    assert f"<strong>2</strong> votes move to #{target.id}" in page
    assert f'<input type="hidden" name="into" value="{target.id}">' in page
    assert f"Merge #{source.id} into #{target.id}</button>" in page
    assert merges() == 0  # a preview changes nothing


def test_a_preview_that_would_be_refused_says_why_next_to_the_number(client, auth, app):
    source, _, _ = setup_pair(auth)
    page = client.get(f"/admin/ideas/{source.id}/merge?into={source.id}")
    assert page.status_code == 200
    assert re.search(r'<p class="field__error" id="into-error">An idea can&#39;t be merged into itself', page.text)
    assert "<table" not in page.text and f'action="/admin/ideas/{source.id}/merge" class="stack' not in page.text
    merged_target = factories.idea()
    services.merge_idea(source_id=merged_target.id, target_id=factories.idea().id, actor_id=None)
    refused = client.get(f"/admin/ideas/{source.id}/merge?into={merged_target.id}").text
    assert "<table" in refused and "is itself merged into" in refused
    assert 'method="post" action="/admin/ideas/' not in refused  # shown, but no confirm button
    missing = client.get(f"/admin/ideas/{source.id}/merge?into=999999")
    assert "There is no idea #999999. Check the number." in missing.text
    garbage = client.get(f"/admin/ideas/{source.id}/merge?into=twelve")
    assert garbage.status_code == 400 and 'id="into-error"' in garbage.text


def test_merging_lands_on_the_original_with_the_duplicates_discussion(client, auth, app):
    source, target, staff = setup_pair(auth)
    add_comment(idea_id=source.id, author_id=source.author_id, body="Please, my *eyes*.")
    response = client.post(f"/admin/ideas/{source.id}/merge", data={"into": target.id, "note": "Same request."})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/ideas/{target.id}-night-mode"
    page = client.get(response.headers["Location"]).text
    assert (f"Idea #{source.id} is merged into this one: 2 vote(s) moved here, 1 voter(s) had voted on both "
            "and keep their vote here, 2 new follower(s).") in page  # the duplicate's author and its new voter
    assert f'<h2 id="merged-{source.id}-title">Merged from #{source.id}: Dark theme for the app</h2>' in page
    assert "Please, my <em>eyes</em>." in page
    assert '<span data-upvotes>3</span> up · <span data-downvotes>1</span> down' in page
    assert db.session.get(Idea, source.id).merged_into_id == target.id


def test_the_duplicates_address_redirects_permanently_to_the_original(client, auth, app):
    source, target, staff = setup_pair(auth)
    services.merge_idea(source_id=source.id, target_id=target.id, actor_id=staff.id)
    for path in (f"/ideas/{source.id}", f"/ideas/{source.id}-dark-theme-for-the-app", f"/ideas/{source.id}-any"):
        response = client.get(path)
        assert response.status_code == 301
        assert response.headers["Location"] == f"/ideas/{target.id}-night-mode?merged={source.id}"


def test_a_merge_or_unmerge_that_keeps_losing_deadlocks_is_tried_three_times_then_refused_clearly(
        client, auth, app, monkeypatch):
    source, target, staff = setup_pair(auth)
    attempts = deadlock_every_time(monkeypatch, "ideaportal.merges.services._merge")
    response = client.post(f"/admin/ideas/{source.id}/merge", data={"into": target.id})
    assert response.status_code == 409 and len(attempts) == 3
    assert "The database was too busy to finish this just now, so nothing was changed." in response.text
    monkeypatch.undo()
    services.merge_idea(source_id=source.id, target_id=target.id, actor_id=staff.id)
    attempts = deadlock_every_time(monkeypatch, "ideaportal.merges.services._unmerge")
    response = client.post(f"/admin/ideas/{source.id}/unmerge")
    assert response.status_code == 409 and len(attempts) == 3
    assert "The database was too busy to finish this just now" in response.text


def test_a_refused_merge_shows_the_reason_and_changes_nothing(client, auth, app):
    source, target, staff = setup_pair(auth)
    other = factories.idea()
    services.merge_idea(source_id=target.id, target_id=other.id, actor_id=staff.id)
    response = client.post(f"/admin/ideas/{source.id}/merge", data={"into": target.id})
    assert response.status_code == 400
    assert re.search(rf'id="into-error">Idea #{target.id} is itself merged into #{other.id}', response.text)
    assert merges() == 1 and db.session.get(Idea, source.id).merged_into_id is None
    empty = client.post(f"/admin/ideas/{source.id}/merge", data={"into": ""})
    assert empty.status_code == 400 and "Enter the number of the original idea." in empty.text
    long_note = client.post(f"/admin/ideas/{source.id}/merge", data={"into": other.id, "note": "x" * 2001})
    assert long_note.status_code == 400 and "Keep it under 2,000 characters." in long_note.text
    assert merges() == 1


def test_merging_an_already_merged_idea_offers_the_unmerge(client, auth, app):
    source, target, staff = setup_pair(auth)
    services.merge_idea(source_id=source.id, target_id=target.id, actor_id=staff.id)
    page = flat(client.get(f"/admin/ideas/{source.id}/merge").text)
    assert f'is already merged into <a href="/ideas/{target.id}">#{target.id}</a>' in page
    assert f'action="/admin/ideas/{source.id}/unmerge"' in page
    again = client.post(f"/admin/ideas/{source.id}/merge", data={"into": factories.idea().id})
    assert again.status_code == 409 and "is already merged into" in again.text


def test_unmerge_from_the_panel_returns_to_the_page_it_was_on(client, auth, app):
    source, target, staff = setup_pair(auth)
    services.merge_idea(source_id=source.id, target_id=target.id, actor_id=staff.id)
    response = client.post(f"/admin/ideas/{source.id}/unmerge", data={"next": f"/admin/ideas/{source.id}"})
    assert response.status_code == 302 and response.headers["Location"] == f"/admin/ideas/{source.id}"
    db.session.expire_all()
    assert db.session.get(Idea, source.id).merged_into_id is None
    page = client.get(f"/ideas/{source.id}", follow_redirects=True)
    assert page.status_code == 200 and '<span data-upvotes>3</span>' in page.text
    assert client.post(f"/admin/ideas/{source.id}/unmerge").status_code == 409  # nothing left to undo


def test_the_triage_panel_merges_or_unmerges(client, auth, app):
    source, target, staff = setup_pair(auth)
    page = flat(client.get(f"/admin/ideas/{source.id}").text)
    assert f'<form method="get" action="/admin/ideas/{source.id}/merge" class="merge-panel__form">' in page
    assert f'<label for="merge-panel-{source.id}-into">Merge into idea #</label>' in page
    services.merge_idea(source_id=source.id, target_id=target.id, actor_id=staff.id)
    page = flat(client.get(f"/admin/ideas/{source.id}").text)
    assert f'Merged into <a href="/ideas/{target.id}">#{target.id}</a>' in page
    assert f'action="/admin/ideas/{source.id}/unmerge"' in page


def test_members_cannot_merge_and_votes_on_a_merged_idea_are_refused(client, auth, app):
    source, target, staff = setup_pair(auth)
    services.merge_idea(source_id=source.id, target_id=target.id, actor_id=staff.id)
    auth.logout()
    auth.login(factories.user())
    assert client.post(f"/admin/ideas/{target.id}/merge", data={"into": source.id}).status_code == 403
    assert client.post(f"/ideas/{source.id}/vote", data={"value": "1"}).status_code == 404
    assert client.post(f"/ideas/{source.id}/comments", data={"body": "Hello?"}).status_code == 404
    assert client.post(f"/ideas/{source.id}/follow").status_code == 404


def test_a_hidden_duplicate_stays_hidden_rather_than_redirecting(client, auth, app):
    source, target, staff = setup_pair(auth)
    services.merge_idea(source_id=source.id, target_id=target.id, actor_id=staff.id)
    db.session.execute(update(Idea).where(Idea.id == source.id).values(is_hidden=True))
    db.session.commit()
    assert client.get(f"/ideas/{source.id}").status_code == 404


def test_comments_merged_from_a_duplicate_can_be_reported_like_the_originals_own(client, auth, app):
    source, target, staff = setup_pair(auth)
    merged_id = add_comment(idea_id=source.id, author_id=source.author_id, body="From the duplicate.")
    own_id = add_comment(idea_id=target.id, author_id=target.author_id, body="On the original.")
    services.merge_idea(source_id=source.id, target_id=target.id, actor_id=staff.id)
    auth.logout()
    reader = factories.user()
    auth.login(reader)
    page = client.get(f"/ideas/{target.id}-night-mode").text
    merged_part = page.split(f'id="merged-{source.id}-title"')[1]
    for comment_id, part in ((own_id, page), (merged_id, merged_part)):
        item = re.search(rf'<li id="comment-{comment_id}".*?</li>', part, re.S).group(0)
        assert f'action="/comments/{comment_id}/flag"' in item and 'name="csrf_token"' in item
        assert f'name="next" value="/ideas/{target.id}-night-mode#comment-{comment_id}"' in item
    back = f"/ideas/{target.id}-night-mode#comment-{merged_id}"
    response = client.post(f"/comments/{merged_id}/flag", data={"reason": "spam", "next": back})
    assert response.status_code == 302 and response.headers["Location"] == back
    flagged = db.session.scalars(select(Flag.comment_id).where(Flag.reporter_id == reader.id)).all()
    assert flagged == [merged_id]
    auth.logout()
    auth.login(db.session.get(User, source.author_id))  # its author may edit or delete it, not report it
    item = re.search(rf'<li id="comment-{merged_id}".*?</li>', client.get(back.split("#")[0]).text, re.S).group(0)
    assert f'href="/comments/{merged_id}/edit"' in item and f'action="/comments/{merged_id}/flag"' not in item


def test_a_bad_report_of_a_merged_comment_shows_the_page_it_is_on_again(client, auth, app):
    source, target, staff = setup_pair(auth)
    merged_id = add_comment(idea_id=source.id, author_id=source.author_id, body="From the duplicate.")
    services.merge_idea(source_id=source.id, target_id=target.id, actor_id=staff.id)
    auth.logout()
    auth.login(factories.user())
    response = client.post(f"/comments/{merged_id}/flag", data={"reason": "not-a-reason"})
    assert response.status_code == 400
    page = response.text
    assert "<h1" in page and target.title in page.split("</h1>")[0].split("<h1")[1]
    assert f'id="merged-{source.id}-title"' in page and "Please choose one of the listed reasons." in page
