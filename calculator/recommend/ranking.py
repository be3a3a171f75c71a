"""Ranking: each approach's status against the target on the task's metric, its constraint issues, and
the order.

An approach "meets" the target when the low end of its 95% interval reaches it (a typed-in score
has no interval, so its value must), "misses" when the high end stays below, and is "uncertain" in
between; with `needs_consistent_output`, a measured paraphrase spread lowers the low end.

The order has three groups, each cheapest first: the approaches that qualify (meet the target,
keep every constraint), those that are open (score uncertain or unknown), and those that are
blocked (miss the target or break a constraint), each blocked one with its reasons.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from calculator.approaches import REGISTRY
from calculator.breakeven import BreakEven
from calculator.costs import ApproachCosts, CostReport
from calculator.inputs import CAPPED, taught_approaches, teacher_model
from calculator.measured import score_source
from calculator.recommend.sure import cheapest_shares
from calculator.recommend.wording import Scale, money
from calculator.uncertainty import MonteCarlo
from core.approaches import title

Status = Literal["meets", "uncertain", "unknown", "misses"]
Standing = Literal["qualifies", "open", "blocked"]
STANDING_ORDER: dict[str, int] = {"qualifies": 0, "open": 1, "blocked": 2}
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
    score: float | None  # on the scenario's metric
    score_ci: tuple[float, float] | None
    score_source: str | None
    consistency_spread: float | None
    tco_usd: float
    tco_p10_usd: float | None
    tco_p90_usd: float | None
    labels_needed: float
    labels_to_buy: float
    launch_weeks: float
    constraint_issues: list[str] = field(default_factory=list)
    error_usd: float = 0.0  # expected cost of its wrong answers over the horizon (0: not priced)
    blocked_by: list[str] = field(default_factory=list)  # a missed target, then constraint issues
    cheapest_share: float | None = None  # its chance cheapest (see sure.py); None: it does not qualify
    scale: Scale = Scale()  # how its score is written: the scenario's metric
    model: str = ""  # the model the scenario prices for it
    typed_for: str | None = None  # the model its typed score was for, when that is another one (not used)
    teacher: str | None = None  # the teacher model whose labels it trains on (None: people's labels, or no labels)
    teacher_cap: float | None = None  # its score was capped at this teacher agreement

    @property
    def running_usd(self) -> float:
        return self.tco_usd - self.error_usd

    @property
    def eligible(self) -> bool:
        return self.status == "meets" and not self.constraint_issues

    @property
    def standing(self) -> Standing:
        if self.eligible:
            return "qualifies"
        return "blocked" if self.blocked_by else "open"



def _status(score: float | None, ci: tuple[float, float] | None, spread: float | None,
            target: float, needs_consistency: bool) -> Status:
    if score is None:
        return "unknown"
    low, high = ci or (score, score)
    if needs_consistency and spread:
        low = min(low, score - spread)
    if low >= target:
        return "meets"
    return "misses" if high < target else "uncertain"


def _ranked_entry(costs: ApproachCosts, report: CostReport, mc: MonteCarlo) -> RankedApproach:
    scenario, inputs = report.scenario, report.inputs
    name = costs.name
    measured = scenario.measured.approaches.get(name) if scenario.measured else None
    ci = tuple(measured.interval) if measured else None
    spread = measured.consistency_spread if measured else None
    quantity = inputs.quantities.get(f"score.{name}")
    hours = float(inputs.get(f"team.hours.{name}", 0.0))
    labels_to_buy = max(0.0, costs.labels_needed - float(inputs["labeling.labels_on_hand"]))
    entry = RankedApproach(
        name=name,
        title=title(name),
        family=REGISTRY[name].family,
        status=_status(costs.score, ci, spread, scenario.quality.target,
                       scenario.quality.needs_consistent_output),
        score=costs.score,
        score_ci=ci,
        score_source=score_source(scenario, name) if quantity else None,
        consistency_spread=spread,
        tco_usd=costs.tco_usd,
        tco_p10_usd=mc.tco_p10.get(name),
        tco_p90_usd=mc.tco_p90.get(name),
        labels_needed=costs.labels_needed,
        labels_to_buy=labels_to_buy,
        launch_weeks=hours / HOURS_PER_WEEK,
        error_usd=costs.error_usd,
        scale=Scale(scenario.metric),
        model=scenario.priced_model(name),
        typed_for=scenario.typed_elsewhere().get(name),
        teacher=teacher_model(scenario)[0] if name in taught_approaches(scenario) else None,
        teacher_cap=_cap(quantity, scenario),
    )
    entry.constraint_issues.extend(_constraint_issues(entry, report))
    if entry.status == "misses":
        entry.blocked_by.append(f"misses the {entry.scale.target(scenario.quality.target)} "
                                f"by {entry.scale.gap(scenario.quality.target - entry.score)}{teacher_words(entry)}")
    entry.blocked_by.extend(entry.constraint_issues)
    return entry


def _cap(quantity, scenario) -> float | None:
    """The teacher agreement a typed score was capped at (inputs._add_scores says so in its source)."""
    if quantity is not None and quantity.source.endswith(CAPPED):
        return scenario.teacher.agreement
    return None


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
    """Qualifying first, then open, then blocked; within each, cheapest over the horizon first.
    Each qualifying approach carries its chance cheapest."""
    entries = [_ranked_entry(costs, report, mc) for costs in report.approaches.values()]
    entries.sort(key=lambda e: (STANDING_ORDER[e.standing], e.tco_usd))
    shares = cheapest_shares(report, mc, [e.name for e in entries if e.eligible])
    return [replace(e, cheapest_share=shares.get(e.name)) for e in entries]


def standing_words(entry: RankedApproach) -> str:
    """"qualifies", "open: accuracy uncertain", "blocked: misses the 90% accuracy target by 2 points"
    (in the scenario's metric: "open: chrF unknown")."""
    if entry.standing == "blocked":
        return "blocked: " + "; ".join(entry.blocked_by)
    if entry.standing == "open":
        return f"open: {entry.scale.name} " + ("uncertain" if entry.status == "uncertain" else unknown_words(entry))
    return "qualifies"


def teacher_words(entry: RankedApproach) -> str:
    """" (capped at its teacher gpt-4o-mini's 85% agreement with gold labels)" for a capped student."""
    if entry.teacher_cap is None:
        return ""
    return (f" (capped at its teacher {entry.teacher}'s {entry.scale.brief(entry.teacher_cap)} agreement "
            "with gold labels)")


def unknown_words(entry: RankedApproach) -> str:
    """"unknown", or "unknown on gpt-4o-mini (the typed 79% was for gpt-4o)"."""
    if entry.teacher is not None and entry.score is None:
        return f"unknown on {entry.teacher}'s labels (the teacher's agreement with gold labels is not known)"
    if entry.typed_for is None:
        return "unknown"
    return f"unknown on {entry.model} (the typed score was for {entry.typed_for})"


def break_even_between(report: CostReport, a: str, b: str) -> BreakEven | None:
    return next((be for be in report.break_even if {be.approach, be.versus} == {a, b}), None)
