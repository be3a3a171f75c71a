"""Tuned open models: prompt-tuning (soft prompt), LoRA, full fine-tune.

One-off: labels beyond those on hand, engineering hours, and training: tokens = labels ×
tokens per example × epochs, FLOPs = the spec's FLOPs per parameter and token (4·N for LoRA and
prompt-tuning: no weight gradients for the frozen base; 6·N full) × N × tokens, GPU-hours =
FLOPs / (peak × MFU). Hosted at a provider, training is its price per training token instead.
Retraining every R months adds training / R to the monthly fixed cost. Serving: a self-hosted
fleet sized for the peak (base.self_hosted_fleet) and its operations time, or the provider's
prices for the tuned model (prompt-tuning is always self-hosted).
"""

from __future__ import annotations

from calculator.approaches.base import (
    CostProfile,
    Number,
    Params,
    PricedApproach,
    engineering_usd,
    gpu_hours_for,
    labels_needed,
    labels_usd,
    self_hosted_fleet,
    spread_over_months,
)
from calculator.approaches.spec import ApproachSpec
from calculator.units import HOURS_PER_MONTH, MTOK

SOFT_PROMPT = "prompt_tuning"  # the one tuned approach that adds virtual tokens and never goes to a provider


def served_tokens(p: Params, spec: ApproachSpec) -> Number:
    """Tokens of one training example or served request: a prompt-tuned model's virtual tokens,
    the tuned prompt and the label (the soft prompt goes through every forward and backward pass)."""
    soft = p["finetuning.soft_prompt_tokens"] if spec.name == SOFT_PROMPT else 0.0
    return soft + p[f"tokens.{spec.prompt_kind}.input"] + p["tokens.label"]


def training_tokens(p: Params, spec: ApproachSpec) -> Number:
    return labels_needed(p, spec) * served_tokens(p, spec) * p["finetuning.epochs"]


def _uses_provider(p: Params, spec: ApproachSpec) -> bool:
    return spec.name != SOFT_PROMPT and "provider_ft.training_usd_per_mtok" in p


def training_usd(p: Params, spec: ApproachSpec) -> Number:
    tokens = training_tokens(p, spec)
    if _uses_provider(p, spec):
        return tokens * p["provider_ft.training_usd_per_mtok"] / MTOK
    flops = spec.flops_per_param_token * p["finetuning.base_model_params"] * tokens
    return gpu_hours_for(flops, p, "finetuning.training_mfu") * p["hosting.gpu_usd_per_hour"]


def _serving(p: Params, spec: ApproachSpec) -> tuple[dict[str, Number], dict[str, Number]]:
    """(fixed parts, per-request parts) of serving the tuned model."""
    prompt = p[f"tokens.{spec.prompt_kind}.input"]
    if _uses_provider(p, spec):
        per_request = (
            prompt * p["provider_ft.input_usd_per_mtok"] + p["tokens.label"] * p["provider_ft.output_usd_per_mtok"]
        ) / MTOK
        return {}, {"provider tuned-model tokens": per_request}
    return self_hosted_fleet(p, p["finetuning.base_model_params"], served_tokens(p, spec)), {}


FORMULA = (
    "one-off = labels beyond those on hand × cost per label + engineering hours × rate + training "
    "(labels × tokens per example × epochs × 4·N FLOPs, 6·N for full, / (peak × MFU) × $/GPU-hour, "
    "or the provider's training price); fixed = max(min replicas, ⌈peak requests/s ÷ requests/s per "
    f"replica⌉) × GPUs per replica (weights + KV cache in GPU memory) × {HOURS_PER_MONTH:.0f} h × "
    "$/GPU-hour + operations hours × rate (+ training / retrain months); per request = 0 (or the "
    "provider's prices, no fixed cost)"
)


def priced(spec: ApproachSpec) -> PricedApproach:
    def profile(p: Params) -> CostProfile:
        train = training_usd(p, spec)
        fixed, per_request = _serving(p, spec)
        retrain = spread_over_months(train, p["finetuning.retrain_every_months"])
        return CostProfile(
            one_off={
                "labels": labels_usd(p, labels_needed(p, spec)),
                "engineering": engineering_usd(p, spec),
                "training": train,
            },
            fixed={**fixed, "retraining": retrain},
            per_request=per_request,
        )

    return PricedApproach(spec, FORMULA, profile)
