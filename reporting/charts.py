"""The plotly figures of the dashboard and the reports: one color per approach in every chart.

Each function takes calculator or benchmark objects and returns a `go.Figure`; no figure computes
money of its own (TCO against volume asks `calculator.costs.tco` for every volume at once).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from calculator.approaches import REGISTRY
from calculator.breakeven import BreakEven
from calculator.costs import CostReport, tco_at_volumes
from calculator.fields import field_label
from calculator.recommend import Recommendation, sure
from calculator.recommend.wording import count, money
from calculator.uncertainty import Band, MonteCarlo, TornadoBar
from core.approaches import PROMPTING, SPECS
from core.approaches import colour as spec_colour
from core.approaches import title as spec_title
from core.metrics import metric_name
from core.result import ApproachResult, BenchmarkResult
from reporting.grid import in_unit
from reporting.run_rows import score, score_interval

# One colour per approach, from the spec (fixed by approach, not by order, in every chart).
APPROACH_COLORS: dict[str, str] = {s.name: s.colour for s in SPECS}
OFF_SCALE_FAMILIES = ("pretraining",)  # drawn, but left off the axis range when above every other line
# A log axis is labelled at 1-2-5 in each decade; denser inside about one decade, whole decades (then
# every other one) over a wide range, so it always has MIN_TICKS to MAX_TICKS labels.
TICKS_125, TICKS_DENSE = (1, 2, 5), (1, 1.5, 2, 3, 5, 7)
MIN_TICKS, MAX_TICKS = 3, 9
NOTE_WIDTH = 70  # characters per line of a note under a half-width chart
MIN_SWING_SHARE = 0.005  # tornado bars narrower than this share of the widest are dropped
PART_COLORS = {"one-off": "#7F7F7F", "fixed": "#B9A07A", "per request": "#4C78A8"}
# Every figure's template, as plotly's default: a new Figure takes the default without validating it
# again (set explicitly, the template was validated per figure: half the time of drawing a chart).
pio.templates.default = "plotly_white"
LAYOUT = {
    "height": 400,
    "margin": {"l": 60, "r": 20, "t": 40, "b": 40},
    "legend": {"orientation": "h", "yanchor": "top", "y": -0.18, "x": 0},
    "modebar": {"orientation": "v"},
}


title_of = spec_title
color_of = spec_colour


def _figure(title: str, x_title: str, y_title: str, **layout: object) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(title={"text": title}, xaxis_title=x_title, yaxis_title=y_title,
                      **{**LAYOUT, **layout})
    return fig


def _at(steps: Sequence[float], low: float, high: float) -> list[float]:
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    return [m * 10.0**d for d in range(first, last + 1) for m in steps
            if low * (1 - 1e-9) <= m * 10.0**d <= high * (1 + 1e-9)]


def log_ticks(low: float, high: float) -> list[float]:
    """Tick values for a log axis over [low, high]: MIN_TICKS to MAX_TICKS of them, at 1-2-5 where
    that gives enough (a two-decade axis labelled only at 10 and 100 reads as no scale at all)."""
    if not 0 < low < high:
        return [low] if low > 0 else []
    found = _at(TICKS_125, low, high)
    if len(found) < MIN_TICKS:
        found = _at(TICKS_DENSE, low, high)
    if len(found) < MIN_TICKS:  # a narrow range: evenly spaced in log, three significant figures
        return sorted({float(f"{v:.3g}") for v in np.geomspace(low, high, MIN_TICKS)})
    if len(found) > MAX_TICKS:
        found = _at((1,), low, high)
        found = found[::math.ceil(len(found) / MAX_TICKS)]
    return found


def tick_money(value: float) -> str:
    """$0.0005, $2, $1,500, $20k, $1.5M: short enough for an axis."""
    if value >= 1:
        return f"${count(value)}"
    return f"${value:.{1 - math.floor(math.log10(value))}f}".rstrip("0").rstrip(".")


def _positive(values: Iterable[float]) -> list[float]:
    return [float(v) for v in values if v is not None and np.isfinite(v) and v > 0]


def _log_axis(fig: go.Figure, values: Iterable[float], axis: str = "y", money_ticks: bool = True,
              clip: tuple[float, float] | None = None) -> None:
    """A log axis with labelled ticks from log_ticks over the values (or over `clip`, which also
    fixes the axis range)."""
    shown = _positive(values)
    if not shown:
        return
    low, high = clip or (min(shown), max(shown))
    ticks = log_ticks(low, high)
    update = fig.update_xaxes if axis == "x" else fig.update_yaxes
    update(type="log", tickvals=ticks, ticktext=[tick_money(t) if money_ticks else count(t) for t in ticks])
    if clip:
        update(range=[math.log10(low), math.log10(high)])


def _money_axis(fig: go.Figure, series: Mapping[str, Iterable[float]]) -> None:
    """A log money y axis over every approach's values; an approach of OFF_SCALE_FAMILIES lying wholly
    above the others is left off the range, its legend entry and a note giving its figures."""
    values = {name: _positive(v) for name, v in series.items()}
    others = [v for name, vs in values.items() if REGISTRY[name].spec.family not in OFF_SCALE_FAMILIES
              for v in vs]
    off = [name for name, vs in values.items() if REGISTRY[name].spec.family in OFF_SCALE_FAMILIES
           and vs and others and min(vs) > max(others)]
    if not off:
        _log_axis(fig, [v for vs in values.values() for v in vs])
        return
    low, high = min(others), max(others)
    _log_axis(fig, others, clip=(low / 1.15, high * 1.15))
    notes = []
    for name in off:
        lowest, highest = money(min(values[name])), money(max(values[name]))
        figures = lowest if lowest == highest else f"{lowest}–{highest}"
        fig.update_traces(selector={"name": title_of(name)}, name=f"{title_of(name)} (off the scale)")
        notes.append(f"{title_of(name)}: {figures}, above this scale")
    fig.add_annotation(text="; ".join(notes), xref="paper", yref="paper", x=1, y=1, xanchor="right",
                       yanchor="bottom", showarrow=False, font={"size": 11, "color": "#555555"})


def _pairs_that_matter(report: CostReport, pairs: Sequence[tuple[str, str]]) -> list[BreakEven]:
    """The break-evens of the given pairs (the choice against its rivals), in the pairs' order."""
    wanted = [frozenset(pair) for pair in pairs]
    found = [be for be in report.break_even if frozenset((be.approach, be.versus)) in wanted]
    return sorted(found, key=lambda be: wanted.index(frozenset((be.approach, be.versus))))


