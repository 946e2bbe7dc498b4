"""Merging a duplicate into its original loses nothing, and an unmerge puts every vote back."""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, update

from ideaportal import rules
from ideaportal.comments.services import add_comment
from ideaportal.errors import Conflict, Invalid, NotFound
from ideaportal.extensions import db
from ideaportal.follows.services import follow, unfollow
from ideaportal.ideas import queries
from ideaportal.ideas.services import cast_vote, recount
from ideaportal.merges import services
from ideaportal.models import (
    AuditEntry,
    Idea,
    IdeaMerge,
    MergedVote,
    Status,
    StatusChange,
    Subscription,
    Vote,
)
from tests import factories

POOL = 6
VOTE = st.sampled_from([0, 1, -1])  # 0: no vote


def votes(idea_id: int) -> dict[int, tuple[int, object]]:
    """{user id: (value, created_at)} of the vote rows on an idea."""
    rows = db.session.execute(select(Vote.user_id, Vote.value, Vote.created_at).where(Vote.idea_id == idea_id)).all()
    assert len(rows) == len({row.user_id for row in rows})  # at most one vote per user
    return {row.user_id: (row.value, row.created_at) for row in rows}


def counters(idea_id: int) -> tuple[int, int, int, float]:
    db.session.expire_all()
    idea = db.session.get(Idea, idea_id)
    return idea.upvotes, idea.downvotes, idea.score, idea.hot_rank


def counted_from_rows(idea_id: int) -> tuple[int, int, int, float]:
    """What the counters must be, from the vote table alone."""
    values = [value for value, _ in votes(idea_id).values()]
    ups, downs = values.count(1), values.count(-1)
    created_at = db.session.scalar(select(Idea.created_at).where(Idea.id == idea_id))
    return ups, downs, ups - downs, rules.hot_rank(ups - downs, created_at)


def status_slug(idea_id: int) -> str:
    return db.session.scalar(select(Status.slug).join(Idea, Idea.status_id == Status.id).where(Idea.id == idea_id))


def set_status(idea_id: int, slug: str) -> None:
    db.session.execute(update(Idea).where(Idea.id == idea_id).values(
        status_id=select(Status.id).where(Status.slug == slug).scalar_subquery()))
    db.session.commit()


def pair(**source_kwargs):
    """Two ideas in one category, and a product manager to merge them."""
    category = factories.category()
    source = factories.idea(category_row=category, title="Export reports to a spreadsheet", **source_kwargs)
    target = factories.idea(category_row=category, title="Spreadsheet export for reports")
    return source, target, factories.user(role="pm")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(on_source=st.lists(VOTE, min_size=POOL, max_size=POOL), on_target=st.lists(VOTE, min_size=POOL, max_size=POOL))
def test_merge_moves_only_new_voters_and_unmerge_restores_both_vote_sets_exactly(app, on_source, on_target):
    pool = [factories.user() for _ in range(POOL)]  # fresh per example: examples share one database
    category = factories.category()
    source = factories.idea(author=pool[0], category_row=category)
    target = factories.idea(author=pool[1], category_row=category)
    for user, on_a, on_b in zip(pool, on_source, on_target):  # 0 withdraws the authors' own votes too
        cast_vote(idea_id=source.id, voter_id=user.id, value=on_a)
        cast_vote(idea_id=target.id, voter_id=user.id, value=on_b)
    original_a, original_b = votes(source.id), votes(target.id)
    counters_a, counters_b = counters(source.id), counters(target.id)
    staff = factories.user(role="pm")

    outcome = services.merge_idea(source_id=source.id, target_id=target.id, actor_id=staff.id)

    merged_b = votes(target.id)
    assert votes(source.id) == {}
    assert counters(target.id) == counted_from_rows(target.id)
    assert counters(source.id) == counted_from_rows(source.id) == (0, 0, 0, counters(source.id)[3])
    for user_id, vote in original_b.items():
        assert merged_b[user_id] == vote  # voters on both keep their vote on the original
    newcomers = {user_id: vote for user_id, vote in original_a.items() if user_id not in original_b}
    assert {user_id: merged_b[user_id] for user_id in merged_b if user_id not in original_b} == newcomers
    snapshot = db.session.execute(select(MergedVote.user_id, MergedVote.value, MergedVote.created_at, MergedVote.moved)
                                  .join(IdeaMerge).where(IdeaMerge.source_id == source.id)).all()
    assert {row.user_id: (row.value, row.created_at) for row in snapshot} == original_a
    assert {row.user_id: (row.value, row.created_at) for row in snapshot if row.moved} == newcomers
    assert (outcome.moved_votes, outcome.kept_votes) == (len(newcomers), len(original_a) - len(newcomers))

    services.unmerge_idea(idea_id=source.id, actor_id=staff.id)

    assert votes(source.id) == original_a
    assert votes(target.id) == original_b
    assert counters(source.id) == counters_a
    assert counters(target.id) == counters_b


