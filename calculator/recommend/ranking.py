"""Ranking: each approach's status against the accuracy target, its constraint issues, and the order.

An approach "meets" the target when the low end of its 95% interval reaches it (a typed-in accuracy
has no interval, so its value must), "misses" when the high end stays below, and is "uncertain" in
between; with `needs_consistent_output`, a measured paraphrase spread lowers the low end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from calculator.approaches import REGISTRY
from calculator.approaches.spec import title
from calculator.breakeven import BreakEven
from calculator.costs import ApproachCosts, CostReport
from calculator.measured import accuracy_source
from calculator.recommend.wording import money
from calculator.uncertainty import MonteCarlo, monte_carlo

Status = Literal["meets", "uncertain", "unknown", "misses"]
STATUS_ORDER: dict[str, int] = {"meets": 0, "uncertain": 1, "unknown": 2, "misses": 3}
HOURS_PER_WEEK = 40.0  # one engineer full time: how launch time is estimated from hours
PACE = f"{HOURS_PER_WEEK:.0f} h/week"


def engineering_time(weeks: float) -> str:
    """"120 h at 40 h/week": the hours behind a launch time in weeks."""
    return f"{weeks * HOURS_PER_WEEK:,.0f} h at {PACE}"


@dataclass(frozen=True)
class RankedApproach:
    name: str
    title: str
    family: str
    status: Status
    accuracy: float | None
    accuracy_ci: tuple[float, float] | None
    accuracy_source: str | None
    consistency_spread: float | None
    tco_usd: float
    tco_p10_usd: float | None
    tco_p90_usd: float | None
    p_cheapest: float | None  # over all approaches compared (Monte Carlo)
    labels_needed: float
    labels_to_buy: float
    launch_weeks: float
    constraint_issues: list[str] = field(default_factory=list)
    error_usd: float = 0.0  # expected cost of its wrong answers over the horizon (0: not priced)

    @property
    def running_usd(self) -> float:
        return self.tco_usd - self.error_usd

    @property
    def eligible(self) -> bool:
        return self.status == "meets" and not self.constraint_issues



def _status(accuracy: float | None, ci: tuple[float, float] | None, spread: float | None,
            target: float, needs_consistency: bool) -> Status:
    if accuracy is None:
        return "unknown"
    low, high = ci or (accuracy, accuracy)
    if needs_consistency and spread:
        low = min(low, accuracy - spread)
    if low >= target:
        return "meets"
    return "misses" if high < target else "uncertain"


def _ranked_entry(costs: ApproachCosts, report: CostReport, mc: MonteCarlo) -> RankedApproach:
    scenario, inputs = report.scenario, report.inputs
    name = costs.name
    measured = scenario.measured.approaches.get(name) if scenario.measured else None
    ci = tuple(measured.accuracy_ci) if measured else None
    spread = measured.consistency_spread if measured else None
    quantity = inputs.quantities.get(f"accuracy.{name}")
    hours = float(inputs.get(f"team.hours.{name}", 0.0))
    labels_to_buy = max(0.0, costs.labels_needed - float(inputs["labeling.labels_on_hand"]))
    entry = RankedApproach(
        name=name,
        title=title(name),
        family=REGISTRY[name].family,
        status=_status(costs.accuracy, ci, spread, scenario.quality.accuracy_target,
                       scenario.quality.needs_consistent_output),
        accuracy=costs.accuracy,
        accuracy_ci=ci,
        accuracy_source=accuracy_source(scenario, name) if quantity else None,
        consistency_spread=spread,
        tco_usd=costs.tco_usd,
        tco_p10_usd=mc.tco_p10.get(name),
        tco_p90_usd=mc.tco_p90.get(name),
        p_cheapest=mc.p_cheapest.get(name),
        labels_needed=costs.labels_needed,
        labels_to_buy=labels_to_buy,
        launch_weeks=hours / HOURS_PER_WEEK,
        error_usd=costs.error_usd,
    )
    entry.constraint_issues.extend(_constraint_issues(entry, report))
    return entry


def _constraint_issues(entry: RankedApproach, report: CostReport) -> list[str]:
    constraints = report.scenario.constraints
    issues = []
    if constraints.budget_usd is not None and entry.tco_usd > constraints.budget_usd:
        issues.append(f"costs {money(entry.tco_usd)} over the horizon, above the "
                      f"{money(constraints.budget_usd)} budget")
    if constraints.launch_weeks is not None and entry.launch_weeks > constraints.launch_weeks:
        issues.append(f"needs about {entry.launch_weeks:.0f} weeks of engineering "
                      f"({engineering_time(entry.launch_weeks)}), "
                      f"launch is in {constraints.launch_weeks:g} weeks")
    return issues


def rank(report: CostReport, mc: MonteCarlo) -> list[RankedApproach]:
    """Target met first, then constraints kept, then cheapest over the horizon."""
    entries = [_ranked_entry(costs, report, mc) for costs in report.approaches.values()]
    return sorted(entries, key=lambda e: (STATUS_ORDER[e.status], bool(e.constraint_issues), e.tco_usd))


def break_even_between(report: CostReport, a: str, b: str) -> BreakEven | None:
    return next((be for be in report.break_even if {be.approach, be.versus} == {a, b}), None)


def mean_volume(report: CostReport) -> float:
    """The constant monthly volume with the same total as the scenario's volume path."""
    return float(np.mean(report.volumes))



def p_stays_cheapest(report: CostReport, mc: MonteCarlo, eligible: list[str], choice: str) -> float:
    if len(eligible) == 1:
        return 1.0
    if set(eligible) == set(mc.p_cheapest):
        return mc.p_cheapest[choice]
    among = monte_carlo(report.inputs, eligible, report.scenario.uncertainty, mc.draws)
    return among.p_cheapest[choice]
