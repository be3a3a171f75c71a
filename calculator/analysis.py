"""One analysis of a scenario: every figure a face shows, computed once from the scenario and its runs.

The dashboard caches it per scenario, the reports lay it out, the CLI prints it. Torch-free and
plotly-free: the cost command imports it without loading a chart library.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from calculator.costs import CostReport, evaluate
from calculator.hosting import HostingVariants, hosting_variants
from calculator.label_sources import LabelSources, label_sources
from calculator.measured import apply_benchmark
from calculator.recommend import Recommendation, recommend
from calculator.recommend.reasons import sensitivity_of
from calculator.scenario import Scenario
from calculator.summary import run_monte_carlo, summary_of
from calculator.uncertainty import (
    DEFAULT_DRAWS,
    Band,
    MonteCarlo,
    TornadoBar,
    cumulative_bands,
)
from core.result import BenchmarkResult

BAND_DRAWS = 4_000


@dataclass(frozen=True)
class Analysis:
    scenario: Scenario  # with the benchmark's measured inputs applied: rerunning it gives these numbers
    results: list[BenchmarkResult]
    costs: CostReport
    mc: MonteCarlo
    recommendation: Recommendation
    tornado_pair: tuple[str, str]
    tornado_bars: list[TornadoBar]  # empty when only one approach is compared
    bands: dict[str, Band]  # cumulative cost P10/median/P90 by month, over BAND_DRAWS draws
    summary: dict[str, Any]  # every figure as plain data (summary_of)
    hosting_variants: HostingVariants  # the tuned approaches on own GPUs and at the provider, by TCO
    label_sources: LabelSources  # the tuned approaches on people's labels and on a teacher's

    def to_dict(self) -> dict[str, Any]:
        """What `prompt-or-tune cost --json` prints: the summary with the recommendation."""
        return {**self.summary, "hosting_variants": self.hosting_variants.to_dict(),
                "label_sources": self.label_sources.to_dict(), "recommendation": self.recommendation.to_dict()}


def analyze(scenario: Scenario, results: Sequence[BenchmarkResult] = (),
            draws: int = DEFAULT_DRAWS) -> Analysis:
    """Apply the benchmark runs (the last one given supplies the measured inputs) and compute all.

    A scenario that already carries one of these runs keeps the rows chosen when it was applied
    (the dashboard's checkboxes, the CLI's --apply-mismatched); else each run applies its rows
    measured on the models the scenario prices. Raises ScenarioError / PriceNotFound like `evaluate`.
    """
    carried = scenario.measured.run_id if scenario.measured else None
    if carried not in {result.run_id for result in results}:
        for result in results:
            scenario = apply_benchmark(scenario, result)
    costs = evaluate(scenario)
    mc = run_monte_carlo(costs, draws)
    sensitivity = sensitivity_of(costs)  # the reasons' bars of the choice and its rival are the chart's
    rec = recommend(costs, mc, sensitivity)
    pair = tornado_pair(costs, rec)
    bars = sensitivity(*pair) if pair[0] != pair[1] else []
    return Analysis(
        scenario=scenario,
        results=list(results),
        costs=costs,
        mc=mc,
        recommendation=rec,
        tornado_pair=pair,
        tornado_bars=bars,
        bands=bands_of(costs),
        summary=summary_of(costs, mc),
        hosting_variants=hosting_variants(costs),
        label_sources=label_sources(costs),
    )


def bands_of(costs: CostReport) -> dict[str, Band]:
    """Cumulative cost bands by month for every priced approach."""
    return cumulative_bands(costs.inputs, list(costs.approaches), costs.scenario.uncertainty, BAND_DRAWS)


def tornado_pair(costs: CostReport, rec: Recommendation) -> tuple[str, str]:
    """The choice against its rival, or the two cheapest approaches when none is chosen."""
    if rec.choice and rec.rival:
        return rec.choice, rec.rival
    names = [c.name for c in costs.ranked()]
    return names[0], names[1] if len(names) > 1 else names[0]
