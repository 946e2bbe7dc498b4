"""Idea and vote services on a real database: counters stay exact, rules hold."""
import pytest
from sqlalchemy import func, select, update

from ideaportal import rules
from ideaportal.errors import Invalid, NotFound, PermissionDenied
from ideaportal.extensions import db
from ideaportal.ideas import services
from ideaportal.models import Idea, Status, Vote
from tests import factories
from tests.helpers import count_queries


def counters(idea_id):
    db.session.expire_all()
    idea = db.session.get(Idea, idea_id)
    return idea.upvotes, idea.downvotes, idea.score


def votes_sum(idea_id):
    return db.session.scalar(select(func.coalesce(func.sum(Vote.value), 0)).where(Vote.idea_id == idea_id))


def test_submitting_records_the_authors_upvote_and_renders_markdown(app):
    author = factories.user()
    idea = factories.idea(author=author, body="Please add **dark mode**\n\n- offline")
    assert counters(idea.id) == (1, 0, 1)
    assert db.session.scalar(select(Vote.value).where(Vote.idea_id == idea.id, Vote.user_id == author.id)) == 1
    assert "<strong>dark mode</strong>" in idea.body_html
    assert db.session.scalar(select(Idea.excerpt).where(Idea.id == idea.id)) == "Please add dark mode. offline"
    assert idea.hot_rank == pytest.approx(rules.hot_rank(1, idea.created_at))


def test_submitting_into_an_unknown_category_is_refused_and_writes_nothing(app):
    author = factories.user()
    with pytest.raises(Invalid):
        services.submit_idea(author_id=author.id, title="Valid title", body="body", category_id=999_999)
    assert db.session.scalar(select(func.count(Idea.id))) == 0


def test_upvote_then_same_vote_again_changes_nothing(app):
    idea, voter = factories.idea(), factories.user()
    first = services.cast_vote(idea_id=idea.id, voter_id=voter.id, value=1)
    second = services.cast_vote(idea_id=idea.id, voter_id=voter.id, value=1)
    assert first == second == services.Tally(score=2, upvotes=2, downvotes=0, my_vote=1)


def test_repeating_a_vote_keeps_its_original_date(app):
    idea, voter = factories.idea(), factories.user()
    services.cast_vote(idea_id=idea.id, voter_id=voter.id, value=1)
    voted_at = db.session.scalar(select(Vote.created_at).where(Vote.user_id == voter.id))
    services.cast_vote(idea_id=idea.id, voter_id=voter.id, value=1)
    db.session.expire_all()
    assert db.session.scalar(select(Vote.created_at).where(Vote.user_id == voter.id)) == voted_at


def test_flipping_from_up_to_down_moves_the_score_by_two(app):
    idea, voter = factories.idea(), factories.user()
    services.cast_vote(idea_id=idea.id, voter_id=voter.id, value=1)
    tally = services.cast_vote(idea_id=idea.id, voter_id=voter.id, value=-1)
    assert tally == services.Tally(score=0, upvotes=1, downvotes=1, my_vote=-1)


def test_withdrawing_removes_the_vote_row(app):
    idea, voter = factories.idea(), factories.user()
    services.cast_vote(idea_id=idea.id, voter_id=voter.id, value=-1)
    tally = services.cast_vote(idea_id=idea.id, voter_id=voter.id, value=0)
    assert tally.score == 1 and tally.my_vote == 0
    assert db.session.scalar(select(func.count()).where(Vote.user_id == voter.id)) == 0


def test_withdrawing_a_vote_never_cast_changes_nothing(app):
    idea, voter = factories.idea(), factories.user()
    assert services.cast_vote(idea_id=idea.id, voter_id=voter.id, value=0).score == 1


def test_the_author_can_withdraw_their_own_upvote(app):
    author = factories.user()
    idea = factories.idea(author=author)
    assert services.cast_vote(idea_id=idea.id, voter_id=author.id, value=0).score == 0


def test_every_vote_updates_the_stored_hot_rank(app):
    idea, voter = factories.idea(), factories.user()
    services.cast_vote(idea_id=idea.id, voter_id=voter.id, value=-1)
    db.session.expire_all()
    stored = db.session.get(Idea, idea.id)
    assert stored.hot_rank == pytest.approx(rules.hot_rank(0, stored.created_at))