def test_merge_marks_the_duplicate_answers_publicly_and_leaves_the_lists(app):
    source, target, staff = pair()
    answered_at = db.session.scalar(select(Idea.first_response_at).where(Idea.id == source.id))
    assert answered_at is None
    services.merge_idea(source_id=source.id, target_id=target.id, actor_id=staff.id, note="Thanks for *both*.")
    db.session.expire_all()
    merged = db.session.get(Idea, source.id)
    assert merged.merged_into_id == target.id and status_slug(source.id) == "duplicate"
    assert merged.first_response_at is not None
    change = db.session.scalars(select(StatusChange).where(StatusChange.idea_id == source.id)).one()
    assert change.changed_by_id == staff.id
    assert change.response.startswith(f"Merged into #{target.id}: Spreadsheet export for reports. Votes and followers")
    assert "Thanks for <em>both</em>." in change.response_html
    record = db.session.scalars(select(IdeaMerge)).one()
    assert (record.source_id, record.target_id, record.merged_by_id) == (source.id, target.id, staff.id)
    assert db.session.get(Status, record.source_status_id).slug == "new"
    listed = [card.id for card in queries.list_ideas(queries.ListFilter()).cards]
    assert source.id not in listed and target.id in listed


def test_merge_keeps_an_earlier_first_response_date(app):
    source, target, staff = pair()
    add_comment(idea_id=source.id, author_id=staff.id, body="An official answer.", official=True)
    answered_at = db.session.scalar(select(Idea.first_response_at).where(Idea.id == source.id))
    services.merge_idea(source_id=source.id, target_id=target.id, actor_id=staff.id)
    db.session.expire_all()
    assert db.session.get(Idea, source.id).first_response_at == answered_at


def test_a_title_full_of_markdown_reads_as_typed_in_the_answer(app):
    category = factories.category()
    source = factories.idea(category_row=category)
    target = factories.idea(category_row=category, title="*Bold* [link](http://x.test) & <b>")
    staff = factories.user(role="pm")
    services.merge_idea(source_id=source.id, target_id=target.id, actor_id=staff.id)
    html = db.session.scalar(select(StatusChange.response_html).where(StatusChange.idea_id == source.id))
    assert f"Merged into #{target.id}: *Bold* [link](http://x.test) &amp; &lt;b&gt;. Votes" in html
    assert "<em>" not in html and "<a " not in html


def test_unmerge_restores_the_previous_status_with_a_timeline_entry(app):
    source, target, staff = pair()
    set_status(source.id, "under_review")
    services.merge_idea(source_id=source.id, target_id=target.id, actor_id=staff.id)
    outcome = services.unmerge_idea(idea_id=source.id, actor_id=staff.id)
    db.session.expire_all()
    assert outcome.target_id == target.id
    assert db.session.get(Idea, source.id).merged_into_id is None
    assert status_slug(source.id) == "under_review"
    latest = db.session.scalars(
        select(StatusChange).where(StatusChange.idea_id == source.id).order_by(StatusChange.id.desc())).first()
    assert latest.response.startswith(f"Unmerged from #{target.id}")
    assert db.session.get(Status, latest.to_status_id).slug == "under_review"
    record = db.session.scalars(select(IdeaMerge)).one()
    assert record.unmerged_by_id == staff.id and record.unmerged_at is not None
    assert source.id in [card.id for card in queries.list_ideas(queries.ListFilter()).cards]
    # ...and it can be merged again, with a fresh record.
    services.merge_idea(source_id=source.id, target_id=target.id, actor_id=staff.id)
    assert db.session.scalar(select(func.count()).select_from(IdeaMerge)) == 2


