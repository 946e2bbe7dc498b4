"""Every KPI against a hand-built portal, on both databases."""
import re
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import event, func, select, text, update

from ideaportal.errors import Invalid
from ideaportal.extensions import db
from ideaportal.kpis import queries
from ideaportal.models import Idea, Status, StatusChange
from tests import factories

NOW = datetime(2026, 3, 18, 12, 0, tzinfo=timezone.utc)  # a Wednesday
HOUR, DAY = 3600, 86400


def status_id(slug: str) -> int:
    return db.session.scalar(select(Status.id).where(Status.slug == slug))


def make_idea(category, *, age_days: float, status: str = "new", history=(), answered_after: float | None = None,
              up: int = 1, down: int = 0, hidden: bool = False, merged_into: int | None = None) -> int:
    """An idea created `age_days` before NOW, moved through `history` (status slugs) to `status`."""
    created = NOW - timedelta(days=age_days)
    idea_id = factories.idea(category_row=category).id
    db.session.execute(update(Idea).where(Idea.id == idea_id).values(
        created_at=created, status_id=status_id(status), upvotes=up, downvotes=down, score=up - down,
        is_hidden=hidden, merged_into_id=merged_into,
        first_response_at=None if answered_after is None else created + timedelta(seconds=answered_after),
    ))
    previous = "new"
    for step, slug in enumerate(history, start=1):
        db.session.add(StatusChange(
            idea_id=idea_id, from_status_id=status_id(previous), to_status_id=status_id(slug),
            created_at=created + timedelta(hours=step),
        ))
        previous = slug
    db.session.commit()
    return idea_id


@pytest.fixture
def portal(app):
    """Nine public ideas, one hidden, one merged, in three categories (and one empty category)."""
    mobile = factories.category(name="Mobile")
    billing = factories.category(name="Billing")
    reports = factories.category(name="Reports")
    factories.category(name="Empty")
    ideas = {
        # Still new, never answered.
        "a": make_idea(mobile, age_days=1, up=5, down=1),
        # Reviewed by a status change, answered in two hours.
        "b": make_idea(mobile, age_days=3, status="under_review", history=["under_review"],
                       answered_after=2 * HOUR, up=2),
        # Planned through the history, answered in a day.
        "c": make_idea(mobile, age_days=10, status="planned", history=["under_review", "planned"],
                       answered_after=DAY, up=1),
        # Planned once, then declined: still counts as planned.
        "d": make_idea(billing, age_days=40, status="not_planned", history=["planned", "not_planned"],
                       answered_after=4 * DAY, up=10, down=2),
        # Implemented through the history, answered in ten days.
        "e": make_idea(billing, age_days=100, status="implemented", history=["in_progress", "implemented"],
                       answered_after=10 * DAY, up=3),
        # Partially implemented with no history (set directly): the current status counts.
        "f": make_idea(reports, age_days=200, status="partially_implemented", answered_after=3 * HOUR, up=1),
        # Under review with no history and no response: reviewed by its status alone.
        "g": make_idea(reports, age_days=400, status="under_review", up=0, down=4),
        # Sent back to new, never answered: reviewed by its history alone.
        "h": make_idea(mobile, age_days=20, status="new", history=["under_review", "new"], up=0),
        # Implemented, then reopened: implemented once by its history, planned by its status.
        "i": make_idea(billing, age_days=50, status="in_progress", history=["implemented", "in_progress"],
                       answered_after=12 * HOUR, up=1),
    }
    # Left out everywhere, though each would change every number.
    make_idea(reports, age_days=2, status="implemented", history=["implemented"], answered_after=60, up=100,
              hidden=True)
    make_idea(reports, age_days=2, status="implemented", history=["implemented"], answered_after=60, up=50,
              merged_into=ideas["a"])
    return ideas


