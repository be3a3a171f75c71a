"""Evidence gaps: what is missing or too weak to trust the decision, and what to measure next."""

from __future__ import annotations

from dataclasses import dataclass

from calculator.costs import CostReport
from calculator.evaluation import tests_needed
from calculator.measured import measured_elsewhere
from calculator.recommend.ranking import RankedApproach
from calculator.recommend.sure import NAME as SURE
from calculator.recommend.wording import interval, pct, points
from core.approaches import title

CONFIDENT_SHARE = 0.8  # below this chance cheapest the cost ranking is called close
NEAR_TARGET = 0.05  # a typed-in accuracy this close to the target could flip the answer


@dataclass(frozen=True)
class EvidenceGap:
    approach: str | None
    problem: str
    measure_next: str



def evidence_gaps(report: CostReport, ranked: list[RankedApproach], chosen: RankedApproach | None,
                   target: float, share: float | None) -> list[EvidenceGap]:
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