def cumulative_cost(report: CostReport, pairs: Sequence[tuple[str, str]] = ()) -> go.Figure:
    """Cumulative cost per approach over the horizon; the crossings (break-even months) of the given
    pairs marked and labelled (the choice against its rivals, not every pair)."""
    fig = _figure("Cumulative cost over the horizon", "month", "cumulative cost (USD)")
    months = list(range(1, report.horizon_months + 1))
    for name, costs in report.approaches.items():
        fig.add_scatter(x=months, y=costs.cumulative_usd, name=title_of(name), mode="lines",
                        line={"color": color_of(name), "width": 2.5},
                        hovertemplate="month %{x}: $%{y:,.0f}<extra>" + title_of(name) + "</extra>")
    xs, ys, texts = [], [], []
    for be in _pairs_that_matter(report, pairs):
        if be.month is None or be.approach not in report.approaches:
            continue
        xs.append(be.month)
        ys.append(report.approaches[be.approach].cumulative_usd[be.month - 1])
        texts.append(f"{title_of(be.approach)} = {title_of(be.versus)}, month {be.month}")
    if xs:
        fig.add_scatter(x=xs, y=ys, mode="markers", name="break-even", hovertext=texts, hoverinfo="text",
                        marker={"symbol": "x", "size": 11, "color": "black"})
    for x, y, text in zip(xs, ys, texts, strict=True):  # a log axis places annotations in log10 units
        fig.add_annotation(x=x, y=math.log10(y), text=text, showarrow=True, arrowhead=0, ax=-30, ay=-36,
                           bgcolor="rgba(255,255,255,0.85)", bordercolor="#999999", font={"size": 11})
    _money_axis(fig, {name: c.cumulative_usd for name, c in report.approaches.items()})
    return fig


