"""What every approach is: a name, its data needs and a cost profile over the inputs.

A profile is the shape every approach has (docs/ARCHITECTURE.md, one cost shape): a one-off
cost, a fixed monthly cost and a cost per request, each split into named parts. Formulas are
plain arithmetic over the inputs, so the same code prices one scenario or 100,000 Monte Carlo
draws at once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from core.approaches import ApproachSpec
from core.units import HOURS_PER_MONTH, MTOK

Number = float | np.ndarray
Params = Mapping[str, Number]


@dataclass(frozen=True)
class CostProfile:
    one_off: dict[str, Number]
    fixed: dict[str, Number]
    per_request: dict[str, Number]

    @property
    def one_off_usd(self) -> Number:
        return sum(self.one_off.values(), 0.0)

    @property
    def monthly_fixed_usd(self) -> Number:
        return sum(self.fixed.values(), 0.0)

    @property
    def per_request_usd(self) -> Number:
        return sum(self.per_request.values(), 0.0)


@dataclass(frozen=True)
class PricedApproach:
    """An approach of the spec with its cost function (the spec says what it is, this what it costs)."""

    spec: ApproachSpec
    formula: str  # how the three parts are computed, in words, for the cost table
    price: Callable[[Params], CostProfile]  # the family's cost function, before errors
    output_tokens: Callable[[Params], Number]  # tokens one answer writes (billed, or decoded by the fleet)
    fleet: Callable[[Params], Fleet | None] = lambda p: None  # the self-hosted fleet it is served on, if any
    labels: Callable[[Params], Number] | None = None  # labels it consumes, when not its spec's labels field

    def profile(self, p: Params) -> CostProfile:
        """The family's costs plus, when errors are priced and the pass rate is known, their cost."""
        costs = self.price(p)
        errors = error_usd_per_request(p, self.name)
        if errors is None:
            return costs
        return CostProfile(costs.one_off, costs.fixed, {**costs.per_request, ERRORS: errors})

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def title(self) -> str:
        return self.spec.title

    @property
    def family(self) -> str:
        return self.spec.family

    @property
    def summary(self) -> str:
        return self.spec.summary

    def labels_needed(self, p: Params) -> Number:
        return self.labels(p) if self.labels else labels_needed(p, self.spec)


ERRORS = "errors"  # the per-request part priced from the error rate


def pass_rate(p: Params, name: str) -> Number | None:
    """Share of answers that are right: a text task's measured pass rate at its threshold, or the score itself
    when it is accuracy; None when unknown (a typed chrF is a mean, not a share of right answers)."""
    if f"pass_rate.{name}" in p:
        return p[f"pass_rate.{name}"]
    return p.get(f"score.{name}") if p.get("quality.score_is_pass_rate", 1.0) else None


def error_usd_per_request(p: Params, name: str) -> Number | None:
    """Expected cost of a wrong answer per request: (1 − pass rate) × cost per error.

    None when errors are not priced (cost per error 0 and not drawn) or the pass rate is unknown:
    an unknown one is never priced as if it made no errors (resolve_inputs notes it).
    """
    per_error = p.get("quality.cost_per_error_usd", 0.0)
    passed = pass_rate(p, name)
    if passed is None or not np.any(np.asarray(per_error) > 0):
        return None
    return (1.0 - passed) * per_error


def labels_needed(p: Params, spec: ApproachSpec) -> Number:
    """Labeled examples the approach consumes: those its measured score was trained on
    (labels.<name>, from an applied run), else the spec's labels field, or none."""
    if not spec.labels_field:
        return 0.0
    return p[f"labels.{spec.name}"] if f"labels.{spec.name}" in p else p[spec.labels_field]


def engineering_usd(p: Params, spec: ApproachSpec) -> Number:
    return p[spec.hours_field] * p["team.engineer_usd_per_hour"]


def labels_usd(p: Params, labels_needed: Number) -> Number:
    """Only labels beyond those on hand are bought."""
    return np.maximum(0.0, labels_needed - p["labeling.labels_on_hand"]) * p["labeling.cost_per_label_usd"]


def taught(p: Params, spec: ApproachSpec) -> bool:
    """Trained on a teacher model's labels (scenario.teacher.approaches), not people's."""
    return bool(p.get(f"teacher.labels.{spec.name}", 0.0))


