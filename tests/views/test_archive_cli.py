"""`flask --app ideaportal ideas archive-stale`: a dry run lists, a real run archives in one go."""
from datetime import timedelta

from sqlalchemy import select, update

from ideaportal.extensions import db
from ideaportal.models import AuditEntry, Idea, Status, StatusChange, utcnow
from tests import factories


def idle(title: str, days: int) -> int:
    idea = factories.idea(title=title)
    db.session.execute(update(Idea).where(Idea.id == idea.id).values(last_activity_at=utcnow() - timedelta(days=days)))
    db.session.commit()
    return idea.id


def status_slug(idea_id: int) -> str:
    db.session.expire_all()
    return db.session.scalar(select(Status.slug).join(Idea, Idea.status_id == Status.id).where(Idea.id == idea_id))


def test_dry_run_lists_the_stale_ideas_and_changes_nothing(runner, app):
    stale, recent = idle("Forgotten idea", 400), idle("Lively idea", 30)
    result = runner.invoke(args=["ideas", "archive-stale", "--months", "6", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert f"#{stale} Forgotten idea" in result.output and "Lively idea" not in result.output
    assert "Would archive 1 idea(s)" in result.output
    assert status_slug(stale) == status_slug(recent) == "new"
    assert db.session.scalar(select(StatusChange.id)) is None


def test_archive_stale_moves_idle_ideas_with_a_public_response(runner, client, app):
    stale, recent = idle("Forgotten idea", 400), idle("Lively idea", 30)
    result = runner.invoke(args=["ideas", "archive-stale", "--months", "3", "--response", "Archived: no *interest*."])
    assert result.exit_code == 0, result.output
    assert "Archived 1 idea(s) idle for 3 month(s)." in result.output
    assert (status_slug(stale), status_slug(recent)) == ("archived", "new")
    public = client.get(f"/ideas/{stale}", follow_redirects=True).text
    assert "Archived: no <em>interest</em>." in public and "Official answer" in public
    entry = db.session.scalar(select(AuditEntry))
    assert (entry.actor_id, entry.action, entry.target_id) == (None, "idea.status", stale)


def test_archive_stale_explains_the_rule_by_default_and_refuses_zero_months(runner, app):
    stale = idle("Forgotten idea", 400)
    assert runner.invoke(args=["ideas", "archive-stale", "--months", "0"]).exit_code == 2
    result = runner.invoke(args=["ideas", "archive-stale"])  # six months by default
    assert result.exit_code == 0 and "Archived 1 idea(s) idle for 6 month(s)." in result.output
    response = db.session.scalar(select(StatusChange.response).where(StatusChange.idea_id == stale))
    assert response.startswith("This idea has had no votes or comments for 6 months")
