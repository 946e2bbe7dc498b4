"""Read side for the KPI dashboard: every number aggregated in SQL, four queries per page."""
import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from fractions import Fraction

from sqlalchemy import (
    BigInteger,
    String,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from .. import rules
from ..errors import Invalid
from ..extensions import db
from ..ideas.queries import public_ideas
from ..models import Category, Idea, SiteTotal, Status, StatusChange, seconds_between

WEEKS = 26
TOP_CATEGORIES = 8
PLANNED_KINDS = ("active", "completed")
COMPLETED_KIND = "completed"
INITIAL_STATUS = rules.EDITABLE_STATUS  # where every idea starts
PERIODS = {"30": "Last 30 days", "90": "Last 90 days", "365": "Last 365 days", "all": "All time"}
DEFAULT_PERIOD = "all"


class week_start(FunctionElement):
    """The Monday (UTC) that starts a timestamp's week, as 'YYYY-MM-DD' text on every backend."""

    type = String()
    name = "week_start"
    inherit_cache = True


@compiles(week_start, "sqlite")
def _week_start_sqlite(element, compiler, **kw):
    # SQLite keeps UTC text: step back six days, then forward to a Monday (staying on one).
    return f"date({compiler.process(element.clauses, **kw)}, '-6 days', 'weekday 1')"


@compiles(week_start, "postgresql")
def _week_start_postgresql(element, compiler, **kw):
    moment = compiler.process(element.clauses, **kw)
    return f"to_char(date_trunc('week', ({moment}) AT TIME ZONE 'UTC'), 'YYYY-MM-DD')"


@dataclass(frozen=True)
class WeekCount:
    week: date  # the Monday starting the week (UTC)
    ideas: int


@dataclass(frozen=True)
class Funnel:
    submitted: int
    reviewed: int
    planned: int
    implemented: int


@dataclass(frozen=True)
class CategoryVotes:
    name: str
    slug: str
    votes: int
    ideas: int


@dataclass(frozen=True)
class Kpis:
    period: str
    since: datetime | None  # ideas submitted from then on; None: all time
    weeks: list[WeekCount]
    funnel: Funnel
    answered: int  # has a first official response
    implemented: int  # current status of kind `completed`
    median_response_seconds: float | None
    p90_response_seconds: float | None
    categories: list[CategoryVotes]

    @property
    def ideas(self) -> int:
        return self.funnel.submitted

    @property
    def answered_rate(self) -> float:
        return rate(self.answered, self.ideas)

    @property
    def implemented_rate(self) -> float:
        return rate(self.implemented, self.ideas)


def rate(part: int, whole: int) -> float:
    """part / whole, and 0.0 when there is nothing to divide by."""
    return part / whole if whole else 0.0


def period_start(period: str, now: datetime) -> datetime | None:
    """When the period began, or None for all time. Raises Invalid for an unknown period."""
    if period not in PERIODS:
        raise Invalid(f"Unknown period {period!r}: use one of {', '.join(PERIODS)}.", field="period")
    return None if period == "all" else now - timedelta(days=int(period))


def week_starts(today: date, weeks: int = WEEKS) -> list[date]:
    """The Mondays of the last `weeks` weeks, oldest first, ending with this week's."""
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]


def percentile_ranks(count: int, fraction: float) -> tuple[int, int, float]:
    """The 1-based ranks to interpolate between for a percentile, and the weight of the upper one.

    Linear interpolation between closest ranks, as PostgreSQL's percentile_cont does.
    """
    position = (count - 1) * exact(fraction)
    lower = math.floor(position)
    return lower + 1, min(lower + 2, count), float(position - lower)


def exact(fraction: float) -> Fraction:
    """0.9 as 9/10, not as the float nearest it: the ranks come out the same in Python and in SQL."""
    return Fraction(fraction).limit_denominator(10_000)


