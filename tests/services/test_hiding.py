"""Hiding keeps content but takes it out of public pages and totals; counters stay exact."""
import pytest
from sqlalchemy import select

from ideaportal.comments import services as comments
from ideaportal.errors import NotFound
from ideaportal.extensions import db
from ideaportal.ideas import queries
from ideaportal.ideas.services import recount_all
from ideaportal.models import AuditEntry, Idea
from ideaportal.moderation import services
from tests import factories


def test_a_hidden_idea_leaves_lists_and_totals_and_comes_back(app):
    staff = factories.user(role="pm")
    idea = factories.idea()
    before = queries.site_totals()
    assert services.set_idea_hidden(idea_id=idea.id, actor_id=staff.id, hidden=True)
    assert queries.site_totals().ideas == before.ideas - 1
    assert idea.id not in [card.id for card in queries.list_ideas(queries.ListFilter()).cards]
    with pytest.raises(NotFound):
        queries.idea_detail(idea.id)
    assert not services.set_idea_hidden(idea_id=idea.id, actor_id=staff.id, hidden=True)  # already hidden
    assert services.set_idea_hidden(idea_id=idea.id, actor_id=staff.id, hidden=False)
    assert queries.site_totals() == before
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["idea.hide", "idea.unhide"]


def test_hiding_a_comment_moves_the_count_and_deleting_it_later_does_not_move_it_twice(app):
    staff = factories.user(role="pm")
    idea = factories.idea()
    kept = comments.add_comment(idea_id=idea.id, author_id=idea.author_id, body="Kept.")
    hidden = comments.add_comment(idea_id=idea.id, author_id=idea.author_id, body="Spam.")
    services.set_comment_hidden(comment_id=hidden, actor_id=staff.id, hidden=True)
    assert db.session.get(Idea, idea.id).comment_count == 1
    comments.delete_comment(comment_id=hidden, actor_id=idea.author_id)
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).comment_count == 1
    assert recount_all() == 0  # the delta bookkeeping agrees with a recount from the rows
    services.set_comment_hidden(comment_id=hidden, actor_id=staff.id, hidden=False)  # deleted: still uncounted
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).comment_count == 1
    assert recount_all() == 0
    assert kept


def test_hiding_something_that_does_not_exist_is_not_found(app):
    with pytest.raises(NotFound):
        services.set_idea_hidden(idea_id=999_999, actor_id=None, hidden=True)
    with pytest.raises(NotFound):
        services.set_comment_hidden(comment_id=999_999, actor_id=None, hidden=True)
