"""The plotly → matplotlib translator of the PDF's charts (reporting/static.py): small figures with one
feature each, and the report's own figures laid out without overlap."""

from __future__ import annotations

import io
import math

import numpy as np
import plotly.graph_objects as go
import pytest
from matplotlib.patches import Rectangle
from PIL import Image

from reporting import charts
from reporting.document import figures
from reporting.static import (
    PNG_SCALE,
    PNG_WIDTH,
    UNAVAILABLE,
    draw,
    height_of,
    plain,
    rgba,
    tick_label,
    to_png,
)
from tests.fake_result import fake_result


def plot_of(figure: go.Figure):
    drawn = draw(figure)
    drawn.canvas.draw()
    return drawn, drawn.axes[0]


def shown_ticks(axis) -> list[tuple[float, str]]:
    low, high = sorted(axis.get_view_interval())
    return [(tick.get_loc(), tick.label1.get_text()) for tick in axis.get_major_ticks()
            if low * (1 - 1e-9) <= tick.get_loc() <= high * (1 + 1e-9)]


def bars_of(ax) -> list[Rectangle]:
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def test_a_log_axis_keeps_the_charts_tick_values_and_labels():
    figure = charts.learning_curves([fake_result()])
    _, ax = plot_of(figure)
    assert ax.get_xscale() == "log"
    spec = figure.layout.xaxis
    assert shown_ticks(ax.xaxis) == [(v, t) for v, t in zip(spec.tickvals, spec.ticktext, strict=True)]
    assert not ax.xaxis.get_minor_ticks()
    assert [t for _, t in shown_ticks(ax.yaxis)] == ["0%", "20%", "40%", "60%", "80%", "100%"]  # tickformat .0%


def test_an_hline_spans_the_plot_at_its_value_dotted_with_its_label():
    _, ax = plot_of(charts.learning_curves([fake_result()]))  # best prompt: few-shot, 75%
    line = next(line for line in ax.lines if list(line.get_ydata()) == [0.75, 0.75])
    assert list(line.get_xdata()) == [0, 1]  # the x domain: the whole width whatever the axis
    assert line.get_linestyle() != "-"  # dotted
    assert line.get_color() == pytest.approx(rgba(charts.color_of("few_shot")))
    label = next(t for t in ax.texts if t.get_text().startswith("best prompt: Few-shot prompt, 75.0%"))
    assert label.xy == (1, 0.75) and label.get_horizontalalignment() == "right"


def test_a_vline_on_a_log_axis_is_in_data_units_and_its_note_in_log10_units():
    figure = go.Figure(go.Scatter(x=[1e3, 1e6], y=[1, 2]))
    figure.update_xaxes(type="log")
    figure.add_vline(x=3e4, line={"dash": "dot"})
    figure.add_annotation(x=math.log10(3e4), y=1, yref="paper", text="here", showarrow=False)
    figure.add_annotation(x=math.log10(1e8), y=1, yref="paper", text="off the plot", showarrow=False)
    _, ax = plot_of(figure)
    vline = next(line for line in ax.lines if len(set(line.get_xdata())) == 1)
    assert list(vline.get_xdata()) == [3e4, 3e4]
    note = next(t for t in ax.texts if t.get_text() == "here")
    assert note.xy[0] == pytest.approx(3e4)
    assert "off the plot" not in [t.get_text() for t in ax.texts]  # plotly leaves it out too


@pytest.mark.parametrize(("mode", "starts", "heights"), [
    ("stack", [0, 0, 1, 2], [1, 2, 3, -1]),
    ("relative", [0, 0, 1, 0], [1, 2, 3, -1]),  # a negative bar goes down from 0, not from the positive sum
    ("group", [0, 0, 0, 0], [1, 2, 3, -1]),
])
def test_bar_modes_stack_and_group_as_plotly_does(mode, starts, heights):
    figure = go.Figure([go.Bar(x=["a", "b"], y=[1, 2]), go.Bar(x=["a", "b"], y=[3, -1])])
    figure.update_layout(barmode=mode)
    _, ax = plot_of(figure)
    bars = bars_of(ax)
    assert [b.get_y() for b in bars] == starts and [b.get_height() for b in bars] == heights
    if mode == "group":  # side by side within 0.8 of each category: 0.4 each
        assert [round(b.get_x() + b.get_width() / 2, 6) for b in bars] == [-0.2, 0.8, 0.2, 1.2]
    else:
        assert [round(b.get_x() + b.get_width() / 2, 6) for b in bars] == [0, 1, 0, 1]
    assert shown_ticks(ax.xaxis) == [(0, "a"), (1, "b")]


