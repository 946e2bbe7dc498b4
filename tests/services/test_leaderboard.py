"""Leaderboard queries on hand-computed fixtures: windows, rising, contributor points, filters, ties; both databases."""
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update

from ideaportal import cache, rules
from ideaportal.errors import Invalid
from ideaportal.extensions import db
from ideaportal.ideas.services import cast_vote
from ideaportal.leaderboard import profiles, queries
from ideaportal.merges.services import merge_idea
from ideaportal.models import Campaign, Idea, Status, User, Vote, utcnow
from tests import factories

EVERYTHING = queries.Scope()


@pytest.fixture(autouse=True)
def fresh_cache(app):
    """Each test computes its own board and ranks (the app, and so its cache, lives for the session)."""
    cache.app_cache().clear()
    yield
    cache.app_cache().clear()


@pytest.fixture
def now(app):
    return utcnow()


@pytest.fixture
def voters(app):
    return [factories.user(username=f"voter{number}") for number in range(12)]


def dated_idea(now, *, days_old: float = 100, **kwargs):
    """An idea submitted `days_old` days before `now`, its author's own vote dated with it."""
    idea = factories.idea(**kwargs)
    created = now - timedelta(days=days_old)
    db.session.execute(update(Idea).where(Idea.id == idea.id).values(created_at=created))
    db.session.execute(update(Vote).where(Vote.idea_id == idea.id).values(created_at=created))
    db.session.commit()
    return idea


def vote(idea, voter, now, *, value: int = 1, days_ago: float = 1):
    """`voter` votes `value` on `idea` through the service, then the vote is dated `days_ago` before `now`."""
    cast_vote(idea_id=idea.id, voter_id=voter.id, value=value)
    db.session.execute(
        update(Vote).where(Vote.idea_id == idea.id, Vote.user_id == voter.id)
        .values(created_at=now - timedelta(days=days_ago))
    )
    db.session.commit()


def set_status(idea, slug: str) -> None:
    status_id = db.session.scalar(select(Status.id).where(Status.slug == slug))
    db.session.execute(update(Idea).where(Idea.id == idea.id).values(status_id=status_id))
    db.session.commit()


def hide(idea) -> None:
    db.session.execute(update(Idea).where(Idea.id == idea.id).values(is_hidden=True))
    db.session.commit()


def ids(pairs) -> list[int]:
    return [idea_id for idea_id, _ in pairs]


def test_each_window_counts_only_the_votes_cast_inside_it(now, voters):
    older, newer = dated_idea(now, title="Older favourite"), dated_idea(now, title="Newer favourite")
    for voter in voters[:3]:
        vote(older, voter, now, days_ago=2)
    for voter in voters[3:8]:
        vote(older, voter, now, days_ago=10)  # last week: counts this month, not this week
    for voter in voters[8:12]:
        vote(newer, voter, now, days_ago=1)
    assert queries.top_in_window("week", scope=EVERYTHING, now=now) == [(newer.id, 4), (older.id, 3)]
    assert queries.top_in_window("month", scope=EVERYTHING, now=now) == [(older.id, 8), (newer.id, 4)]
    # All time uses the stored score: the author's own vote (100 days ago) counts there.
    assert queries.top_all_time(scope=EVERYTHING) == [(older.id, 9), (newer.id, 5)]


def test_a_window_starts_exactly_7_or_30_days_before_now(now, voters):
    idea = dated_idea(now)
    cast_vote(idea_id=idea.id, voter_id=voters[0].id, value=1)
    cast_vote(idea_id=idea.id, voter_id=voters[1].id, value=1)
    week_start = rules.window_start("week", now)
    db.session.execute(update(Vote).where(Vote.user_id == voters[0].id).values(created_at=week_start))
    db.session.execute(update(Vote).where(Vote.user_id == voters[1].id)
                       .values(created_at=week_start - timedelta(seconds=1)))
    db.session.commit()
    assert queries.top_in_window("week", scope=EVERYTHING, now=now) == [(idea.id, 1)]
    assert queries.top_in_window("month", scope=EVERYTHING, now=now) == [(idea.id, 2)]
    # 23 days later the month starts where the week started, so the same vote is the first one in.
    assert queries.top_in_window("month", scope=EVERYTHING, now=now + timedelta(days=23)) == [(idea.id, 1)]


