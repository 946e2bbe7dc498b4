"""Members' read pages from one shared rendering (ideaportal/personal.py): each member gets the page a full
rendering would give them, their own name, count, token and votes, and never another member's."""
import re

import pytest
from flask import template_rendered
from sqlalchemy import update

from ideaportal import personal
from ideaportal.comments.services import add_comment
from ideaportal.extensions import db
from ideaportal.follows.services import follow, unfollow
from ideaportal.ideas import queries as idea_queries
from ideaportal.ideas.services import cast_vote
from ideaportal.models import Comment, Notification, User
from tests import factories
from tests.views.test_page_cache import (  # noqa: F401
    READ_PAGES,
    csrf_token,
    fixture_site,
    logged_in_client,
)

TOKEN = re.compile(r'(name="csrf_token" (?:type="hidden" )?value=")[^"]+"')


@pytest.fixture(name="ideas")
def fixture_ideas(app):
    author = factories.user(username="author")
    return [factories.idea(author=author, title=title) for title in ("Dark mode", "Offline mode", "Bulk export")]


def unread(user, idea, count: int) -> None:
    for number in range(count):
        db.session.add(Notification(user_id=user.id, kind="status", event_key=f"status:{number}", idea_id=idea.id))
    db.session.commit()


def pressed(page: str, idea_id: int) -> str | None:
    """'up', 'down' or None: which arrow of the idea's vote button the page shows pressed."""
    form = page[page.index(f'action="/ideas/{idea_id}/vote"'):]
    form = form[:form.index("</form>")]
    for direction in ("up", "down"):
        if re.search(rf'vote__button--{direction}"\s+aria-pressed="true"', form):
            return direction
    return None


@pytest.fixture(name="renders")
def fixture_renders(site):
    rendered = []
    with template_rendered.connected_to(lambda sender, template, context, **extra: rendered.append(template.name),
                                        site):
        yield rendered


@pytest.mark.parametrize("path", [*READ_PAGES, "/users/author", "/ideas?q=mode"])
def test_a_members_kept_page_is_the_page_rendered_in_full_for_them(site, ideas, path, monkeypatch, renders):
    maria = factories.user(username="maria")
    cast_vote(idea_id=ideas[0].id, voter_id=maria.id, value=1)
    cast_vote(idea_id=ideas[1].id, voter_id=maria.id, value=-1)
    unread(maria, ideas[0], 2)
    member, _ = logged_in_client(site, maria)
    member.get(path)  # the shared rendering is made and kept
    renders.clear()
    kept = member.get(path)
    assert kept.status_code == 200 and renders == [], "served from the shared rendering, no template rendered"
    assert kept.headers["Cache-Control"] == "private, no-store" and "ETag" not in kept.headers
    monkeypatch.setitem(site.config, "PAGE_CACHE_SECONDS", 0)
    full = member.get(path)
    assert TOKEN.sub(r"\1…", kept.text) == TOKEN.sub(r"\1…", full.text)
    assert kept.content_type == full.content_type


def test_two_members_share_one_rendering_and_each_sees_only_their_own(site, ideas, renders):
    maria, omar = factories.user(username="maria"), factories.user(username="omar")
    cast_vote(idea_id=ideas[0].id, voter_id=maria.id, value=1)
    cast_vote(idea_id=ideas[1].id, voter_id=maria.id, value=-1)
    unread(maria, ideas[0], 3)
    maria_client, _ = logged_in_client(site, maria)
    omar_client, _ = logged_in_client(site, omar)
    renders.clear()
    marias = maria_client.get("/ideas?sort=new").text
    omars = omar_client.get("/ideas?sort=new").text
    assert renders.count("ideas/index.html") == 1, "one rendering served both"
    assert "Signed in as" in marias and ">maria<" in marias and 'href="/users/maria"' in marias and "omar" not in marias
    assert ">omar<" in omars and 'href="/users/omar"' in omars and "maria" not in omars
    assert 'data-unread>3<' in marias and "bell--unread" in marias
    assert 'data-unread>0<' in omars and "bell--unread" not in omars
    assert [pressed(marias, idea.id) for idea in ideas] == ["up", "down", None]
    assert [pressed(omars, idea.id) for idea in ideas] == [None, None, None]
    assert csrf_token(marias) != csrf_token(omars)
    assert "<!--" not in marias and "<!--" not in omars  # no marker left unfilled