def test_the_monthly_split_stacks_each_approachs_parts_to_its_month_first_on_top(report_data):
    figure = charts.monthly_split(report_data.costs)
    _, ax = plot_of(figure)
    rows = len(report_data.costs.approaches)
    bars = bars_of(ax)
    assert len(bars) == 3 * rows
    totals = np.sum([trace.x for trace in figure.data], axis=0)
    for row in range(rows):
        parts = sorted((b for b in bars[row::rows]), key=lambda b: b.get_x())
        assert parts[0].get_x() == 0
        assert parts[-1].get_x() + parts[-1].get_width() == pytest.approx(totals[row])
    top, bottom = ax.get_ylim()
    assert top > bottom  # autorange reversed: the first approach on top
    assert shown_ticks(ax.yaxis)[0][1] == charts.title_of(next(iter(report_data.costs.approaches)))


def test_bars_with_a_base_run_from_it(report_data):
    figure = charts.tornado_chart(report_data.costs, report_data.tornado_bars, *report_data.tornado_pair)
    _, ax = plot_of(figure)
    base = figure.data[0].base
    for bar, delta in zip(bars_of(ax), [*figure.data[0].x, *figure.data[1].x], strict=True):
        assert bar.get_x() == pytest.approx(base) and bar.get_width() == pytest.approx(delta)
    now = next(t for t in ax.texts if t.get_text().startswith("now: "))
    assert now.xy == (pytest.approx(base), 1)


def test_error_bars_span_the_interval():
    figure = charts.accuracy_comparison([fake_result()])
    _, ax = plot_of(figure)
    (segments,) = [c.get_segments() for c in ax.collections if len(c.get_segments()) == 3]
    accuracy = figure.data[0].y
    plus, minus = figure.data[0].error_y.array, figure.data[0].error_y.arrayminus
    for segment, a, up, down in zip(segments, accuracy, plus, minus, strict=True):
        assert sorted(segment[:, 1]) == pytest.approx([a - down, a + up])


def test_a_band_fills_with_its_rgba_colour(report_data):
    figure = charts.cumulative_bands_chart(report_data.bands, 100)
    _, ax = plot_of(figure)
    band = figure.data[0]
    fills = [p for p in ax.patches if not isinstance(p, Rectangle)]
    assert len(fills) == len(report_data.bands)
    assert fills[0].get_facecolor() == pytest.approx(rgba(band.fillcolor))
    assert fills[0].get_facecolor()[3] == pytest.approx(0.18)
    assert len(fills[0].get_path().vertices) >= len(band.x)


def test_tonexty_fills_between_a_trace_and_the_one_before_it():
    figure = go.Figure([go.Scatter(x=[1, 2, 3], y=[1, 2, 3], mode="lines"),
                        go.Scatter(x=[1, 2, 3], y=[2, 4, 5], mode="lines", fill="tonexty")])
    _, ax = plot_of(figure)
    (band,) = ax.patches
    outline = band.get_path().vertices[:-1].tolist()  # without the closing point
    assert outline == [[1, 2], [2, 4], [3, 5], [3, 3], [2, 2], [1, 1]]  # along this trace, back along the other
    assert band.get_facecolor()[3] == pytest.approx(0.5)  # plotly's default: the line's colour, half


def test_bar_text_sits_outside_the_bar_and_a_break_even_note_points_with_an_arrow(report_data):
    _, ax = plot_of(charts.cheapest_share(report_data.recommendation))
    texts = {t.get_text(): t for t in ax.texts}
    shown = [r for r in report_data.recommendation.ranked if r.cheapest_share is not None]
    for row in shown:
        label = texts[f"{row.cheapest_share:.0%}"]
        assert label.xy[1] == pytest.approx(row.cheapest_share) and label.get_verticalalignment() == "bottom"
    figure = charts.cumulative_cost(report_data.costs, report_data.recommendation.break_even_pairs)
    notes = [a for a in figure.layout.annotations if a.showarrow]
    _, ax = plot_of(figure)
    arrows = [t for t in ax.texts if getattr(t, "arrow_patch", None) is not None]
    assert len(arrows) == len(notes) >= 1
    assert arrows[0].xy == (notes[0].x, pytest.approx(10 ** notes[0].y))  # a log axis: log10 units