def test_downvotes_subtract_and_ideas_without_a_positive_net_are_left_out(now, voters):
    mixed, disliked, even = dated_idea(now), dated_idea(now), dated_idea(now)
    for voter in voters[:3]:
        vote(mixed, voter, now)
    for voter in voters[3:5]:
        vote(mixed, voter, now, value=-1)
        vote(disliked, voter, now, value=-1)
    vote(even, voters[5], now)
    vote(even, voters[6], now, value=-1)
    assert queries.top_in_window("week", scope=EVERYTHING, now=now) == [(mixed.id, 1)]


def test_revoting_keeps_a_votes_date_but_flipping_it_counts_now(now, voters):
    steady, flipped = dated_idea(now), dated_idea(now)
    vote(steady, voters[0], now, days_ago=20)
    vote(flipped, voters[1], now, value=-1, days_ago=20)
    cast_vote(idea_id=steady.id, voter_id=voters[0].id, value=1)  # the same vote again: keeps its date
    cast_vote(idea_id=flipped.id, voter_id=voters[1].id, value=1)  # a new value: dated now
    assert queries.top_in_window("week", scope=EVERYTHING, now=now) == [(flipped.id, 1)]
    assert queries.top_in_window("month", scope=EVERYTHING, now=now) == [(flipped.id, 1), (steady.id, 1)]


def test_hidden_and_merged_ideas_are_on_no_board_and_earn_no_points(now, voters):
    author = factories.user(username="hider")
    visible = dated_idea(now, author=author, title="Visible idea", days_old=3)
    hidden = dated_idea(now, author=author, title="Hidden idea", days_old=3)
    duplicate = dated_idea(now, title="Duplicate idea", days_old=3)
    for voter in voters[:6]:
        vote(hidden, voter, now)
        vote(duplicate, voter, now)
    for voter in voters[6:8]:
        vote(visible, voter, now)
    hide(hidden)
    merge_idea(source_id=duplicate.id, target_id=visible.id, actor_id=None)
    for window in ("week", "month"):
        assert ids(queries.top_in_window(window, scope=EVERYTHING, now=now)) == [visible.id]
    assert ids(queries.top_all_time(scope=EVERYTHING)) == [visible.id]
    assert ids(queries.rising(scope=EVERYTHING, now=now)) == [visible.id]
    # The merge moved the duplicate's 7 votes (its author's and 6 voters') to `visible`, with their dates:
    # its author's own vote and 2 voters' make 10.
    assert queries.top_all_time(scope=EVERYTHING) == [(visible.id, 10)]
    assert queries.top_in_window("week", scope=EVERYTHING, now=now) == [(visible.id, 10)]
    [hider] = [person for person in queries.top_contributors() if person.username == "hider"]
    assert (hider.points, hider.ideas) == (10, 1)


def test_category_and_campaign_filters_narrow_every_section(now, voters):
    apps, desk = factories.category(slug="apps"), factories.category(slug="desk")
    campaign = Campaign(slug="spring-session", title="Spring session", question="What next?",
                        starts_at=now - timedelta(days=5), ends_at=now + timedelta(days=5))
    db.session.add(campaign)
    db.session.commit()
    in_apps = dated_idea(now, category_row=apps, days_old=2)
    in_desk = dated_idea(now, category_row=desk, days_old=2)
    in_session = dated_idea(now, category_row=desk, days_old=2)
    db.session.execute(update(Idea).where(Idea.id == in_session.id).values(campaign_id=campaign.id))
    db.session.commit()
    for number, idea in enumerate((in_apps, in_desk, in_session)):
        for voter in voters[:number + 2]:
            vote(idea, voter, now)
    desk_scope = queries.resolve_scope(category="desk")
    session_scope = queries.resolve_scope(campaign="spring-session")
    both = queries.resolve_scope(category="apps", campaign="spring-session")
    assert (desk_scope.category_id, desk_scope.campaign_id) == (desk.id, None)
    assert ids(queries.top_in_window("week", scope=desk_scope, now=now)) == [in_session.id, in_desk.id]
    assert ids(queries.top_in_window("month", scope=session_scope, now=now)) == [in_session.id]
    assert ids(queries.top_all_time(scope=queries.resolve_scope(category="apps"))) == [in_apps.id]
    assert ids(queries.rising(scope=session_scope, now=now)) == [in_session.id]
    assert queries.top_in_window("week", scope=both, now=now) == []
    assert [person.user_id for person in queries.top_contributors(scope=session_scope)] == [in_session.author_id]


@pytest.mark.parametrize("filters, message", [
    ({"category": "no-such-category"}, "There is no category 'no-such-category'"),
    ({"campaign": "no-such-session"}, "There is no Storm Session 'no-such-session'"),
])
def test_an_unknown_filter_is_refused(app, filters, message):
    with pytest.raises(Invalid, match=message):
        queries.resolve_scope(**filters)


