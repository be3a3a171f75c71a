"""Turn a benchmark result into the scenario's measured inputs (each sourced to its run id).

Accuracy and its interval per approach, prompt brittleness and the LoRA learning curve carry
over as measured, except from a row whose training the time guard cut: that accuracy is not the
approach's quality, so it is left out and named as missing evidence. Training MFU and serving throughput carry over only from a GPU
run: CPU timings say nothing about a GPU's. Throughput measured on the benchmark's model is
scaled to the scenario's model by parameter count (serving FLOPs grow with N).
"""

from __future__ import annotations

from benchmarks.result import ApproachResult, BenchmarkResult
from calculator.approaches.spec import title
from calculator.scenario import Measured, MeasuredApproach, Scenario


def under_trained(row: ApproachResult, run_id: str) -> str | None:
    """Why a row's accuracy says nothing about its approach, or None when it can be used."""
    training = row.training
    if training is None or not training.under_trained:
        return None
    name = title(row.approach)
    return (f"{name} stopped after {training.steps} of {training.planned_steps} planned training steps "
            f"in run {run_id} (its time guard cut it): its measured {row.accuracy:.1%} is not "
            f"{name}'s quality")


def measured_from(result: BenchmarkResult, target_params: float) -> Measured:
    not_applied = {a.approach: why for a in result.approaches if (why := under_trained(a, result.run_id))}
    approaches = {
        a.approach: MeasuredApproach(
            accuracy=a.accuracy,
            accuracy_ci=a.accuracy_ci,
            consistency_spread=a.consistency.spread if a.consistency else None,
        )
        for a in result.approaches if a.approach not in not_applied
    }
    lora = result.approach("lora")
    curve = [(p.labeled_examples, p.accuracy) for p in lora.learning_curve] if lora else []
    on_gpu = result.environment.device == "cuda"
    training_mfu = None
    serving = None
    if on_gpu:
        mfus = [a.training.mfu for a in result.approaches if a.training and a.training.mfu]
        training_mfu = max(mfus) if mfus else None
        if lora is not None:
            serving = lora.throughput_requests_per_second * result.model.parameters / target_params
    return Measured(
        run_id=result.run_id,
        model=result.model.name,
        device=result.environment.gpu_name or result.environment.device,
        approaches=approaches,
        learning_curve=curve,
        training_mfu=training_mfu,
        serving_requests_per_gpu_second=serving,
        not_applied=not_applied,
    )


def apply_benchmark(scenario: Scenario, result: BenchmarkResult) -> Scenario:
    """A copy of the scenario whose measured inputs come from this run."""
    measured = measured_from(result, scenario.finetuning.base_model_params)
    return scenario.model_copy(update={"measured": measured})
