"""The decision: rank the approaches, pick one or say why not, and explain it with its numbers.

Pure: reads a CostReport and a MonteCarlo, returns a Recommendation. The cheapest approach that
meets the target on the task's metric (see `ranking`) and breaks no constraint is the choice. The classic
rules of thumb appear only as reasons whose numbers hold in this scenario (see `reasons`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from calculator.costs import CostReport
from calculator.recommend.gaps import EvidenceGap, evidence_gaps, how_to_measure
from calculator.recommend.ranking import RankedApproach, Status, rank, unknown_words
from calculator.recommend.reasons import (
    Sensitivity,
    constraint_reasons,
    error_reasons,
    labels_reason,
    learning_curve_reason,
    open_change,
    payback,
    rules_of_thumb,
    score_gap,
    score_phrase,
    search_reason,
    sensitivity_change,
    sensitivity_of,
    spread_note,
    target_change,
    volume_changes,
    volume_decider,
    why_not,
)
from calculator.recommend.sure import NAME as SURE
from calculator.recommend.sure import sentence as sure_sentence
from calculator.recommend.wording import Scale, money, pct
from calculator.uncertainty import MonteCarlo

Verdict = Literal["recommend", "provisional", "constrained", "undecided", "none_meets"]
TOP_REASONS = 3  # the strongest reasons, shown first; the rest are one click away
TIE_MARGIN = 0.02  # totals this close (a share of the choice's) are a tie
TIE_SHARES = (0.35, 0.65)  # and so is a chance cheapest between these


@dataclass(frozen=True)
class Recommendation:
    verdict: Verdict
    choice: str | None
    headline: str
    target: float
    reasons: list[str]  # strongest first: the choice, how sure, why not the cheapest rejected one
    what_would_change: list[str]
    evidence_gaps: list[EvidenceGap]
    ranked: list[RankedApproach]
    cheapest_share: float | None  # the choice's chance cheapest (calculator/recommend/sure.py)
    rival: str | None = None  # the approach the choice is weighed against (tornado, payback)
    compared: list[str] = field(default_factory=list)  # rivals whose break-even with the choice matters
    draws: int = 0  # Monte Carlo draws behind the chance cheapest
    metric: str = "accuracy"  # the target's and every score's metric (core.metrics)

    @property
    def scale(self) -> Scale:
        return Scale(self.metric)

    def approach(self, name: str) -> RankedApproach | None:
        return next((r for r in self.ranked if r.name == name), None)

    @property
    def top_reasons(self) -> list[str]:
        return self.reasons[:TOP_REASONS]

    @property
    def more_reasons(self) -> list[str]:
        """The reasons after the strongest (the report's "More reasons")."""
        return self.reasons[len(self.top_reasons):]

    @property
    def break_even_pairs(self) -> list[tuple[str, str]]:
        """The break-evens worth labelling on a chart: the choice against each approach it is weighed
        against (none without a choice)."""
        return [(self.choice, other) for other in self.compared] if self.choice else []

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def recommend(report: CostReport, mc: MonteCarlo, sensitivity: Sensitivity | None = None) -> Recommendation:
    """Rank the approaches and decide; every reason quotes the numbers that decided it.
    `sensitivity` (reasons.sensitivity_of) lets the caller reuse the bars it swings for the choice."""
    target = report.scenario.quality.target
    scale = Scale(report.scenario.metric)
    ranked = rank(report, mc)
    eligible = [r for r in ranked if r.eligible]
    if not eligible:
        return _no_choice(report, ranked, target, mc.draws)
    chosen = eligible[0]
    share = chosen.cheapest_share
    gaps = evidence_gaps(report, ranked, chosen, target, share)
    cheaper = {r.name for r in ranked if r.tco_usd < chosen.tco_usd}
    deciding = [g for g in gaps if g.approach in (chosen.name, None) or g.approach in cheaper]
    verdict: Verdict = "provisional" if deciding else "recommend"
    rival = _rival(chosen, ranked)
    bars = (sensitivity or sensitivity_of(report))(chosen.name, rival.name) if rival is not None else []
    headline = (_tie_headline(report, chosen, rival, bars, share, mc.draws)
                or _choice_headline(report, chosen, eligible, share, mc.draws, deciding))
    headline += _provisional_because(deciding) + _cheaper_unknown(report, chosen, ranked)
    reasons = [f"{chosen.title} meets the {scale.brief(target)} target with {score_phrase(chosen)} and costs "
               f"{money(chosen.tco_usd)} over {report.horizon_months} months "
               f"(P10–P90 {money(chosen.tco_p10_usd or chosen.tco_usd)}–{money(chosen.tco_p90_usd or chosen.tco_usd)}).",
               sure_sentence(share, len(eligible), mc.draws)]
    reasons += [why_not(r, chosen, target) for r in sorted(ranked, key=lambda r: r.tco_usd)
                if r.tco_usd < chosen.tco_usd][:3]
    reasons += error_reasons(report, chosen, ranked)
    if rival is not None:
        reasons += [s for s in [score_gap(chosen, rival)] if s]
    compared = _comparators(chosen, ranked, rival)
    for other in compared:
        reasons += [s for s in [payback(report, chosen, other)] if s]
    reasons += [s for s in [labels_reason(chosen, report)] if s]
    prompts = [r for r in ranked if r.family == "prompting" and r.score is not None]
    measured_prompts = [r for r in prompts if (r.score_source or "").startswith("measured")]
    best_prompt = max(measured_prompts or prompts, key=lambda r: r.score, default=None)
    if chosen.family == "tuning":
        reasons += learning_curve_reason(report, target, best_prompt)
    reasons += constraint_reasons(chosen, report)
    reasons += [s for s in [search_reason(report, ranked)] if s]
    reasons += rules_of_thumb(report, chosen, ranked)
    changes = volume_changes(report, chosen, ranked)
    changes += [s for s in [open_change(chosen, ranked, target), target_change(chosen, ranked, target)] if s]
    if rival is not None:
        changes += sensitivity_change(report, rival, bars)
    return Recommendation(verdict, chosen.name, headline, target, reasons, changes, gaps, ranked, share,
                          rival.name if rival else None, [r.name for r in compared], mc.draws, scale.metric)


def _served(report: CostReport, chosen: RankedApproach) -> str:
    """Where a tuned choice runs, and who labels its data: " at openai (gpt-4o-mini-2024-07-18)",
    " on own L4 GPUs", " on own L4 GPUs, trained on gpt-4o's labels"."""
    if chosen.family != "tuning":
        return ""
    taught = f", trained on {chosen.teacher}'s labels" if chosen.teacher else ""
    if chosen.model != report.scenario.finetuning.base_model:
        provider = report.scenario.finetuning.provider_id or report.scenario.api.provider_id
        return f" at {provider} ({chosen.model}){taught}"
    return f" on own {report.scenario.hosting.gpu} GPUs{taught}"


def _choice_headline(report: CostReport, chosen: RankedApproach, eligible: list[RankedApproach],
                     share: float, draws: int, deciding: list[EvidenceGap]) -> str:
    """"Choose LoRA fine-tune on own L4 GPUs: $71,243 over 24 months, the cheapest of the 2 approaches that
    meet the 90% accuracy target in 100% of 20,000 Monte Carlo draws." The certainty names its denominator."""
    verb = "Provisionally choose" if deciding else "Choose"
    target = chosen.scale.target(report.scenario.quality.target)
    cost = f"{money(chosen.tco_usd)} over {report.horizon_months} months"
    if len(eligible) == 1:
        return (f"{verb} {chosen.title}{_served(report, chosen)}: {cost}, the only approach that meets the "
                f"{target} within the constraints.")
    return (f"{verb} {chosen.title}{_served(report, chosen)}: {cost}, the cheapest of the {len(eligible)} "
            f"approaches that meet the {target} in {pct(share)} of {draws:,} Monte Carlo draws ({SURE}).")


def is_tie(chosen: RankedApproach, rival: RankedApproach | None, share: float | None) -> bool:
    """Two qualifying approaches whose totals are within TIE_MARGIN of the choice's, or whose chance
    cheapest lies between TIE_SHARES: the cost ranking cannot tell them apart."""
    if rival is None or not rival.eligible:
        return False
    close = abs(rival.tco_usd - chosen.tco_usd) <= TIE_MARGIN * chosen.tco_usd
    return close or (share is not None and TIE_SHARES[0] <= share <= TIE_SHARES[1])


def _tie_headline(report: CostReport, chosen: RankedApproach, rival: RankedApproach | None,
                  bars: list, share: float, draws: int) -> str | None:
    """A near tie said as one, with what decides it."""
    if not is_tie(chosen, rival, share):
        return None
    apart = abs(rival.tco_usd - chosen.tco_usd) / chosen.tco_usd
    why = (f"within the {pct(TIE_MARGIN)} tie margin" if apart <= TIE_MARGIN else
           f"a {SURE} between {pct(TIE_SHARES[0])} and {pct(TIE_SHARES[1])} is a tie")
    deciders = [s for s in [volume_decider(report, chosen, rival)] if s]
    deciders += [s[:1].lower() + s[1:].rstrip(".") for s in sensitivity_change(report, rival, bars)[:1]]
    decides = f" What decides it: {'; '.join(deciders)}." if deciders else ""
    return (f"A tie between {chosen.title}{_served(report, chosen)} ({money(chosen.tco_usd)}) and "
            f"{rival.title}{_served(report, rival)} ({money(rival.tco_usd)}) over {report.horizon_months} "
            f"months: {pct(apart)} apart ({why}); {chosen.title} is cheaper in {pct(share)} of "
            f"{draws:,} Monte Carlo draws.{decides}")


def _cheaper_unknown(report: CostReport, chosen: RankedApproach, ranked: list[RankedApproach]) -> str:
    """The cheapest approach that costs less than the choice but whose quality is not known or not
    settled: its saving, and how to measure it."""
    cheaper = [r for r in ranked if r.standing == "open" and r.tco_usd < chosen.tco_usd]
    if not cheaper:
        return ""
    best = min(cheaper, key=lambda r: r.tco_usd)
    more = f" ({len(cheaper) - 1} more cheaper ones under what to measure next)" if len(cheaper) > 1 else ""
    known = (f"its {best.scale.name} is {unknown_words(best)}" if best.status == "unknown"
             else f"its {best.scale.named(best.score)}{best.scale.interval(best.score_ci)} may miss the target")
    return (f" Not settled: {best.title} would cost {money(chosen.tco_usd - best.tco_usd)} less "
            f"({money(best.tco_usd)}), but {known}; measure it: {how_to_measure(report.scenario, best)}.{more}")


def _provisional_because(deciding: list[EvidenceGap]) -> str:
    """The headline's reason for a provisional verdict: the first gap that makes it so."""
    if not deciding:
        return ""
    more = f" (and {len(deciding) - 1} more under what to measure next)" if len(deciding) > 1 else ""
    return f" Provisional: {deciding[0].problem}{more}."


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


def _no_choice(report: CostReport, ranked: list[RankedApproach], target: float, draws: int) -> Recommendation:
    scale = Scale(report.scenario.metric)
    gaps = evidence_gaps(report, ranked, None, target, None)
    reasons: list[str] = []
    meets = [r for r in ranked if r.status == "meets"]
    open_ = [r for r in ranked if r.status in ("uncertain", "unknown")]
    known = [r for r in ranked if r.score is not None]
    closest = max(known, key=lambda r: r.score, default=None)
    if meets:
        verdict: Verdict = "constrained"
        headline = (f"No approach fits: those that meet the {scale.target(target)} break a constraint.")
        reasons += [f"{r.title} meets the target but {'; '.join(r.constraint_issues)}." for r in meets]
    elif open_:
        verdict = "undecided"
        names = ", ".join(r.title for r in open_)
        headline = (f"The evidence is too weak to decide: no approach is known to meet the "
                    f"{scale.target(target)}; {names} might.")
    else:
        verdict = "none_meets"
        headline = (f"No approach meets the {scale.target(target)}; the closest is "
                    f"{closest.title} at {scale.value(closest.score)}.")
    for r in sorted(ranked, key=lambda r: r.tco_usd):
        if r.status == "misses":
            reasons.append(f"{r.title} ({money(r.tco_usd)}) reaches {scale.named(r.score)}"
                           f"{scale.interval(r.score_ci)}, {scale.gap(target - r.score)} short of the target.")
        elif r.status == "uncertain":
            reasons.append(f"{r.title} ({money(r.tco_usd)}) reaches {scale.named(r.score)}"
                           f"{scale.interval(r.score_ci)}: it may or may not meet the target{spread_note(r)}.")
        elif r.status == "unknown":
            reasons.append(f"{r.title} ({money(r.tco_usd)}) has no known {scale.name}.")
    changes = []
    if closest is not None and closest.score < target:
        changes.append(f"With a target of {scale.named(closest.score)} or lower, {closest.title} would qualify.")
    learning = learning_curve_reason(report, target, None)
    reasons += learning
    if meets:
        cheapest = min(meets, key=lambda r: r.tco_usd)
        if report.scenario.constraints.budget_usd is not None:
            changes.append(f"With a budget of {money(cheapest.tco_usd)} or more, {cheapest.title} would fit.")
    return Recommendation(verdict, None, headline, target, reasons, changes, gaps, ranked, None, draws=draws,
                          metric=scale.metric)


__all__ = ["TOP_REASONS", "EvidenceGap", "RankedApproach", "Recommendation", "Status", "Verdict", "recommend"]