def _approach_rows(fig: go.Figure) -> None:
    """Horizontal bars, one row per approach in the scenario's order, full names readable."""
    fig.update_yaxes(autorange="reversed", automargin=True, ticksuffix="  ")


def monthly_split(report: CostReport) -> go.Figure:
    """An average month per approach: one-off spread over the horizon, fixed, per-request parts."""
    fig = _figure("Average month by part (one-off spread over the horizon)", "USD per month", "",
                  barmode="stack")
    names = list(report.approaches)
    horizon = report.horizon_months
    mean_volume = float(np.mean(report.volumes))
    parts = {
        "one-off": [float(report.approaches[n].profile.one_off_usd) / horizon for n in names],
        "fixed": [float(report.approaches[n].profile.monthly_fixed_usd) for n in names],
        "per request": [float(report.approaches[n].profile.per_request_usd) * mean_volume
                        for n in names],
    }
    for part, values in parts.items():
        fig.add_bar(y=[title_of(n) for n in names], x=values, name=part, orientation="h",
                    marker_color=PART_COLORS[part],
                    hovertemplate="%{y}: $%{x:,.2f}<extra>" + part + "</extra>")
    fig.update_xaxes(tickprefix="$")
    _approach_rows(fig)
    return fig


def unit_costs(report: CostReport) -> go.Figure:
    """Cost per request (running, a fleet's fixed cost included: ApproachCosts.cost_per_request_usd), and
    per correct answer (all-in TCO over the right answers) where the approach's score is known."""
    fig = _figure("Cost per request and per correct answer", "USD", "", barmode="group")
    names = list(report.approaches)
    per_request = [report.approaches[n].cost_per_request_usd or float("nan") for n in names]
    per_correct = [report.approaches[n].cost_per_correct_usd for n in names]
    labels = [title_of(n) for n in names]
    fig.add_bar(y=labels, x=per_request, name="per request", orientation="h",
                marker_color=[color_of(n) for n in names], hovertemplate="%{y}: $%{x:.3r}")
    fig.add_bar(y=labels, x=[float("nan") if v is None else v for v in per_correct],
                name="per correct answer", orientation="h", marker_color=[color_of(n) for n in names],
                marker_pattern_shape="/", hovertemplate="%{y}: $%{x:.3r}")
    _log_axis(fig, [v for v in per_request + per_correct if v is not None], axis="x")
    _approach_rows(fig)
    return fig


def volume_grid(report: CostReport, points: int = 60) -> np.ndarray:
    """Monthly volumes from 100× below to 100× above the scenario's, log-spaced."""
    center = max(report.scenario.workload.requests_per_month, 1.0)
    return np.logspace(np.log10(center / 100), np.log10(center * 100), points)


def tco_vs_volume(report: CostReport, volumes: np.ndarray | None = None,
                  pairs: Sequence[tuple[str, str]] = ()) -> go.Figure:
    """TCO by the volume the reader types (the first month's; later months grown at the scenario's rate),
    log x: the break-even volumes of the given pairs (the choice against its rivals) marked and labelled
    where they fall on the plot, in the same unit."""
    volumes = volume_grid(report) if volumes is None else volumes
    growth = float(report.inputs["workload.monthly_growth_pct"])
    kept = f", growing {growth:g}%/month" if growth else ""
    fig = _figure(f"TCO over {report.horizon_months} months by requests per month (first month{kept})",
                  "requests per month (first month)", "TCO (USD)")
    series = {}
    for name in report.approaches:
        totals = tco_at_volumes(report.inputs, name, volumes)
        series[name] = totals
        fig.add_scatter(x=volumes, y=totals, name=title_of(name), mode="lines",
                        line={"color": color_of(name), "width": 2.5},
                        hovertemplate="%{x:,.0f} req/month: $%{y:,.0f}<extra>"
                        + title_of(name) + "</extra>")
    low, high = float(volumes[0]), float(volumes[-1])
    for be in _pairs_that_matter(report, pairs):
        volume = be.requests_per_month
        if volume is not None and low <= volume <= high:
            _log_vline(fig, volume, f"{title_of(be.approach)} = {title_of(be.versus)} at {count(volume)}/month",
                       {"color": "#777777", "dash": "dot", "width": 1}, at_top=False)
    _log_vline(fig, report.scenario.workload.requests_per_month, "your volume", {"color": "black", "width": 1.5})
    _log_axis(fig, [low, high], axis="x", money_ticks=False)
    _money_axis(fig, series)
    return fig