def test_the_token_filled_in_is_the_members_own_and_their_vote_shows_on_the_next_page(site, ideas):
    omar = factories.user(username="omar")
    client, _ = logged_in_client(site, omar)
    page = client.get("/ideas?sort=new").text
    voted = client.post(f"/ideas/{ideas[2].id}/vote", data={"value": "1", "csrf_token": csrf_token(page)})
    assert voted.status_code == 302
    after = client.get("/ideas?sort=new").text
    assert pressed(after, ideas[2].id) == "up" and "Voted" in after
    other, _ = logged_in_client(site, factories.user(username="lena"))
    forged = other.post(f"/ideas/{ideas[1].id}/vote", data={"value": "1", "csrf_token": csrf_token(page)})
    assert forged.status_code == 400, "another member's token is refused"


def test_a_title_that_looks_like_a_marker_is_shown_as_typed(site, app):
    factories.idea(title="<!--0123456789abcdef01234567 name--> and <b>bold</b>")
    client, _ = logged_in_client(site, factories.user(username="maria"))
    client.get("/ideas?sort=new")
    page = client.get("/ideas?sort=new").text
    assert "&lt;!--0123456789abcdef01234567 name--&gt; and &lt;b&gt;bold&lt;/b&gt;" in page


def test_staff_and_a_member_with_a_message_waiting_get_their_page_rendered_in_full(site, ideas, renders):
    pm, _ = logged_in_client(site, factories.user(username="pam", role="pm"))
    pm.get("/ideas")
    renders.clear()
    page = pm.get("/ideas")
    assert renders == ["ideas/index.html"] and "Product team" in page.text
    member, _ = logged_in_client(site, factories.user(username="maria"))
    member.get("/ideas")
    assert "Product team" not in member.get("/ideas").text
    member.post(f"/ideas/{ideas[0].id}/vote-intent", data={"value": "1", "next": "/ideas"})  # a message waits
    renders.clear()
    page = member.get("/ideas").text
    assert renders == ["ideas/index.html"] and "press the vote button again" in page


def test_an_idea_page_is_shared_and_each_member_gets_their_own_menus_follow_button_and_forms(site, ideas, renders,
                                                                                               monkeypatch):
    idea = ideas[0]
    author = db.session.get(User, idea.author_id)
    maria, omar = factories.user(username="maria"), factories.user(username="omar")
    for writer in (maria, omar, author):
        add_comment(idea_id=idea.id, author_id=writer.id, body=f"A thought from {writer.username}.")
    hidden = add_comment(idea_id=idea.id, author_id=omar.id, body="Something rude.")
    db.session.execute(update(Comment).where(Comment.id == hidden).values(is_hidden=True))
    db.session.commit()
    cast_vote(idea_id=idea.id, voter_id=omar.id, value=-1)
    follow(idea_id=idea.id, user_id=maria.id)
    unfollow(idea_id=idea.id, user_id=omar.id)  # commenting and voting followed it
    path = f"/ideas/{idea.id}-dark-mode"
    clients = {user.username: logged_in_client(site, user)[0] for user in (maria, omar, author)}
    clients["maria"].get(path)  # the shared rendering is made and kept
    renders.clear()
    kept = {name: client.get(path).text for name, client in clients.items()}
    assert renders == [], "every member's page came from the one shared rendering"
    monkeypatch.setitem(site.config, "PAGE_CACHE_SECONDS", 0)
    for name, client in clients.items():
        assert TOKEN.sub(r"\1…", kept[name]) == TOKEN.sub(r"\1…", client.get(path).text), name
        assert "<!--" not in kept[name]
    edit, delete = 'href="/comments/{}/edit"', 'action="/comments/{}/delete"'
    own = {name: [comment_id for comment_id in range(1, hidden + 1) if edit.format(comment_id) in kept[name]]
           for name in clients}
    assert len(own["maria"]) == len(own["omar"]) == len(own["author"]) == 1
    assert all(delete.format(own[name][0]) in kept[name] for name in clients)
    assert "Following<" in kept["maria"] and "Following<" not in kept["omar"]
    assert pressed(kept["omar"], idea.id) == "down" and pressed(kept["maria"], idea.id) is None
    reports_idea = f'action="/ideas/{idea.id}/flag"'
    assert reports_idea in kept["maria"] and reports_idea not in kept["author"]
    assert "Edit your idea" in kept["author"] and "Edit your idea" not in kept["maria"]
    assert "Something rude" not in kept["omar"] and "hidden by a moderator" in kept["omar"]


