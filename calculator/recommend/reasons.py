"""Reasons: why the choice, why not the cheaper ones, payback, the rules of thumb that hold, and
what would change the answer. Each sentence quotes the numbers that decided it."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache

import numpy as np

from calculator.breakeven import VOLUME_SPAN, Band, BreakEven, Crossing
from calculator.costs import CostReport
from calculator.fields import field_label
from calculator.recommend.ranking import (
    RankedApproach,
    break_even_between,
    engineering_time,
    teacher_words,
    unknown_words,
)
from calculator.recommend.wording import Scale, amount, count, in_sentence, money, pct, points
from calculator.scenario import Measured
from calculator.uncertainty import TornadoBar, tornado
from core.approaches import PROMPTING, TUNED, title

Sensitivity = Callable[[str, str], list[TornadoBar]]  # (a, b) -> how inputs move TCO(a) − TCO(b)
VOLUME_REACH = 100.0  # break-evens beyond 100× the scenario's volume are not "what would change"


def score_phrase(entry: RankedApproach) -> str:
    """"86% accuracy [95% CI ...] (measured ...)", "chrF 0.52 [95% CI ...] (typed)"."""
    if entry.score is None:
        return f"no known {entry.scale.name}"
    source = f" ({entry.score_source})" if entry.score_source else ""
    return f"{entry.scale.named(entry.score)}{entry.scale.interval(entry.score_ci)}{source}"


def why_not(entry: RankedApproach, chosen: RankedApproach, target: float) -> str:
    cheaper = f"{entry.title} would cost {money(chosen.tco_usd - entry.tco_usd)} less ({money(entry.tco_usd)})"
    scale = entry.scale
    if entry.status == "misses":
        return (f"{cheaper}, but its {scale.name} {scale.value(entry.score)}{scale.interval(entry.score_ci)} "
                f"misses the {scale.brief(target)} target by {scale.gap(target - entry.score)}{teacher_words(entry)}.")
    if entry.status == "uncertain":
        return (f"{cheaper}, but its {scale.name} {scale.value(entry.score)}{scale.interval(entry.score_ci)} may "
                f"fall below the {scale.brief(target)} target" + spread_note(entry) + ".")
    if entry.status == "unknown":
        return f"{cheaper}, but its {scale.name} is {unknown_words(entry)}."
    return f"{cheaper}, but it {'; '.join(entry.constraint_issues)}."


def spread_note(entry: RankedApproach) -> str:
    if entry.consistency_spread:
        return (f" ({entry.scale.name} varies by {entry.scale.gap(entry.consistency_spread)} across prompt "
                "paraphrases)")
    return ""


def typed_volume(report: CostReport) -> float:
    """The volume the reader typed: the first month's requests (later months grow from it)."""
    return float(report.inputs["workload.requests_per_month"])


def typed_note(report: CostReport) -> str:
    """"(you typed 3M; growth of 3%/month kept)": a break-even volume is the typed field's value."""
    growth = float(report.inputs["workload.monthly_growth_pct"])
    kept = f"; growth of {growth:g}%/month kept" if growth else ""
    return f"(you typed {count(typed_volume(report))}{kept})"


def volume_span(low: Crossing | None, high: Crossing | None, be: BreakEven | None = None) -> str:
    """"above 3.4M", "below 900k", "between 20.8M and 31.1M" requests a month; with `be`, the other spans
    nearby (within 2× of these edges) where the same approach is cheaper, as whole GPU replicas flip the
    order: "above 2.62M requests a month (also between 2.28M and 2.43M, where ...)"."""
    main = (low.requests_per_month if low else None, high.requests_per_month if high else None)
    span = f"{_band_words(main)} requests a month"
    if be is None:
        return span
    # cheaper above `low`; with only a `high`, the one of the pair that is not cheaper above it
    winner = low.cheaper_above if low else next(n for n in (be.approach, be.versus) if n != high.cheaper_above)
    edges = [v for v in main if v is not None]
    window = (min(edges) / 2, max(edges) * 2)
    others = [band for band in be.bands(winner) if band != main and (band[1] or math.inf) > window[0]
              and (band[0] or 0.0) < window[1]]
    if not others:
        return span
    also = "; ".join(_band_words(band) for band in others)
    return f"{span} (also {also}, where whole GPU replicas flip the order)"


