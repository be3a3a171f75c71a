"""Turn a benchmark result into the scenario's measured inputs, each sourced to its run, model and backend.

A result row applies to the approach it measured when it was measured on the model the scenario
prices for that approach: the API model (`api.model`) for the prompting approaches, the fine-tuning
base model (`finetuning.base_model`) for the tuned ones. A row measured on another model is applied
only when the user chooses it (a checkbox on the Benchmark page, `--apply-mismatched` in the CLI);
otherwise it is left out and named in `Measured.left_out`. A row whose training the time guard cut
is never applied: its accuracy is not the approach's quality, so it is named as missing evidence
(`not_applied`). A tuned approach's measured accuracy is priced with the labels it was trained on.

The learning curve comes with the most accurate applied trained row that has one (its own accuracy a
point of it; the spec's `learning_curve` says which approaches a run trains per size). Training MFU and serving throughput come
only from applied local rows of a GPU run: CPU timings say nothing about a GPU's. Throughput
measured on the benchmark's model is scaled to the scenario's model by parameter count.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from calculator.scenario import Measured, MeasuredApproach, Scenario
from core.approaches import spec, title
from core.result import ApproachResult, BenchmarkResult

# A quality metric as a reader reads it (benchmarks/text_metrics.py defines each; an unknown one is its id
# in words): here, since a text run's rows are refused by their metric's name; the tables and charts
# (reporting/run_rows.py) name them the same way.
METRIC_NAMES = {
    "accuracy": "accuracy", "macro_f1": "macro-F1",
    "chrf": "chrF", "rouge_l": "ROUGE-L", "token_f1": "token F1", "exact_match": "exact match",
    "field_f1": "field F1", "field_precision": "field precision", "field_recall": "field recall",
    "json_valid": "valid JSON", "schema_valid": "valid schema",
}


def metric_name(metric: str) -> str:
    """"chrF", "field F1", "accuracy": a metric id as a reader reads it."""
    return METRIC_NAMES.get(metric, metric.replace("_", " "))


def _measured(row: ApproachResult) -> str:
    """"82.0%", or for a text row its metric: "chrF 0.412"."""
    if row.accuracy is not None:
        return f"{row.accuracy:.1%}"
    return f"{metric_name(row.quality.metric)} {row.quality.value:.3f}"


def not_accuracy(result: BenchmarkResult) -> str | None:
    """Why a run of a text task (generation, extraction) cannot be applied as accuracies, in one line;
    None for a classification run."""
    metrics = {a.quality.metric for a in result.approaches if a.accuracy is None}
    if result.task.kind == "classification" and not metrics:
        return None
    kind = "an extraction" if result.task.kind == "extraction" else f"a {result.task.kind}"
    measures = ", ".join(metric_name(m) for m in sorted(metrics)) or "a text metric"
    return (f"{kind} run measures {measures}, not accuracy: the decision for text tasks comes with a later "
            "version, so its rows are not applied to the scenario")


def under_trained(row: ApproachResult, run_id: str) -> str | None:
    """Why a row's accuracy says nothing about its approach, or None when it can be used."""
    training = row.training
    if training is None or not training.under_trained:
        return None
    name = title(row.approach)
    return (f"{name} stopped after {training.steps} of {training.planned_steps} planned training steps "
            f"in run {run_id} (its time guard cut it): its measured {_measured(row)} is not "
            f"{name}'s quality")


def priced_model(scenario: Scenario, approach: str) -> str:
    """The model the scenario prices for an approach: the API model for prompting, else the tuning base."""
    return scenario.api.model if spec(approach).family == "prompting" else scenario.finetuning.base_model


def same_model(a: str, b: str) -> bool:
    """Model names that mean the same model: case and an organisation prefix ("org/") aside."""
    return a.strip().lower().rsplit("/", 1)[-1] == b.strip().lower().rsplit("/", 1)[-1]


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
        """The row as a checkbox names it: approach, backend, accuracy (a text row: its metric), model."""
        return f"{title(self.row.approach)} ({self.row.backend}): {_measured(self.row)} on {self.model}"


def row_choices(scenario: Scenario, result: BenchmarkResult) -> list[RowChoice]:
    """Every row of the result with the model it measured and the one the scenario prices for it; a
    row of a text task, or one without an accuracy, has a problem and is never applied."""
    text = not_accuracy(result)
    return [RowChoice(a, a.model or result.model.name, priced_model(scenario, a.approach),
                      text or under_trained(a, result.run_id))
            for a in result.approaches]


def _pick(candidates: list[RowChoice]) -> RowChoice:
    """Of several chosen rows of one approach: the one on the priced model, else the endpoint's."""
    return min(candidates, key=lambda c: (not c.matches, c.row.backend != "endpoint"))


def applied_curve(row: ApproachResult) -> list[tuple[int, float]]:
    """The learning curve's points and, when it has some, the row's own (its accuracy with the labels
    it trained on): a sentence about the curve then never contradicts the accuracy applied."""
    if not row.learning_curve:
        return []
    points = {p.labeled_examples: p.accuracy for p in row.learning_curve}
    points[row.labeled_examples] = row.accuracy
    return sorted(points.items())


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
            accuracy=c.row.accuracy, accuracy_ci=c.row.accuracy_ci,
            consistency_spread=c.row.consistency.spread if c.row.consistency else None,
            model=c.model, backend=c.row.backend, run_id=result.run_id,
            labeled_examples=c.row.labeled_examples if spec(name).family == "tuning" else None,
        )
        for name, c in applied.items()
    }
    tuned = [c.row for name, c in applied.items() if spec(name).family == "tuning"]
    best_tuned = max(tuned, key=lambda row: row.accuracy, default=None)  # ties: the first applied
    curved = max([row for row in tuned if row.learning_curve], key=lambda row: row.accuracy, default=None)
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
    """A copy back on the typed accuracies (and typed labels, MFU and throughput)."""
    return scenario.model_copy(update={"measured": None})


def accuracy_source(scenario: Scenario, approach: str) -> str:
    """Where an approach's accuracy comes from: "typed", "measured on <model> (<backend>), run <id>",
    or "not given"."""
    measured = scenario.measured
    row = measured.approaches.get(approach) if measured else None
    if row is not None:
        return (f"measured on {row.model or measured.model} ({row.backend or 'local'}), "
                f"run {row.run_id or measured.run_id}")
    return "typed" if approach in scenario.quality.accuracy else "not given"


def measured_elsewhere(scenario: Scenario) -> dict[str, str]:
    """Applied approaches measured on another model than the scenario prices for them: name -> model."""
    measured = scenario.measured
    if measured is None:
        return {}
    return {name: row.model or measured.model for name, row in measured.approaches.items()
            if not same_model(row.model or measured.model, priced_model(scenario, name))}


def applied_summary(scenario: Scenario) -> str:
    """One paragraph on what the applied run changed: each accuracy it supplies (with its model and
    backend), the rows left out and why; "" when no run is applied."""
    measured = scenario.measured
    if measured is None:
        return ""
    used = [f"{title(name)} {row.accuracy:.1%} on {row.model or measured.model} ({row.backend or 'local'})"
            for name, row in measured.approaches.items()]
    text = (f"The scenario uses run {measured.run_id}: " + "; ".join(used) + "." if used
            else f"Run {measured.run_id} is applied, but none of its rows: every accuracy is typed.")
    skipped = list(measured.left_out.values()) + list(measured.not_applied.values())
    return text + (" Not applied: " + "; ".join(skipped) + "." if skipped else "")
