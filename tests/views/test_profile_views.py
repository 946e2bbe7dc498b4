"""Member profiles through the test client: lookup, ideas, comments, points, badges, links to profiles."""
import re

from sqlalchemy import update

from ideaportal.comments.services import add_comment, delete_comment
from ideaportal.extensions import db
from ideaportal.ideas.services import cast_vote
from ideaportal.models import Comment, Idea, User
from ideaportal.templating import avatar_colour
from tests import factories
from tests.helpers import fixture_uncached_leaderboard, status_id  # noqa: F401 (an autouse fixture)


def figure(page: str, label: str) -> str:
    match = re.search(rf"<dt>{label}</dt>\s*<dd>(.*?)</dd>", page, re.DOTALL)
    assert match, f"no figure {label}"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def card_titles(page: str) -> list[str]:
    return re.findall(r'class="idea-card__title"[^>]*>\s*<a [^>]*>([^<]+)</a>', page)


def set_status(idea_id: int, slug: str) -> None:
    db.session.execute(update(Idea).where(Idea.id == idea_id).values(status_id=status_id(slug)))
    db.session.commit()


def test_a_profile_shows_ideas_comments_points_rank_and_badges(client, app):
    noor = factories.user(username="noor")
    shipped = factories.idea(author=noor, title="Shipped idea by noor")
    other = factories.idea(title="Someone else's idea")
    for _ in range(10):
        cast_vote(idea_id=shipped.id, voter_id=factories.user().id, value=1)
    set_status(shipped.id, "implemented")
    add_comment(idea_id=other.id, author_id=noor.id, body="I would **love** this too.")
    page = client.get("/users/noor").text
    assert "<h1>noor</h1>" in page
    assert figure(page, "Points") == "61"  # 11 net votes + 50 for the implemented idea
    assert figure(page, "Rank") == "#1"
    assert figure(page, "Ideas") == "1" and figure(page, "Comments") == "1"
    assert figure(page, "Up votes from others") == "10"
    assert "11 votes on their ideas, + 50 for 1 implemented." in page
    assert card_titles(page) == ["Shipped idea by noor"]
    assert "I would love this too." in page
    assert f'href="/ideas/{other.id}-someone-else-s-idea#comment-' in page
    badges = re.findall(r'<strong class="award__name">([^<]+)</strong>', page)
    assert badges == ["First idea", "First comment", "10 votes received", "On the roadmap", "Shipped"]


def test_a_new_member_has_no_badges_and_no_rank(client, app):
    factories.user(username="newcomer")
    page = client.get("/users/newcomer").text
    assert "No badges yet." in page and "No ideas yet." in page and "No comments yet." in page
    assert figure(page, "Rank") == "Not ranked yet"
    assert figure(page, "Points") == "0"


def test_usernames_are_found_whatever_their_case(client, app):
    factories.user(username="MixedCase")
    response = client.get("/users/mixedcase?cursor=abc")
    assert response.status_code == 301
    assert response.headers["Location"] == "/users/MixedCase?cursor=abc"
    assert client.get("/users/MixedCase").status_code == 200


def test_unknown_and_deactivated_members_are_not_found(client, app):
    gone = factories.user(username="gone")
    db.session.execute(update(User).where(User.id == gone.id).values(is_active=False))
    db.session.commit()
    for name in ("gone", "GONE", "nobody"):
        response = client.get(f"/users/{name}")
        assert response.status_code == 404
        assert "There is no member with that name." in response.text


