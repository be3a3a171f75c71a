"""The decision: rank the approaches, pick one or say why not, and explain it with its numbers.

Pure: reads a CostReport and a MonteCarlo, returns a Recommendation. An approach "meets" the
accuracy target when the low end of its 95% interval reaches it (a typed-in accuracy has no
interval, so its value must), "misses" when the high end stays below, and is "uncertain" in
between; with `needs_consistent_output`, a measured paraphrase spread lowers the low end.
The cheapest approach that meets the target and breaks no constraint is the choice. The classic
rules of thumb appear only as reasons whose numbers hold in this scenario.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

from calculator.approaches import REGISTRY
from calculator.breakeven import BreakEven
from calculator.costs import ApproachCosts, CostReport
from calculator.scenario import PROMPTING, TUNED, field_label
from calculator.uncertainty import MonteCarlo, monte_carlo, tornado

Status = Literal["meets", "uncertain", "unknown", "misses"]
Verdict = Literal["recommend", "provisional", "constrained", "undecided", "none_meets"]
STATUS_ORDER: dict[str, int] = {"meets": 0, "uncertain": 1, "unknown": 2, "misses": 3}
HOURS_PER_WEEK = 40.0  # one engineer full time: how launch time is estimated from hours
CONFIDENT_SHARE = 0.8  # below this P(stays cheapest) the cost ranking is called close
NEAR_TARGET = 0.05  # a typed-in accuracy this close to the target could flip the answer
VOLUME_REACH = 100.0  # break-evens beyond 100× the scenario's volume are not "what would change"
Z95 = 1.96


# --- wording of numbers ---------------------------------------------------------------------


def money(usd: float) -> str:
    """$23,090 for totals; cents and below keep three significant figures ($0.000610)."""
    if abs(usd) >= 100:
        return f"${usd:,.0f}"
    if abs(usd) >= 0.01:
        return f"${usd:,.2f}"
    if not usd:
        return "$0"
    return f"${usd:.{2 - math.floor(math.log10(abs(usd)))}f}"  # fixed point, never 6.1e-04


def count(value: float) -> str:
    """1,360 / 310k / 1.51M: request volumes and label counts, three significant figures."""
    value = float(value)
    if abs(value) < 10_000:
        return f"{value:,.0f}"
    if abs(value) < 1e6:
        return f"{float(f'{value / 1e3:.3g}'):g}k"
    if abs(value) < 1e9:
        return f"{float(f'{value / 1e6:.3g}'):g}M"
    return f"{float(f'{value / 1e9:.3g}'):g}B"


def pct(fraction: float) -> str:
    return f"{fraction * 100:.1f}%".replace(".0%", "%")


def points(fraction: float) -> str:
    value = f"{abs(fraction) * 100:.1f}".removesuffix(".0")
    return f"{value} point{'' if value == '1' else 's'}"


def interval(ci: tuple[float, float] | None) -> str:
    return f" [95% CI {pct(ci[0])}–{pct(ci[1])}]" if ci else ""


def in_sentence(label: str) -> str:
    """A field label inside a sentence: "engineering hours for LoRA", but "API: input price"."""
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def title(name: str) -> str:
    return REGISTRY[name].title if name in REGISTRY else name


# --- the result -----------------------------------------------------------------------------


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

    @property
    def eligible(self) -> bool:
        return self.status == "meets" and not self.constraint_issues


@dataclass(frozen=True)
class EvidenceGap:
    approach: str | None
    problem: str
    measure_next: str


@dataclass(frozen=True)
class Recommendation:
    verdict: Verdict
    choice: str | None
    headline: str
    accuracy_target: float
    reasons: list[str]
    what_would_change: list[str]
    evidence_gaps: list[EvidenceGap]
    ranked: list[RankedApproach]
    p_stays_cheapest: float | None  # among the approaches that meet the target and constraints
    rival: str | None = None  # the approach the choice is weighed against (tornado, payback)

    def approach(self, name: str) -> RankedApproach | None:
        return next((r for r in self.ranked if r.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- ranking --------------------------------------------------------------------------------


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
        accuracy_source=quantity.source if quantity else None,
        consistency_spread=spread,
        tco_usd=costs.tco_usd,
        tco_p10_usd=mc.tco_p10.get(name),
        tco_p90_usd=mc.tco_p90.get(name),
        p_cheapest=mc.p_cheapest.get(name),
        labels_needed=costs.labels_needed,
        labels_to_buy=labels_to_buy,
        launch_weeks=hours / HOURS_PER_WEEK,
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
                      f"({entry.launch_weeks * HOURS_PER_WEEK:,.0f} h at {HOURS_PER_WEEK:.0f} h/week), "
                      f"launch is in {constraints.launch_weeks:g} weeks")
    return issues


def rank(report: CostReport, mc: MonteCarlo) -> list[RankedApproach]:
    """Target met first, then constraints kept, then cheapest over the horizon."""
    entries = [_ranked_entry(costs, report, mc) for costs in report.approaches.values()]
    return sorted(entries, key=lambda e: (STATUS_ORDER[e.status], bool(e.constraint_issues), e.tco_usd))


# --- helpers over the report ----------------------------------------------------------------


def _break_even(report: CostReport, a: str, b: str) -> BreakEven | None:
    return next((be for be in report.break_even if {be.approach, be.versus} == {a, b}), None)


def mean_volume(report: CostReport) -> float:
    """The constant monthly volume with the same total as the scenario's volume path."""
    return float(np.mean(report.volumes))


