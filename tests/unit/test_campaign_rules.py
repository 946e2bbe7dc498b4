"""Storm Session rules without a database: when a session takes ideas and votes, and the vote budget."""
from datetime import datetime, timedelta, timezone

import pytest

from ideaportal.campaigns import rules
from ideaportal.errors import Conflict

START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
END = START + timedelta(days=14)
SECOND = timedelta(seconds=1)


@pytest.mark.parametrize("now, state", [
    (START - SECOND, "upcoming"), (START, "active"), (END - SECOND, "active"), (END, "closed"),
])
def test_a_session_opens_at_its_start_and_closes_at_its_end(now, state):
    assert rules.campaign_state(starts_at=START, ends_at=END, now=now) == state


@pytest.mark.parametrize("now, message", [
    (START - SECOND, "hasn't started yet: it takes ideas from 2 March 2026, 09:00 UTC"),
    (END, "closed on 16 March 2026, 09:00 UTC, so it takes no new ideas"),
])
def test_only_an_active_session_takes_ideas(now, message):
    rules.check_campaign_takes_ideas(starts_at=START, ends_at=START + timedelta(days=1), now=START)
    with pytest.raises(Conflict, match=message):
        rules.check_campaign_takes_ideas(starts_at=START, ends_at=END, now=now)


@pytest.mark.parametrize("now, voting_after_close, final", [
    (END - SECOND, False, False),
    (END, False, True),
    (END + timedelta(days=300), False, True),
    (END, True, False),
])
def test_votes_are_final_once_a_session_closes_without_voting_after_close(now, voting_after_close, final):
    assert rules.votes_final(ends_at=END, now=now, voting_after_close=voting_after_close) is final
    if final:
        with pytest.raises(Conflict, match="votes are final"):
            rules.check_campaign_vote(ends_at=END, now=now, voting_after_close=voting_after_close)
    else:
        rules.check_campaign_vote(ends_at=END, now=now, voting_after_close=voting_after_close)


@pytest.mark.parametrize("budget, held, adds_a_vote, refused", [
    (None, 500, True, False),  # no budget: any number of votes
    (10, 10, True, False),  # `held` counts the new vote: the tenth fits
    (10, 11, True, True),
    (10, 11, False, False),  # changing or withdrawing a vote is always allowed, even over a lowered budget
])
def test_a_new_vote_must_fit_the_budget(budget, held, adds_a_vote, refused):
    if refused:
        with pytest.raises(Conflict, match="used all 10 of your votes"):
            rules.check_vote_budget(budget=budget, held=held, adds_a_vote=adds_a_vote)
    else:
        rules.check_vote_budget(budget=budget, held=held, adds_a_vote=adds_a_vote)


@pytest.mark.parametrize("budget, held, left", [(None, 3, None), (10, 3, 7), (10, 10, 0), (5, 8, 0)])
def test_votes_left_are_never_negative(budget, held, left):
    assert rules.budget_left(budget, held) == left