def _band_words(band: Band) -> str:
    """"between 2.28M and 2.43M", "above 2.62M", "below 900k"."""
    low, high = band
    if low is not None and high is not None:
        return f"between {count(low)} and {count(high)}"
    return f"above {count(low)}" if low is not None else f"below {count(high)}"


def payback(report: CostReport, chosen: RankedApproach, rival: RankedApproach) -> str | None:
    """Where the pair crosses nearest the typed volume, and which is cheaper beyond it."""
    be = break_even_between(report, chosen.name, rival.name)
    if be is None or be.requests_per_month is None:
        return None
    nearest = Crossing(be.requests_per_month, be.cheaper_above)
    winner = be.cheaper_above
    loser = rival.name if winner == chosen.name else chosen.name
    month = f"; at your volume the cumulative costs cross in month {be.month}" if be.month else ""
    return (f"{title(winner)} is cheaper than {title(loser)} {volume_span(nearest, be.after(nearest), be)} "
            f"{typed_note(report)}, over {report.horizon_months} months{month}.")


def volume_decider(report: CostReport, chosen: RankedApproach, rival: RankedApproach) -> str | None:
    """For a tie: the crossing of the pair within 2× of the typed volume, in the typed unit."""
    be = break_even_between(report, chosen.name, rival.name)
    volume = typed_volume(report)
    if be is None or be.requests_per_month is None or not volume / 2 <= be.requests_per_month <= volume * 2:
        return None
    nearest = Crossing(be.requests_per_month, be.cheaper_above)
    return (f"the volume: {title(be.cheaper_above)} is cheaper {volume_span(nearest, be.after(nearest), be)} "
            f"{typed_note(report)}")


def error_reasons(report: CostReport, chosen: RankedApproach, ranked: list[RankedApproach]) -> list[str]:
    """When errors are priced: the choice's error cost beside its running cost, and every approach
    that meets the target and would be cheaper to run but loses the choice on its errors."""
    mine = report.approaches[chosen.name]
    if not mine.error_usd:
        return []
    per_error = float(report.inputs["quality.cost_per_error_usd"])
    found = [f"Its expected errors cost {money(mine.error_usd)} over {report.horizon_months} months "
             f"({pct(1 - mine.pass_rate)} of {count(mine.requests)} requests at {money(per_error)} "
             f"per error) beside {money(mine.running_usd)} to build and run it; "
             f"{money(mine.cost_per_correct_usd)} per correct answer."]
    for other in ranked:
        theirs = report.approaches[other.name]
        if other.status == "meets" and other.name != chosen.name and theirs.error_usd and \
                theirs.running_usd < mine.running_usd and theirs.tco_usd > mine.tco_usd:
            found.append(f"{other.title} is {money(mine.running_usd - theirs.running_usd)} cheaper to run "
                         f"({money(theirs.running_usd)}), but at {pct(theirs.pass_rate)} "
                         f"{'accuracy' if other.scale.metric == 'accuracy' else 'passing answers'} its errors "
                         f"cost {money(theirs.error_usd)}, {money(theirs.error_usd - mine.error_usd)} more: "
                         f"the error cost decides.")
    return found


def learning_curve_reason(report: CostReport, target: float, best_prompt: RankedApproach | None) -> list[str]:
    """Labels until the measured curve (LoRA's, or whose the scenario says) reaches the target and the best
    prompt (named, with its source)."""
    measured = report.scenario.measured
    if measured is None or not measured.learning_curve:
        return []
    curve = sorted(measured.learning_curve)
    trained = measured.curve_approach
    source = curve_source(measured, trained)
    scale = Scale(report.scenario.metric)
    goals = [(target, f"the {scale.brief(target)} target")]
    if best_prompt is not None:
        goals.append((best_prompt.score, f"the best prompt, {best_prompt.title} at "
                                         f"{scale.brief(best_prompt.score)} ({best_prompt.score_source}),"))
    found = []
    for goal, label in goals:
        hit = labels_to_reach(curve, goal)
        if hit is None:
            top_labels, top_score = max(curve, key=lambda point: point[1])
            found.append(f"{title(trained)} does not reach {label.rstrip(',')} on its measured curve: "
                         f"best {scale.named(top_score)} with {count(top_labels)} labels ({source}).")
        else:
            found.append(f"{title(trained)} reaches {label} with about {count(hit)} labeled examples ({source}).")
    return found


