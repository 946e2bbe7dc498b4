"""The status bonus is written twice: `rules.STATUS_BONUS`, and the SQL of the points triggers on `idea`
(migration 8d41c0b7e2a5, frozen, so it cannot import the rules). These tests hold the installed triggers to
the rule for every status, so a change to one without a migration of the other fails here."""
from sqlalchemy import delete, insert, select, update

from ideaportal import rules
from ideaportal.extensions import db
from ideaportal.ideas.services import cast_vote
from ideaportal.leaderboard.queries import author_totals
from ideaportal.models import Idea, Status, User, utcnow
from ideaportal.settings.services import create_status
from tests import factories


def stored_points(user_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(select(User.points).where(User.id == user_id))


def recounted_points(user_id: int) -> int:
    """What `counters check|repair` counts from the rows (through `rules.contributor_points`)."""
    totals = author_totals(author_ids=[user_id])
    return int(db.session.scalar(select(totals.c.points)) or 0)


def test_the_points_triggers_give_each_status_the_bonus_the_rules_give(app):
    admin = factories.user(role="admin")
    create_status(actor_id=admin.id, slug="shipped_in_beta", label="Shipped in beta", kind="completed",
                  colour="#1a7f37", requires_response=False)  # a status the migration never saw
    statuses = dict(db.session.execute(select(Status.slug, Status.id)).all())
    assert set(rules.STATUS_BONUS) <= set(statuses)  # a bonus for a status that does not exist goes untested

    ana = factories.user(username="ana")
    moved = factories.idea(author=ana)
    cast_vote(idea_id=moved.id, voter_id=factories.user().id, value=1)  # score 2, with ana's own vote
    base = stored_points(ana.id)
    assert base == 2
    for slug, status_id in statuses.items():
        bonus = rules.STATUS_BONUS.get(slug, 0)
        # The update trigger: the idea moves into the status.
        db.session.execute(update(Idea).where(Idea.id == moved.id).values(status_id=status_id))
        db.session.commit()
        assert stored_points(ana.id) == recounted_points(ana.id) == 2 + bonus, slug
        # The insert and delete triggers: an idea written in the status, with a score of its own, then removed.
        added = db.session.execute(insert(Idea).values(
            title=f"Written as {slug}", body="b", body_html="<p>b</p>", author_id=ana.id,
            category_id=moved.category_id, status_id=status_id, upvotes=3, score=3,
            created_at=utcnow(), updated_at=utcnow(), last_activity_at=utcnow(),
        ).returning(Idea.id)).scalar_one()
        db.session.commit()
        assert stored_points(ana.id) == recounted_points(ana.id) == 2 + bonus + 3 + bonus, slug
        db.session.execute(delete(Idea).where(Idea.id == added))
        db.session.commit()
        assert stored_points(ana.id) == recounted_points(ana.id) == 2 + bonus, slug
