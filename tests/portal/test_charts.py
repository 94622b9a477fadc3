"""Chart geometry: numbers to coordinates, checked against hand-computed positions (no database, no SVG)."""

from __future__ import annotations

from portal import charts
from portal.charts import LABEL_WIDTH, VALUE_WIDTH, WIDTH

STATES = ("compliant", "on_track", "at_risk", "overdue", "on_leave")
PLOT = WIDTH - LABEL_WIDTH  # 510: relative bars fill it


def test_relative_bars_split_the_plot_by_share_and_leave_out_empty_states():
    chart = charts.stacked_bars([(3, 1, 0, 1, 0)], STATES, relative=True)
    (bar,) = chart.rows
    assert bar.total == 5
    # 3/5, 1/5 and 1/5 of 510 units, from x = 210.
    assert [(s.key, s.value, s.x, s.width) for s in bar.segments] == [
        ("compliant", 3, 210.0, 306.0), ("on_track", 1, 516.0, 102.0), ("overdue", 1, 618.0, 102.0)]
    assert bar.end == WIDTH
    assert [tick.value for tick in chart.ticks] == [0, 20, 40, 60, 80, 100]
    assert [tick.position for tick in chart.ticks] == [210.0, 312.0, 414.0, 516.0, 618.0, 720.0]


def test_segments_meet_exactly_even_when_shares_do_not_divide_evenly():
    chart = charts.stacked_bars([(1, 1, 1, 0, 0)], STATES, relative=True)
    segments = chart.rows[0].segments
    for left, right in zip(segments, segments[1:], strict=False):
        assert round(left.x + left.width, 1) == right.x
    assert round(segments[-1].x + segments[-1].width, 1) == WIDTH


def test_a_row_with_nobody_draws_no_segments():
    chart = charts.stacked_bars([(0, 0, 0, 0, 0), (1, 0, 0, 0, 0)], STATES, relative=True)
    assert chart.rows[0].segments == () and chart.rows[0].total == 0
    assert chart.rows[1].segments[0].width == PLOT


def test_rows_stack_down_below_the_legend():
    chart = charts.stacked_bars([(1, 0, 0, 0, 0)] * 3, STATES, relative=True)
    # Five legend items fit one line of 720 (110 each); the plot starts 28 below it.
    assert [item.x for item in chart.legend] == [0.0, 110.0, 220.0, 330.0, 440.0]
    assert chart.plot_top == 32.0
    assert [row.y for row in chart.rows] == [32.0, 62.0, 92.0]
    assert (chart.plot_bottom, chart.height) == (122.0, 140.0)


def test_absolute_bars_share_one_scale_up_to_a_round_number():
    chart = charts.stacked_bars([(2, 2), (1, 2), (1, 0)], ("overdue", "owing"), relative=False)
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH  # 460, room left for the total after each bar
    assert chart.plot_width == plot
    # The largest row (4) is a round number: it fills the plot; each officer is 115 units.
    assert [tick.value for tick in chart.ticks] == [0, 1, 2, 3, 4]
    assert [(s.x, s.width) for s in chart.rows[0].segments] == [(210.0, 230.0), (440.0, 230.0)]
    assert chart.rows[1].end == 210.0 + 3 * 115
    assert [(s.key, s.width) for s in chart.rows[2].segments] == [("overdue", 115.0)]


def test_absolute_scale_rounds_up_past_the_largest_row():
    chart = charts.stacked_bars([(7,)], ("officers",), relative=False)
    assert chart.legend == ()  # one kind of bar needs no legend
    assert [tick.value for tick in chart.ticks] == [0, 2, 4, 6, 8]
    assert chart.rows[0].end == 210.0 + 460 * 7 / 8


def test_tick_values_are_round_and_few():
    assert charts.tick_values(0) == [0]
    assert charts.tick_values(3) == [0, 1, 2, 3]
    assert charts.tick_values(11) == [0, 5, 10, 15]
    assert charts.tick_values(48) == [0, 10, 20, 30, 40, 50]
    assert charts.tick_values(120_000) == [0, 50_000, 100_000, 150_000]


def test_narrow_segments_carry_no_number():
    chart = charts.stacked_bars([(1, 99, 0, 0, 0)], STATES, relative=True)
    narrow, wide = chart.rows[0].segments
    assert narrow.width == 5.1 and not narrow.labelled
    assert wide.labelled and wide.middle == round(wide.x + wide.width / 2, 1)


def test_labels_are_indented_by_depth_in_the_unit_tree():
    assert [charts.BarChart.label_x(depth) for depth in (0, 1, 2)] == [4.0, 16.0, 28.0]


def test_line_spreads_points_evenly_and_scales_0_to_100():
    chart = charts.line([0, 50, 100])
    # x from 48 to 696; y from 204 (0%) up to 20 (100%).
    assert [(p.x, p.y) for p in chart.points] == [(48.0, 204.0), (372.0, 112.0), (696.0, 20.0)]
    assert [(t.value, t.position) for t in chart.y_ticks] == [(0, 204.0), (25, 158.0), (50, 112.0), (75, 66.0),
                                                               (100, 20.0)]


def test_a_single_point_sits_in_the_middle():
    (point,) = charts.line([40]).points
    assert point.x == 372.0 and point.labelled


def test_long_series_label_every_few_points_counting_back_from_the_latest():
    points = charts.line(list(range(24))).points
    labelled = [index for index, point in enumerate(points) if point.labelled]
    # 24 points, at most 8 labels: every third, the newest always.
    assert labelled == [2, 5, 8, 11, 14, 17, 20, 23]