def test_a_storm_session_idea_with_a_vote_budget_is_rendered_for_each_member_once(site, renders):
    session = factories.campaign(vote_budget=3)
    idea_id = factories.campaign_idea(session, title="Quiet hours").id
    maria, _ = logged_in_client(site, factories.user(username="maria"))
    omar, _ = logged_in_client(site, factories.user(username="omar"))
    renders.clear()
    first = maria.get(f"/ideas/{idea_id}-quiet-hours").text
    assert renders.count("ideas/detail.html") == 2, "rendered for any member, found to be maria's own, rendered again"
    renders.clear()
    second = omar.get(f"/ideas/{idea_id}-quiet-hours").text
    assert renders.count("ideas/detail.html") == 1, "kept: the page is each member's own, rendered once"
    assert "data-budget-left>3<" in first and "data-budget-left>3<" in second
    assert ">maria<" in first and ">omar<" in second


def test_a_page_that_is_not_kept_for_members_costs_them_one_pass_after_the_first(site, ideas, monkeypatch):
    """A redirect (an old link's slug) is no page to keep; that it is not is kept, so it is not worked out for
    AnyMember on every request."""
    looked_up, real = [], idea_queries.idea_detail

    def idea_detail(*args, **kwargs):
        looked_up.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(idea_queries, "idea_detail", idea_detail)
    client, _ = logged_in_client(site, factories.user(username="maria"))
    for passes in (2, 1, 1):
        looked_up.clear()
        moved = client.get(f"/ideas/{ideas[0].id}-old-title")
        assert moved.status_code == 301 and moved.location.endswith(f"/ideas/{ideas[0].id}-dark-mode")
        assert len(looked_up) == passes


def test_parse_cuts_at_choices_and_fill_puts_each_members_part_in(app, monkeypatch):
    word = "feedc0ffee"
    body = (f'<p><!--{word} name--></p><!--{word} vote 7 0-->none<!--{word} csrf--><!--{word} vote 7 1-->up'
            f'<!--{word} vote 7 -1-->down<!--{word} end--><i>x</i>')
    page = personal.parse(body, word, "text/html")
    assert page.keys == {"vote": [7]} and page.holes == ("csrf", "name")
    with app.test_request_context() as context:
        context.request.member_values = {"name": "<maria>", "csrf": "t0ken"}
        for state, shown in ((0, "nonet0ken"), (1, "up"), (-1, "down")):
            monkeypatch.setitem(personal.CHOICES, "vote", lambda keys, state=state: {7: state})
            assert personal.fill(page) == f"<p>&lt;maria&gt;</p>{shown}<i>x</i>"


def test_a_rendering_that_lets_its_word_out_of_a_marker_is_not_kept(app):
    word = "feedc0ffee"
    with pytest.raises(personal.Unshareable):
        personal.parse(f'<a href="/users/%3C%21--{word}%20name--%3E">me</a>', word, "text/html")
