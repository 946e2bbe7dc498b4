"""Visitors' pages: no cookie, one shared copy (ideaportal/pages.py), ETag and 304, and never a member's page
or a page with a token or a message for someone else."""
import re

import pytest
from sqlalchemy import select

from ideaportal import cache
from ideaportal.extensions import db
from ideaportal.models import Vote
from tests import factories
from tests.conftest import FAST_HASHING, build_app

READ_PAGES = ["/", "/ideas", "/ideas?sort=top", "/ideas?sort=new", "/ideas?sort=discussed", "/roadmap",
              "/implemented", "/leaderboard", "/stats", "/feeds/ideas.atom"]


@pytest.fixture(name="site")
def fixture_site(database_url, app):
    """An app as served: CSRF checked, pages kept for a minute, in a cache emptied for this test."""
    served = build_app(database_url, WTF_CSRF_ENABLED=True, PAGE_CACHE_SECONDS=60, **FAST_HASHING)
    with served.app_context():
        cache.clear()
    return served


@pytest.fixture(name="idea")
def fixture_idea(app):
    idea = factories.idea(title="Dark mode for the dashboard")
    factories.user(username="reader")
    return idea


def score_on(page: str, idea_id: int) -> int:
    card = page[page.index(f'id="idea-{idea_id}"'):]
    return int(re.search(r'data-score[^>]*>([^<]+)<', card).group(1))


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)


def logged_in_client(site, user):
    """A member's client and its CSRF token (logging in renews the token)."""
    client = site.test_client()
    assert client.post("/auth/login", data={"email": user.email, "password": factories.PASSWORD,
                                            "csrf_token": csrf_token(client.get("/auth/login").text)}).status_code == 302
    return client, csrf_token(client.get("/account").text)


def test_a_visitors_read_pages_set_no_cookie_and_carry_no_token(site, idea):
    visitor = site.test_client()
    for path in [*READ_PAGES, f"/ideas/{idea.id}-dark-mode-for-the-dashboard", "/users/reader"]:
        response = visitor.get(path)
        assert response.status_code == 200, path
        assert "Set-Cookie" not in response.headers, path
        assert 'name="csrf_token"' not in response.text, path
        assert response.headers["ETag"] and "Cookie" in response.headers["Vary"], path
    assert f'action="/ideas/{idea.id}/vote-intent"' in visitor.get("/ideas").text


