"""Chart geometry for the KPI page: scales, bars and axis ticks as plain numbers the SVG templates draw."""
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from .queries import Kpis, rate

CHART_WIDTH = 640
COLUMN_CHART_HEIGHT = 240
COLUMN_MARGIN = {"top": 12, "right": 24, "bottom": 30, "left": 44}
BAR_ROW, BAR_THICKNESS = 36, 24
BAR_LABEL_WIDTH, BAR_VALUE_WIDTH = 190, 130
LABEL_CHARS = 26


@dataclass(frozen=True)
class Tick:
    value: int
    position: float  # y for a vertical axis


@dataclass(frozen=True)
class Column:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float
    centre: float  # of the column's group: where its label goes
    show_label: bool
    series: int = 0  # which series, in a chart of several side by side
    tip: str = ""  # "label: value" (with the series' name when there are several), shown on hover


@dataclass(frozen=True)
class ColumnChart:
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    ticks: list[Tick]
    columns: list[Column]
    tick_label_x: float  # right edge of the axis labels
    column_label_y: float  # baseline of the labels under the columns


@dataclass(frozen=True)
class Bar:
    label: str  # shortened to fit; the table beside the chart has the full text
    value: int
    note: str
    y: float
    length: float
    text_y: float
    value_x: float  # where the value's text starts, past the longest bar


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bar_x: float
    room: float  # the longest a bar can be
    thickness: float
    bars: list[Bar]

    @property
    def label_x(self) -> float:
        return self.bar_x - 10


@dataclass(frozen=True)
class Donut:
    percent: str
    radius: float
    stroke: float
    circumference: float
    filled: float

    @property
    def size(self) -> float:
        return 2 * (self.radius + self.stroke)

    @property
    def centre(self) -> float:
        return self.radius + self.stroke


@dataclass(frozen=True)
class DashboardCharts:
    weeks: ColumnChart
    funnel: BarChart
    answered: Donut
    implemented: Donut
    categories: BarChart
    median_response: str
    p90_response: str
    weeks_summary: str
    funnel_percents: list[str]  # each stage as a share of the submitted ideas
    funnel_summary: str
    categories_summary: str


def nice_ticks(maximum: float, intervals: int = 4) -> list[int]:
    """Whole-number axis ticks from 0 to at least `maximum`, stepping by 1, 2 or 5 times a power of ten."""
    if maximum <= 0:
        return [0, 1]
    rough = maximum / intervals
    magnitude = 10 ** math.floor(math.log10(rough))
    step = next(factor * magnitude for factor in (1, 2, 5, 10) if factor * magnitude >= rough)
    step = max(1, round(step))
    top = math.ceil(maximum / step) * step
    return list(range(0, top + 1, step))


def column_chart(points: Sequence[tuple[str, int]], *, width: int = CHART_WIDTH,
                 height: int = COLUMN_CHART_HEIGHT, label_every: int = 4) -> ColumnChart:
    """Vertical bars on a 0-based axis; every `label_every`-th label (counted from the last) is shown."""
    return grouped_column_chart([label for label, _ in points], [("", [value for _, value in points])],
                                width=width, height=height, label_every=label_every)


def grouped_column_chart(labels: Sequence[str], series: Sequence[tuple[str, Sequence[int]]], *,
                         width: int = CHART_WIDTH, height: int = COLUMN_CHART_HEIGHT,
                         label_every: int = 4) -> ColumnChart:
    """A group of columns per label, one per series (name, values), side by side on a shared 0-based axis;
    every `label_every`-th label (counted from the last) is shown."""
    left, right = COLUMN_MARGIN["left"], width - COLUMN_MARGIN["right"]
    top, bottom = COLUMN_MARGIN["top"], height - COLUMN_MARGIN["bottom"]
    ticks = nice_ticks(max((value for _, values in series for value in values), default=0))
    scale = (bottom - top) / ticks[-1]
    slot = (right - left) / max(len(labels), 1)
    group_width = slot * 0.7
    bar_width = group_width / max(len(series), 1)
    columns = []
    for index, label in enumerate(labels):
        group_x = left + index * slot + (slot - group_width) / 2
        for number, (name, values) in enumerate(series):
            value = values[index]
            bar_height = value * scale
            x = group_x + number * bar_width
            columns.append(Column(
                label=label, value=value, x=_r(x), y=_r(bottom - bar_height), width=_r(bar_width),
                height=_r(bar_height), centre=_r(group_x + group_width / 2),
                show_label=number == 0 and (len(labels) - 1 - index) % label_every == 0,
                series=number, tip=f"{label}{', ' + name if len(series) > 1 else ''}: {value:,}",
            ))
    return ColumnChart(
        width=width, height=height, left=left, right=right, top=top, bottom=bottom,
        ticks=[Tick(value, _r(bottom - value * scale)) for value in ticks], columns=columns,
        tick_label_x=left - 6, column_label_y=bottom + 20,
    )


