"""Tuned open models: prompt-tuning (soft prompt), LoRA, full fine-tune.

One-off: labels beyond those on hand, the evaluation test set, engineering hours, and training:
tokens = labels × tokens per example × epochs, FLOPs = the spec's FLOPs per parameter and token
(4·N for LoRA and prompt-tuning: no weight gradients for the frozen base; 6·N full) × N × tokens,
GPU-hours = FLOPs / (peak × MFU). Hosted at a provider, training is its price per training token
instead. Retraining every R months adds (training + fresh labels) / R to the monthly fixed cost.
Serving: a self-hosted fleet sized for the peak (base.fleet_size, base.fleet_costs) and its operations time,
the provider's per-token prices for the tuned model (its base-model price and the fine-tuned
premium as two parts), or, where the provider serves tuned models only on dedicated deployments,
a fleet like the self-hosted one. Prompt-tuning is always self-hosted.
"""

from __future__ import annotations

from calculator.approaches.base import (
    CostProfile,
    Fleet,
    Number,
    Params,
    PricedApproach,
    engineering_usd,
    evaluation_labels_usd,
    fleet_costs,
    fleet_size,
    gpu_hours_for,
    labels_needed,
    retraining_labels_usd,
    spread_over_months,
    training_labels_usd,
)
from core.approaches import ApproachSpec
from core.units import HOURS_PER_MONTH, MTOK

KV_KEY = "finetuning.kv_bytes_per_token"  # the tuned model's own KV bytes per token, when given
BASE_TOKENS = "tokens at the base-model price"  # a provider-served tuned model: what its base model would cost
PREMIUM = "fine-tuned premium"  # and what the provider charges on top for the tuned one


def served_prompt_tokens(p: Params, spec: ApproachSpec) -> Number:
    """The prompt of one training example or served request: the approach's virtual tokens (a soft prompt
    goes through every forward and backward pass) and the tuned prompt."""
    soft = p[spec.virtual_tokens_field] if spec.virtual_tokens_field else 0.0
    return soft + p[f"tokens.{spec.prompt_kind}.input"]


def served_tokens(p: Params, spec: ApproachSpec) -> Number:
    """Tokens of one training example or served request: its prompt and its answer."""
    return served_prompt_tokens(p, spec) + answer_tokens(p, spec.name)


def answer_tokens(p: Params, name: str) -> Number:
    """A tuned (or pretrained) model's answer: as a run measured it for this approach, else the task's."""
    return p.get(f"tokens.output.{name}", p["tokens.answer"])


def training_tokens(p: Params, spec: ApproachSpec) -> Number:
    return labels_needed(p, spec) * served_tokens(p, spec) * p["finetuning.epochs"]


def uses_provider(p: Params, spec: ApproachSpec) -> bool:
    """Trained at the provider: a provider can train it (spec), hosting is 'provider' and its row trains
    this approach (inputs.py sets provider_ft.hosts.<name> to 0 for one the provider does not sell)."""
    return (spec.provider_trainable and "provider_ft.training_usd_per_mtok" in p
            and bool(p.get(f"provider_ft.hosts.{spec.name}", 1.0)))


def training_usd(p: Params, spec: ApproachSpec) -> Number:
    tokens = training_tokens(p, spec)
    if uses_provider(p, spec):
        return tokens * p["provider_ft.training_usd_per_mtok"] / MTOK
    flops = spec.flops_per_param_token * p["finetuning.base_model_params"] * tokens
    return gpu_hours_for(flops, p, "finetuning.training_mfu") * p["hosting.gpu_usd_per_hour"]


def served_per_token(p: Params, spec: ApproachSpec) -> bool:
    """Served by the provider at per-token prices (no fleet)."""
    return uses_provider(p, spec) and "provider_ft.input_usd_per_mtok" in p


def fleet(p: Params, spec: ApproachSpec) -> Fleet | None:
    """The self-hosted fleet of the tuned model (or the provider's dedicated deployment); None when the
    provider serves it per token."""
    if served_per_token(p, spec):
        return None
    return fleet_size(p, p["finetuning.base_model_params"], served_prompt_tokens(p, spec),
                      answer_tokens(p, spec.name), KV_KEY)


def _serving(p: Params, spec: ApproachSpec) -> tuple[dict[str, Number], dict[str, Number]]:
    """(fixed parts, per-request parts) of serving the tuned model."""
    if served_per_token(p, spec):
        prompt, answer = p[f"tokens.{spec.prompt_kind}.input"], answer_tokens(p, spec.name)
        base = (prompt * p["provider_ft.base_input_usd_per_mtok"]
                + answer * p["provider_ft.base_output_usd_per_mtok"]) / MTOK
        tuned = (prompt * p["provider_ft.input_usd_per_mtok"] + answer * p["provider_ft.output_usd_per_mtok"]) / MTOK
        return {}, {BASE_TOKENS: base, PREMIUM: tuned - base}
    return fleet_costs(p, fleet(p, spec)), {}



FORMULA = (
    "one-off = labels beyond those on hand × cost per label (or, from a teacher: × (teacher tokens × its "
    "prices + reviewed share × cost per label)) + evaluation labels beyond those left × cost per label + "
    "engineering hours × rate + training (labels × tokens per example × epochs × 4·N FLOPs, 6·N for "
    "full, / (peak × MFU) × $/GPU-hour, or the provider's training price per token); fixed = "
    "max(min replicas, ⌈peak requests/s ÷ requests/s per replica⌉) × GPUs per replica (weights + KV "
    f"cache in GPU memory) × {HOURS_PER_MONTH:.0f} h × $/GPU-hour + operations hours × rate "
    "(+ (training + new-label share × labels × cost per label) / retrain months); per request = 0 "
    "(or, served per token by the provider: tokens × its base-model price + the fine-tuned premium, "
    "no fixed cost)"
)


def priced(spec: ApproachSpec) -> PricedApproach:
    def profile(p: Params) -> CostProfile:
        train = training_usd(p, spec)
        labels = labels_needed(p, spec)
        fixed, per_request = _serving(p, spec)
        every = p["finetuning.retrain_every_months"]
        return CostProfile(
            one_off={
                **training_labels_usd(p, spec, labels),
                "evaluation labels": evaluation_labels_usd(p, labels),
                "engineering": engineering_usd(p, spec),
                "training": train,
            },
            fixed={**fixed, "retraining": spread_over_months(train, every),
                   "retraining labels": spread_over_months(retraining_labels_usd(p, spec, labels), every)},
            per_request=per_request,
        )

    return PricedApproach(spec, FORMULA, profile, lambda p: answer_tokens(p, spec.name), lambda p: fleet(p, spec))
