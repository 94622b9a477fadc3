"""Chart geometry: numbers scaled to coordinates, for templates that draw them as inline SVG.

No SVG is written here: each function returns plain dataclasses (positions and sizes in the chart's
own units, its viewBox) and the template draws them, with the data table next to every chart.
Coordinates are rounded to one decimal so the markup stays short; stacked segments are placed from
rounded running totals, so they always meet without gaps or overlaps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 720.0
LABEL_WIDTH = 210.0  # left of the bars: the unit, rank or requirement name
VALUE_WIDTH = 50.0  # right of absolute bars: the total
BAR_HEIGHT = 22.0
BAR_GAP = 8.0
LEGEND_HEIGHT = 28.0
LEGEND_ITEM_WIDTH = 110.0
LABEL_INDENT = 12.0  # per level of the unit tree, in the names left of the bars
AXIS_HEIGHT = 18.0  # the scale's numbers under the bars
# A segment narrower than this shows no number inside it (its tooltip and the table still give it).
MIN_LABELLED_WIDTH = 22.0


def _r(value: float) -> float:
    return round(value, 1)


@dataclass(frozen=True)
class LegendItem:
    key: str
    x: float
    y: float


@dataclass(frozen=True)
class Segment:
    key: str
    value: int
    x: float
    width: float

    @property
    def middle(self) -> float:
        return _r(self.x + self.width / 2)

    @property
    def labelled(self) -> bool:
        return self.width >= MIN_LABELLED_WIDTH


@dataclass(frozen=True)
class BarRow:
    """One bar: its segments left to right (empty ones left out), and where its value label goes."""

    y: float
    height: float
    total: int
    segments: tuple[Segment, ...]
    end: float  # the x where the bar stops

    @property
    def middle(self) -> float:
        return _r(self.y + self.height / 2)


@dataclass(frozen=True)
class Tick:
    position: float
    value: int


@dataclass(frozen=True)
class BarChart:
    width: float
    height: float
    plot_left: float
    plot_width: float
    plot_top: float
    plot_bottom: float
    legend: tuple[LegendItem, ...]
    rows: tuple[BarRow, ...]
    # Where the scale's gridlines go: percentages for relative bars, counts for absolute ones.
    ticks: tuple[Tick, ...]

    @staticmethod
    def label_x(depth: int = 0) -> float:
        """Where a bar's name starts: indented by its depth in the unit tree."""
        return _r(4 + LABEL_INDENT * depth)


def legend(keys: Sequence[str], top: float = 4.0) -> tuple[LegendItem, ...]:
    """One swatch per key, left to right above the plot (wrapping to a second line when needed)."""
    per_line = max(1, int(WIDTH // LEGEND_ITEM_WIDTH))
    return tuple(
        LegendItem(key, _r((index % per_line) * LEGEND_ITEM_WIDTH), _r(top + (index // per_line) * LEGEND_HEIGHT))
        for index, key in enumerate(keys)
    )


def stacked_bars(values: Sequence[Sequence[int]], keys: Sequence[str], *, relative: bool) -> BarChart:
    """Horizontal bars, one per row of `values` (one number per key, in `keys` order).

    relative: every bar fills the plot and its segments are shares of that row's total (state by unit:
    units differ in size, the shares are what compare); else bars are to one scale, up to the round number
    at or above the largest row (requirement gaps).
    """
    legend_items = legend(keys) if len(keys) > 1 else ()
    top = (legend_items[-1].y + LEGEND_HEIGHT) if legend_items else 4.0
    plot_width = WIDTH - LABEL_WIDTH - (0 if relative else VALUE_WIDTH)
    scale = tick_values(100 if relative else max((sum(row) for row in values), default=0))
    rows = []
    for index, row in enumerate(values):
        total = sum(row)
        scale_to = total if relative else scale[-1]
        segments = []
        running = 0
        for key, value in zip(keys, row, strict=True):
            start = _position(running, scale_to, plot_width)
            running += value
            if value > 0:
                segments.append(Segment(key, value, start, _r(_position(running, scale_to, plot_width) - start)))
        y = _r(top + index * (BAR_HEIGHT + BAR_GAP))
        rows.append(BarRow(y, BAR_HEIGHT, total, tuple(segments), _position(total, scale_to, plot_width)))
    bottom = _r(top + len(values) * (BAR_HEIGHT + BAR_GAP))
    ticks = tuple(Tick(_position(value, scale[-1], plot_width), value) for value in scale)
    return BarChart(WIDTH, _r(bottom + AXIS_HEIGHT), LABEL_WIDTH, _r(plot_width), top, bottom, legend_items,
                    tuple(rows), ticks)


def tick_values(largest: int, most: int = 5) -> list[int]:
    """Round numbers from 0 to at least `largest`, at most `most` + 1 of them, at steps of 1, 2 or 5 x 10^n
    (counts of officers: never a fraction)."""
    if largest <= 0:
        return [0]
    step = 1
    while True:
        for factor in (1, 2, 5):
            if -(-largest // (step * factor)) <= most:
                step *= factor
                return list(range(0, largest + step, step)) if largest % step else list(range(0, largest + 1, step))
        step *= 10


def _position(value: int, scale_to: int, plot_width: float) -> float:
    if scale_to <= 0:
        return LABEL_WIDTH
    return _r(LABEL_WIDTH + plot_width * value / scale_to)


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    value: float
    labelled: bool  # whether its value is written next to it (every point would crowd a long series)


@dataclass(frozen=True)
class LineChart:
    width: float
    height: float
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    points: tuple[Point, ...]
    y_ticks: tuple[Tick, ...]


LINE_HEIGHT = 260.0
LINE_LEFT = 48.0  # room for the y axis's numbers
LINE_RIGHT = 24.0
LINE_TOP = 20.0
LINE_BOTTOM = 56.0  # room for the dates under the axis
MAX_LABELLED_POINTS = 8


def line(values: Sequence[float], *, y_max: int = 100, tick_step: int = 25) -> LineChart:
    """A line through `values`, evenly spaced left to right, on a y axis from 0 to `y_max`."""
    left, right = LINE_LEFT, WIDTH - LINE_RIGHT
    top, bottom = LINE_TOP, LINE_HEIGHT - LINE_BOTTOM
    count = len(values)
    every = max(1, -(-count // MAX_LABELLED_POINTS))
    points = []
    for index, value in enumerate(values):
        x = (left + right) / 2 if count == 1 else left + (right - left) * index / (count - 1)
        y = bottom - (bottom - top) * min(max(value, 0), y_max) / y_max
        # Count labels back from the newest point, so the latest value is always written out.
        labelled = (count - 1 - index) % every == 0
        points.append(Point(_r(x), _r(y), value, labelled))
    ticks = tuple(
        Tick(_r(bottom - (bottom - top) * value / y_max), value) for value in range(0, y_max + 1, tick_step)
    )
    return LineChart(WIDTH, LINE_HEIGHT, left, right, top, bottom, tuple(points), ticks)
