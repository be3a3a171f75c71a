"""A report is an analysis with the time it was made; the figures are drawn from it here.

The HTML, Markdown, JSON and PDF writers only lay these out; none of them computes a number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime

import plotly.graph_objects as go

from benchmarks.result import BenchmarkResult
from calculator.analysis import BAND_DRAWS, Analysis, analyze
from calculator.recommend import sure
from calculator.scenario import Scenario
from calculator.scenario_io import scenario_to_text
from calculator.uncertainty import DEFAULT_DRAWS
from reporting import charts


@dataclass(frozen=True)
class Chart:
    """A figure whose title is lifted out (the report prints it), so it never meets the legend."""

    key: str
    caption: str
    figure: go.Figure
    title: str = ""

    @classmethod
    def of(cls, key: str, caption: str, figure: go.Figure) -> Chart:
        title = figure.layout.title.text or ""
        untitled = go.Figure(figure).update_layout(title_text=None, margin_t=40)
        return cls(key, caption, untitled, title)


@dataclass(frozen=True)
class ReportData(Analysis):
    """The analysis, and when the report was made (all the report adds)."""

    generated_at: str

    @property
    def scenario_yaml(self) -> str:
        return scenario_to_text(self.scenario, "yaml")


def build(scenario: Scenario, results: Sequence[BenchmarkResult] = (), draws: int = DEFAULT_DRAWS,
          now: datetime | None = None) -> ReportData:
    """The analysis of the scenario and its runs (see `analyze`), stamped with the time."""
    found = analyze(scenario, results, draws)
    return ReportData(**{f.name: getattr(found, f.name) for f in fields(found)},
                      generated_at=(now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC"))


def figures(data: ReportData) -> list[Chart]:
    """Every chart of the report, in reading order."""
    found = [
        Chart.of("cumulative", "Cumulative cost of each approach month by month; x marks where the "
              "recommended approach's curve crosses its rivals' (break-even month).",
              charts.cumulative_cost(data.costs, data.recommendation.break_even_pairs)),
        Chart.of("tco_vs_volume", "Total cost over the horizon at a constant monthly volume; dotted: "
              "the break-even volumes of the recommended approach against its rivals.",
              charts.tco_vs_volume(data.costs, pairs=data.recommendation.break_even_pairs)),
        Chart.of("monthly_split", "An average month: the one-off cost spread over the horizon, the "
              "fixed cost and the per-request cost.", charts.monthly_split(data.costs)),
        Chart.of("unit_costs", "Cost per request and per correct answer (per request ÷ accuracy).",
              charts.unit_costs(data.costs)),
        Chart.of("monte_carlo", "Total cost P10–P90 over the uncertainty ranges.",
              charts.monte_carlo_bands(data.mc)),
        Chart.of("cumulative_bands", "Cumulative cost month by month over the uncertainty ranges: "
              "the line is the median, the band runs from P10 to P90.",
              charts.cumulative_bands_chart(data.bands, BAND_DRAWS)),
        Chart.of("cheapest_share", sure.definition(data.recommendation.draws),
              charts.cheapest_share(data.recommendation)),
    ]
    if data.tornado_bars:
        found.append(Chart.of("tornado", "Which inputs move the cost difference between the "
                           "recommended approach and its closest rival (or the two cheapest), one at "
                           "a time over its range; the black line is the difference today.",
                           charts.tornado_chart(data.costs, data.tornado_bars, *data.tornado_pair)))
    if data.results:
        found.append(Chart.of("accuracy", "Measured accuracy with its 95% interval, per run.",
                           charts.accuracy_comparison(data.results)))
        if any(r.approach("lora") and r.approach("lora").learning_curve for r in data.results):
            found.append(Chart.of("learning_curve", "LoRA accuracy against labeled examples; dotted: "
                               "the best prompt.", charts.learning_curves(data.results)))
        losses = {a.approach: a.training.loss_curve for r in data.results[-1:]
                  for a in r.approaches if a.training and a.training.loss_curve}
        if losses:
            found.append(Chart.of("loss", f"Training loss of run {data.results[-1].run_id}.",
                               charts.loss_curves(losses)))
    return found