def test_ties_are_broken_by_lifetime_score_then_the_newer_idea(now, voters):
    first, second, popular = dated_idea(now), dated_idea(now), dated_idea(now)
    for idea in (first, second, popular):
        vote(idea, voters[0], now)
        vote(idea, voters[1], now)
    for voter in voters[2:5]:
        vote(popular, voter, now, days_ago=40)  # older votes: a higher score, the same weekly net
    assert queries.top_in_window("week", scope=EVERYTHING, now=now) == [(popular.id, 2), (second.id, 2), (first.id, 2)]
    assert ids(queries.top_all_time(scope=EVERYTHING)) == [popular.id, second.id, first.id]


def ideas_with_nets(now, voters, nets, **kwargs) -> list:
    """One idea per net, with that many votes this week (the authors' own votes are 100 days old)."""
    made = []
    for net in nets:
        idea = dated_idea(now, **kwargs)
        for voter in voters[:net]:
            vote(idea, voter, now)
        made.append(idea)
    return made


def test_the_shortlist_decides_when_enough_of_its_ideas_are_public_and_in_scope(now, voters):
    ideas = ideas_with_nets(now, voters, [6, 5, 4, 3, 2, 1])
    # limit 1: the shortlist is the top 4 by net (6 to 3); the leader is public, so it is the board.
    assert queries.top_in_window("week", scope=EVERYTHING, now=now, limit=1) == [(ideas[0].id, 6)]
    hide(ideas[0])
    assert queries.top_in_window("week", scope=EVERYTHING, now=now, limit=2) == [(ideas[1].id, 5), (ideas[2].id, 4)]


def test_a_narrow_scope_falls_back_to_joining_every_idea_with_votes(now, voters):
    niche = factories.category(slug="niche")
    ideas_with_nets(now, voters, [6, 5, 4, 3, 2])
    [inside] = ideas_with_nets(now, voters, [1], category_row=niche)
    scope = queries.resolve_scope(category="niche")
    assert queries.top_in_window("week", scope=scope, now=now, limit=1) == [(inside.id, 1)]


def test_ideas_tied_at_the_shortlists_cut_are_all_on_it(now, voters):
    leader, *tied = ideas_with_nets(now, voters, [5] + [2] * 8)
    favourite = tied[0]  # the oldest of the tied ideas, so the last in newer-first order
    for voter in voters[2:6]:
        vote(favourite, voter, now, days_ago=60)  # a higher lifetime score, the same net this week
    # limit 2 shortlists 8 places: the leader and all 8 ideas tied for second, whatever their order;
    # with the leader hidden, limit 1 (4 places) still holds all 8.
    assert queries.top_in_window("week", scope=EVERYTHING, now=now, limit=2) == [(leader.id, 5), (favourite.id, 2)]
    hide(leader)
    assert queries.top_in_window("week", scope=EVERYTHING, now=now, limit=1) == [(favourite.id, 2)]


def test_rising_weighs_recent_votes_against_age_as_the_rule_says(now, voters):
    young = dated_idea(now, days_old=1)  # its author's vote is this week's too
    old = dated_idea(now, days_old=60)
    lone = dated_idea(now, days_old=0.5)  # only its author's own vote: not rising
    for voter in voters[:3]:
        vote(young, voter, now, days_ago=0.5)
    for voter in voters[:10]:
        vote(old, voter, now, days_ago=2)
    assert queries.rising(scope=EVERYTHING, now=now) == [(young.id, 4), (old.id, 10)]
    assert rules.rising_score(4, 1) > rules.rising_score(10, 60)  # 4 / 3^1.5 = 0.77 > 10 / 62^1.5 = 0.02
    assert lone.id not in ids(queries.rising(scope=EVERYTHING, now=now))


def test_rising_ties_go_to_more_votes_then_the_newer_idea(now, voters):
    same = [dated_idea(now, days_old=2) for _ in range(2)]
    for idea in same:
        for voter in voters[:2]:
            vote(idea, voter, now)
    assert ids(queries.rising(scope=EVERYTHING, now=now)) == [same[1].id, same[0].id]