def tests_needed(accuracy: float, margin: float) -> int:
    """Test examples for a 95% interval of ±margin around this accuracy (normal approximation)."""
    p = min(max(accuracy, 0.05), 0.95)
    return math.ceil(Z95**2 * p * (1 - p) / max(margin, 0.005) ** 2)


def _p_stays_cheapest(report: CostReport, mc: MonteCarlo, eligible: list[str], choice: str) -> float:
    if len(eligible) == 1:
        return 1.0
    if set(eligible) == set(mc.p_cheapest):
        return mc.p_cheapest[choice]
    among = monte_carlo(report.inputs, eligible, report.scenario.uncertainty, mc.draws)
    return among.p_cheapest[choice]


# --- reasons --------------------------------------------------------------------------------


def _accuracy_phrase(entry: RankedApproach) -> str:
    if entry.accuracy is None:
        return "no known accuracy"
    source = f" ({entry.accuracy_source})" if entry.accuracy_source else ""
    return f"{pct(entry.accuracy)} accuracy{interval(entry.accuracy_ci)}{source}"


def _why_not(entry: RankedApproach, chosen: RankedApproach, target: float) -> str:
    cheaper = f"{entry.title} would cost {money(chosen.tco_usd - entry.tco_usd)} less ({money(entry.tco_usd)})"
    if entry.status == "misses":
        return (f"{cheaper}, but its accuracy {pct(entry.accuracy)}{interval(entry.accuracy_ci)} "
                f"misses the {pct(target)} target by {points(target - entry.accuracy)}.")
    if entry.status == "uncertain":
        return (f"{cheaper}, but its {pct(entry.accuracy)}{interval(entry.accuracy_ci)} may fall "
                f"below the {pct(target)} target" + _spread_note(entry) + ".")
    if entry.status == "unknown":
        return f"{cheaper}, but its accuracy is unknown."
    return f"{cheaper}, but it {'; '.join(entry.constraint_issues)}."


def _spread_note(entry: RankedApproach) -> str:
    if entry.consistency_spread:
        return f" (accuracy varies by {points(entry.consistency_spread)} across prompt paraphrases)"
    return ""


def _payback(report: CostReport, chosen: RankedApproach, rival: RankedApproach) -> str | None:
    be = _break_even(report, chosen.name, rival.name)
    if be is None or be.requests_per_month is None:
        return None
    volume = mean_volume(report)
    month = f"; on this scenario's volume path the cumulative costs cross in month {be.month}" \
        if be.month else ""
    winner = title(be.cheaper_above)
    loser = rival.title if be.cheaper_above == chosen.name else chosen.title
    return (f"{winner} is cheaper than {loser} above {count(be.requests_per_month)} requests a month "
            f"(break-even over {report.horizon_months} months); this scenario averages "
            f"{count(volume)} a month over the horizon{month}.")


