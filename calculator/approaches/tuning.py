"""Tuned open models: prompt-tuning (soft prompt), LoRA, full fine-tune.

One-off: labels beyond those on hand, engineering hours, and training: tokens = labels ×
tokens per example × epochs, FLOPs ≈ 4·N per token (LoRA, prompt-tuning: no weight gradients
for the frozen base) or 6·N (full), GPU-hours = FLOPs / (peak × MFU). Hosted at a provider,
training is its price per training token instead. Retraining every R months adds training / R
to the monthly fixed cost. Serving: self-hosted GPU time per request plus standby GPUs, or the
provider's prices for the tuned model (prompt-tuning is always self-hosted).
"""

from __future__ import annotations

from calculator.approaches.base import (
    MTOK,
    Approach,
    CostProfile,
    Number,
    Params,
    engineering_usd,
    gpu_hours_for,
    labels_usd,
    self_hosted_per_request_usd,
    spread_over_months,
    standby_usd_per_month,
)

FLOPS_PER_PARAM_TOKEN = {"prompt_tuning": 4.0, "lora": 4.0, "full_finetune": 6.0}
LABELS_FIELD = {
    "prompt_tuning": "finetuning.prompt_tuning_labeled_examples",
    "lora": "finetuning.labeled_examples",
    "full_finetune": "finetuning.labeled_examples",
}


def training_tokens(p: Params, labels: Number) -> Number:
    return labels * (p["tokens.tuned.input"] + p["tokens.label"]) * p["finetuning.epochs"]


def _uses_provider(p: Params, name: str) -> bool:
    return name != "prompt_tuning" and "provider_ft.training_usd_per_mtok" in p


def training_usd(p: Params, name: str) -> Number:
    tokens = training_tokens(p, p[LABELS_FIELD[name]])
    if _uses_provider(p, name):
        return tokens * p["provider_ft.training_usd_per_mtok"] / MTOK
    flops = FLOPS_PER_PARAM_TOKEN[name] * p["finetuning.base_model_params"] * tokens
    return gpu_hours_for(flops, p, "finetuning.training_mfu") * p["hosting.gpu_usd_per_hour"]


def _serving(p: Params, name: str) -> tuple[dict[str, Number], dict[str, Number]]:
    """(fixed parts, per-request parts) of serving the tuned model."""
    if _uses_provider(p, name):
        per_request = (
            p["tokens.tuned.input"] * p["provider_ft.input_usd_per_mtok"]
            + p["tokens.label"] * p["provider_ft.output_usd_per_mtok"]
        ) / MTOK
        return {}, {"provider tuned-model tokens": per_request}
    soft = p["finetuning.soft_prompt_tokens"] if name == "prompt_tuning" else 0.0
    tokens = p["tokens.tuned.input"] + soft + p["tokens.label"]
    per_request = self_hosted_per_request_usd(p, p["finetuning.base_model_params"], tokens)
    return {"standby GPUs": standby_usd_per_month(p)}, {"GPU time": per_request}


def _profile(name: str):
    def profile(p: Params) -> CostProfile:
        train = training_usd(p, name)
        fixed, per_request = _serving(p, name)
        retrain = spread_over_months(train, p["finetuning.retrain_every_months"])
        return CostProfile(
            one_off={
                "labels": labels_usd(p, p[LABELS_FIELD[name]]),
                "engineering": engineering_usd(p, name),
                "training": train,
            },
            fixed={**fixed, "retraining": retrain},
            per_request=per_request,
        )

    return profile


FORMULA = (
    "one-off = labels beyond those on hand × cost per label + engineering hours × rate + training "
    "(labels × tokens per example × epochs × 4·N FLOPs, 6·N for full, / (peak × MFU) × $/GPU-hour, "
    "or the provider's training price); fixed = standby GPUs × 730 h × $/GPU-hour (+ training / "
    "retrain months); per request = $/GPU-hour / 3600 / requests per GPU-second (or provider prices)"
)


def _approach(name: str, title: str, summary: str) -> Approach:
    return Approach(name, title, "tuning", summary, FORMULA,
                    lambda p: p[LABELS_FIELD[name]], _profile(name))


APPROACHES = [
    _approach("prompt_tuning", "Prompt-tuning", "A learned soft prompt in front of a frozen open model."),
    _approach("lora", "LoRA fine-tune", "Low-rank adapters trained on labeled examples."),
    _approach("full_finetune", "Full fine-tune", "Every weight of the open model trained."),
]
