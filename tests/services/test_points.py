"""Stored contributor points (`user.points`) stay equal to what the rows give after every change that moves them."""
from sqlalchemy import select, text, update

from ideaportal import counters
from ideaportal.account.services import delete_account
from ideaportal.comments.services import add_comment, delete_comment
from ideaportal.extensions import db
from ideaportal.ideas.services import cast_vote, recount_all
from ideaportal.leaderboard import profiles, queries
from ideaportal.merges.services import merge_idea, unmerge_idea
from ideaportal.models import Idea, User
from ideaportal.moderation.services import set_idea_hidden
from ideaportal.triage.services import bulk_change_status, change_status
from tests import factories


def stored() -> dict[int, int]:
    db.session.expire_all()
    return dict(db.session.execute(select(User.id, User.points)).all())


def recomputed() -> dict[int, int]:
    """Every member's points from their public ideas, with the formula the board used before they were stored."""
    totals = queries.author_totals()
    found = dict(db.session.execute(select(totals.c.author_id, totals.c.points)).all())
    return {user_id: int(found.get(user_id, 0)) for user_id in db.session.scalars(select(User.id))}


def assert_exact(expected: dict[int, int] | None = None) -> None:
    assert stored() == recomputed()
    if expected is not None:
        assert {user_id: stored()[user_id] for user_id in expected} == expected
    assert counters.check() == []


def test_every_change_that_moves_points_keeps_the_stored_points_exact(app):
    pm = factories.user(role="pm")
    ana, ben = factories.user(username="ana"), factories.user(username="ben")
    voters = [factories.user() for _ in range(4)]
    first = factories.idea(author=ana)  # the author's own upvote: 1
    second = factories.idea(author=ana)
    other = factories.idea(author=ben)
    assert_exact({ana.id: 2, ben.id: 1, voters[0].id: 0})

    for voter in voters[:3]:
        cast_vote(idea_id=first.id, voter_id=voter.id, value=1)
    cast_vote(idea_id=second.id, voter_id=voters[3].id, value=-1)
    assert_exact({ana.id: 4})
    cast_vote(idea_id=first.id, voter_id=voters[0].id, value=-1)  # changed: -2
    cast_vote(idea_id=first.id, voter_id=voters[1].id, value=0)  # taken back: -1
    assert_exact({ana.id: 1})

    comment = add_comment(idea_id=first.id, author_id=ben.id, body="Comments earn no points.")
    delete_comment(comment_id=comment, actor_id=ben.id)
    assert_exact({ana.id: 1, ben.id: 1})

    change_status(idea_id=first.id, actor_id=pm.id, status_slug="implemented", response="Shipped.")
    assert_exact({ana.id: 51})
    change_status(idea_id=first.id, actor_id=pm.id, status_slug="partially_implemented", response="Part of it.")
    assert_exact({ana.id: 26})
    bulk_change_status(idea_ids=[second.id, other.id], actor_id=pm.id, status_slug="implemented", response="Both.")
    assert_exact({ana.id: 76, ben.id: 51})

    set_idea_hidden(idea_id=first.id, actor_id=pm.id, hidden=True)
    assert_exact({ana.id: 50})
    set_idea_hidden(idea_id=first.id, actor_id=pm.id, hidden=False)
    assert_exact({ana.id: 76})

    merge_idea(source_id=other.id, target_id=second.id, actor_id=pm.id)  # ben's votes move to ana's idea
    assert_exact({ben.id: 0})
    unmerge_idea(idea_id=other.id, actor_id=pm.id)
    assert_exact()

    cast_vote(idea_id=other.id, voter_id=voters[2].id, value=1)
    delete_account(user_id=voters[2].id, password=factories.PASSWORD, remove_content=True)  # their votes go
    delete_account(user_id=ben.id, password=factories.PASSWORD, remove_content=True)  # his ideas are hidden
    assert_exact({ben.id: 0})

    db.session.execute(update(Idea).where(Idea.id == second.id).values(upvotes=Idea.upvotes + 3,
                                                                       score=Idea.score + 3))
    db.session.commit()  # drifted votes: the points follow the stored score, as the board reads it
    assert stored() == recomputed()
    recount_all()  # the score recounted from the votes, and the points with it
    assert_exact()


def test_counters_check_finds_drifted_points_and_repair_recounts_them(app):
    ana = factories.user(username="ana")
    idea = factories.idea(author=ana)
    cast_vote(idea_id=idea.id, voter_id=factories.user().id, value=1)
    db.session.execute(update(User).where(User.id == ana.id).values(points=40))
    db.session.commit()
    [drift] = counters.check()
    assert (drift.kind, drift.count, drift.ids) == ("points", 1, [ana.id])
    assert drift.examples == [f"member {ana.id}: stored 40 points, their public ideas give 2"]
    assert [found.kind for found in counters.repair()] == ["points"]
    assert_exact({ana.id: 2})


def test_a_rank_counts_the_active_members_ahead(app):
    ana, ben, cai = (factories.user(username=name) for name in ("ana", "ben", "cai"))
    voters = [factories.user() for _ in range(3)]
    for author, votes in ((ana, 3), (ben, 1), (cai, 3)):
        idea = factories.idea(author=author)
        for voter in voters[:votes]:
            cast_vote(idea_id=idea.id, voter_id=voter.id, value=1)
    assert [queries.contributor_rank(points) for points in (5, 4, 2, 1, 0)] == [1, 1, 3, 4, None]
    assert profiles.member_profile(profiles.find_member("ben")).rank == 3
    db.session.execute(update(User).where(User.id == ana.id).values(is_active=False))
    db.session.commit()
    assert profiles.member_profile(profiles.find_member("ben")).rank == 2
    assert [(person.username, person.points, person.rank) for person in queries.top_contributors()] == [
        ("cai", 4, 1), ("ben", 2, 2)]


def test_the_points_triggers_exist_at_head(app):
    """A migration that rebuilds `idea` on SQLite drops its triggers: it must create these again."""
    if db.engine.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'idea'"
        expected = {"idea_points_after_insert", "idea_points_after_update", "idea_points_after_delete"}
    else:
        query = "SELECT tgname FROM pg_trigger WHERE tgrelid = 'idea'::regclass AND NOT tgisinternal"
        expected = {"idea_points_after_write", "idea_points_after_update"}
    assert expected <= set(db.session.scalars(text(query)))
