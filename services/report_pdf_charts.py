"""The agency dashboard's charts drawn into a PDF with fpdf2, from the same geometry (portal/charts.py) the
dashboard's SVG uses, scaled from the chart's own units to millimetres.

As on screen, fills carry a pattern as well as a colour (hatched, crossed, ruled), so the states stay apart
in grayscale print; numbers are written inside the segments wide enough to hold them, and every chart is
followed in the report by the table of its numbers.
"""

from __future__ import annotations

from collections.abc import Sequence

from fpdf import FPDF

from portal.charts import BarChart, LineChart
from services.transcripts import latin1

Colour = tuple[int, int, int]
INK: Colour = (27, 31, 36)
GRID: Colour = (204, 209, 215)
MUTED: Colour = (88, 96, 107)
WHITE: Colour = (255, 255, 255)
# The dashboard's fills (portal/templates/agency/_chart_parts.html), and the pattern drawn over each.
FILLS: dict[str, Colour] = {
    "compliant": (31, 111, 60), "on_track": (207, 224, 241), "at_risk": (245, 194, 107),
    "overdue": (164, 22, 26), "on_leave": WHITE, "owing": (245, 194, 107),
}
PATTERNS: dict[str, tuple[str, Colour]] = {
    "on_track": ("hatched", (20, 70, 107)), "overdue": ("crossed", WHITE), "on_leave": ("ruled", MUTED),
}
HATCH_STEP = 2.5  # mm between pattern lines
FONT_SIZE = 8
BASELINE_DROP = 1.0  # mm from a line's middle to its baseline: half the cap height of 8 pt Helvetica


def _fill(pdf: FPDF, key: str, x: float, y: float, w: float, h: float) -> None:
    """A segment or legend swatch: its colour, its pattern clipped to it, and a thin outline."""
    pdf.set_fill_color(*FILLS[key])
    pdf.rect(x, y, w, h, style="F")
    pattern = PATTERNS.get(key)
    if pattern is not None:
        kind, colour = pattern
        pdf.set_draw_color(*colour)
        pdf.set_line_width(0.2)
        with pdf.rect_clip(x, y, w, h):
            if kind == "ruled":
                pdf.line(x, y + h / 2, x + w, y + h / 2)
            else:
                offset = -h
                while offset < w:
                    pdf.line(x + offset, y + h, x + offset + h, y)
                    if kind == "crossed":
                        pdf.line(x + offset, y, x + offset + h, y + h)
                    offset += HATCH_STEP
    pdf.set_draw_color(*INK)
    pdf.set_line_width(0.15)
    pdf.rect(x, y, w, h)


def _text(pdf: FPDF, x: float, y_middle: float, text: str, *, align: str = "L", colour: Colour = INK,
          bold: bool = False) -> None:
    """Text centred vertically on `y_middle`, starting, centred or ending at `x`."""
    pdf.set_font("Helvetica", style="B" if bold else "", size=FONT_SIZE)
    pdf.set_text_color(*colour)
    text = latin1(text)
    width = pdf.get_string_width(text)
    left = x - width if align == "R" else x - width / 2 if align == "C" else x
    pdf.text(left, y_middle + BASELINE_DROP, text)
    pdf.set_text_color(*INK)


def _label(pdf: FPDF, x: float, y_middle: float, text: str) -> None:
    """A number inside a segment: black on a small white box, legible on every fill and pattern."""
    pdf.set_font("Helvetica", style="B", size=FONT_SIZE)
    width = pdf.get_string_width(text) + 1.6
    pdf.set_fill_color(*WHITE)
    pdf.rect(x - width / 2, y_middle - 1.9, width, 3.8, style="F")
    _text(pdf, x, y_middle, text, align="C", bold=True)


def fit(pdf: FPDF, text: str, width: float) -> str:
    """`text` cut (with "...") to fit `width` mm in the current font."""
    text = latin1(text)
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "...") > width:
        text = text[:-1]
    return text + "..."


