"""KPI chart geometry and formatting: pure functions, no Flask, no database."""
import math
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ideaportal.kpis import charts
from ideaportal.kpis.queries import (
    CategoryVotes,
    Funnel,
    Kpis,
    WeekCount,
    percentile_ranks,
    rate,
    week_starts,
)


@pytest.mark.parametrize("maximum, expected", [
    (0, [0, 1]),
    (1, [0, 1]),
    (3, [0, 1, 2, 3]),
    (7, [0, 2, 4, 6, 8]),
    (10, [0, 5, 10]),
    (97, [0, 50, 100]),
    (1234, [0, 500, 1000, 1500]),
])
def test_nice_ticks_are_round_numbers_reaching_the_maximum(maximum, expected):
    assert charts.nice_ticks(maximum) == expected


@given(st.integers(min_value=1, max_value=10**9))
def test_nice_ticks_start_at_zero_cover_the_maximum_in_even_round_steps(maximum):
    ticks = charts.nice_ticks(maximum)
    step = ticks[1] - ticks[0]
    assert ticks[0] == 0 and ticks[-1] >= maximum > ticks[-2]
    assert all(later - earlier == step for earlier, later in zip(ticks, ticks[1:]))
    assert step / 10 ** math.floor(math.log10(step)) in (1, 2, 5)
    assert 2 <= len(ticks) <= 5  # four intervals at most, never a single tick


def test_column_heights_are_proportional_and_stand_on_the_baseline():
    chart = charts.column_chart([("a", 0), ("b", 5), ("c", 10)], width=340, height=230)
    plot = chart.bottom - chart.top
    assert chart.ticks[-1].value == 10 and chart.ticks[-1].position == chart.top
    assert chart.ticks[0].value == 0 and chart.ticks[0].position == chart.bottom
    zero, half, full = chart.columns
    assert zero.height == 0 and zero.y == chart.bottom
    assert half.height == pytest.approx(plot / 2, abs=0.01)
    assert full.height == pytest.approx(plot, abs=0.01) and full.y == pytest.approx(chart.top, abs=0.01)
    for column in chart.columns:
        assert column.y + column.height == pytest.approx(chart.bottom, abs=0.02)
        assert chart.left <= column.x and column.x + column.width <= chart.right
        assert column.centre == pytest.approx(column.x + column.width / 2, abs=0.01)
    assert [column.x for column in chart.columns] == sorted(column.x for column in chart.columns)


def test_column_labels_show_every_fourth_counting_back_from_the_latest():
    chart = charts.column_chart([(str(index), index) for index in range(10)])
    assert [column.label for column in chart.columns if column.show_label] == ["1", "5", "9"]


def test_column_chart_of_zeros_or_nothing_draws_an_empty_axis():
    assert [column.height for column in charts.column_chart([("a", 0), ("b", 0)]).columns] == [0, 0]
    empty = charts.column_chart([])
    assert empty.columns == [] and [tick.value for tick in empty.ticks] == [0, 1]


def test_bars_scale_to_the_given_maximum_and_never_overflow():
    chart = charts.bar_chart([("all", 200), ("half", 100), ("none", 0), ("too many", 300)], scale_max=200,
                             notes=["n1", "n2", "n3", "n4"])
    lengths = [bar.length for bar in chart.bars]
    assert lengths == [chart.room, chart.room / 2, 0, chart.room]
    assert [bar.note for bar in chart.bars] == ["n1", "n2", "n3", "n4"]
    assert chart.height == 4 * charts.BAR_ROW
    for index, bar in enumerate(chart.bars):
        assert index * charts.BAR_ROW <= bar.y and bar.y + chart.thickness <= (index + 1) * charts.BAR_ROW
        assert bar.value_x == chart.bar_x + chart.room + 8  # values line up past the longest bar
        assert bar.value_x + charts.BAR_VALUE_WIDTH - 8 <= chart.width


def test_bars_default_to_the_largest_value_and_survive_all_zeros():
    assert [bar.length for bar in charts.bar_chart([("a", 4), ("b", 1)]).bars] == [
        charts.CHART_WIDTH - charts.BAR_LABEL_WIDTH - charts.BAR_VALUE_WIDTH,
        (charts.CHART_WIDTH - charts.BAR_LABEL_WIDTH - charts.BAR_VALUE_WIDTH) / 4,
    ]
    assert [bar.length for bar in charts.bar_chart([("a", 0)], scale_max=0).bars] == [0]
    assert charts.bar_chart([]).bars == []


def test_long_bar_labels_are_shortened_with_an_ellipsis():
    chart = charts.bar_chart([("A category with a really rather long name", 1), ("Short", 1)])
    assert chart.bars[0].label == "A category with a really…" and len(chart.bars[0].label) <= charts.LABEL_CHARS
    assert chart.bars[1].label == "Short"