def test_all_time_numbers(portal):
    kpis = queries.dashboard(period="all", now=NOW)
    assert kpis.funnel == queries.Funnel(submitted=9, reviewed=8, planned=5, implemented=3)
    assert (kpis.ideas, kpis.answered, kpis.implemented) == (9, 6, 2)
    assert kpis.answered_rate == pytest.approx(6 / 9) and kpis.implemented_rate == pytest.approx(2 / 9)
    # Answered after 2 h, 3 h, 12 h, 1 day, 4 days, 10 days.
    assert kpis.median_response_seconds == pytest.approx(18 * HOUR, abs=0.01)
    assert kpis.p90_response_seconds == pytest.approx(7 * DAY, abs=0.01)
    assert kpis.categories == [
        queries.CategoryVotes("Billing", kpis.categories[0].slug, votes=16, ideas=3),
        queries.CategoryVotes("Mobile", kpis.categories[1].slug, votes=9, ideas=4),
        queries.CategoryVotes("Reports", kpis.categories[2].slug, votes=5, ideas=2),
    ]


def test_ideas_per_week_cover_26_weeks_with_empty_ones_as_zero(portal):
    weeks = queries.dashboard(period="all", now=NOW).weeks
    assert len(weeks) == 26
    assert weeks[0].week == date(2025, 9, 22) and weeks[-1].week == date(2026, 3, 16)
    assert {week.week: week.ideas for week in weeks if week.ideas} == {
        date(2026, 3, 16): 1,  # a (the hidden and merged ideas of the same week are left out)
        date(2026, 3, 9): 1,  # b, on the Sunday
        date(2026, 3, 2): 1,  # c
        date(2026, 2, 23): 1,  # h
        date(2026, 2, 2): 1,  # d
        date(2026, 1, 26): 1,  # i
        date(2025, 12, 8): 1,  # e, on the Monday
    }


def test_period_counts_only_ideas_submitted_in_it(portal):
    last_30 = queries.dashboard(period="30", now=NOW)
    assert last_30.since == NOW - timedelta(days=30)
    assert last_30.funnel == queries.Funnel(submitted=4, reviewed=3, planned=1, implemented=0)
    assert (last_30.answered, last_30.implemented) == (2, 0)
    assert last_30.median_response_seconds == pytest.approx(13 * HOUR, abs=0.01)  # between 2 h and 1 day
    assert last_30.p90_response_seconds == pytest.approx(2 * HOUR + 0.9 * 22 * HOUR, abs=0.01)
    assert [(row.name, row.votes) for row in last_30.categories] == [("Mobile", 9)]
    assert sum(week.ideas for week in last_30.weeks) == 7  # the weekly chart keeps its 26 weeks

    last_365 = queries.dashboard(period="365", now=NOW)
    assert last_365.funnel == queries.Funnel(submitted=8, reviewed=7, planned=5, implemented=3)
    assert [(row.name, row.votes) for row in last_365.categories] == [("Billing", 16), ("Mobile", 9), ("Reports", 1)]


def test_an_empty_portal_gives_zeros_not_errors(app):
    for period in queries.PERIODS:
        kpis = queries.dashboard(period=period, now=NOW)
        assert kpis.funnel == queries.Funnel(0, 0, 0, 0)
        assert (kpis.answered, kpis.implemented, kpis.answered_rate, kpis.implemented_rate) == (0, 0, 0.0, 0.0)
        assert kpis.median_response_seconds is None and kpis.p90_response_seconds is None
        assert kpis.categories == [] and [week.ideas for week in kpis.weeks] == [0] * 26


def test_one_answered_idea_is_its_own_median_and_90th_percentile(app):
    make_idea(factories.category(), age_days=5, answered_after=90 * 60)
    kpis = queries.dashboard(period="all", now=NOW)
    assert kpis.median_response_seconds == pytest.approx(5400, abs=0.01)
    assert kpis.p90_response_seconds == pytest.approx(5400, abs=0.01)


def test_response_percentiles_match_postgresqls_percentile_cont(app):
    category = factories.category()
    for index, hours in enumerate([1, 2, 3, 5, 8, 13, 21, 34]):
        make_idea(category, age_days=index + 1, answered_after=hours * HOUR + index)
    kpis = queries.dashboard(period="all", now=NOW)
    assert kpis.median_response_seconds == pytest.approx((5 + 8) / 2 * HOUR + 3.5, abs=0.01)
    if db.engine.dialect.name == "postgresql":
        duration = func.extract("epoch", Idea.first_response_at - Idea.created_at)
        expected = db.session.execute(select(
            func.percentile_cont(0.5).within_group(duration), func.percentile_cont(0.9).within_group(duration),
        )).one()
        assert kpis.median_response_seconds == pytest.approx(float(expected[0]), abs=0.01)
        assert kpis.p90_response_seconds == pytest.approx(float(expected[1]), abs=0.01)


