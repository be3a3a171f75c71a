"""Evidence gaps: what is missing or too weak to trust the decision, and what to measure next."""

from __future__ import annotations

from dataclasses import dataclass

from calculator.costs import CostReport
from calculator.evaluation import tests_needed
from calculator.measured import measured_elsewhere
from calculator.recommend.ranking import RankedApproach, unknown_words
from calculator.recommend.sure import NAME as SURE
from calculator.recommend.wording import pct
from calculator.scenario import Scenario
from core.approaches import title

CONFIDENT_SHARE = 0.8  # below this chance cheapest the cost ranking is called close
NEAR_TARGET = 0.05  # a typed-in score this close to the target could flip the answer


@dataclass(frozen=True)
class EvidenceGap:
    approach: str | None
    problem: str
    measure_next: str



def how_to_measure(scenario: Scenario, entry: RankedApproach) -> str:
    """The button and the command that measure an approach on the model the scenario prices for it."""
    if entry.teacher is not None:
        return (f"a benchmark run with the teacher, `prompt-or-tune bench --teacher-endpoint URL --teacher-model "
                f"{entry.teacher} --approaches {entry.name}` (its agreement with gold labels and the student "
                f"scored on them); or type the teacher's agreement on the Scenario page")
    if entry.family == "prompting":
        run = (f"Benchmark page, API endpoint form, or `prompt-or-tune bench --endpoint URL --endpoint-model "
               f"{entry.model} --endpoint-approaches {entry.name}`")
    elif entry.model == scenario.finetuning.base_model:
        run = (f"Benchmark page with your labeled data, or `prompt-or-tune bench --model {entry.model} "
               f"--data your.csv --approaches {entry.name}`")
    else:  # trained at the provider
        run = f"fine-tune {entry.model} at the provider, then score it from the Benchmark page's API endpoint form"
    return f"{run}; or type its {entry.scale.name} for {entry.model} on the Scenario page"


def evidence_gaps(report: CostReport, ranked: list[RankedApproach], chosen: RankedApproach | None,
                   target: float, share: float | None) -> list[EvidenceGap]:
    gaps = []
    contenders = [r for r in ranked if chosen is None or r.tco_usd <= chosen.tco_usd]
    for entry in ranked:
        if entry.status == "unknown":
            gaps.append(EvidenceGap(entry.name, f"{entry.title}: {entry.scale.name} {unknown_words(entry)}",
                                    how_to_measure(report.scenario, entry)))
        elif entry.status == "uncertain" and entry in contenders:
            margin = abs(entry.score - target) or 0.01
            why = "its 95% interval contains the target" if entry.score_ci else "its paraphrase spread reaches below the target"
            gaps.append(EvidenceGap(entry.name, f"{entry.title}: {entry.scale.named(entry.score)}"
                                    f"{entry.scale.interval(entry.score_ci)}, {why} ({entry.scale.brief(target)})",
                                    f"measure on about {tests_needed(entry.score, margin):,} test "
                                    f"examples to tell it apart from the target"))
        elif entry.score is not None and entry.score_ci is None and entry in contenders and (
                entry is chosen or abs(entry.score - target) <= NEAR_TARGET):
            gaps.append(EvidenceGap(entry.name, f"{entry.title}: {entry.scale.named(entry.score)} is typed in, "
                                    f"not measured (no interval)",
                                    f"benchmark it on about {tests_needed(entry.score, 0.02):,} test "
                                    f"examples (±{entry.scale.gap(0.02)})"))
    if chosen is not None:
        gaps += _overlap_gaps(chosen, ranked)
    measured = report.scenario.measured
    if measured is not None:
        gaps += [EvidenceGap(name, why, "measure again with its whole plan trained (an idle machine, "
                             "or a larger train_time_budget_s)") for name, why in measured.not_applied.items()]
        if elsewhere := measured_elsewhere(report.scenario):  # rows the user chose to apply anyway
            deployed = {report.scenario.finetuning.base_model, report.scenario.api.model}
            gaps.append(EvidenceGap(None, f"{', '.join(title(n) for n in elsewhere)}: measured on "
                                    f"{', '.join(sorted(set(elsewhere.values())))}, not on the models this "
                                    f"scenario deploys ({', '.join(sorted(deployed))})",
                                    "rerun the benchmark on the model you will deploy"))
    gaps += [EvidenceGap(None, note, "check the token counts") for note in report.inputs.notes
             if "estimate" in note.lower()]
    if share is not None and share < CONFIDENT_SHARE and chosen is not None:
        gaps.append(EvidenceGap(chosen.name, f"{chosen.title}'s {SURE} is only {pct(share)}: in the other "
                                f"{pct(1 - share)} of the Monte Carlo draws another qualifying approach "
                                f"is cheaper",
                                "narrow the widest uncertainty ranges (see the sensitivity chart)"))
    return gaps


def _overlap_gaps(chosen: RankedApproach, ranked: list[RankedApproach]) -> list[EvidenceGap]:
    """Cheaper rivals whose measured interval overlaps the choice's: the gap in score is not settled."""
    gaps = []
    if chosen.score_ci is None:
        return gaps
    for rival in ranked:
        if rival.name == chosen.name or rival.score_ci is None or rival.tco_usd >= chosen.tco_usd:
            continue
        if rival.score_ci[1] >= chosen.score_ci[0] and rival.score_ci[0] <= chosen.score_ci[1]:
            gap = abs(chosen.score - rival.score) or 0.01
            scale = chosen.scale
            gaps.append(EvidenceGap(rival.name, f"{chosen.title} {scale.value(chosen.score)}"
                                    f"{scale.interval(chosen.score_ci)} and {rival.title} {scale.value(rival.score)}"
                                    f"{scale.interval(rival.score_ci)}: the intervals overlap",
                                    f"measure both on about {tests_needed(chosen.score, gap / 2):,} "
                                    f"test examples to resolve a {scale.gap(gap)} gap"))
    return gaps