@pytest.mark.parametrize("part, whole, filled_share, text", [
    (0, 0, 0, "0.0%"), (1, 4, 0.25, "25.0%"), (2, 3, 2 / 3, "66.7%"), (5, 5, 1, "100.0%"), (6, 5, 1, "120.0%"),
])
def test_donut_fills_its_share_of_the_ring(part, whole, filled_share, text):
    ring = charts.donut(part, whole, radius=50, stroke=10)
    assert ring.circumference == pytest.approx(2 * math.pi * 50, abs=0.01)
    assert ring.filled == pytest.approx(ring.circumference * filled_share, abs=0.01)
    assert ring.percent == text
    assert ring.size == 120 and ring.centre == 60


@pytest.mark.parametrize("seconds, text", [
    (None, "no responses yet"),
    (0, "under a minute"),
    (29, "under a minute"),
    (60, "1 minute"),
    (35 * 60, "35 minutes"),
    (3600, "1 hour"),
    (5 * 3600 + 12 * 60, "5 hours 12 minutes"),
    (86400, "1 day"),
    (2 * 86400 + 4 * 3600 + 59, "2 days 4 hours"),
    (40 * 86400 + 30 * 60, "40 days"),
])
def test_durations_read_in_their_two_largest_units(seconds, text):
    assert charts.human_duration(seconds) == text


def test_rates_and_percentages_never_divide_by_zero():
    assert rate(0, 0) == 0.0 and rate(1, 4) == 0.25
    assert charts.percent(0, 0) == "0.0%" and charts.percent(1, 3) == "33.3%"


@pytest.mark.parametrize("count, fraction, ranks", [
    (1, 0.5, (1, 1, 0.0)),
    (2, 0.5, (1, 2, 0.5)),
    (5, 0.5, (3, 4, 0.0)),
    (4, 0.5, (2, 3, 0.5)),
    (5, 0.9, (4, 5, 0.6)),
    (10, 0.9, (9, 10, 0.1)),
])
def test_percentile_ranks_interpolate_like_percentile_cont(count, fraction, ranks):
    lower, upper, weight = percentile_ranks(count, fraction)
    assert (lower, upper) == ranks[:2] and weight == pytest.approx(ranks[2])


def test_week_starts_are_the_last_mondays_ending_this_week():
    mondays = week_starts(date(2026, 3, 18), weeks=3)  # a Wednesday
    assert mondays == [date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16)]
    assert week_starts(date(2026, 3, 16), weeks=1) == [date(2026, 3, 16)]  # a Monday is its own week
    assert week_starts(date(2026, 3, 22), weeks=1) == [date(2026, 3, 16)]  # and Sunday ends it
    assert len(week_starts(date(2026, 3, 18))) == 26


def empty_kpis(**changes) -> Kpis:
    values = dict(
        period="all", since=None, weeks=[WeekCount(monday, 0) for monday in week_starts(date(2026, 3, 18))],
        funnel=Funnel(0, 0, 0, 0), answered=0, implemented=0, median_response_seconds=None,
        p90_response_seconds=None, categories=[],
    )
    return Kpis(**{**values, **changes})


def test_layout_of_an_empty_portal_is_all_zeros():
    layout = charts.layout(empty_kpis())
    assert len(layout.weeks.columns) == 26 and all(column.height == 0 for column in layout.weeks.columns)
    assert [bar.length for bar in layout.funnel.bars] == [0, 0, 0, 0]
    assert layout.funnel_percents == ["0.0%"] * 4
    assert layout.answered.filled == 0 and layout.implemented.percent == "0.0%"
    assert layout.median_response == "no responses yet" and layout.categories.bars == []
    assert layout.weeks_summary == "0 ideas in the 26 weeks starting 22 Sep 2025 to 16 Mar 2026."


def test_layout_measures_the_funnel_against_submitted_ideas():
    weeks = [WeekCount(monday, 3 if monday == date(2026, 3, 9) else 1) for monday in week_starts(date(2026, 3, 18))]
    layout = charts.layout(empty_kpis(funnel=Funnel(8, 6, 2, 1), answered=4, implemented=1, weeks=weeks))
    submitted, reviewed, planned, implemented = layout.funnel.bars
    assert submitted.length == layout.funnel.room and reviewed.length == layout.funnel.room * 0.75
    assert implemented.length == layout.funnel.room / 8
    assert [bar.note for bar in layout.funnel.bars] == ["8 · 100.0%", "6 · 75.0%", "2 · 25.0%", "1 · 12.5%"]
    assert layout.funnel_summary == (
        "Of 8 ideas submitted, 6 (75.0%) were reviewed, 2 (25.0%) planned and 1 (12.5%) implemented."
    )
    assert layout.answered.percent == "50.0%"
    assert layout.weeks_summary.endswith("the busiest was the week of 9 Mar 2026, with 3.")


def test_layout_draws_categories_longest_first_as_given():
    rows = [CategoryVotes("Integrations", "integrations", 1200, 40), CategoryVotes("Mobile app", "mobile", 300, 9)]
    layout = charts.layout(empty_kpis(categories=rows))
    assert [(bar.label, bar.length, bar.note) for bar in layout.categories.bars] == [
        ("Integrations", layout.categories.room, "1,200 votes"),
        ("Mobile app", layout.categories.room / 4, "300 votes"),
    ]
    assert layout.categories_summary == "Votes (up and down) on the ideas of each category: Integrations 1,200; Mobile app 300."