def _learning_curve_reason(report: CostReport, target: float, best_prompt: float | None) -> list[str]:
    measured = report.scenario.measured
    if measured is None or not measured.learning_curve:
        return []
    curve = sorted(measured.learning_curve)
    source = f"learning curve of run {measured.run_id}"
    found = []
    for goal, label in ((target, f"the {pct(target)} target"),
                        (best_prompt, "the best prompt")):
        if goal is None:
            continue
        hit = labels_to_reach(curve, goal)
        if hit is None:
            top_labels, top_acc = max(curve, key=lambda point: point[1])
            found.append(f"LoRA does not reach {label} ({pct(goal)}) on its measured curve: "
                         f"best {pct(top_acc)} with {count(top_labels)} labels ({source}).")
        else:
            found.append(f"LoRA reaches {label} ({pct(goal)}) with about {count(hit)} labeled "
                         f"examples ({source}).")
    return found


def labels_to_reach(curve: list[tuple[int, float]], goal: float) -> float | None:
    """Labeled examples where the curve first reaches `goal`, interpolated in log(labels)."""
    curve = sorted(curve)
    for i, (labels, acc) in enumerate(curve):
        if acc >= goal:
            if i == 0:
                return float(labels)
            prev_labels, prev_acc = curve[i - 1]
            share = (goal - prev_acc) / (acc - prev_acc)
            return float(np.exp(np.log(prev_labels) + share * (np.log(labels) - np.log(prev_labels))))
    return None


def _labels_reason(chosen: RankedApproach, report: CostReport) -> str | None:
    if chosen.labels_needed <= 0:
        return None
    on_hand = float(report.inputs["labeling.labels_on_hand"])
    if chosen.labels_to_buy <= 0:
        return (f"It needs {count(chosen.labels_needed)} labeled examples and {count(on_hand)} are "
                f"on hand, so none are bought.")
    cost = chosen.labels_to_buy * float(report.inputs["labeling.cost_per_label_usd"])
    return (f"It needs {count(chosen.labels_needed)} labeled examples; {count(on_hand)} are on hand, "
            f"so {count(chosen.labels_to_buy)} are bought for {money(cost)} (in its one-off cost).")


def _constraint_reasons(chosen: RankedApproach, report: CostReport) -> list[str]:
    constraints = report.scenario.constraints
    found = []
    if constraints.budget_usd is not None:
        p90 = chosen.tco_p90_usd
        risk = f"; its P90 of {money(p90)} is above it" if p90 and p90 > constraints.budget_usd \
            else ""
        found.append(f"Its {money(chosen.tco_usd)} fits the {money(constraints.budget_usd)} budget{risk}.")
    if constraints.launch_weeks is not None:
        found.append(f"About {chosen.launch_weeks:.1f} weeks of engineering "
                     f"({chosen.launch_weeks * HOURS_PER_WEEK:,.0f} h at {HOURS_PER_WEEK:.0f} h/week) "
                     f"fits the {constraints.launch_weeks:g}-week launch window.")
    return found


