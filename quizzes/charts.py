"""Geometry for the progress page's SVG charts: bars, a calendar heatmap, a line and a
stacked bar. Pure Python: numbers in, coordinates out; the template draws them, and CSS
colours them from the site's variables, so dark mode needs nothing here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta


def nice_ceiling(value: float) -> int:
    """The axis top for `value`: 1, 2, 5 or 10 times a power of ten, at least 1."""
    if value <= 1:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


@dataclass(frozen=True, kw_only=True)
class Tick:
    position: float
    label: str


# --- Bars -----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int


@dataclass(frozen=True, kw_only=True)
class BarChart:
    width: int
    height: int
    plot_top: int
    plot_bottom: int
    plot_left: int
    bars: tuple[Bar, ...]
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]


# The most a time axis label's character takes, in the chart's units: study.css draws them
# at 20 units on a phone, where the chart is shrunk to half its width to be read.
AXIS_CHARACTER_WIDTH = 12


def _label_span(tick: Tick, *, first: bool) -> tuple[float, float]:
    """Where a time axis label is drawn: the first from its tick on (study.css's axis-start),
    the others centred on theirs."""
    width = len(tick.label) * AXIS_CHARACTER_WIDTH
    if first:
        return tick.position, tick.position + width
    return tick.position - width / 2, tick.position + width / 2


def bar_chart(
    points: Sequence[tuple[str, int]], *, width: int = 640, height: int = 220, label_every: int = 5
) -> BarChart:
    """One bar per (label, value); every `label_every`-th label is written under the axis,
    but for one that would run into the label before it (a first "Until 4:00" into "+5")."""
    left, top, bottom = 40, 10, height - 30
    plot_height = bottom - top
    top_value = nice_ceiling(max((value for _label, value in points), default=0))
    slot = (width - left - 10) / max(len(points), 1)
    bars = []
    x_ticks = []
    for index, (label, value) in enumerate(points):
        bar_height = plot_height * value / top_value
        x = left + index * slot
        bars.append(
            Bar(
                x=round(x + slot * 0.15, 1),
                y=round(bottom - bar_height, 1),
                width=round(slot * 0.7, 1),
                height=round(bar_height, 1),
                label=label,
                value=value,
            )
        )
        tick = Tick(position=round(x + slot / 2, 1), label=label)
        if index % label_every == 0 and (
            not x_ticks
            or _label_span(tick, first=False)[0]
            > _label_span(x_ticks[-1], first=len(x_ticks) == 1)[1] + AXIS_CHARACTER_WIDTH
        ):
            x_ticks.append(tick)
    y_ticks = tuple(
        Tick(position=round(bottom - plot_height * value / top_value, 1), label=str(value))
        for value in sorted({0, top_value // 2, top_value})
    )
    return BarChart(
        width=width,
        height=height,
        plot_top=top,
        plot_bottom=bottom,
        plot_left=left,
        bars=tuple(bars),
        y_ticks=y_ticks,
        x_ticks=tuple(x_ticks),
    )


# --- Calendar heatmap -----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Cell:
    x: int
    y: int
    day: date
    count: int
    level: int  # 0 (none) to 4 (the busiest days)


@dataclass(frozen=True, kw_only=True)
class Heatmap:
    width: int
    height: int
    cell_size: int
    cells: tuple[Cell, ...]
    month_ticks: tuple[Tick, ...]
    # Drawn in a column of their own beside the days, which scroll sideways on a phone.
    weekday_width: int
    weekday_ticks: tuple[Tick, ...]


def heat_level(count: int, busiest: int) -> int:
    if count <= 0 or busiest <= 0:
        return 0
    return min(4, 1 + 4 * (count - 1) // busiest)


# A month's short name at the axis's font size, in SVG units.
MONTH_LABEL_WIDTH = 24
# "Wed" at that size, and a gap before the first column.
WEEKDAY_LABEL_WIDTH = 26


def heatmap(counts: Mapping[date, int], *, end: date, weeks: int = 53) -> Heatmap:
    """A year of days as GitHub draws it: a column per week (Monday on top), `end` last."""
    # Two units before the first column: a J starting there reaches left of its x.
    size, gap, left, top = 11, 2, 2, 16
    first = end - timedelta(days=end.weekday()) - timedelta(weeks=weeks - 1)
    busiest = max(counts.values(), default=0)
    cells = []
    month_ticks = []
    day = first
    while day <= end:
        column = (day - first).days // 7
        x = left + column * (size + gap)
        if day.day == 1 or (day == first):
            month_ticks.append(Tick(position=x, label=day.strftime("%b")))
        count = counts.get(day, 0)
        cells.append(
            Cell(
                x=x,
                y=top + day.weekday() * (size + gap),
                day=day,
                count=count,
                level=heat_level(count, busiest),
            )
        )
        day += timedelta(days=1)
    weekday_ticks = tuple(
        Tick(position=top + row * (size + gap) + size - 2, label=name)
        for row, name in ((0, "Mon"), (2, "Wed"), (4, "Fri"))
    )
    return Heatmap(
        # Room from the last column on for a month that starts in it ("Dec" was cut off),
        # and no more: a year 5 px wider than a laptop's column scrolled, cutting "Wed".
        width=left + (weeks - 1) * (size + gap) + MONTH_LABEL_WIDTH,
        height=top + 7 * (size + gap),
        cell_size=size,
        cells=tuple(cells),
        # A first-of-month label right after the start label would overlap it.
        month_ticks=tuple(
            tick
            for index, tick in enumerate(month_ticks)
            if index == 0 or tick.position - month_ticks[index - 1].position >= 3 * (size + gap)
        ),
        weekday_width=WEEKDAY_LABEL_WIDTH,
        weekday_ticks=weekday_ticks,
    )


# --- Line -----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Dot:
    x: float
    y: float
    label: str
    value: float


@dataclass(frozen=True, kw_only=True)
class LineChart:
    width: int
    height: int
    plot_top: int
    plot_bottom: int
    plot_left: int
    plot_right: int
    lines: tuple[str, ...]  # SVG polyline points, one per run of weeks with data
    dots: tuple[Dot, ...]
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]


def line_chart(
    points: Sequence[tuple[str, float | None]],
    *,
    width: int = 640,
    height: int = 220,
    low: float = 0.5,
    label_every: int = 4,
) -> LineChart:
    """A share (0..1) per label, drawn from `low` to 100%, or from the lowest share's tenth
    below it (a week at 15% drawn on a 50% floor read as 50%); None leaves a gap."""
    left, right, top, bottom = 44, width - 10, 10, height - 30
    shares = [value for _label, value in points if value is not None]
    if shares:
        low = min(low, math.floor(max(min(shares), 0.0) * 10) / 10)
    step = (right - left) / max(len(points) - 1, 1)

    def y_of(value: float) -> float:
        share = (min(max(value, low), 1.0) - low) / (1.0 - low)
        return round(bottom - (bottom - top) * share, 1)

    lines, run, dots, x_ticks = [], [], [], []
    for index, (label, value) in enumerate(points):
        x = round(left + index * step, 1)
        if index % label_every == 0:
            x_ticks.append(Tick(position=x, label=label))
        if value is None:
            if run:
                lines.append(" ".join(run))
            run = []
            continue
        y = y_of(value)
        run.append(f"{x},{y}")
        dots.append(Dot(x=x, y=y, label=label, value=value))
    if run:
        lines.append(" ".join(run))
    y_ticks = tuple(
        Tick(position=y_of(share), label=f"{round(share * 100)}%")
        for share in (low, (low + 1) / 2, 1.0)
    )
    return LineChart(
        width=width,
        height=height,
        plot_top=top,
        plot_bottom=bottom,
        plot_left=left,
        plot_right=right,
        lines=tuple(lines),
        dots=tuple(dots),
        y_ticks=y_ticks,
        x_ticks=tuple(x_ticks),
    )


# --- Stacked bar ----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Segment:
    x: float
    width: float
    label: str
    value: int
    key: str  # for the CSS class that colours it


@dataclass(frozen=True, kw_only=True)
class StackedBar:
    width: int
    height: int
    segments: tuple[Segment, ...]


def stacked_bar(parts: Sequence[tuple[str, int]], *, width: int = 640, height: int = 36):
    """One bar split in proportion to each (label, count)."""
    total = sum(value for _label, value in parts)
    segments, x = [], 0.0
    for label, value in parts:
        part = width * value / total if total else 0.0
        segments.append(
            Segment(
                x=round(x, 1), width=round(part, 1), label=label, value=value, key=label.lower()
            )
        )
        x += part
    return StackedBar(width=width, height=height, segments=tuple(segments))
