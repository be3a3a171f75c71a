"""Who labels the training data: each tuned approach priced with people's labels and with a teacher
model's (distillation), side by side.

Labels are the largest one-off cost of tuning when none are on hand. A teacher (an API model, prompted
as `teacher.prompt`) writes them for its tokens' price, and a person reviews a share; the student it
trains is capped at the teacher's agreement with gold labels (unknown while that is). Here the scenario
is evaluated with `teacher.approaches` set each way (`costs.evaluate`, no formula of its own), so the
reader sees both, with the label part of each total and what each would score.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from calculator.costs import CostReport, evaluate_with
from calculator.inputs import teacher_model
from calculator.recommend.wording import Scale, money, pct
from calculator.scenario import Scenario
from core.approaches import TUNED, title

LABEL_PARTS = ("labels", "teacher labels", "label review")  # the one-off parts that make training labels


@dataclass(frozen=True)
class LabelSourceVariant:
    approach: str
    source: str  # "people" or "gpt-4o (zero-shot prompt), 10% reviewed"
    taught: bool
    labels_usd: float  # the training labels in the one-off cost (a teacher's tokens and the review)
    tco_usd: float
    score: float | None  # on the scenario's metric: typed, capped at the teacher's agreement; None: unknown
    meets: bool | None  # the score against the target; None: unknown
    current: bool  # how the scenario labels this approach now


@dataclass(frozen=True)
class LabelSources:
    variants: list[LabelSourceVariant]  # by approach, cheapest first within each
    teacher: str  # the teacher model
    left_out: str | None  # why the teacher could not be priced (no variants then)
    horizon_months: int
    metric: str
    target: float

    def to_dict(self) -> dict[str, Any]:
        return {"variants": [asdict(v) for v in self.variants], "teacher": self.teacher, "left_out": self.left_out}


def label_sources(costs: CostReport) -> LabelSources:
    """Every tuned approach the scenario compares that needs more labels than are on hand, by people and by
    the teacher (with enough labels on hand, who would make more does not matter)."""
    scenario, on_hand = costs.scenario, float(costs.inputs["labeling.labels_on_hand"])
    tuned = [n for n in scenario.approaches if n in TUNED and costs.approaches[n].labels_needed > on_hand]
    model = teacher_model(scenario)[0]
    sources = LabelSources([], model, None, costs.horizon_months, scenario.metric, scenario.quality.target)
    if not tuned:
        return sources
    by_people = evaluate_with(scenario, "teacher", approaches=[])
    by_teacher = evaluate_with(scenario, "teacher", approaches=tuned)
    failed = next((r for r in (by_people, by_teacher) if isinstance(r, str)), None)
    if failed is not None:
        return LabelSources([], model, failed, costs.horizon_months, scenario.metric, scenario.quality.target)
    variants = []
    for name in tuned:
        pair = [_variant(name, report, scenario) for report in (by_people, by_teacher)]
        variants += sorted(pair, key=lambda v: v.tco_usd)
    return LabelSources(variants, model, None, costs.horizon_months, scenario.metric, scenario.quality.target)


def _variant(name: str, report: CostReport, current: Scenario) -> LabelSourceVariant:
    scenario, priced = report.scenario, report.approaches[name]
    taught = name in scenario.teacher.approaches
    teacher = scenario.teacher
    source = (f"{teacher_model(scenario)[0]} ({title(teacher.prompt).lower()}), {pct(teacher.reviewed_share)} "
              "reviewed" if taught else "people")
    labels = sum(float(value) for part, value in priced.profile.one_off.items() if part in LABEL_PARTS)
    meets = None if priced.score is None else priced.score >= scenario.quality.target
    return LabelSourceVariant(name, source, taught, labels, priced.tco_usd, priced.score, meets,
                              taught == (name in current.teacher.approaches))


def notes(found: LabelSources) -> list[str]:
    """The table in sentences: each approach's saving from the teacher, and what bounds the student."""
    if found.left_out:
        return [f"The teacher {found.teacher} could not be priced: {found.left_out}."]
    scale, lines = Scale(found.metric), []
    for name in dict.fromkeys(v.approach for v in found.variants):
        people = next(v for v in found.variants if v.approach == name and not v.taught)
        teacher = next(v for v in found.variants if v.approach == name and v.taught)
        saving = people.tco_usd - teacher.tco_usd
        quality = ("its score is unknown until the teacher's agreement with gold labels is known (type it on the "
                   "Scenario page, Fine-tuning tab, or measure it with a benchmark run with a teacher)"
                   if teacher.score is None else
                   f"it would score {scale.brief(teacher.score)}, "
                   f"{'meeting' if teacher.meets else 'missing'} the {scale.target(found.target)}")
        lines.append(f"{title(name)} on {found.teacher}'s labels costs {money(abs(saving))} "
                     f"{'less' if saving >= 0 else 'more'} over {found.horizon_months} months "
                     f"({money(teacher.tco_usd)} against {money(people.tco_usd)}); {quality}.")
    return lines


def table_columns(found: LabelSources) -> list[str]:
    return ["approach", "labels from", "training labels", f"TCO {found.horizon_months} months",
            Scale(found.metric).name, "scenario"]


def table_rows(found: LabelSources) -> list[list[str]]:
    scale = Scale(found.metric)
    return [[title(v.approach), v.source, money(v.labels_usd), money(v.tco_usd),
             "unknown" if v.score is None else scale.value(v.score) + ("" if v.meets else " (misses)"),
             "current" if v.current else ""] for v in found.variants]
