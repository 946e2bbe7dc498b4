"""The home page's site totals and the roadmap's status counts, kept by triggers on `idea`: equal to a count of
the ideas after every change."""
from datetime import timedelta

from sqlalchemy import delete, select, update

from ideaportal import counters
from ideaportal.account.services import delete_account
from ideaportal.comments.services import add_comment, delete_comment
from ideaportal.extensions import db
from ideaportal.ideas.queries import SiteTotals, counted_site_totals, site_totals
from ideaportal.ideas.services import cast_vote
from ideaportal.merges.services import merge_idea, unmerge_idea
from ideaportal.models import Comment, Idea, SiteTotal, StatusCount, utcnow
from ideaportal.moderation.services import set_comment_hidden, set_idea_hidden
from ideaportal.triage.services import archive_stale, bulk_change_status, change_status
from tests import factories


def test_every_change_that_moves_a_total_keeps_the_stored_totals_equal_to_a_count_on_both_databases(app):
    pm, member, other = factories.user(role="pm"), factories.user(), factories.user()
    steps = []

    def check(step: str) -> None:
        db.session.commit()
        steps.append(step)
        assert (step, site_totals()) == (step, counted_site_totals())
        assert (step, counters._status_count_drift().examples) == (step, [])

    first = factories.idea(author=member)
    check("new idea")
    assert site_totals() == SiteTotals(ideas=1, votes=1, comments=0, implemented=0, answered=0)
    second, third = factories.idea(author=other), factories.idea(author=other)
    check("more ideas")
    cast_vote(idea_id=first.id, voter_id=other.id, value=1)
    check("vote cast")
    cast_vote(idea_id=first.id, voter_id=other.id, value=-1)
    check("vote changed")
    cast_vote(idea_id=first.id, voter_id=other.id, value=0)
    check("vote withdrawn")
    cast_vote(idea_id=second.id, voter_id=member.id, value=1)
    comment = add_comment(idea_id=first.id, author_id=other.id, body="Yes, please.")
    check("comment added")
    set_comment_hidden(comment_id=comment, actor_id=pm.id, hidden=True)
    check("comment hidden")
    set_comment_hidden(comment_id=comment, actor_id=pm.id, hidden=False)
    check("comment shown again")
    delete_comment(comment_id=comment, actor_id=other.id)
    check("comment deleted")
    add_comment(idea_id=second.id, author_id=pm.id, body="We are looking at it.", official=True)
    check("first official answer")
    change_status(idea_id=first.id, actor_id=pm.id, status_slug="implemented", response="Shipped in 2.1.")
    check("status into implemented, with a response")
    change_status(idea_id=first.id, actor_id=pm.id, status_slug="in_progress", response="Reopened: a bug.")
    check("status out of implemented")
    bulk_change_status(idea_ids=[first.id, third.id], actor_id=pm.id, status_slug="implemented", response="Done.")
    check("bulk triage into implemented")
    set_idea_hidden(idea_id=first.id, actor_id=pm.id, hidden=True)
    check("idea hidden")
    set_idea_hidden(idea_id=first.id, actor_id=pm.id, hidden=False)
    check("idea shown again")
    merge_idea(source_id=third.id, target_id=second.id, actor_id=pm.id)
    check("merged")
    unmerge_idea(idea_id=third.id, actor_id=pm.id)
    check("unmerged")
    session = factories.campaign()
    factories.campaign_idea(session, author=member)
    check("Storm Session idea")
    stale = factories.idea(author=member)
    db.session.execute(update(Idea).where(Idea.id == stale.id).values(
        last_activity_at=utcnow() - timedelta(days=400)))
    archive_stale(months=6)
    check("stale idea archived")
    delete_account(user_id=member.id, password=factories.PASSWORD, remove_content=True)
    check("account deleted with its content")
    delete_account(user_id=other.id, password=factories.PASSWORD, remove_content=False)
    check("account deleted, content kept")
    db.session.execute(delete(Comment).where(Comment.idea_id == second.id))
    db.session.execute(delete(Idea).where(Idea.id == second.id))
    check("idea deleted")
    assert len(db.session.scalars(select(SiteTotal.shard)).all()) > 1  # the ideas' changes went to several shares
    assert site_totals().ideas > 0 and counters.check() == []


def test_counters_check_reports_drifted_site_totals_and_status_counts_and_repair_counts_them_again(app, runner):
    factories.idea()
    factories.idea()
    db.session.execute(update(SiteTotal).values(votes=SiteTotal.votes + 5))
    db.session.execute(update(StatusCount).values(ideas=StatusCount.ideas + 1))
    db.session.commit()
    assert [drift.kind for drift in counters.check()] == ["site totals", "status counts"]
    result = runner.invoke(args=["counters", "repair"])
    assert result.exit_code == 0 and "site totals: 1 repaired" in result.output
    assert counters.check() == []
    assert site_totals() == counted_site_totals() == SiteTotals(ideas=2, votes=2, comments=0, implemented=0,
                                                                answered=0)