def _log_vline(fig: go.Figure, x: float, text: str, line: dict, at_top: bool = True) -> None:
    """A vertical line on a log x axis with its label (add_vline's own label lands at x, not log10 x,
    off the plot)."""
    fig.add_vline(x=x, line=line)
    fig.add_annotation(x=math.log10(x), xref="x", y=1 if at_top else 0, yref="paper", text=text,
                       showarrow=False, xanchor="left", yanchor="top" if at_top else "bottom", xshift=4,
                       bgcolor="rgba(255,255,255,0.85)", font={"size": 11})


def _usd(value: float) -> str:
    return f"{'−' if value < 0 else ''}${abs(value):,.0f}"


def shown_bars(bars: Iterable[TornadoBar], share: float = MIN_SWING_SHARE) -> list[TornadoBar]:
    """The bars worth drawing: a swing of at least `share` of the largest swing."""
    bars = list(bars)
    widest = max((bar.swing_usd for bar in bars), default=0.0)
    return [bar for bar in bars if bar.swing_usd >= share * widest]


def tornado_chart(report: CostReport, bars: Iterable[TornadoBar], a: str, b: str) -> go.Figure:
    """TCO(a) − TCO(b) today (the base line), and where it goes with each input at its low and high.

    Each bar runs from the base difference to the difference with one input moved; inputs that
    move it by less than MIN_SWING_SHARE of the widest swing are left out (the caption says how many).
    """
    every = list(bars)
    kept = shown_bars(every)[::-1]  # widest on top
    base = report.approaches[a].tco_usd - report.approaches[b].tco_usd
    height = max(300, 150 + 30 * len(kept))
    below = height - 40 - 110  # plot area in pixels: legend and note sit at fixed pixels under it
    fig = _figure(f"Sensitivity: {title_of(a)} vs {title_of(b)}",
                  f"TCO({title_of(a)}) − TCO({title_of(b)}) over {report.horizon_months} months "
                  f"(below 0: {title_of(a)} is cheaper)", "", barmode="overlay", height=height,
                  margin={"l": 20, "r": 20, "t": 40, "b": 110},
                  legend={"orientation": "h", "yanchor": "top", "y": -58 / below, "x": 0})
    labels = [field_label(bar.input) + ("" if bar.ranged else " (±25%)") for bar in kept]
    units = [report.inputs.quantities[bar.input].unit if bar.input in report.inputs.quantities
             else "" for bar in kept]
    for side, color in (("low", "#9ecae1"), ("high", "#2171b5")):
        deltas = [getattr(bar, f"{side}_delta_usd") for bar in kept]
        values = [getattr(bar, f"{side}_value") for bar in kept]
        fig.add_bar(y=labels, x=[d - base for d in deltas], base=base, orientation="h",
                    name=f"input at its {side} value", marker_color=color,
                    customdata=[[bar.input, in_unit(value, unit), _usd(delta)]
                                for bar, value, unit, delta in zip(kept, values, units, deltas, strict=True)],
                    hovertemplate="%{y}<br><i>%{customdata[0]}</i> = %{customdata[1]}"
                                  "<br>difference %{customdata[2]}<extra>" + side + "</extra>")
    fig.add_vline(x=base, line={"color": "black", "width": 1.5},
                  annotation_text=f"now: {_usd(base)}", annotation_position="top")
    if len(kept) < len(every):
        fig.add_annotation(text=f"{len(every) - len(kept)} more inputs move it by less than "
                                f"{MIN_SWING_SHARE:.1%} of the widest bar: not shown",
                           xref="paper", yref="paper", x=0, y=-84 / below, yanchor="top",
                           showarrow=False, font={"size": 11, "color": "#666666"}, xanchor="left")
    fig.update_xaxes(tickprefix="$", tickformat=",.0f")
    fig.update_yaxes(automargin=True)
    return fig


