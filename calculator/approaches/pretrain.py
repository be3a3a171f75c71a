"""Training a model from scratch, then serving it yourself.

FLOPs ≈ 6·N·D with D = tokens per parameter × N (default 2,000, as small models are trained
today; Chinchilla's 20 is a choice); GPU-hours = FLOPs / (peak × MFU) on the pretraining GPU
type (pretrain.gpu), priced at its $/GPU-hour. One-off adds
the corpus, the team's hours, the task's labels and its evaluation test set; serving is a
self-hosted fleet like a tuned model's.
"""

from __future__ import annotations

from calculator.approaches.base import (
    CostProfile,
    Fleet,
    Params,
    PricedApproach,
    engineering_usd,
    evaluation_labels_usd,
    fleet_costs,
    fleet_size,
    gpu_hours_for,
    labels_needed,
    labels_usd,
)
from core.approaches import ApproachSpec

KV_KEY = "pretrain.kv_bytes_per_token"  # the new model's own KV bytes per token, when given


def pretraining_flops(p: Params):
    params = p["pretrain.model_params"]
    return 6.0 * params * (p["pretrain.tokens_per_param"] * params)


def pretraining_gpu_hours(p: Params):
    """GPU-hours on the pretraining GPU type (its own peak and price, not the serving GPU's)."""
    return gpu_hours_for(pretraining_flops(p), p, "pretrain.mfu", "gpu.pretrain.peak_flops")


FORMULA = (
    "one-off = 6·N·(tokens per parameter·N) FLOPs / (pretraining GPU peak × MFU) × its $/GPU-hour + corpus + "
    "engineering + task and evaluation labels beyond those on hand; fixed = the self-hosted fleet for the "
    "peak and its operations; per request = 0"
)


def fleet(p: Params, spec: ApproachSpec) -> Fleet:
    """The fleet serving the new model: the tuned prompt in, the task's answer out."""
    return fleet_size(p, p["pretrain.model_params"], p[f"tokens.{spec.prompt_kind}.input"], p["tokens.answer"],
                      KV_KEY)


def priced(spec: ApproachSpec) -> PricedApproach:
    def profile(p: Params) -> CostProfile:
        compute = pretraining_gpu_hours(p) * p["pretrain.gpu_usd_per_hour"]
        labels = labels_needed(p, spec)
        return CostProfile(
            one_off={
                "labels": labels_usd(p, labels),
                "evaluation labels": evaluation_labels_usd(p, labels),
                "engineering": engineering_usd(p, spec),
                "training": compute,
                "data": p["pretrain.data_cost_usd"],
            },
            fixed=fleet_costs(p, fleet(p, spec)),
            per_request={},
        )

    return PricedApproach(spec, FORMULA, profile, lambda p: p["tokens.answer"], lambda p: fleet(p, spec))