def test_crowded_category_labels_tilt_and_roomy_ones_do_not(report_data):
    _, ax = plot_of(charts.monte_carlo_bands(report_data.mc))  # nine approach names across
    assert {label.get_rotation() for label in ax.xaxis.get_ticklabels()} == {30}
    _, ax = plot_of(charts.accuracy_comparison([fake_result()]))  # three
    assert {label.get_rotation() for label in ax.xaxis.get_ticklabels()} == {0}


def test_every_report_chart_is_drawn_in_the_pictures_size_with_nothing_outside_or_overlapping(report_data):
    for chart in figures(report_data):
        drawn, ax = plot_of(chart.figure)
        assert drawn.canvas.get_width_height() == (PNG_WIDTH * PNG_SCALE, height_of(chart.figure) * PNG_SCALE)
        renderer = drawn.canvas.get_renderer()
        outer = drawn.get_tightbbox(renderer).transformed(drawn.dpi_scale_trans)
        assert outer.x0 >= 0 and outer.y0 >= 0, chart.key
        assert outer.x1 <= drawn.bbox.width and outer.y1 <= drawn.bbox.height, chart.key
        # under the plot, top to bottom: the x axis's labels, then the legend and notes, none covering another
        under = [ax.xaxis.get_tightbbox(renderer)]
        legend = ax.get_legend()
        if legend is not None and legend.get_window_extent(renderer).y1 <= ax.bbox.y0:
            under.append(legend.get_window_extent(renderer))
        under += [t.get_window_extent(renderer) for t in ax.texts
                  if t.get_window_extent(renderer).y1 <= ax.bbox.y0]
        under.sort(key=lambda box: -box.y1)
        assert all(a.y0 >= b.y1 for a, b in zip(under, under[1:], strict=False)), chart.key
        if legend is not None:
            assert legend.get_window_extent(renderer).width <= drawn.bbox.width, chart.key


def test_the_tornado_stacks_axis_title_legend_and_note_in_that_order(report_data):
    figure = charts.tornado_chart(report_data.costs, report_data.tornado_bars, *report_data.tornado_pair)
    drawn, ax = plot_of(figure)
    renderer = drawn.canvas.get_renderer()
    title = ax.xaxis.label.get_window_extent(renderer)
    legend = ax.get_legend().get_window_extent(renderer)
    note = next(t for t in ax.texts if "more inputs move it" in t.get_text()).get_window_extent(renderer)
    assert title.y0 >= legend.y1 and legend.y0 >= note.y1


def test_what_cannot_be_drawn_comes_back_as_none_with_a_one_line_reason():
    png, missing = to_png(go.Figure(go.Heatmap(z=[[1, 2], [3, 4]])))
    assert png is None
    assert missing.startswith(UNAVAILABLE) and "heatmap" in missing and "\n" not in missing
    png, missing = to_png(go.Figure(go.Scatter(x=[1, 2], y=[3, 4], line={"color": "oklch(0.7 0.15 180)"})))
    assert png is None and "oklch(0.7 0.15 180)" in missing  # a CSS colour plotly takes and this does not
    png, missing = to_png(go.Figure(go.Scatter(x=[1, 2], y=[3, 4], line={"color": "hsl(120deg 100% 25%)"})))
    assert missing is None
    assert Image.open(io.BytesIO(png)).size == (PNG_WIDTH * PNG_SCALE, 380 * PNG_SCALE)  # DEFAULT_HEIGHT


def test_tick_labels_and_text_read_as_plotly_writes_them():
    assert tick_label(-4400.3, ",.0f", "$") == r"−\$4,400"  # $ escaped: matplotlib reads $...$ as maths
    assert tick_label(0.5, ".0%") == "50%"
    assert [tick_label(v) for v in (0.25, 20_000, 1_500_000, -3)] == ["0.25", "20k", "1.5M", "−3"]
    assert plain("a<br>b <i>c</i> &amp; $1–$2") == "a\nb c & \\$1–\\$2"
    assert rgba("rgba(86,180,233,0.18)") == pytest.approx((86 / 255, 180 / 255, 233 / 255, 0.18))
    assert rgba("#D55E00", 0.5) == pytest.approx((213 / 255, 94 / 255, 0, 0.5))
    assert rgba("rgba(255 0 0 / 0.5)") == rgba("hsla(0, 100%, 50%, 0.5)") == (1, 0, 0, 0.5)  # plotly's CSS forms