def monte_carlo_bands(mc: MonteCarlo) -> go.Figure:
    """TCO P10–P90 band and median per approach, from the Monte Carlo draws."""
    names = list(mc.tco_p50)
    fig = _figure(f"TCO range over {mc.draws:,} draws (P10, median, P90)", "", "TCO (USD)")
    for name in names:
        p10, p50, p90 = mc.tco_p10[name], mc.tco_p50[name], mc.tco_p90[name]
        fig.add_scatter(x=[title_of(name)], y=[p50], mode="markers", name=title_of(name),
                        marker={"color": color_of(name), "size": 12}, showlegend=False,
                        error_y={"type": "data", "symmetric": False, "array": [p90 - p50],
                                 "arrayminus": [p50 - p10], "thickness": 6, "width": 0,
                                 "color": color_of(name)},
                        hovertemplate=f"P10 ${p10:,.0f}<br>median ${p50:,.0f}<br>P90 ${p90:,.0f}"
                        f"<extra>{title_of(name)}</extra>")
    _money_axis(fig, {n: (mc.tco_p10[n], mc.tco_p90[n]) for n in names})
    return fig


def _translucent(color: str, alpha: float = 0.18) -> str:
    red, green, blue = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def cumulative_bands_chart(bands: dict[str, Band], draws: int) -> go.Figure:
    """Cumulative cost month by month under the uncertainty ranges: a P10–P90 band and the median."""
    fig = _figure(f"Cumulative cost with its P10–P90 band ({draws:,} draws)", "month",
                  "cumulative cost (USD)")
    for name, band in bands.items():
        months = list(range(1, len(band.p50) + 1))
        color, label = color_of(name), title_of(name)
        fig.add_scatter(x=months + months[::-1], y=band.p90 + band.p10[::-1], fill="toself",
                        fillcolor=_translucent(color), line={"width": 0}, hoverinfo="skip",
                        legendgroup=name, showlegend=False, name=f"{label} P10–P90")
        fig.add_scatter(x=months, y=band.p50, mode="lines", name=label, legendgroup=name,
                        line={"color": color, "width": 2}, customdata=list(zip(band.p10, band.p90, strict=True)),
                        hovertemplate="month %{x}: median $%{y:,.0f}<br>P10 $%{customdata[0]:,.0f}, "
                                      "P90 $%{customdata[1]:,.0f}<extra>" + label + "</extra>")
    _money_axis(fig, {name: band.p10 + band.p90 for name, band in bands.items()})
    return fig


def cheapest_share(rec: Recommendation) -> go.Figure:
    """Each qualifying approach's chance cheapest (calculator/recommend/sure.py); the others are
    named under the bars, out of the running."""
    shown = [r for r in rec.ranked if r.cheapest_share is not None]
    fig = _figure(f"{sure.TITLE}, over {rec.draws:,} draws", "", "share of draws")
    fig.add_bar(x=[r.title for r in shown], y=[r.cheapest_share for r in shown],
                marker_color=[color_of(r.name) for r in shown], hovertemplate="%{x}: %{y:.1%}<extra></extra>",
                text=[f"{r.cheapest_share:.0%}" for r in shown], textposition="outside")
    fig.update_yaxes(range=[0, 1.1], tickformat=".0%")
    out = [r.title for r in rec.ranked if r.cheapest_share is None]
    if out:
        words = ("Not qualifying: " if shown else "No approach qualifies: ") + ", ".join(out)
        fig.add_annotation(text="<br>".join(textwrap.wrap(words, NOTE_WIDTH, break_on_hyphens=False)), xref="paper", yref="paper",
                           x=0, y=-0.12, xanchor="left", yanchor="top", align="left", showarrow=False,
                           font={"size": 11, "color": "#555555"})
        fig.update_layout(margin_b=110)
    return fig