def test_top_categories_are_the_eight_with_most_votes_ties_by_name(app):
    for number in range(10):
        votes = 2 if number in (3, 4) else number  # "Cat 3" and "Cat 4" tie at 2 with "Cat 2"
        make_idea(factories.category(name=f"Cat {number}"), age_days=1, up=votes)
    names = [row.name for row in queries.dashboard(period="all", now=NOW).categories]
    assert names == ["Cat 9", "Cat 8", "Cat 7", "Cat 6", "Cat 5", "Cat 2", "Cat 3", "Cat 4"]


@pytest.mark.parametrize("moment, monday", [
    (datetime(2026, 3, 16, 0, 0, 0, tzinfo=timezone.utc), date(2026, 3, 16)),  # Monday midnight
    (datetime(2026, 3, 15, 23, 59, 59, 999000, tzinfo=timezone.utc), date(2026, 3, 9)),  # Sunday, last second
    (datetime(2025, 12, 31, 18, 0, tzinfo=timezone.utc), date(2025, 12, 29)),  # across a new year
    (datetime(2027, 1, 3, 23, 0, tzinfo=timezone.utc), date(2026, 12, 28)),
    # 23:30 on Sunday in New York is Monday in UTC: weeks are UTC weeks.
    (datetime(2026, 3, 15, 23, 30, tzinfo=timezone(timedelta(hours=-4))), date(2026, 3, 16)),
])
def test_week_start_is_the_utc_monday_on_both_databases(app, moment, monday):
    idea_id = make_idea(factories.category(), age_days=0)
    db.session.execute(update(Idea).where(Idea.id == idea_id).values(created_at=moment))
    db.session.commit()
    if db.engine.dialect.name == "postgresql":  # the session's time zone must not move the weeks
        db.session.execute(text("SET LOCAL TIME ZONE 'Pacific/Auckland'"))
    found = db.session.scalar(select(queries.week_start(Idea.created_at)).where(Idea.id == idea_id))
    db.session.rollback()
    assert found == monday.isoformat()


def test_seconds_between_is_exact_to_the_millisecond(app):
    idea_id = make_idea(factories.category(), age_days=3, answered_after=2 * DAY + 90.25)
    seconds = db.session.scalar(
        select(queries.seconds_between(Idea.first_response_at, Idea.created_at)).where(Idea.id == idea_id)
    )
    assert seconds == pytest.approx(2 * DAY + 90.25, abs=0.002)


def test_an_unknown_period_is_refused(app):
    with pytest.raises(Invalid):
        queries.dashboard(period="7", now=NOW)


def test_the_dashboard_runs_four_queries_whatever_the_number_of_ideas(portal):
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        queries.dashboard(period="all", now=NOW)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert len([sql for sql in statements if sql.lstrip().upper().startswith("SELECT")]) == 4


def test_the_funnel_never_runs_a_subquery_per_idea(portal):
    """The history is read by semi-joins built once, so the funnel scales with the rows, not rows x history."""
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        queries.status_counts(None)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    (statement, parameters), = statements
    with db.engine.connect() as connection:
        if db.engine.dialect.name == "sqlite":
            plan = " ".join(row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters))
            assert "CORRELATED" not in plan, plan
        else:  # a subplan that is not hashed runs once per row
            plan = "\n".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN VERBOSE {statement}", parameters))
            assert "hashed SubPlan" in plan and not re.search(r"(?<!hashed )SubPlan \d+\)", plan), plan


def test_percentiles_survive_a_count_that_moved_meanwhile(app):
    category = factories.category()
    for index, hours in enumerate([1, 2, 4]):
        make_idea(category, age_days=index + 1, answered_after=hours * HOUR)
    # As if one idea had been hidden, or two answered, between counting and sorting.
    for stale in (4, 1):
        median, p90 = queries.response_percentiles(None, stale, (0.5, 0.9))
        assert median == pytest.approx(2 * HOUR, abs=0.01) and p90 == pytest.approx(3.6 * HOUR, abs=0.01)