def teacher_label_usd(p: Params) -> Number:
    """One label written by the teacher: as a run with the teacher measured it (usage × price), else its
    prompt and answer tokens at its prices."""
    if "teacher.usd_per_label" in p:
        return p["teacher.usd_per_label"]
    return (p["teacher.prompt_tokens"] * p["teacher.input_usd_per_mtok"]
            + p["teacher.output_tokens"] * p["teacher.output_usd_per_mtok"]) / MTOK


def label_usd(p: Params, spec: ApproachSpec) -> Number:
    """One training label: a person's cost per label, or the teacher's plus the reviewed share of a person's."""
    if not taught(p, spec):
        return p["labeling.cost_per_label_usd"]
    return teacher_label_usd(p) + p["teacher.reviewed_share"] * p["labeling.cost_per_label_usd"]


def training_labels_usd(p: Params, spec: ApproachSpec, labels_needed: Number) -> dict[str, Number]:
    """The labels beyond those on hand, by who makes them: {"labels": ...} from people, or
    {"teacher labels": ..., "label review": ...} from a teacher with a person reviewing a share."""
    bought = np.maximum(0.0, labels_needed - p["labeling.labels_on_hand"])
    if not taught(p, spec):
        return {"labels": bought * p["labeling.cost_per_label_usd"]}
    return {"teacher labels": bought * teacher_label_usd(p),
            "label review": bought * p["teacher.reviewed_share"] * p["labeling.cost_per_label_usd"]}


def evaluation_labels_usd(p: Params, labels_needed: Number) -> Number:
    """The test set every approach is evaluated on before launch, bought beyond the labels on hand
    that its own training or prompt labels leave over."""
    spare = np.maximum(0.0, p["labeling.labels_on_hand"] - labels_needed)
    return np.maximum(0.0, p["labeling.evaluation_labels"] - spare) * p["labeling.cost_per_label_usd"]


def retraining_labels_usd(p: Params, spec: ApproachSpec, labels_needed: Number) -> Number:
    """Fresh labels for one retraining: the new-label share of the training labels, all made anew (by
    people, or by the teacher with its review)."""
    return labels_needed * p["finetuning.retrain_new_label_share"] * label_usd(p, spec)


def gpu_hours_for(flops: Number, p: Params, mfu_key: str, peak_key: str = "gpu.peak_flops") -> Number:
    return flops / (p[peak_key] * p[mfu_key]) / 3600.0


# Self-hosted serving (docs/COST_MODEL.md, "Self-hosted serving").
USABLE_MEMORY = 0.9  # share of GPU memory for weights and KV cache (vLLM's gpu_memory_utilization default)
MAX_GPUS_PER_REPLICA = 8  # tensor parallel within one 8-GPU node; more needs pipeline parallel across nodes
KV_BYTES_PER_TOKEN_8B = 131_072.0  # Llama 3.1 8B: 2 (K, V) × 32 layers × 8 KV heads × 128 dims × 2 bytes


def kv_bytes_per_token(params: Number) -> Number:
    """KV cache per token in bf16, scaled from Llama 3.1 8B by √(N / 8e9): 70B gives 388 KB (its
    real 80 × 8 × 128 × 2 × 2 = 328 KB), 1B 46 KB (Llama 3.2 1B: 33 KB); on the safe side for
    grouped-query attention, not for a model without it (the scenario can give the model's own)."""
    return KV_BYTES_PER_TOKEN_8B * np.sqrt(params / 8e9)


def replica_memory_bytes(p: Params, params: Number, tokens_per_request: Number,
                         kv_key: str = "") -> tuple[Number, Number]:
    """(weights, KV cache) of one replica: N × bytes per parameter, and concurrent requests ×
    tokens per request × KV bytes per token (the model's own, `kv_key`, when the scenario gives it)."""
    weights = params * p["hosting.bytes_per_param"]
    per_token = p[kv_key] if kv_key in p else kv_bytes_per_token(params)
    kv = p["hosting.concurrent_requests"] * tokens_per_request * per_token
    return weights, kv