def _metrics(results: Iterable[BenchmarkResult]) -> list[str]:
    """The primary metrics of the runs' rows, in order of first appearance."""
    return list(dict.fromkeys(a.quality.metric for r in results for a in r.approaches))


def _quality_axis(fig: go.Figure, metrics: list[str]) -> None:
    """0 to 1: accuracy as a percentage, any other metric (chrF, field F1) as a plain score."""
    fig.update_yaxes(range=[0, 1], tickformat=".0%" if metrics in ([], ["accuracy"]) else ".1f")


def _shown(metric: str, value: float) -> str:
    """"75.0%" for accuracy, "chrF 0.412" for any other metric."""
    return f"{value:.1%}" if metric == "accuracy" else f"{metric_name(metric)} {value:.3f}"


def _hover_y(metric: str) -> str:
    """_shown's words for a hover's y value."""
    return "%{y:.1%}" if metric == "accuracy" else f"{metric_name(metric)} %{{y:.3f}}"


def accuracy_comparison(results: Iterable[BenchmarkResult]) -> go.Figure:
    """Each approach's quality with its 95% interval, one group per benchmark run: accuracy for a
    classification run, the task kind's own metric (chrF, field F1) for a text run, named on the axis
    (and, when runs of several metrics are compared, in each run's legend entry)."""
    results = list(results)
    metrics = _metrics(results)
    if len(metrics) > 1:
        fig = _figure("Quality with 95% interval (each run on its task's metric)", "approach", "score",
                      barmode="group")
    elif metrics and metrics != ["accuracy"]:
        name = metric_name(metrics[0])
        fig = _figure(f"{name} with 95% interval", "approach", name, barmode="group")
    else:
        fig = _figure("Accuracy with 95% interval", "approach", "accuracy", barmode="group")
    for result in results:
        approaches = result.approaches
        values, intervals = [score(a) for a in approaches], [score_interval(a) for a in approaches]
        metric = approaches[0].quality.metric if approaches else "accuracy"
        fig.add_bar(
            x=[title_of(a.approach) for a in approaches], y=values,
            name=result.run_id if len(metrics) <= 1 else f"{result.run_id} ({metric_name(metric)})",
            marker_color=[color_of(a.approach) for a in approaches],
            error_y={"type": "data", "symmetric": False,
                     "array": [high - v for v, (_, high) in zip(values, intervals, strict=True)],
                     "arrayminus": [v - low for v, (low, _) in zip(values, intervals, strict=True)]},
            hovertemplate="%{x}: " + _hover_y(metric) + "<extra>" + result.run_id + "</extra>")
    _quality_axis(fig, metrics)
    return fig


# Where successive best-prompt labels go, so lines of several runs do not print over each other.
_LABEL_POSITIONS = ("top right", "bottom right", "top left", "bottom left")


def _point(point) -> tuple[float, tuple[float, float]]:
    """A curve point's value and interval on its metric (a classification point's accuracy)."""
    if point.accuracy is not None:
        return point.accuracy, point.accuracy_ci or point.quality.interval
    return point.quality.value, point.quality.interval