def test_the_stored_hot_rank_is_the_formula_on_the_new_score_whatever_the_old_vote(app):
    """The hot rank is computed before the write for each old vote the voter may hold (up, none, down);
    scores beyond -1..1 tell the three apart."""
    idea = factories.idea()  # the author's upvote: 1
    first, second = factories.user(), factories.user()
    for voter, value, score in [(first, 1, 2), (second, 1, 3), (first, -1, 1), (first, 1, 3), (second, -1, 1),
                                (second, 0, 2), (first, 0, 1)]:
        tally = services.cast_vote(idea_id=idea.id, voter_id=voter.id, value=value)
        db.session.expire_all()
        stored = db.session.get(Idea, idea.id)
        assert tally.score == stored.score == score
        assert stored.hot_rank == rules.hot_rank(score, stored.created_at)


def test_a_vote_claims_the_idea_first_and_then_writes_in_one_statement_on_postgresql(app):
    idea_id, voter_id = factories.idea().id, factories.user().id
    with count_queries() as statements:
        services.cast_vote(idea_id=idea_id, voter_id=voter_id, value=1)
    if db.engine.dialect.name == "postgresql":
        assert len(statements) == 2 and statements[0].rstrip().endswith("FOR NO KEY UPDATE")
    else:  # the write lock before any read: SQLite's claim is a write
        assert statements[0].lstrip().startswith("UPDATE idea") and len(statements) <= 5


def test_counters_equal_the_votes_after_a_mixed_sequence(app):
    idea = factories.idea()
    voters = [factories.user() for _ in range(6)]
    for step, value in enumerate([1, -1, 1, 0, -1, 1, 1, -1, 0, 1, -1, -1]):
        services.cast_vote(idea_id=idea.id, voter_id=voters[step % 6].id, value=value)
    up, down, score = counters(idea.id)
    assert score == votes_sum(idea.id) == up - down
    assert up == db.session.scalar(select(func.count()).where(Vote.idea_id == idea.id, Vote.value == 1))


def test_voting_on_a_missing_or_hidden_idea_is_not_found(app):
    voter = factories.user()
    with pytest.raises(NotFound):
        services.cast_vote(idea_id=987_654, voter_id=voter.id, value=1)
    idea = factories.idea()
    db.session.execute(update(Idea).where(Idea.id == idea.id).values(is_hidden=True))
    db.session.commit()
    with pytest.raises(NotFound):
        services.cast_vote(idea_id=idea.id, voter_id=voter.id, value=1)
    assert counters(idea.id) == (1, 0, 1)


def test_a_vote_value_outside_one_zero_minus_one_is_invalid(app):
    idea, voter = factories.idea(), factories.user()
    with pytest.raises(Invalid):
        services.cast_vote(idea_id=idea.id, voter_id=voter.id, value=2)


def test_the_author_edits_a_new_idea(app):
    author = factories.user()
    idea = factories.idea(author=author)
    other_category = factories.category()
    services.edit_idea(idea_id=idea.id, editor_id=author.id, title="Better title",
                       body="_new_ " + "word " * 60, category_id=other_category.id)
    db.session.expire_all()
    edited = db.session.get(Idea, idea.id)
    assert (edited.title, edited.body_html[:16], edited.category_id) == ("Better title", "<p><em>new</em> ",
                                                                          other_category.id)
    assert edited.excerpt == ("new " + "word " * 47).rstrip() + "…"  # cut at a word for the cards
    assert edited.updated_at >= edited.created_at


def test_nobody_else_edits_and_the_author_stops_once_reviewed(app):
    author = factories.user()
    idea = factories.idea(author=author)
    with pytest.raises(PermissionDenied):
        services.edit_idea(idea_id=idea.id, editor_id=factories.user().id, title="Hijacked", body="x",
                           category_id=idea.category_id)
    planned = db.session.scalar(select(Status.id).where(Status.slug == "planned"))
    db.session.execute(update(Idea).where(Idea.id == idea.id).values(status_id=planned))
    db.session.commit()
    with pytest.raises(PermissionDenied):
        services.edit_idea(idea_id=idea.id, editor_id=author.id, title="Too late now", body="x",
                           category_id=idea.category_id)


def test_recount_repairs_drifted_counters_from_the_source_rows(app):
    idea, voter = factories.idea(), factories.user()
    services.cast_vote(idea_id=idea.id, voter_id=voter.id, value=-1)
    db.session.execute(update(Idea).where(Idea.id == idea.id).values(upvotes=40, downvotes=3, score=37))
    db.session.commit()
    assert services.recount_all() == 1
    assert counters(idea.id) == (1, 1, 0)
    assert services.recount_all() == 0
