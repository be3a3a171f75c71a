"""One rendering of benchmark rows: each approach a run measured, as the dashboard's runs table, the
report's results table and the terminal summary show it (each face picks its columns by name).

Torch-free and plotly-free: the `bench` command's summary imports it after a run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from core.approaches import title
from core.metrics import metric_name
from core.result import ApproachResult, BenchmarkResult, Environment, Quality
from reporting.grid import Column, Grid, grid


def interval_text(interval: tuple[float, float]) -> str:
    return f"{interval[0]:.3f}–{interval[1]:.3f}"


def quality_text(quality: Quality) -> str:
    """"chrF 0.412 (95% CI 0.380–0.440)": the value always with the metric it is on."""
    return f"{metric_name(quality.metric)} {quality.value:.3f} (95% CI {interval_text(quality.interval)})"


def others_text(quality: Quality) -> str:
    """"ROUGE-L 0.310 · token F1 0.280 · exact match 0.000": the kind's other metrics."""
    return " · ".join(f"{metric_name(name)} {value:.3f}" for name, value in quality.others.items())


def score(row: ApproachResult) -> float:
    """The row's value on its primary metric (a classification row's accuracy)."""
    return row.accuracy if row.accuracy is not None else row.quality.value


def score_interval(row: ApproachResult) -> tuple[float, float]:
    return row.accuracy_ci if row.accuracy_ci is not None else row.quality.interval


def is_text(result: BenchmarkResult) -> bool:
    """A generation or extraction run: its rows have a metric of their own, not accuracy."""
    return result.task.kind != "classification"


@dataclass(frozen=True)
class RunRow:
    result: BenchmarkResult
    approach: ApproachResult


def _share(value: float) -> str:
    return f"{value:.1%}"


def _whole(value: float) -> str:
    return f"{value:.0f}"


def _fraction(value: float) -> str:
    return f"{value:.3f}"


def device_text(env: Environment) -> str:
    """Where a run ran: "cpu", "NVIDIA H100 80GB HBM3", or for several ranks "2 × cpu", "8 × NVIDIA H100 80GB
    HBM3, FSDP" (the model's layers sharded over them)."""
    device = env.gpu_name or env.device
    if env.world_size == 1:
        return device
    return f"{env.world_size} × {device}" + (", FSDP" if env.sharding == "fsdp" else "")


def training_steps(a: ApproachResult) -> str | None:
    """"53 of 100 steps, under-trained" when the time guard stopped training before its plan."""
    t = a.training
    if t is None:
        return None
    planned = getattr(t, "planned_steps", None)
    if planned is None:
        return f"{t.steps} steps"
    return f"{t.steps} of {planned} steps" + (", under-trained" if t.steps < planned else "")


def _training(get):  # a figure of the training, None for an approach that does not train
    return lambda row: None if row.approach.training is None else get(row.approach.training)


