"""Read side for the public statistics: the KPI queries' numbers, said in plain words.

Nothing is counted here: every number comes from `kpis.queries` or `ideas.queries.site_totals`,
so the public page, the home page and the product team's dashboard always agree. Nothing here sorts
or counts every idea: the totals are stored, the weekly histories read the last weeks' ideas from an
index, and the median wait walks an index of the answered ideas to its middle rank.
"""
from dataclasses import dataclass
from datetime import date, datetime

from .. import cache
from ..ideas.queries import SiteTotals, site_totals
from ..kpis import queries as kpis
from ..models import Idea

HISTORY_WEEKS = 12
DAY_SECONDS = 86_400


@dataclass(frozen=True)
class AnswerSummary:
    """How many public ideas have an official answer, and how long the typical one waited."""

    ideas: int
    answered: int
    median_seconds: float | None

    @property
    def percent(self) -> int:
        """The share answered, as a whole percentage (rounded half up)."""
        return int(100 * kpis.rate(self.answered, self.ideas) + 0.5)

    @property
    def median_wait(self) -> str | None:
        return wait_in_days(self.median_seconds)


@dataclass(frozen=True)
class WeekHistory:
    week: date  # the Monday that starts it (UTC)
    submitted: int
    answered: int  # first answered that week, whenever submitted


@dataclass(frozen=True)
class PublicStats:
    ideas: int
    votes: int
    comments: int
    implemented: int  # now in a completed status: implemented, in full or in part
    answers: AnswerSummary
    weeks: list[WeekHistory]


def wait_in_days(seconds: float | None) -> str | None:
    """A wait as people say it: "less than a day", "1 day", "12 days" (rounded); None when unknown."""
    if seconds is None:
        return None
    days = int(seconds / DAY_SECONDS + 0.5)  # half a day or more counts as a day
    if days < 1:
        return "less than a day"
    return f"{days:,} day{'' if days == 1 else 's'}"


def answer_summary(totals: SiteTotals, *, cached: bool = False) -> AnswerSummary:
    """The answered share from the site's totals, and the median wait for a first answer (one more query).

    `cached`: the median as computed at most STATS_CACHE_SECONDS ago (it walks half of the answered
    ideas' index), while the counts stay those of `totals`.
    """
    def median() -> float | None:
        return kpis.response_percentiles(None, totals.answered, (0.5,))[0]

    seconds = cache.remember("median_first_answer", median, setting="STATS_CACHE_SECONDS") if cached else median()
    return AnswerSummary(totals.ideas, totals.answered, seconds)


def public_stats(*, now: datetime) -> PublicStats:
    """Every number on the public statistics page; hidden and merged ideas never count."""
    totals = site_totals()
    submitted = kpis.ideas_per_week(now=now, weeks=HISTORY_WEEKS)
    answered = kpis.ideas_per_week(now=now, weeks=HISTORY_WEEKS, moment=Idea.first_response_at)
    return PublicStats(
        ideas=totals.ideas,
        votes=totals.votes,
        comments=totals.comments,
        implemented=totals.implemented,
        answers=answer_summary(totals),
        weeks=[
            WeekHistory(sent.week, sent.ideas, heard.ideas) for sent, heard in zip(submitted, answered, strict=True)
        ],
    )


def cached_public_stats(*, now: datetime) -> PublicStats:
    """`public_stats()` as computed at most STATS_CACHE_SECONDS ago (see ideaportal/cache.py)."""
    return cache.remember("public_stats", lambda: public_stats(now=now), setting="STATS_CACHE_SECONDS")
