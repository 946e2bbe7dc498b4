"""The command line calls the same services as the web."""
from sqlalchemy import func, select, update

from ideaportal.extensions import db
from ideaportal.ideas.queries import public_ideas
from ideaportal.models import (
    Category,
    Flag,
    Idea,
    StaffNote,
    Status,
    Subscription,
    User,
    Vote,
)
from tests import factories


def test_user_create_and_set_role(runner, app):
    result = runner.invoke(args=["user", "create", "Kim@Example.com", "--username", "kim",
                                 "--password", "violet tractor umbrella", "--role", "pm"])
    assert result.exit_code == 0, result.output
    assert "Created pm kim <kim@example.com>." in result.output
    result = runner.invoke(args=["user", "set-role", "kim@example.com", "admin"])
    assert result.exit_code == 0 and "is now admin" in result.output
    assert db.session.scalar(select(User.role).where(User.email == "kim@example.com")) == "admin"


def test_user_create_explains_a_refusal_without_a_traceback(runner, app):
    result = runner.invoke(args=["user", "create", "kim@example.com", "--username", "kim",
                                 "--password", "password123"])
    assert result.exit_code == 1
    assert "commonly used passwords" in result.output and "Traceback" not in result.output
    result = runner.invoke(args=["user", "set-role", "nobody@example.com", "pm"])
    assert result.exit_code == 1 and "No account has the email" in result.output


def test_set_role_refuses_unknown_roles(runner, app):
    factories.user(email="kim@example.com")
    result = runner.invoke(args=["user", "set-role", "kim@example.com", "owner"])
    assert result.exit_code == 2 and "Invalid value" in result.output


def test_demo_load_builds_a_living_portal_once(runner, app):
    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0, result.output
    # 60 ideas, 6 in the open Storm Session and 5 in the past one; the summary says what the home page will.
    assert db.session.scalar(select(func.count(Idea.id)).where(public_ideas())) == 71
    assert result.output.startswith("Loaded 71 ideas (11 of them in Storm Sessions) in 6 categories")
    assert db.session.scalar(select(func.count(Idea.id)).where(Idea.merged_into_id.is_not(None))) == 1
    assert db.session.scalar(select(func.count(Category.id))) == 6
    # Something for each staff page: open flags, notes, owners, followers.
    assert db.session.scalar(select(func.count(Flag.id)).where(Flag.resolved_at.is_(None))) >= 3
    assert db.session.scalar(select(func.count(StaffNote.id))) == 2
    assert db.session.scalar(select(func.count(Idea.id)).where(Idea.owner_id.is_not(None))) > 0
    assert db.session.scalar(select(func.count(Subscription.id))) >= 72
    statuses_used = db.session.scalar(select(func.count(func.distinct(Idea.status_id))))
    assert statuses_used >= 5
    assert db.session.scalar(select(func.count(Vote.id))) > 60
    again = runner.invoke(args=["demo", "load", "--if-empty"])
    assert "already has ideas" in again.output
    assert db.session.scalar(select(func.count(Idea.id))) == 72


def test_demo_counters_agree_with_the_votes(runner, app):
    runner.invoke(args=["demo", "load"])
    drift = db.session.scalar(
        select(func.count()).select_from(Idea).where(
            Idea.score != select(func.coalesce(func.sum(Vote.value), 0)).where(Vote.idea_id == Idea.id)
            .scalar_subquery()
        )
    )
    assert drift == 0


def test_ideas_recount_reports_and_fixes_drift(runner, app):
    idea = factories.idea()
    db.session.execute(update(Idea).where(Idea.id == idea.id).values(upvotes=9, score=9))
    db.session.commit()
    result = runner.invoke(args=["ideas", "recount"])
    assert "1 idea(s) had drifted" in result.output
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).score == 1


def test_bench_seed_inserts_ideas_with_exact_counters(runner, app):
    result = runner.invoke(args=["bench", "seed", "--ideas", "300", "--users", "20", "--votes-per-idea", "6"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count(Idea.id))) == 300
    assert runner.invoke(args=["ideas", "recount"]).output.startswith("Recounted; 0 idea(s)")
    factories.idea()  # the id sequence moved past the explicit ids
    assert db.session.scalar(select(func.count(Status.id))) == 10