def learning_curves(results: Iterable[BenchmarkResult]) -> go.Figure:
    """Quality (accuracy, or a text task's metric) against labeled examples of each row with a learning
    curve (the spec's `learning_curve`); each run's best prompt as a dotted line. Runs whose best prompt
    is the same approach at the same score share one line and one label; run ids are named only where
    lines differ (a long label would run off the plot)."""
    results = list(results)
    metrics = _metrics([r for r in results if any(a.learning_curve for a in r.approaches)])
    axis = ("score" if len(metrics) > 1 else metric_name(metrics[0])) if metrics else "accuracy"
    fig = _figure(f"Learning curve: {axis} against labeled examples", "labeled examples", axis)
    best_prompts: dict[tuple[str, str, float], list[str]] = {}
    for result in results:
        curved = [a for a in result.approaches if a.learning_curve]
        if not curved:
            continue
        for trained in curved:
            points = [_point(p) for p in trained.learning_curve]
            fig.add_scatter(x=[p.labeled_examples for p in trained.learning_curve], y=[v for v, _ in points],
                            mode="lines+markers", name=f"{title_of(trained.approach)}, {result.run_id}",
                            line={"color": color_of(trained.approach)},
                            error_y={"type": "data", "symmetric": False,
                                     "array": [high - v for v, (_, high) in points],
                                     "arrayminus": [v - low for v, (low, _) in points]})
        prompts = [a for a in result.approaches if a.approach in PROMPTING]
        if prompts:
            best = max(prompts, key=score)
            best_prompts.setdefault((best.approach, best.quality.metric, score(best)), []).append(result.run_id)
    for i, ((approach, metric, value), run_ids) in enumerate(best_prompts.items()):
        whose = f" ({', '.join(run_ids)})" if len(best_prompts) > 1 else ""  # only to tell lines apart
        fig.add_hline(y=value, line={"color": color_of(approach), "dash": "dot"},
                      annotation_text=f"best prompt: {title_of(approach)}, {_shown(metric, value)}{whose}",
                      annotation_position=_LABEL_POSITIONS[i % len(_LABEL_POSITIONS)])
    examples = [trace.x for trace in fig.data]
    _log_axis(fig, [x for xs in examples for x in xs], axis="x", money_ticks=False)
    _quality_axis(fig, metrics)
    return fig


def search_curve(row: ApproachResult, run_id: str) -> go.Figure:
    """A prompt search's validation curve: each trial's validation score in the order tried, the best so far
    as a step line, the chosen trial ringed, and the chosen prompt's test score as a dotted line, labelled as
    the test split it is (examples the search never saw, so not a point of the curve)."""
    search = row.search
    if search is None:
        raise ValueError(f"{title_of(row.approach)} of run {run_id} ran no prompt search")
    metric, colour = search.metric, color_of(row.approach)
    name, trials = metric_name(metric), list(range(1, len(search.trials) + 1))
    scores = [t.validation_score for t in search.trials]
    fig = _figure(f"Validation {name} by trial<br><sup>the prompt search of run {run_id}</sup>",
                  "trial, in the order tried", f"{name} on {search.validation_examples:,} validation examples",
                  height=440, margin={**LAYOUT["margin"], "t": 60, "b": 130},  # room for a legend of two rows
                  legend={**LAYOUT["legend"], "y": -55 / 250})  # 55 px under a plot 250 px high: below the x title
    fig.add_scatter(x=trials, y=np.maximum.accumulate(scores), mode="lines", line_shape="hv", name="best so far",
                    line={"color": colour, "width": 1.5, "dash": "dash"}, hoverinfo="skip")
    fig.add_scatter(x=trials, y=scores, mode="markers", name="trial", marker={"color": colour, "size": 9},
                    customdata=[t.candidate for t in search.trials],
                    hovertemplate="trial %{x}: %{customdata}<br>" + _hover_y(metric) + f"<extra>{run_id}</extra>")
    chosen = search.trials[search.chosen]
    fig.add_scatter(x=[search.chosen + 1], y=[chosen.validation_score], mode="markers", name="chosen",
                    marker={"symbol": "circle-open", "size": 20, "color": "black", "line": {"width": 2}},
                    hoverinfo="skip")
    test = _shown(metric, row.quality.value)  # a legend entry, not a label on the plot: it would hide trials
    fig.add_scatter(x=[0.5, len(trials) + 0.5], y=[row.quality.value] * 2, mode="lines",
                    name=f"test: {test} on {row.n_test:,} other examples", line={"color": "#555555", "dash": "dot"},
                    hovertemplate=f"the chosen prompt on the test split: {test}<extra>{run_id}</extra>")
    fig.update_xaxes(tickvals=trials, range=[0.5, len(trials) + 0.5])
    _quality_axis(fig, [metric])
    return fig


def loss_curves(curves: dict[str, list[float]]) -> go.Figure:
    """Training loss per logged step, one line per trained approach."""
    fig = _figure("Training loss", "logged step", "loss", height=300)
    for name, losses in curves.items():
        fig.add_scatter(y=losses, mode="lines", name=title_of(name),
                        line={"color": color_of(name)})
    return fig
