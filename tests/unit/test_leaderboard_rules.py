"""Leaderboard windows, the rising formula, contributor points and badges: pure rules, no database."""
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from ideaportal import rules
from ideaportal.errors import Invalid
from ideaportal.rules import BADGES, MemberStats

NOW = datetime(2026, 3, 12, 15, 30, tzinfo=timezone.utc)


def test_windows_are_rolling_7_and_30_days_ending_now():
    assert rules.window_start("week", NOW) == datetime(2026, 3, 5, 15, 30, tzinfo=timezone.utc)
    assert rules.window_start("month", NOW) == datetime(2026, 2, 10, 15, 30, tzinfo=timezone.utc)


def test_an_unknown_window_is_refused():
    with pytest.raises(Invalid, match="Unknown period 'year'"):
        rules.window_start("year", NOW)


def test_age_in_days_is_fractional_and_never_negative():
    assert rules.age_in_days(NOW - timedelta(days=2, hours=12), NOW) == 2.5
    assert rules.age_in_days(NOW + timedelta(minutes=5), NOW) == 0.0


def test_rising_score_is_net_votes_over_age_plus_two_days_to_the_power_1_5():
    assert rules.rising_score(4, 2.0) == pytest.approx(4 / 8)  # (2 + 2) ** 1.5 == 8
    assert rules.rising_score(10, 7.0) == pytest.approx(10 / 27)  # (7 + 2) ** 1.5 == 27
    assert rules.rising_score(3, 0.0) == pytest.approx(3 / 2 ** 1.5)


def test_a_young_idea_outrises_an_old_one_with_more_votes():
    young = rules.rising_score(3, 1.0)
    old = rules.rising_score(20, 60.0)
    assert young > old
    assert rules.rising_score(6, 1.0) == pytest.approx(2 * young)  # linear in the votes


def test_contributor_points_are_net_votes_plus_50_per_implemented_and_25_per_partially_implemented():
    assert rules.contributor_points(net_votes=0, implemented=0, partially_implemented=0) == 0
    assert rules.contributor_points(net_votes=-3, implemented=0, partially_implemented=0) == -3
    assert rules.contributor_points(net_votes=0, implemented=2, partially_implemented=0) == 100
    assert rules.contributor_points(net_votes=0, implemented=0, partially_implemented=3) == 75


def test_the_worked_example_in_the_architecture_notes():
    # noor: ideas scored 12 (implemented), 7 (partially implemented) and -2 (new), and a hidden
    # idea scored 5 that does not count: 12 + 7 - 2 = 17 net votes, + 50 + 25 = 92 points.
    # tests/services/test_leaderboard.py builds the same ideas from real votes and gets 92 too.
    net_votes = 12 + 7 + (-2)
    assert rules.contributor_points(net_votes=net_votes, implemented=1, partially_implemented=1) == 92
    # sam: one idea with 80 net votes that was not built has fewer points than noor's one shipped idea
    # with 45 votes: impact over volume.
    assert rules.contributor_points(net_votes=80, implemented=0, partially_implemented=0) < \
        rules.contributor_points(net_votes=45, implemented=1, partially_implemented=0)


def test_nobody_new_has_a_badge():
    assert rules.earned_badges(MemberStats()) == []


@pytest.mark.parametrize("badge", BADGES, ids=[badge.slug for badge in BADGES])
def test_each_badge_is_earned_exactly_at_its_threshold(badge):
    just_below = replace(MemberStats(), **{badge.stat: badge.threshold - 1})
    at = replace(MemberStats(), **{badge.stat: badge.threshold})
    assert badge not in rules.earned_badges(just_below)
    assert badge in rules.earned_badges(at)


EXPECTED_THRESHOLDS = {
    "first_idea": ("ideas", 1), "idea_machine": ("ideas", 10), "first_comment": ("comments", 1),
    "conversationalist": ("comments", 10), "votes_10": ("upvotes_received", 10),
    "votes_100": ("upvotes_received", 100), "crowd_favourite": ("best_idea_score", 25),
    "planned": ("planned", 1), "implemented": ("implemented", 1),
}


def test_the_badges_and_their_thresholds_are_the_documented_ones():
    assert {badge.slug: (badge.stat, badge.threshold) for badge in BADGES} == EXPECTED_THRESHOLDS
    assert len({badge.name for badge in BADGES}) == len(BADGES)


def test_badges_come_in_their_listed_order_and_accumulate():
    stats = MemberStats(ideas=12, comments=3, upvotes_received=150, best_idea_score=30, planned=2, implemented=1)
    assert [badge.slug for badge in rules.earned_badges(stats)] == [
        "first_idea", "idea_machine", "first_comment", "votes_10", "votes_100", "crowd_favourite", "planned",
        "implemented",
    ]


def test_partially_implemented_ideas_do_not_earn_the_shipped_badge():
    stats = MemberStats(ideas=1, partially_implemented=1, planned=1)
    assert [badge.slug for badge in rules.earned_badges(stats)] == ["first_idea", "planned"]