def curve_source(measured: Measured, name: str) -> str:
    """Where a figure read off an applied learning curve comes from (the reasons and the trade-offs say
    it alike): "learning curve of run <id> on <the model the row measured>"."""
    row = measured.approaches.get(name)
    return f"learning curve of run {measured.run_id}" + (f" on {row.model}" if row and row.model else "")


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


def labels_reason(chosen: RankedApproach, report: CostReport) -> str | None:
    if chosen.labels_needed <= 0:
        return None
    if chosen.teacher is not None:
        return teacher_reason(chosen, report)
    on_hand = float(report.inputs["labeling.labels_on_hand"])
    measured = report.inputs.quantities.get(f"labels.{chosen.name}")
    needs = f"It needs {count(chosen.labels_needed)} labeled examples" + (f" ({measured.source})" if measured else "")
    if chosen.labels_to_buy <= 0:
        evaluation = float(report.approaches[chosen.name].profile.one_off.get("evaluation labels", 0.0))
        bought = evaluation / float(report.inputs["labeling.cost_per_label_usd"]) if evaluation > 0 else 0.0
        tested = (f"; its {count(bought)} evaluation labels are bought for {money(evaluation)} (in its one-off cost)"
                  if bought else "")
        return f"{needs} and {count(on_hand)} are on hand, so no training labels are bought{tested}."
    cost = chosen.labels_to_buy * float(report.inputs["labeling.cost_per_label_usd"])
    return (f"{needs}; {count(on_hand)} are on hand, "
            f"so {count(chosen.labels_to_buy)} are bought for {money(cost)} (in its one-off cost).")


def teacher_reason(chosen: RankedApproach, report: CostReport) -> str:
    """"Label 5,000 inputs with gpt-4o ($3.95: zero-shot prompt, 311 tokens each), review 10% ($200)"."""
    inputs, parts = report.inputs, report.approaches[chosen.name].profile.one_off
    teacher = report.scenario.teacher
    tokens = float(inputs["teacher.prompt_tokens"] + inputs["teacher.output_tokens"])
    made = count(max(0.0, chosen.labels_needed - float(inputs["labeling.labels_on_hand"])))
    agreed = inputs.quantities.get("teacher.agreement")
    agreement = (f"; the teacher agrees with gold labels on {chosen.scale.brief(float(agreed.value))}"
                 f"{chosen.scale.interval(inputs.intervals.get('teacher.agreement'))} ({agreed.source})"
                 if agreed is not None else "")
    return (f"Its training labels come from a teacher: label {made} inputs with {chosen.teacher} "
            f"({money(float(parts['teacher labels']))}: {title(teacher.prompt).lower()}, {tokens:,.0f} tokens "
            f"each), review {pct(teacher.reviewed_share)} of them by people "
            f"({money(float(parts['label review']))}){agreement}.")


def constraint_reasons(chosen: RankedApproach, report: CostReport) -> list[str]:
    constraints = report.scenario.constraints
    found = []
    if constraints.budget_usd is not None:
        p90 = chosen.tco_p90_usd
        risk = f"; its P90 of {money(p90)} is above it" if p90 and p90 > constraints.budget_usd \
            else ""
        found.append(f"Its {money(chosen.tco_usd)} fits the {money(constraints.budget_usd)} budget{risk}.")
    if constraints.launch_weeks is not None:
        found.append(f"About {chosen.launch_weeks:.1f} weeks of engineering "
                     f"({engineering_time(chosen.launch_weeks)}) "
                     f"fits the {constraints.launch_weeks:g}-week launch window.")
    return found


