"""The progress page's chart geometry, without a database."""

from datetime import date, timedelta

import pytest

from quizzes import charts


@pytest.mark.parametrize(("value", "top"), [(0, 1), (1, 1), (3, 5), (7, 10), (12, 20), (480, 500)])
def test_axes_end_on_a_round_number(value, top):
    assert charts.nice_ceiling(value) == top


def test_bars_are_as_tall_as_their_share_of_the_axis():
    chart = charts.bar_chart([("Today", 10), ("+1", 5), ("+2", 0)], height=230)
    plot = chart.plot_bottom - chart.plot_top
    assert [bar.height for bar in chart.bars] == [plot, plot / 2, 0]
    assert all(bar.y + bar.height == chart.plot_bottom for bar in chart.bars)
    assert [tick.label for tick in chart.y_ticks] == ["0", "5", "10"]
    assert [tick.label for tick in chart.x_ticks] == ["Today"]


@pytest.mark.parametrize(
    ("first", "labels"),
    [
        ("Today", ["Today", "+5", "+10", "+15", "+20", "+25"]),
        # Drawn from its tick on, it ran into "+5" on a phone: "Until 4:00+5".
        ("Until 4:00", ["Until 4:00", "+10", "+15", "+20", "+25"]),
    ],
)
def test_the_time_axis_leaves_out_a_label_that_would_run_into_the_one_before(first, labels):
    days = [(first, 3)] + [(f"+{offset}", 1) for offset in range(1, 30)]
    assert [tick.label for tick in charts.bar_chart(days).x_ticks] == labels


def test_the_heatmap_ends_today_with_a_column_per_week_and_busier_days_darker():
    today = date(2025, 3, 5)  # a Wednesday
    counts = {today: 40, today - timedelta(days=1): 1, today - timedelta(days=400): 9}
    heat = charts.heatmap(counts, end=today)
    assert heat.cells[-1].day == today
    assert heat.cells[0].day.weekday() == 0  # columns start on Monday
    assert len({cell.x for cell in heat.cells}) == 53
    levels = {cell.day: cell.level for cell in heat.cells}
    assert levels[today] == 4 and levels[today - timedelta(days=1)] == 1
    assert levels[today - timedelta(days=2)] == 0
    assert today - timedelta(days=400) not in levels


def test_a_month_starting_in_the_last_column_has_room_for_its_name():
    heat = charts.heatmap({}, end=date(2026, 12, 1))

    last = heat.month_ticks[-1]
    assert last.label == "Dec"
    assert heat.width - last.position >= charts.MONTH_LABEL_WIDTH


def test_the_line_breaks_where_a_week_has_no_data():
    line = charts.line_chart([("a", 0.9), ("b", None), ("c", 0.8), ("d", 1.0)])
    assert len(line.lines) == 2
    assert [dot.label for dot in line.dots] == ["a", "c", "d"]
    top = min(dot.y for dot in line.dots)
    assert top == line.plot_top  # 100% at the top


def test_the_stacked_bar_splits_its_width_in_proportion():
    bar = charts.stacked_bar([("New", 30), ("Review", 10), ("Learning", 0)], width=400)
    assert [(s.x, s.width, s.key) for s in bar.segments] == [
        (0.0, 300.0, "new"),
        (300.0, 100.0, "review"),
        (400.0, 0.0, "learning"),
    ]
    assert charts.stacked_bar([("New", 0)]).segments[0].width == 0


def test_a_share_below_the_lines_floor_lowers_the_floor_to_show_it():
    # A week at 15% was drawn on the 50% line, as if it were 50%.
    line = charts.line_chart([("a", 0.9), ("b", 0.15), ("c", 0.8)])

    assert [tick.label for tick in line.y_ticks] == ["10%", "55%", "100%"]
    low, high = line.dots[1].y, line.dots[0].y
    assert line.plot_top < high < low < line.plot_bottom
    assert charts.line_chart([("a", 0.0)]).y_ticks[0].label == "0%"
    assert charts.line_chart([("a", 0.7)]).y_ticks[0].label == "50%"
