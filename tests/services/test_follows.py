"""Following ideas: once per member, public ideas only, and the author follows from the start."""
import pytest
import sqlalchemy as sa
from sqlalchemy import func, select, update

from ideaportal.errors import NotFound
from ideaportal.extensions import db
from ideaportal.follows import services
from ideaportal.models import Idea, Subscription
from tests import factories


def followers(idea_id: int) -> list[int]:
    return sorted(db.session.scalars(select(Subscription.user_id).where(Subscription.idea_id == idea_id)))


def test_the_author_follows_their_new_idea(app):
    author = factories.user()
    idea = factories.idea(author=author)
    assert followers(idea.id) == [author.id]


def test_following_twice_changes_nothing_and_unfollowing_twice_neither(app):
    idea, member = factories.idea(), factories.user()
    assert services.follow(idea_id=idea.id, user_id=member.id).as_dict() == {"following": True, "followers": 2}
    assert services.follow(idea_id=idea.id, user_id=member.id).as_dict() == {"following": True, "followers": 2}
    assert followers(idea.id) == sorted([idea.author_id, member.id])
    assert services.unfollow(idea_id=idea.id, user_id=member.id).as_dict() == {"following": False, "followers": 1}
    assert services.unfollow(idea_id=idea.id, user_id=member.id).as_dict() == {"following": False, "followers": 1}


def test_a_concurrent_duplicate_follow_is_absorbed(app, monkeypatch):
    idea, member = factories.idea(), factories.user()
    services.follow(idea_id=idea.id, user_id=member.id)
    # As if the other request's row were not visible yet: the insert's "not already following"
    # check (the first exists() the service builds) passes, and the insert runs into the unique key.
    calls = []

    def blind_first_check():
        calls.append(1)
        return sa.exists().where(sa.false()) if len(calls) == 1 else sa.exists()

    monkeypatch.setattr(services, "exists", blind_first_check)
    assert services.follow(idea_id=idea.id, user_id=member.id).as_dict() == {"following": True, "followers": 2}
    assert db.session.scalar(select(func.count()).select_from(Subscription)) == 2


@pytest.mark.parametrize("state", ["hidden", "merged", "missing"])
def test_only_public_ideas_can_be_followed(app, state):
    idea, other, member = factories.idea(), factories.idea(), factories.user()
    if state == "hidden":
        db.session.execute(update(Idea).where(Idea.id == idea.id).values(is_hidden=True))
    elif state == "merged":
        db.session.execute(update(Idea).where(Idea.id == idea.id).values(merged_into_id=other.id))
    db.session.commit()
    idea_id = 999_999 if state == "missing" else idea.id
    with pytest.raises(NotFound):
        services.follow(idea_id=idea_id, user_id=member.id)
    assert member.id not in followers(idea.id)


def test_a_merged_idea_can_still_be_unfollowed(app):
    idea, other = factories.idea(), factories.idea()
    db.session.execute(update(Idea).where(Idea.id == idea.id).values(merged_into_id=other.id))
    db.session.commit()
    assert services.unfollow(idea_id=idea.id, user_id=idea.author_id).as_dict() == {"following": False, "followers": 0}
    with pytest.raises(NotFound):
        services.unfollow(idea_id=999_999, user_id=idea.author_id)