def bar_chart(pdf: FPDF, chart: BarChart, names: Sequence[str], levels: Sequence[int],
              legend_labels: dict[str, str], *, percent: bool, width: float) -> None:
    """Draw `chart` at the current position, `width` mm wide, and move below it. `names` label the bars,
    indented by `levels` (the unit tree)."""
    scale = width / chart.width
    x0, y0 = pdf.get_x(), pdf.get_y()
    pdf.set_font("Helvetica", size=FONT_SIZE)
    for item in chart.legend:
        side = 16 * scale
        _fill(pdf, item.key, x0 + item.x * scale, y0 + item.y * scale, side, side)
        _text(pdf, x0 + (item.x + 22) * scale, y0 + (item.y + 8) * scale, legend_labels[item.key])
    pdf.set_draw_color(*GRID)
    for index, tick in enumerate(chart.ticks):
        x = x0 + tick.position * scale
        pdf.line(x, y0 + (chart.plot_top - 2) * scale, x, y0 + chart.plot_bottom * scale)
        align = "L" if index == 0 else "R" if index == len(chart.ticks) - 1 else "C"
        _text(pdf, x, y0 + (chart.plot_bottom + 9) * scale, f"{tick.value}{'%' if percent else ''}", align=align,
              colour=MUTED)
    for bar, name, level in zip(chart.rows, names, levels, strict=True):
        middle = y0 + bar.middle * scale
        label_x = chart.label_x(level) * scale
        pdf.set_font("Helvetica", size=FONT_SIZE)
        _text(pdf, x0 + label_x, middle, fit(pdf, name, chart.plot_left * scale - label_x - 2))
        for segment in bar.segments:
            _fill(pdf, segment.key, x0 + segment.x * scale, y0 + bar.y * scale, segment.width * scale,
                  bar.height * scale)
            if segment.labelled:
                _label(pdf, x0 + segment.middle * scale, middle, str(segment.value))
        if not percent:
            _text(pdf, x0 + (bar.end + 6) * scale, middle, str(bar.total), bold=True)
        elif not bar.segments:
            _text(pdf, x0 + (chart.plot_left + 6) * scale, middle, "No tracked officers", colour=MUTED)
    pdf.set_fill_color(*WHITE)
    pdf.set_xy(x0, y0 + chart.height * scale + 2)


def line_chart(pdf: FPDF, chart: LineChart, values: Sequence[str], dates: Sequence[str], *, width: float) -> None:
    """Draw the trend line at the current position, `width` mm wide; `values` and `dates` label its points."""
    scale = width / chart.width
    x0, y0 = pdf.get_x(), pdf.get_y()
    pdf.set_draw_color(*GRID)
    pdf.set_line_width(0.2)
    for tick in chart.y_ticks:
        y = y0 + tick.position * scale
        pdf.line(x0 + chart.plot_left * scale, y, x0 + chart.plot_right * scale, y)
        _text(pdf, x0 + (chart.plot_left - 6) * scale, y, f"{tick.value}%", align="R", colour=MUTED)
    points = [(x0 + point.x * scale, y0 + point.y * scale) for point in chart.points]
    pdf.set_draw_color(20, 70, 107)
    pdf.set_line_width(0.7)
    if len(points) > 1:
        pdf.polyline(points)
    pdf.set_line_width(0.5)
    pdf.set_fill_color(*WHITE)
    for index, (point, (x, y)) in enumerate(zip(chart.points, points, strict=True)):
        pdf.circle(x, y, 1.2, style="DF")
        if point.labelled:
            _text(pdf, x, y - 3.5, values[index], align="C", bold=True)
            last, first = index == len(points) - 1, index == 0
            align = "R" if last and not first else "L" if first and not last else "C"
            _text(pdf, x, y0 + (chart.plot_bottom + 14) * scale, dates[index], align=align, colour=MUTED)
    pdf.set_line_width(0.2)
    pdf.set_draw_color(*INK)
    pdf.set_xy(x0, y0 + chart.height * scale + 2)