def _rules_of_thumb(report: CostReport, chosen: RankedApproach, ranked: list[RankedApproach]) -> list[str]:
    """Each classic rule, stated only where this scenario's numbers bear it out."""
    found = []
    by_name = {r.name: r for r in ranked}
    tuned = [by_name[n] for n in TUNED if n in by_name]
    prompts = [by_name[n] for n in PROMPTING if n in by_name]
    volume = mean_volume(report)
    if chosen.family == "prompting" and tuned:
        cheapest_tuned = min(tuned, key=lambda r: r.tco_usd)
        be = _break_even(report, chosen.name, cheapest_tuned.name)
        if be and be.requests_per_month and be.requests_per_month > volume:
            found.append(
                f"Rule of thumb 'start with prompting' holds: at {count(volume)} requests a month "
                f"the one-off cost of {cheapest_tuned.title} "
                f"({money(report.approaches[cheapest_tuned.name].profile.one_off_usd)}) is not "
                f"earned back; it pays only above {count(be.requests_per_month)} a month.")
    if chosen.family == "tuning" and prompts:
        best_prompt = min(prompts, key=lambda r: r.tco_usd)
        be = _break_even(report, chosen.name, best_prompt.name)
        if be and be.requests_per_month and be.cheaper_above == chosen.name and volume > be.requests_per_month:
            parts = [f"volume {count(volume)} a month is above the {count(be.requests_per_month)} "
                     f"break-even with {best_prompt.title}"]
            if chosen.labels_to_buy <= 0:
                parts.append(f"the {count(chosen.labels_needed)} labels it needs are on hand")
            if report.scenario.quality.needs_consistent_output:
                spreads = [p for p in prompts if p.consistency_spread]
                parts.append("consistent output is required" + (
                    ", and prompts vary by up to "
                    f"{points(max(p.consistency_spread for p in spreads))} across paraphrases"
                    if spreads else ""))
            found.append("Rule of thumb 'fine-tune when volume is high, labeled data exists and "
                         "consistency matters' holds: " + "; ".join(parts) + ".")
    if chosen.name == "prompt_tuning" and "lora" in by_name:
        lora = report.approaches["lora"].profile.one_off_usd
        own = report.approaches["prompt_tuning"].profile.one_off_usd
        if own < lora:
            found.append(f"Rule of thumb 'prompt-tuning is the cheap middle' holds: its one-off "
                         f"{money(own)} is below LoRA's {money(lora)} and it meets the target.")
    if "pretrain" in by_name and chosen.name != "pretrain":
        scratch = by_name["pretrain"]
        if scratch.tco_usd > chosen.tco_usd:
            found.append(f"Rule of thumb 'train from scratch only with vast data and budget' holds: "
                         f"it would cost {money(scratch.tco_usd)}, "
                         f"{scratch.tco_usd / chosen.tco_usd:,.0f}× the {chosen.title}.")
    return found


# --- what would change the answer -----------------------------------------------------------


def _volume_changes(report: CostReport, chosen: RankedApproach, ranked: list[RankedApproach]) -> list[str]:
    """The nearest volumes, above and below this one, at which an acceptable rival becomes cheaper."""
    volume = mean_volume(report)
    above, below = [], []
    for rival in ranked:
        if rival.name == chosen.name or rival.status == "misses":
            continue
        be = _break_even(report, chosen.name, rival.name)
        if be is None or be.requests_per_month is None or \
                not volume / VOLUME_REACH <= be.requests_per_month <= volume * VOLUME_REACH:
            continue
        if be.cheaper_above == rival.name and be.requests_per_month > volume:
            above.append((be.requests_per_month, rival))
        elif be.cheaper_above == chosen.name and be.requests_per_month < volume:
            below.append((be.requests_per_month, rival))
    found = []
    caveat = {"meets": "", "uncertain": " (if its accuracy holds up)", "unknown": " (if its accuracy suffices)"}
    if above:
        v, rival = min(above, key=lambda item: item[0])
        found.append(f"Above {count(v)} requests a month {rival.title} becomes cheaper{caveat[rival.status]}.")
    if below:
        v, rival = max(below, key=lambda item: item[0])
        found.append(f"Below {count(v)} requests a month {rival.title} becomes cheaper{caveat[rival.status]}.")
    return found


def _target_change(chosen: RankedApproach, ranked: list[RankedApproach], target: float) -> str | None:
    cheaper = [r for r in ranked if r.tco_usd < chosen.tco_usd and r.accuracy is not None
               and not r.constraint_issues]
    if not cheaper:
        return None
    best = max(cheaper, key=lambda r: (r.accuracy, -r.tco_usd))
    if best.accuracy >= target:
        return None
    return (f"With a target of {pct(best.accuracy)} or lower, {best.title} would be chosen: it costs "
            f"{money(best.tco_usd)} against {money(chosen.tco_usd)}.")