def test_an_unchanged_page_is_a_304_and_a_vote_makes_it_a_200_with_the_new_number(site, idea):
    visitor = site.test_client()
    first = visitor.get("/ideas?sort=new")
    assert first.headers["Cache-Control"] == "no-cache"
    score = score_on(first.text, idea.id)
    etag = first.headers["ETag"]
    again = visitor.get("/ideas?sort=new", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    member, token = logged_in_client(site, factories.user())
    assert member.post(f"/ideas/{idea.id}/vote", data={"value": "1", "csrf_token": token}).status_code == 302
    changed = visitor.get("/ideas?sort=new", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag and score_on(changed.text, idea.id) == score + 1


def test_a_new_idea_enters_the_kept_new_list_at_once(site, idea):
    visitor = site.test_client()
    assert "Offline mode" not in visitor.get("/ideas?sort=new").text
    member, token = logged_in_client(site, factories.user())
    category = factories.category()
    posted = member.post("/ideas/new", data={"title": "Offline mode for the mobile app", "csrf_token": token,
                                             "body": "Read ideas on the train without a connection.",
                                             "category": category.id, "confirm_unique": "y"})
    assert posted.status_code == 302, posted.text
    assert "Offline mode for the mobile app" in visitor.get("/ideas?sort=new").text


def test_a_write_outside_a_request_shows_once_the_page_expires(site, idea, monkeypatch):
    visitor = site.test_client()
    score = score_on(visitor.get("/ideas").text, idea.id)
    from ideaportal.ideas.services import cast_vote

    cast_vote(idea_id=idea.id, voter_id=factories.user().id, value=1)  # as a CLI command or a job would
    assert score_on(visitor.get("/ideas").text, idea.id) == score  # the kept copy, at most PAGE_CACHE_SECONDS old
    monkeypatch.setitem(site.config, "PAGE_CACHE_SECONDS", 0)
    assert score_on(visitor.get("/ideas").text, idea.id) == score + 1


def test_a_member_never_gets_the_visitors_copy_nor_a_visitor_the_members(site, idea):
    visitor = site.test_client()
    assert "Log in" in visitor.get("/ideas").text
    member, _ = logged_in_client(site, factories.user(username="maria"))
    page = member.get("/ideas")
    assert "Signed in as" in page.text and "Log in</a>" not in page.text and 'name="csrf_token"' in page.text
    assert page.headers["Cache-Control"] == "private, no-store" and "ETag" not in page.headers
    assert "maria" not in visitor.get("/ideas").text and "Log in" in visitor.get("/ideas").text


def test_a_message_for_one_visitor_is_neither_kept_nor_shown_to_another(site, idea):
    visitor, other = site.test_client(), site.test_client()
    other.get("/ideas")  # the shared copy exists
    visitor.post(f"/ideas/{idea.id}/vote-intent", data={"value": "0", "next": "/ideas"})  # "please log in" flash
    own = visitor.get("/ideas")
    assert "Please log in to do that." in own.text and own.headers["Cache-Control"] == "private, no-store"
    assert "Please log in to do that." not in other.get("/ideas").text
    assert "Please log in to do that." not in site.test_client().get("/ideas").text


def test_a_visitors_vote_needs_no_session_and_counts_only_after_the_login(site, idea):
    visitor = site.test_client()
    pressed = visitor.post(f"/ideas/{idea.id}/vote-intent", data={"value": "1", "next": "/ideas"})
    assert pressed.status_code == 302 and "vote=" in pressed.headers["Location"] and "Set-Cookie" not in pressed.headers
    voter = factories.user()
    assert db.session.scalar(select(Vote).where(Vote.user_id == voter.id)) is None
    page = visitor.get(pressed.headers["Location"])
    token = csrf_token(page.text)
    vote_token = re.search(r'name="vote" type="hidden" value="([^"]+)"', page.text).group(1)
    visitor.post("/auth/login", data={"email": voter.email, "password": factories.PASSWORD, "csrf_token": token,
                                      "vote": vote_token, "next": "/ideas"})
    assert db.session.scalar(select(Vote.value).where(Vote.user_id == voter.id, Vote.idea_id == idea.id)) == 1


def test_a_members_post_to_the_visitors_button_counts_nothing(site, idea):
    voter = factories.user()
    member, _ = logged_in_client(site, voter)
    response = member.post(f"/ideas/{idea.id}/vote-intent", data={"value": "1", "next": "/ideas"})
    assert response.status_code == 302 and response.headers["Location"] == "/ideas"
    assert db.session.scalar(select(Vote).where(Vote.user_id == voter.id)) is None
    assert "press the vote button again" in member.get("/ideas").text


def test_cache_clear_forgets_the_kept_pages(database_url, app):
    served = build_app(database_url, PAGE_CACHE_SECONDS=60)
    factories.idea(title="Kept on the list")
    visitor = served.test_client()
    assert "Kept on the list" in visitor.get("/ideas").text
    factories.idea(title="Written by a script")  # no request: the kept page does not know
    assert "Written by a script" not in visitor.get("/ideas").text
    result = served.test_cli_runner().invoke(args=["cache", "clear"])
    assert result.exit_code == 0 and "empty" in result.output
    assert "Written by a script" in visitor.get("/ideas").text
    with served.app_context():
        cache.clear()


def test_a_page_kept_for_one_script_root_never_answers_another(site, idea):
    visitor = site.test_client()
    at_root = visitor.get("/ideas").text
    mounted = visitor.get("/ideas", environ_overrides={"SCRIPT_NAME": "/portal"}).text
    assert f'href="/ideas/{idea.id}-dark-mode-for-the-dashboard"' in at_root
    assert f'href="/portal/ideas/{idea.id}-dark-mode-for-the-dashboard"' in mounted
    assert visitor.get("/ideas").text == at_root  # each kept under its own key


def test_requests_that_write_nothing_a_visitor_sees_keep_the_pages(site, idea):
    visitor = site.test_client()
    etag = visitor.get("/ideas").headers["ETag"]
    kept = lambda: visitor.get("/ideas", headers={"If-None-Match": etag}).status_code == 304  # noqa: E731
    assert visitor.post(f"/ideas/{idea.id}/vote-intent", data={"value": "1", "next": "/ideas"}).status_code == 302
    assert kept()
    refused = site.test_client()
    assert refused.post("/auth/login", data={"email": "nobody@example.com", "password": "wrong"}).status_code == 400
    assert kept()
    token = csrf_token(refused.get("/auth/login").text)
    wrong = refused.post("/auth/login", data={"email": "nobody@example.com", "password": "wrong", "csrf_token": token})
    assert wrong.status_code == 400 and "match an account" in wrong.text
    assert kept()
    member, token = logged_in_client(site, factories.user())  # its session row and audit line are not pages
    assert kept()
    member.post(f"/ideas/{idea.id}/vote", data={"value": "1", "csrf_token": token})
    assert not kept()


def test_the_staffs_attention_count_is_kept_until_a_write(site, idea):
    from tests.helpers import count_queries

    product_manager, token = logged_in_client(site, factories.user(role="pm"))
    needs = lambda: int(re.search(r"<strong>(\d+)</strong> ideas? needs? attention",  # noqa: E731
                                  product_manager.get("/admin").text).group(1))
    assert needs() == 1
    with site.app_context(), count_queries() as counted:
        assert needs() == 1
    assert counted and not [statement for statement in counted if "count(*)" in statement.lower()
                            and "first_response_at IS NULL" in statement], "counted again"
    member, member_token = logged_in_client(site, factories.user())
    category = factories.category()
    assert member.post("/ideas/new", data={"title": "Offline mode for the mobile app", "csrf_token": member_token,
                                           "body": "Read ideas on the train.", "category": category.id,
                                           "confirm_unique": "y"}).status_code == 302
    assert needs() == 2
    answered = product_manager.post(f"/admin/ideas/{idea.id}/answer", data={
        "status": "planned", "response": "Coming in spring.", "owner_id": "", "category": str(idea.category_id),
        "csrf_token": token})
    assert answered.status_code == 302, answered.text
    assert needs() == 1