def test_unmerge_keeps_a_vote_recast_on_the_target_after_the_merge(app):
    source, target, staff = pair()
    changed, same, withdrawn, recast = (factories.user() for _ in range(4))
    for voter in (changed, same, withdrawn, recast):
        cast_vote(idea_id=source.id, voter_id=voter.id, value=1)
    services.merge_idea(source_id=source.id, target_id=target.id, actor_id=staff.id)
    cast_vote(idea_id=target.id, voter_id=changed.id, value=-1)  # changed their mind on the original
    cast_vote(idea_id=target.id, voter_id=same.id, value=1)  # the same vote again: nothing changes
    cast_vote(idea_id=target.id, voter_id=withdrawn.id, value=0)
    cast_vote(idea_id=target.id, voter_id=recast.id, value=0)
    cast_vote(idea_id=target.id, voter_id=recast.id, value=1)  # the same value, but cast anew after the merge
    outcome = services.unmerge_idea(idea_id=source.id, actor_id=staff.id)
    on_target = {user_id: value for user_id, (value, _) in votes(target.id).items()}
    assert on_target == {target.author_id: 1, changed.id: -1, recast.id: 1}
    on_source = {user_id: value for user_id, (value, _) in votes(source.id).items()}
    assert on_source == {source.author_id: 1, changed.id: 1, same.id: 1, withdrawn.id: 1, recast.id: 1}
    assert outcome.kept_changed_votes == 3  # the changed and recast votes, and the withdrawal (nothing to remove)
    assert counters(target.id) == counted_from_rows(target.id) == (2, 1, 1, counters(target.id)[3])
    assert counters(source.id) == counted_from_rows(source.id)


def test_followers_of_the_duplicate_follow_the_original(app):
    source, target, staff = pair()
    only_source, both = factories.user(), factories.user()
    db.session.add_all([
        Subscription(user_id=only_source.id, idea_id=source.id), Subscription(user_id=both.id, idea_id=source.id),
        Subscription(user_id=both.id, idea_id=target.id),
    ])
    db.session.commit()
    outcome = services.merge_idea(source_id=source.id, target_id=target.id, actor_id=staff.id)
    followers = set(db.session.scalars(select(Subscription.user_id).where(Subscription.idea_id == target.id)))
    assert followers == {target.author_id, source.author_id, only_source.id, both.id}
    assert outcome.new_followers == 2  # the duplicate's author and only_source


def test_unmerging_takes_back_the_followers_the_merge_added_but_not_a_later_follow(app):
    source, target, staff = pair()
    stays, refollows, before = factories.user(), factories.user(), factories.user()
    db.session.add_all([Subscription(user_id=user.id, idea_id=source.id) for user in (stays, refollows, before)])
    db.session.add(Subscription(user_id=before.id, idea_id=target.id))
    db.session.commit()
    services.merge_idea(source_id=source.id, target_id=target.id, actor_id=staff.id)
    unfollow(idea_id=target.id, user_id=refollows.id)
    follow(idea_id=target.id, user_id=refollows.id)  # their own choice now, dated after the merge
    follow(idea_id=target.id, user_id=stays.id)  # already following: changes nothing
    services.unmerge_idea(idea_id=source.id, actor_id=staff.id)

    def followers(idea_id: int) -> set[int]:
        return set(db.session.scalars(select(Subscription.user_id).where(Subscription.idea_id == idea_id)))

    assert followers(target.id) == {target.author_id, before.id, refollows.id}
    assert followers(source.id) == {source.author_id, stays.id, refollows.id, before.id}


def test_the_duplicates_comments_show_on_the_original(app):
    source, target, staff = pair()
    first = add_comment(idea_id=source.id, author_id=source.author_id, body="Me too, **please**.")
    second = add_comment(idea_id=source.id, author_id=staff.id, body="Noted.")
    add_comment(idea_id=target.id, author_id=target.author_id, body="On the original.")
    services.merge_idea(source_id=source.id, target_id=target.id, actor_id=staff.id)
    detail = queries.idea_detail(target.id)
    assert [(thread.idea_id, thread.title) for thread in detail.merged_threads] == [(source.id, source.title)]
    assert [comment.id for comment in detail.merged_threads[0].comments] == [first, second]
    assert len(detail.comments) == 1
    assert db.session.get(Idea, source.id).comment_count == 2  # the comments stayed on the duplicate


def test_merged_comments_load_in_one_query_however_many_ideas_were_merged(app):
    from tests.views.test_idea_views import count_queries

    staff, category = factories.user(role="pm"), factories.category()
    target = factories.idea(category_row=category)

    def detail_queries() -> int:
        with count_queries() as statements:
            queries.idea_detail(target.id)
        return len(statements)

    def merge_one_with_comments():
        source = factories.idea(category_row=category)
        for _ in range(2):
            add_comment(idea_id=source.id, author_id=source.author_id, body="A comment.")
        services.merge_idea(source_id=source.id, target_id=target.id, actor_id=staff.id)

    merge_one_with_comments()
    one = detail_queries()
    for _ in range(3):
        merge_one_with_comments()
    assert detail_queries() == one
    assert sum(len(thread.comments) for thread in queries.idea_detail(target.id).merged_threads) == 8


def test_a_hidden_duplicates_comments_stay_hidden(app):
    source, target, staff = pair()
    add_comment(idea_id=source.id, author_id=source.author_id, body="Spam spam.")
    db.session.execute(update(Idea).where(Idea.id == source.id).values(is_hidden=True))
    db.session.commit()
    services.merge_idea(source_id=source.id, target_id=target.id, actor_id=staff.id)
    assert queries.idea_detail(target.id).merged_threads == []