def _sensitivity_change(report: CostReport, chosen: RankedApproach, rival: RankedApproach) -> list[str]:
    bars = tornado(report.inputs, chosen.name, rival.name, report.scenario.uncertainty, top=3)
    found = []
    for bar in bars:
        for value, delta in ((bar.low_value, bar.low_delta_usd), (bar.high_value, bar.high_delta_usd)):
            if delta > 0:
                source = "its range" if bar.ranged else "±25%"
                unit = report.inputs.quantities[bar.input].unit
                found.append(f"With {in_sentence(field_label(bar.input))} at {value:,.4g} {unit} "
                             f"(within {source}), {rival.title} becomes cheaper by {money(delta)}.")
                break
    return found


# --- evidence gaps --------------------------------------------------------------------------


def _evidence_gaps(report: CostReport, ranked: list[RankedApproach], chosen: RankedApproach | None,
                   target: float, p_stays: float | None) -> list[EvidenceGap]:
    gaps = []
    contenders = [r for r in ranked if chosen is None or r.tco_usd <= chosen.tco_usd]
    for entry in ranked:
        if entry.status == "unknown":
            gaps.append(EvidenceGap(entry.name, f"no accuracy for {entry.title}",
                                    f"benchmark it (prompt-or-tune bench) or set quality.accuracy.{entry.name}"))
        elif entry.status == "uncertain" and entry in contenders:
            margin = abs(entry.accuracy - target) or 0.01
            why = "its 95% interval contains the target" if entry.accuracy_ci else "its paraphrase spread reaches below the target"
            gaps.append(EvidenceGap(entry.name, f"{entry.title}: {pct(entry.accuracy)}"
                                    f"{interval(entry.accuracy_ci)}, {why} ({pct(target)})",
                                    f"measure on about {tests_needed(entry.accuracy, margin):,} test "
                                    f"examples to tell it apart from the target"))
        elif entry.accuracy is not None and entry.accuracy_ci is None and entry in contenders and (
                entry is chosen or abs(entry.accuracy - target) <= NEAR_TARGET):
            gaps.append(EvidenceGap(entry.name, f"{entry.title}: accuracy {pct(entry.accuracy)} is typed in, "
                                    f"not measured (no interval)",
                                    f"benchmark it on about {tests_needed(entry.accuracy, 0.02):,} test "
                                    f"examples (±2 points)"))
    if chosen is not None:
        gaps += _overlap_gaps(chosen, ranked)
    measured = report.scenario.measured
    if measured is not None:
        deployed = {report.scenario.finetuning.base_model, report.scenario.api.model}
        if measured.model not in deployed:
            gaps.append(EvidenceGap(None, f"accuracies were measured on {measured.model} ({measured.device}), "
                                    f"not on the models this scenario deploys ({', '.join(sorted(deployed))})",
                                    "rerun the benchmark on the model you will deploy"))
    for name in report.scenario.approaches:
        if name not in report.approaches:
            problem = report.errors.get(name, "its cost could not be computed")
            gaps.append(EvidenceGap(name, f"{title(name)}: price missing — {problem}",
                                    "set the missing price in the scenario"))
    gaps += [EvidenceGap(None, note, "check the token counts") for note in report.inputs.notes
             if "estimate" in note.lower()]
    if p_stays is not None and p_stays < CONFIDENT_SHARE and chosen is not None:
        gaps.append(EvidenceGap(chosen.name, f"{chosen.title} stays the cheapest acceptable approach "
                                f"in only {pct(p_stays)} of the Monte Carlo draws",
                                "narrow the widest uncertainty ranges (see the sensitivity chart)"))
    return gaps


