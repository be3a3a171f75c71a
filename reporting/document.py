"""A report is an analysis with the time it was made; the figures are drawn from it here.

The HTML, Markdown, JSON and PDF writers only lay these out; none of them computes a number.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime

import plotly.graph_objects as go

from calculator.analysis import BAND_DRAWS, Analysis, analyze
from calculator.recommend import sure
from calculator.scenario import Scenario
from calculator.scenario_io import scenario_to_text
from calculator.uncertainty import DEFAULT_DRAWS
from core.approaches import title as approach_title
from core.metrics import metric_name
from core.result import BenchmarkResult
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


# The charts of one analysis, by key, in the report's reading order: built here and nowhere else
# (the dashboard's Costs page draws the same ones, dashboard/figures.py).
DRAWINGS: dict[str, Callable[[Analysis], go.Figure]] = {
    "cumulative": lambda a: charts.cumulative_cost(a.costs, a.recommendation.break_even_pairs),
    "tco_vs_volume": lambda a: charts.tco_vs_volume(a.costs, pairs=a.recommendation.break_even_pairs),
    "monthly_split": lambda a: charts.monthly_split(a.costs),
    "unit_costs": lambda a: charts.unit_costs(a.costs),
    "monte_carlo": lambda a: charts.monte_carlo_bands(a.mc),
    "cumulative_bands": lambda a: charts.cumulative_bands_chart(a.bands, BAND_DRAWS),
    "cheapest_share": lambda a: charts.cheapest_share(a.recommendation),
}
CAPTIONS = {
    "cumulative": "Cumulative cost of each approach month by month; x marks where the recommended "
                  "approach's curve crosses its rivals' (break-even month).",
    "tco_vs_volume": "Total cost over the horizon by requests in the first month (later months grown as the "
                     "scenario grows); dotted: the break-even volumes of the recommended approach against its rivals.",
    "monthly_split": "An average month: the one-off cost spread over the horizon, the fixed cost and "
                     "the per-request cost.",
    "unit_costs": "Cost per request (running, incl. fleet) and per correct answer (TCO ÷ the answers that are right).",
    "monte_carlo": "Total cost P10–P90 over the uncertainty ranges.",
    "cumulative_bands": "Cumulative cost month by month over the uncertainty ranges: the line is the "
                        "median, the band runs from P10 to P90.",
}


def figures(data: ReportData) -> list[Chart]:
    """Every chart of the report, in reading order."""
    captions = {**CAPTIONS, "cheapest_share": sure.definition(data.recommendation.draws)}
    found = [Chart.of(key, captions[key], draw(data)) for key, draw in DRAWINGS.items()]
    if data.tornado_bars:
        found.append(Chart.of("tornado", "Which inputs move the cost difference between the "
                           "recommended approach and its closest rival (or the two cheapest), one at "
                           "a time over its range; the black line is the difference today.",
                           charts.tornado_chart(data.costs, data.tornado_bars, *data.tornado_pair)))
    if data.results:
        measured = " or ".join(dict.fromkeys(metric_name(a.quality.metric) for r in data.results for a in r.approaches))
        found.append(Chart.of("accuracy", f"Measured {measured or 'quality'} with its 95% interval, per run.",
                           charts.accuracy_comparison(data.results)))
        curved = list(dict.fromkeys(a.approach for r in data.results for a in r.approaches if a.learning_curve))
        if curved:
            found.append(Chart.of("learning_curve", f"{' and '.join(map(approach_title, curved))} {measured} "
                               "against labeled examples; dotted: the best prompt.", charts.learning_curves(data.results)))
        losses = {a.approach: a.training.loss_curve for r in data.results[-1:]
                  for a in r.approaches if a.training and a.training.loss_curve}
        if losses:
            found.append(Chart.of("loss", f"Training loss of run {data.results[-1].run_id}.",
                               charts.loss_curves(losses)))
    return found