def rules_of_thumb(report: CostReport, chosen: RankedApproach, ranked: list[RankedApproach]) -> list[str]:
    """Each classic rule, stated only where this scenario's numbers bear it out."""
    found = []
    by_name = {r.name: r for r in ranked}
    tuned = [by_name[n] for n in TUNED if n in by_name]
    prompts = [by_name[n] for n in PROMPTING if n in by_name]
    volume = typed_volume(report)
    if chosen.family == "prompting" and tuned:
        cheapest_tuned = min(tuned, key=lambda r: r.tco_usd)
        be = break_even_between(report, chosen.name, cheapest_tuned.name)
        pays = be.nearest(volume, above=True) if be else None
        one_off = money(report.approaches[cheapest_tuned.name].profile.one_off_usd)
        opening = (f"Rule of thumb 'start with prompting' holds: at {count(volume)} requests a month the one-off "
                   f"cost of {cheapest_tuned.title} ({one_off}) is not earned back")
        if pays is not None and pays.cheaper_above == cheapest_tuned.name:
            found.append(f"{opening}; it pays only {volume_span(pays, be.after(pays), be)} {typed_note(report)}.")
        elif be is not None and pays is None and cheapest_tuned.tco_usd > chosen.tco_usd:
            found.append(f"{opening} at any volume up to {count(volume * VOLUME_SPAN)} requests a month "
                         f"({VOLUME_SPAN:,.0f}× yours).")
    if chosen.family == "tuning" and prompts:
        best_prompt = min(prompts, key=lambda r: r.tco_usd)
        be = break_even_between(report, chosen.name, best_prompt.name)
        paid = be.nearest(volume, above=False) if be else None
        if paid is not None and paid.cheaper_above == chosen.name:
            parts = [f"volume {count(volume)} a month is above the {count(paid.requests_per_month)} "
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


def volume_changes(report: CostReport, chosen: RankedApproach, ranked: list[RankedApproach]) -> list[str]:
    """The nearest volumes, above and below the typed one, at which an acceptable rival becomes cheaper,
    in the unit typed (the first month's requests, growth kept as set)."""
    volume = typed_volume(report)
    above, below = [], []
    for rival in ranked:
        if rival.name == chosen.name or rival.status == "misses":
            continue
        be = break_even_between(report, chosen.name, rival.name)
        if be is None:
            continue
        up, down = be.nearest(volume, above=True), be.nearest(volume, above=False)
        if up is not None and up.cheaper_above == rival.name and up.requests_per_month <= volume * VOLUME_REACH:
            above.append((up.requests_per_month, volume_span(up, be.after(up), be), rival))
        if down is not None and down.cheaper_above == chosen.name and \
                down.requests_per_month >= volume / VOLUME_REACH:
            below.append((down.requests_per_month, volume_span(be.before(down), down, be), rival))
    found = []
    metric = Scale(report.scenario.metric).name
    caveat = {"meets": "", "uncertain": f" (if its {metric} holds up)", "unknown": f" (if its {metric} suffices)"}
    for chosen_side in (min(above, key=lambda item: item[0], default=None),
                        max(below, key=lambda item: item[0], default=None)):
        if chosen_side is not None:
            _, span, rival = chosen_side
            found.append(f"{span[:1].upper()}{span[1:]} {typed_note(report)}, {rival.title} becomes "
                         f"cheaper{caveat[rival.status]}.")
    return found


def target_change(chosen: RankedApproach, ranked: list[RankedApproach], target: float) -> str | None:
    cheaper = [r for r in ranked if r.tco_usd < chosen.tco_usd and r.score is not None
               and not r.constraint_issues]
    if not cheaper:
        return None
    best = max(cheaper, key=lambda r: (r.score, -r.tco_usd))
    if best.score >= target:
        return None
    return (f"With a target of {best.scale.brief(best.score)} or lower, {best.title} would be chosen: it costs "
            f"{money(best.tco_usd)} against {money(chosen.tco_usd)}.")


def search_reason(report: CostReport, ranked: list[RankedApproach]) -> str | None:
    """What a prompt search bought: its score against the best hand-written prompt's, for what its calls and
    hours cost ("+4.2 points over Few-shot prompt (86%) for $12.40 of search calls and $1,200 of hours")."""
    by_name = {r.name: r for r in ranked}
    searched = by_name.get("prompt_search")
    hand = [r for r in ranked if r.family == "prompting" and r.name != "prompt_search" and r.score is not None]
    if searched is None or searched.score is None or not hand:
        return None
    best = max(hand, key=lambda r: r.score)
    parts = report.approaches["prompt_search"].profile.one_off
    cost = (f"{money(float(parts.get('search calls', 0.0)))} of search calls and "
            f"{money(float(parts.get('engineering', 0.0)))} of hours")
    scale, diff = searched.scale, searched.score - best.score
    gained = (f"{'+' if diff > 0 else '−'}{scale.gap(diff)} over" if abs(diff) > 1e-9 else "nothing over")
    return (f"Prompt search: {gained} {best.title} ({scale.brief(best.score)}, the best hand-written prompt) "
            f"at {scale.brief(searched.score)}, for {cost}.")


def open_change(chosen: RankedApproach, ranked: list[RankedApproach], target: float) -> str | None:
    """The cheapest approach whose quality is open (unknown, or its interval spans the target): were it
    shown to meet the target, it would be chosen."""
    cheaper = [r for r in ranked if r.standing == "open" and r.tco_usd < chosen.tco_usd]
    if not cheaper:
        return None
    best = min(cheaper, key=lambda r: r.tco_usd)
    on = f" on {best.model}" if best.model else ""
    return (f"If {best.title} is shown to reach the {best.scale.brief(target)} target{on}, it would be chosen: "
            f"it costs {money(best.tco_usd)} against {money(chosen.tco_usd)}.")


def sensitivity_of(report: CostReport) -> Sensitivity:
    """The tornado bars of a pair of approaches, each pair swung once: the reasons and the sensitivity
    chart of one analysis share them. The swing is ~40% of an analysis: swung once, an edit on the
    Costs page (AppTest, horizon slider, median of 5, load 6) went 1.34 s -> 1.15 s, 0.39 -> 0.32 s."""

    @cache
    def bars(a: str, b: str) -> list[TornadoBar]:
        return tornado(report.inputs, a, b, report.scenario.uncertainty)

    return bars


def sensitivity_change(report: CostReport, rival: RankedApproach, bars: list[TornadoBar]) -> list[str]:
    """The three inputs that move the choice against its rival most, where one alone flips the cost."""
    found = []
    for bar in bars[:3]:
        for value, delta in ((bar.low_value, bar.low_delta_usd), (bar.high_value, bar.high_delta_usd)):
            if delta > 0:
                source = "its range" if bar.ranged else "±25%"
                unit = report.inputs.quantities[bar.input].unit
                found.append(f"With {in_sentence(field_label(bar.input))} at {amount(value, unit)} "
                             f"(within {source}), {rival.title} becomes cheaper by {money(delta)}.")
                break
    return found


def score_gap(chosen: RankedApproach, rival: RankedApproach) -> str | None:
    if chosen.score is None or rival.score is None:
        return None
    diff = chosen.score - rival.score
    word = "more" if diff >= 0 else "less"
    overlap = ""
    if chosen.score_ci and rival.score_ci:
        apart = rival.score_ci[1] < chosen.score_ci[0] or rival.score_ci[0] > chosen.score_ci[1]
        overlap = "; the intervals do not overlap" if apart else "; the intervals overlap"
    scale = chosen.scale
    better = f"{word} accurate" if scale.metric == "accuracy" else f"{'higher' if diff >= 0 else 'lower'} on {scale.name}"
    return (f"It is {scale.gap(diff)} {better} than {rival.title} "
            f"({scale.value(chosen.score)}{scale.interval(chosen.score_ci)} vs "
            f"{scale.value(rival.score)}{scale.interval(rival.score_ci)}){overlap}.")