def dashboard(*, period: str, now: datetime) -> Kpis:
    """Every number on the KPI page for ideas submitted in `period` (weeks: always the last 26)."""
    since = period_start(period, now)
    counts = status_counts(since)
    median, p90 = response_percentiles(since, counts.answered, (0.5, 0.9))
    return Kpis(
        period=period,
        since=since,
        weeks=ideas_per_week(now=now),
        funnel=Funnel(counts.submitted, counts.reviewed, counts.planned, counts.ever_completed),
        answered=counts.answered,
        implemented=counts.implemented,
        median_response_seconds=median,
        p90_response_seconds=p90,
        categories=top_categories(since),
    )


def ideas_per_week(*, now: datetime, weeks: int = WEEKS, moment=Idea.created_at) -> list[WeekCount]:
    """Public ideas in each of the last `weeks` weeks, empty weeks as zero.

    Counted by when they were submitted, or by another moment (`Idea.first_response_at`: first answered).
    """
    mondays = week_starts(now.astimezone(timezone.utc).date(), weeks)
    start = datetime.combine(mondays[0], time.min, tzinfo=timezone.utc)
    week = week_start(moment).label("week")
    rows = db.session.execute(
        select(week, func.count()).where(public_ideas(), moment >= start).group_by(week)
    )
    found = {date.fromisoformat(value): count for value, count in rows}
    return [WeekCount(monday, found.get(monday, 0)) for monday in mondays]


def _in_period(since: datetime | None):
    return public_ideas() if since is None else public_ideas() & (Idea.created_at >= since)


@dataclass(frozen=True)
class StatusCounts:
    submitted: int
    reviewed: int
    planned: int
    ever_completed: int
    answered: int
    implemented: int


def status_counts(since: datetime | None) -> StatusCounts:
    """The funnel, answered and implemented counts, in one statement.

    The current status settles most ideas in one pass with no join. The status history can only
    add ideas whose current status says otherwise (planned once, declined since), so those are
    counted apart, each as its own semi-join: a hash join on PostgreSQL, a temporary index on
    SQLite, never a subquery per idea.
    """
    new = select(Status.id).where(Status.slug == INITIAL_STATUS)
    planned = select(Status.id).where(Status.kind.in_(PLANNED_KINDS))
    completed = select(Status.id).where(Status.kind == COMPLETED_KIND)
    answered = Idea.first_response_at.is_not(None)
    row = db.session.execute(select(
        func.count(),
        func.count().filter(or_(Idea.status_id.not_in(new), answered)),
        func.count().filter(Idea.status_id.in_(planned)),
        func.count().filter(Idea.status_id.in_(completed)),
        func.count().filter(answered),
        _history_adds(since, Idea.status_id.in_(new) & ~answered, select(StatusChange.idea_id)),
        _history_adds(since, Idea.status_id.not_in(planned),
                      select(StatusChange.idea_id).where(StatusChange.to_status_id.in_(planned))),
        _history_adds(since, Idea.status_id.not_in(completed),
                      select(StatusChange.idea_id).where(StatusChange.to_status_id.in_(completed))),
    ).where(_in_period(since))).one()
    submitted, moved_on, planned_now, completed_now, answered_count, reviewed_extra, planned_extra, completed_extra = (
        int(value) for value in row
    )
    return StatusCounts(
        submitted=submitted,
        reviewed=moved_on + reviewed_extra,
        planned=planned_now + planned_extra,
        ever_completed=completed_now + completed_extra,
        answered=answered_count,
        implemented=completed_now,
    )


def _history_adds(since: datetime | None, current_says_no, reached):
    """How many ideas the current status leaves out but whose history (`reached`: idea ids) counts."""
    return (
        select(func.count()).select_from(Idea)
        .where(_in_period(since), current_says_no, Idea.id.in_(reached))
        .correlate(None)  # its own pass over the ideas, not a per-row subquery
        .scalar_subquery()
    )


