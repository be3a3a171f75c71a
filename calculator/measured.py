"""Turn a benchmark result into the scenario's measured inputs, each sourced to its run, model and backend.

A result row applies to the approach it measured when it was measured on the model the scenario
prices for that approach: the API model (`api.model`) for the prompting approaches, the fine-tuning
base model (`finetuning.base_model`) for the tuned ones. A row measured on another model is applied
only when the user chooses it (a checkbox on the Benchmark page, `--apply-mismatched` in the CLI);
otherwise it is left out and named in `Measured.left_out`. A row whose training the time guard cut
is never applied: its score is not the approach's quality, so it is named as missing evidence
(`not_applied`); nor is a run of another task kind or metric than the scenario decides on. A tuned
approach's measured score is priced with the labels it was trained on. A text task's row brings its
answers' length (output tokens, priced in place of the typed ones) and every example's score (the
pass rate at the scenario's threshold, from which errors are priced).

The learning curve comes with the best-scoring applied trained row that has one (its own score a
point of it; the spec's `learning_curve` says which approaches a run trains per size). Training MFU and serving throughput come
only from applied local rows of a GPU run: CPU timings say nothing about a GPU's. Throughput
measured on the benchmark's model is scaled to the scenario's model by parameter count.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from calculator.scenario import (
    Measured,
    MeasuredApproach,
    MeasuredTeacher,
    Scenario,
    SearchedPrompt,
    same_model,
)
from core.approaches import spec, title
from core.metrics import metric_name, with_name
from core.result import ApproachResult, BenchmarkResult


def _value(row: ApproachResult) -> tuple[str, float, tuple[float, float]]:
    """(metric, value, 95% interval) of a row: a classification row's accuracy, else its quality."""
    if row.accuracy is not None:
        return "accuracy", row.accuracy, tuple(row.accuracy_ci)
    return row.quality.metric, row.quality.value, tuple(row.quality.interval)


def _measured(row: ApproachResult) -> str:
    """"accuracy 82.0%", "chrF 0.412": a row's score in its metric's unit."""
    metric, value, _ = _value(row)
    return with_name(metric, value)


def _a(kind: str) -> str:
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"


def other_object(scenario: Scenario, result: BenchmarkResult) -> str | None:
    """Why a run measured something else than the scenario decides on (another task kind, or another metric),
    in one line; None when its rows can be applied."""
    kind, metric = scenario.task.kind, scenario.metric
    if result.task.kind != kind:
        return (f"run {result.run_id} measured {_a(result.task.kind)} task, the scenario decides {_a(kind)} task: "
                "its scores say nothing about this one")
    measured = {a.quality.metric for a in result.approaches}
    if measured != {metric}:
        return (f"run {result.run_id} measured {', '.join(metric_name(m) for m in sorted(measured))}, the scenario's "
                f"target is on {metric_name(metric)}: set quality.metric to compare them")
    return None


def under_trained(row: ApproachResult, run_id: str) -> str | None:
    """Why a row's score says nothing about its approach, or None when it can be used."""
    training = row.training
    if training is None or not training.under_trained:
        return None
    name = title(row.approach)
    return (f"{name} stopped after {training.steps} of {training.planned_steps} planned training steps "
            f"in run {run_id} (its time guard cut it): its measured {_measured(row)} is not "
            f"{name}'s quality")


def row_key(row: ApproachResult) -> str:
    """"few_shot@endpoint": one row of a result (a run may measure an approach on both backends)."""
    return f"{row.approach}@{row.backend}"


@dataclass(frozen=True)
class RowChoice:
    """One result row, the model it was measured on and the model the scenario prices in its place."""

    row: ApproachResult
    model: str
    priced: str
    problem: str | None  # under-trained: never applied

    @property
    def key(self) -> str:
        return row_key(self.row)

    @property
    def matches(self) -> bool:
        return same_model(self.model, self.priced)

    @property
    def mismatch(self) -> str:
        """"Zero-shot prompt was measured on smollm2-135m-instruct, the scenario prices gpt-4o"."""
        return f"{title(self.row.approach)} was measured on {self.model}, the scenario prices {self.priced}"

    @property
    def label(self) -> str:
        """The row as a checkbox names it: approach, backend, its score on its metric, model."""
        return f"{title(self.row.approach)} ({self.row.backend}): {_measured(self.row)} on {self.model}"


def row_choices(scenario: Scenario, result: BenchmarkResult) -> list[RowChoice]:
    """Every row of the result with the model it measured and the one the scenario prices for it; a
    row of another task kind or metric, or an under-trained one, has a problem and is never applied."""
    text = other_object(scenario, result)
    return [RowChoice(a, a.model or result.model.name, scenario.priced_model(a.approach),
                      text or under_trained(a, result.run_id))
            for a in result.approaches]


def _pick(candidates: list[RowChoice]) -> RowChoice:
    """Of several chosen rows of one approach: the one on the priced model, else the endpoint's."""
    return min(candidates, key=lambda c: (not c.matches, c.row.backend != "endpoint"))


def applied_curve(row: ApproachResult) -> list[tuple[int, float]]:
    """The learning curve's points and, when it has some, the row's own (its score with the labels
    it trained on): a sentence about the curve then never contradicts the score applied."""
    if not row.learning_curve:
        return []
    points = {p.labeled_examples: p.accuracy if p.accuracy is not None else p.quality.value
              for p in row.learning_curve}
    points[row.labeled_examples] = _value(row)[1]
    return sorted(points.items())