def test_nobody_votes_or_comments_on_a_merged_idea(app):
    source, target, staff = pair()
    services.merge_idea(source_id=source.id, target_id=target.id, actor_id=staff.id)
    voter = factories.user()
    with pytest.raises(NotFound):
        cast_vote(idea_id=source.id, voter_id=voter.id, value=1)
    with pytest.raises(NotFound):
        add_comment(idea_id=source.id, author_id=voter.id, body="Still here?")
    assert votes(source.id) == {}


def test_merge_and_unmerge_are_audited_with_status_merge_and_counters(app):
    source, target, staff = pair()
    cast_vote(idea_id=source.id, voter_id=factories.user().id, value=-1)
    services.merge_idea(source_id=source.id, target_id=target.id, actor_id=staff.id)
    services.unmerge_idea(idea_id=source.id, actor_id=staff.id)
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(entry.action, entry.actor_id, entry.target_type, entry.target_id) for entry in entries] == [
        ("idea.merge", staff.id, "idea", source.id), ("idea.unmerge", staff.id, "idea", source.id),
    ]
    merge, unmerge = entries
    source_counters = {"upvotes": 1, "downvotes": 1, "score": 0}
    empty = {"upvotes": 0, "downvotes": 0, "score": 0}
    assert merge.before == {"status": "new", "merged_into_id": None, "counters": source_counters,
                            "target_counters": {"upvotes": 1, "downvotes": 0, "score": 1}}
    assert merge.after == {"status": "duplicate", "merged_into_id": target.id, "counters": empty,
                           "target_counters": {"upvotes": 2, "downvotes": 1, "score": 1}}
    assert unmerge.before == merge.after
    assert unmerge.after == merge.before


@pytest.mark.parametrize("case, error, message", [
    ("itself", Invalid, "can't be merged into itself"),
    ("missing target", Invalid, "There is no idea #999999"),
    ("merged target", Invalid, "is itself merged into"),
    ("hidden target", Invalid, "is hidden"),
    ("merged source", Conflict, "is already merged into"),
    ("source of other merges", Conflict, "unmerge those first or merge them into"),
])
def test_a_refused_merge_changes_nothing(app, case, error, message):
    source, target, staff = pair()
    other = factories.idea()
    target_id = {"itself": source.id, "missing target": 999_999}.get(case, target.id)
    if case == "merged target":
        services.merge_idea(source_id=target.id, target_id=other.id, actor_id=staff.id)
    elif case == "hidden target":
        db.session.execute(update(Idea).where(Idea.id == target.id).values(is_hidden=True))
        db.session.commit()
    elif case == "merged source":
        services.merge_idea(source_id=source.id, target_id=other.id, actor_id=staff.id)
    elif case == "source of other merges":
        services.merge_idea(source_id=other.id, target_id=source.id, actor_id=staff.id)
    before = (votes(source.id), votes(target.id), db.session.scalar(select(func.count()).select_from(IdeaMerge)),
              db.session.scalar(select(func.count()).select_from(AuditEntry)), status_slug(source.id))
    with pytest.raises(error, match=message) as refused:
        services.merge_idea(source_id=source.id, target_id=target_id, actor_id=staff.id)
    assert refused.value.field == ("into" if error is Invalid else None)
    after = (votes(source.id), votes(target.id), db.session.scalar(select(func.count()).select_from(IdeaMerge)),
             db.session.scalar(select(func.count()).select_from(AuditEntry)), status_slug(source.id))
    assert after == before


def test_merging_a_missing_idea_is_not_found(app):
    _, target, staff = pair()
    with pytest.raises(NotFound):
        services.merge_idea(source_id=999_999, target_id=target.id, actor_id=staff.id)


def test_unmerging_an_idea_that_is_not_merged_is_refused(app):
    source, _, staff = pair()
    with pytest.raises(Conflict, match="is not merged"):
        services.unmerge_idea(idea_id=source.id, actor_id=staff.id)
    with pytest.raises(NotFound):
        services.unmerge_idea(idea_id=999_999, actor_id=staff.id)
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_recount_of_some_ideas_leaves_the_others_alone(app):
    drifted, untouched = factories.idea(), factories.idea()
    db.session.execute(update(Idea).where(Idea.id.in_([drifted.id, untouched.id])).values(upvotes=9, score=9))
    db.session.commit()
    assert recount([drifted.id]) == [drifted.id]
    db.session.commit()
    assert counters(drifted.id)[:3] == (1, 0, 1)
    assert counters(untouched.id)[:3] == (9, 0, 9)