def _overlap_gaps(chosen: RankedApproach, ranked: list[RankedApproach]) -> list[EvidenceGap]:
    """Cheaper rivals whose measured interval overlaps the choice's: the accuracy gap is not settled."""
    gaps = []
    if chosen.accuracy_ci is None:
        return gaps
    for rival in ranked:
        if rival.name == chosen.name or rival.accuracy_ci is None or rival.tco_usd >= chosen.tco_usd:
            continue
        if rival.accuracy_ci[1] >= chosen.accuracy_ci[0] and rival.accuracy_ci[0] <= chosen.accuracy_ci[1]:
            gap = abs(chosen.accuracy - rival.accuracy) or 0.01
            gaps.append(EvidenceGap(rival.name, f"{chosen.title} {pct(chosen.accuracy)}{interval(chosen.accuracy_ci)} "
                                    f"and {rival.title} {pct(rival.accuracy)}{interval(rival.accuracy_ci)}: "
                                    f"the intervals overlap",
                                    f"measure both on about {tests_needed(chosen.accuracy, gap / 2):,} "
                                    f"test examples to resolve a {points(gap)} gap"))
    return gaps


# --- the decision ---------------------------------------------------------------------------


def recommend(report: CostReport, mc: MonteCarlo) -> Recommendation:
    """Rank the approaches and decide; every reason quotes the numbers that decided it."""
    target = report.scenario.quality.accuracy_target
    ranked = rank(report, mc)
    eligible = [r for r in ranked if r.eligible]
    if not eligible:
        return _no_choice(report, ranked, target)
    chosen = eligible[0]
    p_stays = _p_stays_cheapest(report, mc, [r.name for r in eligible], chosen.name)
    gaps = _evidence_gaps(report, ranked, chosen, target, p_stays)
    firm = not any(g.approach in (chosen.name, None) or g.approach in
                   {r.name for r in ranked if r.tco_usd < chosen.tco_usd} for g in gaps)
    verdict: Verdict = "recommend" if firm else "provisional"
    headline = (f"{'Choose' if firm else 'Provisionally choose'} {chosen.title}: the cheapest approach "
                f"that meets the {pct(target)} accuracy target, {money(chosen.tco_usd)} over "
                f"{report.horizon_months} months.")
    reasons = [f"{chosen.title} meets the {pct(target)} target with {_accuracy_phrase(chosen)} and costs "
               f"{money(chosen.tco_usd)} over {report.horizon_months} months "
               f"(P10–P90 {money(chosen.tco_p10_usd or chosen.tco_usd)}–{money(chosen.tco_p90_usd or chosen.tco_usd)})."]
    reasons += [_why_not(r, chosen, target) for r in sorted(ranked, key=lambda r: r.tco_usd)
                if r.tco_usd < chosen.tco_usd][:3]
    rival = _rival(chosen, ranked)
    if rival is not None:
        reasons += [s for s in [_accuracy_gap(chosen, rival)] if s]
    for other in _comparators(chosen, ranked, rival):
        reasons += [s for s in [_payback(report, chosen, other)] if s]
    if len(eligible) > 1:
        reasons.append(f"It stays the cheapest of the {len(eligible)} approaches that meet the target "
                       f"in {pct(p_stays)} of {mc.draws:,} Monte Carlo draws over the uncertainty ranges.")
    else:
        reasons.append("It is the only approach that meets the target within the constraints.")
    reasons += [s for s in [_labels_reason(chosen, report)] if s]
    best_prompt = max((r.accuracy for r in ranked if r.family == "prompting" and r.accuracy is not None),
                      default=None)
    if chosen.family == "tuning":
        reasons += _learning_curve_reason(report, target, best_prompt)
    reasons += _constraint_reasons(chosen, report)
    reasons += _rules_of_thumb(report, chosen, ranked)
    changes = _volume_changes(report, chosen, ranked)
    changes += [s for s in [_target_change(chosen, ranked, target)] if s]
    if rival is not None:
        changes += _sensitivity_change(report, chosen, rival)
    return Recommendation(verdict, chosen.name, headline, target, reasons, changes, gaps, ranked, p_stays,
                          rival.name if rival else None)