def gpus_per_replica(p: Params, params: Number, tokens_per_request: Number, kv_key: str = "") -> Number:
    """Whole GPUs one replica needs, a power of two (tensor-parallel degrees divide the heads):
    the smallest g with weights + KV ≤ g × memory × 0.9. Not capped: inputs.py refuses a
    scenario that needs more than MAX_GPUS_PER_REPLICA."""
    weights, kv = replica_memory_bytes(p, params, tokens_per_request, kv_key)
    need = (weights + kv) / (p["gpu.memory_gb"] * 1e9 * USABLE_MEMORY)
    return np.exp2(np.ceil(np.log2(np.maximum(need, 1.0)) - 1e-12))


def requests_per_replica_second(p: Params, params: Number, prompt_tokens: Number, output_tokens: Number,
                                gpus: Number, kv_key: str = "") -> Number:
    """Throughput of one replica: its GPUs × the measured or set requests per GPU-second, else the time one
    request takes of the replica: its prefill (2·N FLOPs per prompt token at serving MFU, compute-bound) plus
    its share of the decode steps that write its answer. A decode step writes one token for each of the
    batch's concurrent requests and reads every weight and the batch's KV cache (at the mean context while
    decoding) at serving MBU, or, for a large enough batch, is bound by its 2·N·batch FLOPs instead.
    Tensor parallelism is taken to scale linearly (an optimistic bound)."""
    if "hosting.serving_requests_per_gpu_second" in p:
        return gpus * p["hosting.serving_requests_per_gpu_second"]
    compute = gpus * p["gpu.peak_flops"] * p["hosting.serving_mfu"]
    prefill = 2.0 * params * prompt_tokens / compute
    batch = p["hosting.concurrent_requests"]
    weights, kv = replica_memory_bytes(p, params, prompt_tokens + output_tokens / 2.0, kv_key)
    step = np.maximum((weights + kv) / (gpus * p["gpu.memory_bytes_per_second"] * p["hosting.serving_mbu"]),
                      2.0 * params * batch / compute)
    return 1.0 / (prefill + output_tokens * step / batch)


def peak_requests_per_second(p: Params) -> Number:
    """The busiest hour of the horizon's busiest month: that month's average rate × peak-to-average.
    The busiest month is the last one under growth, the first under decline."""
    growth = 1.0 + np.asarray(p["workload.monthly_growth_pct"], dtype=float) / 100.0
    last = np.asarray(p["workload.horizon_months"], dtype=float) - 1.0
    busiest = p["workload.requests_per_month"] * np.maximum(1.0, growth**last)
    return busiest / (HOURS_PER_MONTH * 3600.0) * p["hosting.peak_to_average"]


@dataclass(frozen=True)
class Fleet:
    """A self-hosted fleet sized for the peak, with the figures that sized it (for a note to show)."""

    gpus_per_replica: Number
    requests_per_replica_second: Number
    peak_requests_per_second: Number
    replicas: Number

    @property
    def gpus(self) -> Number:
        return self.replicas * self.gpus_per_replica


def fleet_size(p: Params, params: Number, prompt_tokens: Number, output_tokens: Number,
               kv_key: str = "") -> Fleet:
    """replicas = max(min replicas, ⌈peak requests/s ÷ requests/s per replica⌉), each of the GPUs its
    weights and the KV cache of its concurrent requests (prompt and answer) need."""
    gpus = gpus_per_replica(p, params, prompt_tokens + output_tokens, kv_key)
    capacity = requests_per_replica_second(p, params, prompt_tokens, output_tokens, gpus, kv_key)
    peak = peak_requests_per_second(p)
    replicas = np.maximum(p["hosting.min_replicas"], np.ceil(peak / capacity - 1e-9))
    return Fleet(gpus, capacity, peak, replicas)


def fleet_costs(p: Params, fleet: Fleet) -> dict[str, Number]:
    """Monthly fixed parts of serving a model on own GPUs: the fleet sized for the peak (fleet_size), each
    GPU paid 730 h a month, and its operations time. Nothing per request: the fleet is paid whether busy
    or idle."""
    return {
        "GPUs": fleet.gpus * HOURS_PER_MONTH * p["hosting.gpu_usd_per_hour"],
        "operations": p["hosting.ops_hours_per_month"] * p["team.engineer_usd_per_hour"],
    }


def spread_over_months(amount: Number, every_months: Number) -> Number:
    """A cost repeated every R months as a monthly amount; R = 0 means never."""
    months = np.asarray(every_months, dtype=float)
    monthly = np.where(months > 0, amount / np.where(months > 0, months, 1.0), 0.0)
    return float(monthly) if monthly.ndim == 0 else monthly