COLUMNS: tuple[Column, ...] = tuple(Column(missing="-", **spec) for spec in (
    {"name": "run", "value": lambda r: r.result.run_id},
    {"name": "model", "value": lambda r: r.approach.model or r.result.model.name, "short": "model", "width": 1.8},
    {"name": "backend", "value": lambda r: r.approach.backend if r.approach.backend == "local"
     else f"endpoint {r.approach.endpoint_host or ''}".strip(), "short": "backend", "width": 1.4},
    {"name": "task", "value": lambda r: r.result.task.name},
    {"name": "device", "value": lambda r: device_text(r.result.environment)},
    {"name": "dtype", "value": lambda r: r.result.model.dtype},
    {"name": "approach", "value": lambda r: title(r.approach.approach), "width": 1.8},
    {"name": "test n", "value": lambda r: r.approach.n_test, "numeric": True, "width": 0.8},
    {"name": "accuracy", "value": lambda r: r.approach.accuracy, "fmt": _fraction, "numeric": True,
     "short": "accuracy", "width": 1},
    {"name": "95% CI", "value": lambda r: r.approach.accuracy_ci, "short": "95% CI", "width": 1.5,
     "fmt": interval_text},
    {"name": "macro-F1", "value": lambda r: r.approach.macro_f1, "fmt": _fraction, "numeric": True,
     "short": "F1", "width": 1},
    # the task kind's own metric (accuracy, chrF, field F1): the columns a run of any kind fills
    {"name": "metric", "value": lambda r: metric_name(r.approach.quality.metric), "width": 1},
    {"name": "score", "value": lambda r: r.approach.quality.value, "fmt": _fraction, "numeric": True, "width": 1},
    {"name": "score 95% CI", "value": lambda r: r.approach.quality.interval, "fmt": interval_text, "width": 1.5},
    {"name": "quality", "value": lambda r: quality_text(r.approach.quality), "width": 2.6},
    {"name": "other metrics", "value": lambda r: others_text(r.approach.quality) or None, "width": 2.6},
    {"name": "labels used", "value": lambda r: r.approach.labeled_examples, "numeric": True, "width": 0.9},
    {"name": "training", "value": lambda r: training_steps(r.approach), "short": "training", "width": 1.6},
    {"name": "prompt tokens", "value": lambda r: r.approach.prompt_tokens_model, "fmt": lambda v: f"{v:.1f}",
     "numeric": True, "short": "prompt tok", "width": 1},
    {"name": "computed tokens", "value": lambda r: r.approach.computed_tokens_model, "fmt": lambda v: f"{v:.1f}",
     "numeric": True, "short": "computed tok", "width": 1},
    {"name": "prompt tokens (tiktoken)", "value": lambda r: r.approach.prompt_tokens_tiktoken,
     "fmt": lambda v: f"{v:.1f}", "numeric": True, "width": 1},
    {"name": "latency p50 (ms)", "value": lambda r: r.approach.latency_ms_p50, "fmt": _whole, "numeric": True,
     "short": "p50 ms", "width": 1},
    {"name": "latency p95 (ms)", "value": lambda r: r.approach.latency_ms_p95, "fmt": _whole, "numeric": True,
     "width": 1},
    {"name": "requests/s", "value": lambda r: r.approach.throughput_requests_per_second,
     "fmt": lambda v: f"{v:,.3g}", "numeric": True, "width": 1},
    {"name": "latency p50 / p95 ms", "value": lambda r: (r.approach.latency_ms_p50, r.approach.latency_ms_p95),
     "fmt": lambda v: f"{v[0]:,.0f} / {v[1]:,.0f}", "width": 1.5},
    {"name": "eval tokens/s", "value": lambda r: r.approach.eval_tokens_per_second, "fmt": _whole,
     "numeric": True, "short": "eval tok/s", "width": 1},
    {"name": "output tokens/s", "value": lambda r: r.approach.output_tokens_per_second, "fmt": _whole,
     "numeric": True, "width": 1},
    {"name": "eval MFU", "value": lambda r: r.approach.eval_mfu, "fmt": _share, "numeric": True,
     "short": "eval MFU", "width": 0.9},
    {"name": "training (s)", "value": _training(lambda t: t.seconds), "fmt": _whole, "numeric": True,
     "short": "train s", "width": 0.9},
    {"name": "training tokens/s", "value": _training(lambda t: t.tokens_per_second), "fmt": _whole,
     "numeric": True, "short": "train tok/s", "width": 1},
    {"name": "training MFU", "value": _training(lambda t: t.mfu), "fmt": _share, "numeric": True,
     "short": "train MFU", "width": 0.9},
    {"name": "peak memory (MB)", "value": _training(lambda t: t.peak_memory_mb), "fmt": _whole,
     "numeric": True, "width": 1},
))


def run_rows(results: Iterable[BenchmarkResult]) -> Grid:
    """One row per run and approach, every column (faces pick theirs with `Grid.pick`)."""
    return grid(COLUMNS, [RunRow(r, a) for r in results for a in r.approaches])


def under_trained(results: Iterable[BenchmarkResult]) -> list[str]:
    """"run-1: LoRA fine-tune" for each row whose training stopped before its planned steps."""
    return [f"{r.run_id}: {title(a.approach)}" for r in results for a in r.approaches
            if a.training is not None and getattr(a.training, "under_trained", False)]