def _searched(row: ApproachResult) -> SearchedPrompt | None:
    """A searched row's chosen prompt, as the scenario's task is priced with it."""
    if row.search is None:
        return None
    chosen = row.search.trials[row.search.chosen]
    return SearchedPrompt(kind=chosen.prompt_kind, variant=chosen.variant,
                          shots=len(chosen.shot_ids) if chosen.k is None else chosen.k,
                          per_input=chosen.shots == "nearest")


def _teacher(row: ApproachResult) -> MeasuredTeacher | None:
    """What a row trained on a teacher's labels measured of its teacher (core.result.TeacherStats)."""
    taught = row.teacher
    if taught is None:
        return None
    return MeasuredTeacher(model=taught.model, backend=taught.backend, agreement=taught.agreement.value,
                           interval=tuple(taught.agreement.interval), kept=taught.kept,
                           usd_per_label=taught.usd_per_label, prompt_tokens=taught.prompt_tokens,
                           output_tokens=taught.completion_tokens)


def measured_from(result: BenchmarkResult, scenario: Scenario, rows: Collection[str]) -> Measured:
    """The measured inputs from the rows named in `rows` (row keys); the others are left out."""
    choices = row_choices(scenario, result)
    not_applied = {c.row.approach: c.problem for c in choices if c.problem}
    left_out = {c.key: c.mismatch for c in choices if not c.problem and c.key not in rows and not c.matches}
    by_approach: dict[str, list[RowChoice]] = {}
    for c in choices:
        if not c.problem and c.key in rows:
            by_approach.setdefault(c.row.approach, []).append(c)
    applied = {name: _pick(found) for name, found in by_approach.items()}
    approaches = {
        name: MeasuredApproach(
            **dict(zip(("metric", "score", "interval"), _value(c.row), strict=True)),
            output_tokens=c.row.output_tokens_tiktoken if result.task.kind != "classification" else None,
            example_scores=c.row.quality.example_scores,
            consistency_spread=c.row.consistency.spread if c.row.consistency else None,
            model=c.model, backend=c.row.backend, run_id=result.run_id,
            labeled_examples=c.row.labeled_examples if spec(name).family == "tuning" or c.row.search else None,
            teacher=_teacher(c.row), prompt=_searched(c.row),
        )
        for name, c in applied.items()
    }
    tuned = [c.row for name, c in applied.items() if spec(name).family == "tuning"]
    best_tuned = max(tuned, key=lambda row: _value(row)[1], default=None)  # ties: the first applied
    curved = max([row for row in tuned if row.learning_curve], key=lambda row: _value(row)[1], default=None)
    curve = applied_curve(curved) if curved else []
    training_mfu = serving = None
    if result.environment.device == "cuda":
        mfus = [c.row.training.mfu for c in applied.values() if c.row.training and c.row.training.mfu]
        training_mfu = max(mfus) if mfus else None
        if best_tuned is not None:
            serving = (best_tuned.throughput_requests_per_second * result.model.parameters
                       / scenario.finetuning.base_model_params)
    return Measured(
        run_id=result.run_id,
        model=result.model.name,
        device=result.environment.gpu_name or result.environment.device,
        approaches=approaches,
        learning_curve=curve,
        learning_curve_approach=curved.approach if curve else None,
        training_mfu=training_mfu,
        serving_requests_per_gpu_second=serving,
        not_applied=not_applied,
        left_out=left_out,
    )


def apply_benchmark(scenario: Scenario, result: BenchmarkResult, rows: Collection[str] | None = None,
                    *, mismatched: bool = False) -> Scenario:
    """A copy of the scenario whose measured inputs come from this run.

    `rows`: the row keys (`row_key`) to apply, as the user chose them. None: every row measured on
    the model the scenario prices, and with `mismatched` the rows measured on other models too.
    """
    if rows is None:
        rows = {c.key for c in row_choices(scenario, result) if c.matches or mismatched}
    return scenario.model_copy(update={"measured": measured_from(result, scenario, rows)})


def unapply(scenario: Scenario) -> Scenario:
    """A copy back on the typed scores (and typed labels, MFU and throughput)."""
    return scenario.model_copy(update={"measured": None})


def score_source(scenario: Scenario, approach: str) -> str:
    """Where an approach's score comes from: "typed", "measured on <model> (<backend>), run <id>",
    or "not given"."""
    measured = scenario.measured
    row = measured.approaches.get(approach) if measured else None
    if row is not None:
        return (f"measured on {row.model or measured.model} ({row.backend or 'local'}), "
                f"run {row.run_id or measured.run_id}")
    if approach in (elsewhere := scenario.typed_elsewhere()):
        return f"typed for {elsewhere[approach]}, not used"
    return "typed" if approach in scenario.quality.scores else "not given"


def measured_elsewhere(scenario: Scenario) -> dict[str, str]:
    """Applied approaches measured on another model than the scenario prices for them: name -> model."""
    measured = scenario.measured
    if measured is None:
        return {}
    return {name: row.model or measured.model for name, row in measured.approaches.items()
            if not same_model(row.model or measured.model, scenario.priced_model(name))}


def applied_summary(scenario: Scenario) -> str:
    """One paragraph on what the applied run changed: each score it supplies (with its model and
    backend), the rows left out and why; "" when no run is applied."""
    measured = scenario.measured
    if measured is None:
        return ""
    used = [f"{title(name)} {with_name(row.metric, row.score)} on {row.model or measured.model} "
            f"({row.backend or 'local'})" for name, row in measured.approaches.items()]
    text = (f"The scenario uses run {measured.run_id}: " + "; ".join(used) + "." if used
            else f"Run {measured.run_id} is applied, but none of its rows: every score is typed.")
    skipped = list(measured.left_out.values()) + list(measured.not_applied.values())
    return text + (" Not applied: " + "; ".join(skipped) + "." if skipped else "")