def bar_chart(items: Sequence[tuple[str, int]], *, scale_max: int | None = None, notes: Sequence[str] | None = None,
              width: int = CHART_WIDTH) -> BarChart:
    """Horizontal bars, one row per item, as long as value / scale_max (default: the largest value)."""
    scale_max = max((value for _, value in items), default=0) if scale_max is None else scale_max
    room = width - BAR_LABEL_WIDTH - BAR_VALUE_WIDTH
    bars = []
    for index, (label, value) in enumerate(items):
        y = index * BAR_ROW + (BAR_ROW - BAR_THICKNESS) / 2
        length = _r(room * min(rate(value, scale_max), 1.0))
        bars.append(Bar(
            label=shorten(label), value=value, note=notes[index] if notes else "",
            y=_r(y), length=length, text_y=_r(y + BAR_THICKNESS / 2), value_x=BAR_LABEL_WIDTH + room + 8,
        ))
    return BarChart(width=width, height=max(len(items), 1) * BAR_ROW, bar_x=BAR_LABEL_WIDTH, room=room,
                    thickness=BAR_THICKNESS, bars=bars)


def donut(part: int, whole: int, *, radius: float = 52, stroke: float = 16) -> Donut:
    """A ring whose filled arc is part / whole of the circumference (drawn with stroke-dasharray)."""
    circumference = 2 * math.pi * radius
    return Donut(percent=percent(part, whole), radius=radius, stroke=stroke, circumference=_r(circumference),
                 filled=_r(circumference * min(rate(part, whole), 1.0)))


def percent(part: int, whole: int) -> str:
    """part of whole as a percentage with one decimal; 0.0% when whole is 0."""
    return f"{100 * rate(part, whole):.1f}%"


def human_duration(seconds: float | None) -> str:
    """A duration in the two largest units that matter: "2 days 4 hours", "35 minutes"."""
    if seconds is None:
        return "no responses yet"
    minutes = round(max(seconds, 0) / 60)
    if minutes < 1:
        return "under a minute"
    days, minutes = divmod(minutes, 1440)
    hours, minutes = divmod(minutes, 60)
    parts = [(days, "day"), (hours, "hour")] if days else [(hours, "hour"), (minutes, "minute")]
    return " ".join(f"{count} {unit}{'' if count == 1 else 's'}" for count, unit in parts if count)


def shorten(label: str, limit: int = LABEL_CHARS) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def week_label(monday: date) -> str:
    return f"{monday.day} {monday:%b}"


def day(moment: date) -> str:
    return f"{moment.day} {moment:%b %Y}"


def layout(kpis: Kpis) -> DashboardCharts:
    """The geometry of every chart on the page for these numbers."""
    funnel = kpis.funnel
    stages = [("Submitted", funnel.submitted), ("Reviewed", funnel.reviewed),
              ("Planned", funnel.planned), ("Implemented", funnel.implemented)]
    shares = [percent(count, funnel.submitted) for _, count in stages]
    return DashboardCharts(
        weeks=column_chart([(week_label(week.week), week.ideas) for week in kpis.weeks]),
        funnel=bar_chart(stages, scale_max=funnel.submitted,
                         notes=[f"{count:,} · {share}" for (_, count), share in zip(stages, shares)]),
        answered=donut(kpis.answered, kpis.ideas),
        implemented=donut(kpis.implemented, kpis.ideas),
        categories=bar_chart([(row.name, row.votes) for row in kpis.categories],
                             notes=[f"{row.votes:,} votes" for row in kpis.categories]),
        median_response=human_duration(kpis.median_response_seconds),
        p90_response=human_duration(kpis.p90_response_seconds),
        weeks_summary=weeks_summary(kpis),
        funnel_percents=shares,
        funnel_summary=(
            f"Of {funnel.submitted:,} ideas submitted, {funnel.reviewed:,} ({shares[1]}) were reviewed, "
            f"{funnel.planned:,} ({shares[2]}) planned and {funnel.implemented:,} ({shares[3]}) implemented."
        ),
        categories_summary="Votes (up and down) on the ideas of each category: "
        + "; ".join(f"{row.name} {row.votes:,}" for row in kpis.categories) + ".",
    )


def weeks_summary(kpis: Kpis) -> str:
    """One sentence a screen reader hears for the weekly chart."""
    total = sum(week.ideas for week in kpis.weeks)
    first, last = kpis.weeks[0].week, kpis.weeks[-1].week
    text = f"{total:,} ideas in the {len(kpis.weeks)} weeks starting {day(first)} to {day(last)}"
    if not total:
        return text + "."
    busiest = max(kpis.weeks, key=lambda week: (week.ideas, week.week))
    return text + f"; the busiest was the week of {day(busiest.week)}, with {busiest.ideas:,}."


def _r(value: float) -> float:
    return round(value, 2)