def _rival(chosen: RankedApproach, ranked: list[RankedApproach]) -> RankedApproach | None:
    """The approach to compare against: next acceptable one, else the cheapest of the other family."""
    others = [r for r in ranked if r.name != chosen.name]
    acceptable = [r for r in others if r.eligible]
    if acceptable:
        return acceptable[0]
    other_family = [r for r in others if r.family != chosen.family and r.family != "pretraining"]
    return min(other_family or others, key=lambda r: r.tco_usd, default=None)


def _comparators(chosen: RankedApproach, ranked: list[RankedApproach],
                 rival: RankedApproach | None) -> list[RankedApproach]:
    """The rival, and the cheapest approach of the other family (prompting versus tuning)."""
    other = [r for r in ranked if r.family not in (chosen.family, "pretraining")]
    found = [rival] if rival is not None else []
    cheapest_other = min(other, key=lambda r: r.tco_usd, default=None)
    if cheapest_other is not None and cheapest_other not in found:
        found.append(cheapest_other)
    return found


def _accuracy_gap(chosen: RankedApproach, rival: RankedApproach) -> str | None:
    if chosen.accuracy is None or rival.accuracy is None:
        return None
    diff = chosen.accuracy - rival.accuracy
    word = "more" if diff >= 0 else "less"
    overlap = ""
    if chosen.accuracy_ci and rival.accuracy_ci:
        apart = rival.accuracy_ci[1] < chosen.accuracy_ci[0] or rival.accuracy_ci[0] > chosen.accuracy_ci[1]
        overlap = "; the intervals do not overlap" if apart else "; the intervals overlap"
    return (f"It is {points(diff)} {word} accurate than {rival.title} "
            f"({pct(chosen.accuracy)}{interval(chosen.accuracy_ci)} vs "
            f"{pct(rival.accuracy)}{interval(rival.accuracy_ci)}){overlap}.")


def _no_choice(report: CostReport, ranked: list[RankedApproach], target: float) -> Recommendation:
    gaps = _evidence_gaps(report, ranked, None, target, None)
    reasons: list[str] = []
    meets = [r for r in ranked if r.status == "meets"]
    open_ = [r for r in ranked if r.status in ("uncertain", "unknown")]
    known = [r for r in ranked if r.accuracy is not None]
    closest = max(known, key=lambda r: r.accuracy, default=None)
    if meets:
        verdict: Verdict = "constrained"
        headline = (f"No approach fits: those that meet the {pct(target)} target break a constraint.")
        reasons += [f"{r.title} meets the target but {'; '.join(r.constraint_issues)}." for r in meets]
    elif open_:
        verdict = "undecided"
        names = ", ".join(r.title for r in open_)
        headline = (f"The evidence is too weak to decide: no approach is known to meet the "
                    f"{pct(target)} target; {names} might.")
    else:
        verdict = "none_meets"
        headline = (f"No approach meets the {pct(target)} accuracy target; the closest is "
                    f"{closest.title} at {pct(closest.accuracy)}.")
    for r in sorted(ranked, key=lambda r: r.tco_usd):
        if r.status == "misses":
            reasons.append(f"{r.title} ({money(r.tco_usd)}) reaches {pct(r.accuracy)}"
                           f"{interval(r.accuracy_ci)}, {points(target - r.accuracy)} short of the target.")
        elif r.status == "uncertain":
            reasons.append(f"{r.title} ({money(r.tco_usd)}) reaches {pct(r.accuracy)}"
                           f"{interval(r.accuracy_ci)}: it may or may not meet the target{_spread_note(r)}.")
        elif r.status == "unknown":
            reasons.append(f"{r.title} ({money(r.tco_usd)}) has no known accuracy.")
    changes = []
    if closest is not None and closest.accuracy < target:
        changes.append(f"With a target of {pct(closest.accuracy)} or lower, {closest.title} would qualify.")
    learning = _learning_curve_reason(report, target, None)
    reasons += learning
    if meets:
        cheapest = min(meets, key=lambda r: r.tco_usd)
        if report.scenario.constraints.budget_usd is not None:
            changes.append(f"With a budget of {money(cheapest.tco_usd)} or more, {cheapest.title} would fit.")
    return Recommendation(verdict, None, headline, target, reasons, changes, gaps, ranked, None)