def test_hidden_ideas_and_hidden_or_deleted_comments_stay_off_the_profile(client, app):
    member = factories.user(username="careful")
    shown = factories.idea(author=member, title="A public idea")
    hidden = factories.idea(author=member, title="A hidden idea")
    elsewhere = factories.idea(title="A public idea by another member")
    add_comment(idea_id=elsewhere.id, author_id=member.id, body="Kept comment")
    deleted = add_comment(idea_id=elsewhere.id, author_id=member.id, body="Deleted comment")
    moderated = add_comment(idea_id=elsewhere.id, author_id=member.id, body="Moderated comment")
    add_comment(idea_id=shown.id, author_id=member.id, body="On their own public idea")
    delete_comment(comment_id=deleted, actor_id=member.id)
    db.session.execute(update(Comment).where(Comment.id == moderated).values(is_hidden=True))
    add_comment(idea_id=hidden.id, author_id=member.id, body="Comment on the hidden idea")
    db.session.execute(update(Idea).where(Idea.id == hidden.id).values(is_hidden=True))
    db.session.commit()
    page = client.get("/users/careful").text
    assert card_titles(page) == ["A public idea"]
    assert "Kept comment" in page and "On their own public idea" in page
    for gone in ("Deleted comment", "Moderated comment", "Comment on the hidden idea", "A hidden idea"):
        assert gone not in page
    assert figure(page, "Ideas") == "1" and figure(page, "Comments") == "2"


def test_ideas_are_paged_newest_first_with_a_link_to_older_ones(client, app):
    member, category = factories.user(username="prolific"), factories.category()
    for number in range(23):
        factories.idea(author=member, category_row=category, title=f"Prolific idea {number:02}")
    first = client.get("/users/prolific").text
    assert card_titles(first) == [f"Prolific idea {number:02}" for number in range(22, 2, -1)]
    older = re.search(r'<a class="button" rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = client.get(older).text
    assert card_titles(second) == ["Prolific idea 02", "Prolific idea 01", "Prolific idea 00"]
    assert '<a href="/users/prolific">← Newest ideas</a>' in second
    assert 'rel="next"' not in second
    assert "Idea machine" in first  # 10 ideas or more


def test_a_broken_page_link_is_a_clear_400(client, app):
    factories.user(username="paged")
    response = client.get("/users/paged?cursor=not-a-cursor")
    assert response.status_code == 400
    assert "That page link is broken." in response.text


def test_authors_link_to_their_profiles_from_cards_and_the_idea_page(client, app):
    author = factories.user(username="linked")
    idea = factories.idea(author=author, title="An idea with a linked author")
    avatar = f'<span class="avatar avatar--{avatar_colour(author.id)}" aria-hidden="true">L</span>'
    assert f'{avatar} by <a href="/users/linked">linked</a></span>' in client.get("/ideas").text
    detail = client.get(f"/ideas/{idea.id}", follow_redirects=True).text
    assert avatar in detail and '<a href="/users/linked"><strong>linked</strong></a>' in detail
    assert avatar.replace('" aria', ' avatar--large" aria') in client.get("/users/linked").text


def test_a_deactivated_authors_name_is_not_linked_on_the_idea_page(client, app):
    author = factories.user(username="left")
    idea = factories.idea(author=author, title="An idea whose author left")
    db.session.execute(update(User).where(User.id == author.id).values(is_active=False))
    db.session.commit()
    detail = client.get(f"/ideas/{idea.id}", follow_redirects=True).text
    assert "<strong>left</strong>" in detail and 'href="/users/left"' not in detail


def test_staff_profiles_say_they_are_the_product_team(client, app):
    factories.user(username="priya", role="pm")
    assert '<span class="badge badge--team">Product team</span>' in client.get("/users/priya").text


def test_a_deactivated_authors_name_is_plain_text_on_every_idea_card(client, app):
    campaign = factories.campaign(slug="cards")
    left, stayed = factories.user(username="gone_member"), factories.user(username="still_here")
    factories.campaign_idea(campaign, author=left, title="An idea whose author left")
    factories.campaign_idea(campaign, author=stayed, title="An idea whose author stayed")
    db.session.execute(update(User).where(User.id == left.id).values(is_active=False))
    db.session.commit()
    avatar = '<span class="avatar avatar--{}" aria-hidden="true">{}</span>'
    for path in ("/ideas", "/", "/campaigns/cards", "/ideas?q=idea+author"):  # every list of cards, with avatars
        page = client.get(path).text
        assert f"{avatar.format(avatar_colour(left.id), 'GM')} by gone_member</span>" in page, path
        assert 'href="/users/gone_member"' not in page, path
        assert (f'{avatar.format(avatar_colour(stayed.id), "SH")} by <a href="/users/still_here">still_here</a></span>'
                in page), path
    assert client.get("/users/gone_member").status_code == 404  # the page the link would have led to