def response_percentiles(since: datetime | None, answered: int, fractions) -> list[float | None]:
    """Percentiles of the time to first response, from one sort of the answered ideas.

    `answered` (how many there are) picks the ranks to read. Ideas answered, hidden or merged
    since it was counted shift the ranks; then a rank is missing or one past the end is there,
    and the ideas are counted again. For all time (`since` None) `answer_wait_percentiles` reads
    them without sorting, and without `answered`.
    """
    if since is None:
        found = answer_wait_percentiles(fractions)
        if found is not None:
            return found
    answered_in_period = (_in_period(since), Idea.first_response_at.is_not(None))
    duration = seconds_between(Idea.first_response_at, Idea.created_at)
    ranked = (
        select(duration.label("seconds"), func.row_number().over(order_by=duration).label("rank"))
        .where(*answered_in_period)
        .subquery()
    )
    for _ in range(3):
        if not answered:
            break
        ranks = [percentile_ranks(answered, fraction) for fraction in fractions]
        needed = {rank for lower, upper, _ in ranks for rank in (lower, upper)}
        values = dict(db.session.execute(
            select(ranked.c.rank, ranked.c.seconds).where(ranked.c.rank.in_(needed | {answered + 1}))
        ).all())
        if needed <= values.keys() and answered + 1 not in values:
            return [values[lower] + (values[upper] - values[lower]) * weight for lower, upper, weight in ranks]
        answered = db.session.scalar(select(func.count()).where(*answered_in_period))
    return [None for _ in fractions]


# How many public ideas have an official answer: the stored site total, read in the same statement as the
# waits so that on PostgreSQL both see one snapshot (triggers keep it in the answering transaction).
_ANSWERED_TOTAL = select(cast(func.coalesce(func.sum(SiteTotal.answered), 0), BigInteger)).scalar_subquery()
_WAIT = seconds_between(Idea.first_response_at, Idea.created_at)


def answer_wait_percentiles(fractions) -> list[float | None] | None:
    """Percentiles of the wait for a first answer over every public idea, without sorting them.

    Each percentile walks ix_idea_answer_wait (the answered public ideas in order of their wait) to
    its rank and reads two entries, all in one statement. The rank comes from the stored answered
    count (kept exact by triggers in the answering transaction); None when the index ends before that
    rank, a count too high (drift, which `counters check` reports), and then the caller sorts. A count
    off by a few would shift the rank by half as many, and is not detected here: that is `counters
    check`'s part, and reading to the end of the index to see would cost the sort this replaces.
    """
    walks = []
    for number, fraction in enumerate(fractions):
        part = exact(fraction)
        offset = case((_ANSWERED_TOTAL > 0, (_ANSWERED_TOTAL - 1) * part.numerator // part.denominator), else_=0)
        walk = (
            select(literal(number).label("number"), _WAIT.label("wait"), _ANSWERED_TOTAL.label("answered"))
            .where(public_ideas(), Idea.first_response_at.is_not(None))
            .order_by(_WAIT)
            .offset(offset)
            .limit(2)
            .subquery()
        )
        walks.append(select(walk))
    found: dict[int, list] = {}
    for number, wait, answered in db.session.execute(union_all(*walks)):
        found.setdefault(number, []).append((wait, answered))
    if not found and db.session.scalar(select(_ANSWERED_TOTAL)):
        return None
    values = []
    for number, fraction in enumerate(fractions):
        rows = sorted(found.get(number, []))  # a UNION ALL keeps no order of its own
        if not rows:
            return None if found else [None for _ in fractions]
        lower, upper, weight = percentile_ranks(rows[0][1], fraction)
        if len(rows) != upper - lower + 1:
            return None
        values.append(rows[0][0] + (rows[-1][0] - rows[0][0]) * weight)
    return values


def top_categories(since: datetime | None, limit: int = TOP_CATEGORIES) -> list[CategoryVotes]:
    """The categories whose public ideas drew the most votes (up and down), most first."""
    # Sum per category id first, then name the few winners: joining category first would have
    # SQLite walk the ideas once per category.
    totals = (
        select(
            Idea.category_id,
            func.sum(Idea.upvotes + Idea.downvotes).label("votes"),
            func.count().label("ideas"),
        )
        .where(_in_period(since))
        .group_by(Idea.category_id)
        .subquery("totals")
    )
    rows = db.session.execute(
        select(Category.name, Category.slug, totals.c.votes, totals.c.ideas)
        .join(totals, totals.c.category_id == Category.id)
        .order_by(totals.c.votes.desc(), Category.name)
        .limit(limit)
    )
    return [CategoryVotes(name, slug, int(votes), int(ideas)) for name, slug, votes, ideas in rows]
