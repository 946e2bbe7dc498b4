"""The public statistics page's chart: its weeks as pairs of columns, drawn by the KPI page's chart code."""
from collections.abc import Sequence

from ..kpis.charts import ColumnChart, day, grouped_column_chart, week_label
from .queries import WeekHistory

SERIES = ("Ideas shared", "First answered")
WIDTH = 560  # narrower than the KPI charts: on a phone the labels stay readable
LABEL_EVERY = 3


def weeks_chart(weeks: Sequence[WeekHistory]) -> ColumnChart:
    return grouped_column_chart(
        [week_label(week.week) for week in weeks],
        [(SERIES[0], [week.submitted for week in weeks]), (SERIES[1], [week.answered for week in weeks])],
        width=WIDTH, label_every=LABEL_EVERY,
    )


def weeks_summary(weeks: Sequence[WeekHistory]) -> str:
    """What the chart shows, in one sentence for a screen reader (the table beside it has every number)."""
    if not weeks:
        return "No weeks to show yet."
    shared = sum(week.submitted for week in weeks)
    answered = sum(week.answered for week in weeks)
    text = (f"In the {len(weeks)} weeks starting {day(weeks[0].week)} to {day(weeks[-1].week)}, "
            f"{shared:,} idea{'' if shared == 1 else 's'} were shared and {answered:,} got their first answer")
    if not shared:
        return text + "."
    busiest = max(weeks, key=lambda week: (week.submitted, week.week))
    return text + f"; the most were shared in the week of {day(busiest.week)}, {busiest.submitted:,}."