def build_worked_example(now, voters):
    """noor of the architecture notes: 12 (implemented), 7 (partially implemented), -2 and a hidden 5."""
    noor = factories.user(username="noor")
    shipped, partly, unloved, hidden = (dated_idea(now, author=noor) for _ in range(4))
    for voter in voters[:11]:
        vote(shipped, voter, now)
    for voter in voters[:6]:
        vote(partly, voter, now)
    cast_vote(idea_id=unloved.id, voter_id=noor.id, value=-1)
    vote(unloved, voters[0], now, value=-1)
    for voter in voters[:4]:
        vote(hidden, voter, now)
    set_status(shipped, "implemented")
    set_status(partly, "partially_implemented")
    hide(hidden)
    return noor


def test_the_worked_example_gives_noor_92_points(now, voters):
    noor = build_worked_example(now, voters)
    [row] = queries.top_contributors()
    assert (row.username, row.points, row.net_votes, row.implemented, row.partially_implemented, row.ideas) == \
        ("noor", 92, 17, 1, 1, 3)
    stats = profiles.member_stats(noor.id)
    assert rules.contributor_points(net_votes=stats.net_votes, implemented=stats.implemented,
                                    partially_implemented=stats.partially_implemented) == 92


def test_contributors_are_ranked_by_points_with_ties_sharing_a_rank(now, voters):
    first, second, third = (factories.user(username=name) for name in ("ana", "ben", "cai"))
    shipped = dated_idea(now, author=first)
    set_status(shipped, "implemented")  # 1 + 50 = 51
    popular = dated_idea(now, author=second)
    for voter in voters[:10]:
        vote(popular, voter, now)  # 11
    tied = dated_idea(now, author=third)
    for voter in voters[:10]:
        vote(tied, voter, now)  # 11, the later member
    disliked = factories.user(username="dee")
    idea = dated_idea(now, author=disliked)
    cast_vote(idea_id=idea.id, voter_id=disliked.id, value=0)  # 0 points: not a contributor
    board = queries.top_contributors()
    assert [(person.username, person.points, person.rank) for person in board] == [
        ("ana", 51, 1), ("ben", 11, 2), ("cai", 11, 2)]
    assert [queries.contributor_rank(points) for points in (51, 11, 12, 0)] == [1, 2, 2, None]


def test_deactivated_members_leave_the_contributors_board(now):
    gone = factories.user(username="gone")
    dated_idea(now, author=gone)
    db.session.execute(update(User).where(User.id == gone.id).values(is_active=False))
    db.session.commit()
    assert queries.top_contributors() == []


def test_the_leaderboard_shows_every_section_with_titles_and_authors(now, voters):
    author = factories.user(username="writer")
    idea = dated_idea(now, author=author, title="Export to PDF", days_old=3)
    for voter in voters[:2]:
        vote(idea, voter, now)
    board = queries.leaderboard(EVERYTHING, now=now)
    for section in (board.week, board.month, board.all_time, board.rising):
        [shown] = section
        assert (shown.id, shown.title, shown.author, shown.status_slug) == (idea.id, "Export to PDF", "writer", "new")
    assert [shown.votes for shown in (*board.week, *board.all_time)] == [3, 3]  # the author's vote is 3 days old
    assert [person.username for person in board.contributors] == ["writer"]


def test_the_cached_board_is_reused_until_it_expires(app, now, voters, monkeypatch):
    idea = dated_idea(now)
    monkeypatch.setitem(app.config, "LEADERBOARD_CACHE_SECONDS", 60)
    before = queries.cached_leaderboard(EVERYTHING, now=now)
    vote(idea, voters[0], now)
    assert queries.cached_leaderboard(EVERYTHING, now=now) == before  # a copy from the cache: equal, not the same object
    cache.app_cache().clear()
    assert queries.cached_leaderboard(EVERYTHING, now=now).week == [
        queries.RankedIdea(**queries.idea_rows({idea.id})[idea.id], votes=1)]
    app.config["LEADERBOARD_CACHE_SECONDS"] = 0
    assert queries.cached_leaderboard(EVERYTHING, now=now) is not queries.cached_leaderboard(EVERYTHING, now=now)


def test_the_window_totals_read_the_covering_vote_index(app, now):
    factories.idea()
    totals = queries.window_totals(rules.window_start("week", now))
    compiled = select(totals).compile(db.engine, compile_kwargs={"literal_binds": True})
    with db.engine.connect() as connection:
        if db.engine.dialect.name == "sqlite":
            found = " ".join(str(row[-1]) for row in connection.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
            assert "COVERING INDEX ix_vote_window" in found, found
        else:
            connection.execute(text("SET enable_seqscan = off"))
            found = " ".join(row[0] for row in connection.execute(text(f"EXPLAIN {compiled}")))
            assert "ix_vote_window" in found, found
