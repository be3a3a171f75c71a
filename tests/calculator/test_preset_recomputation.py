"""support_intents recomputed at the cent from its inputs with plain arithmetic, independently of
the cost functions: the evaluation and retraining labels, the sized fleet with 0.1 FTE of operations,
and a provider-hosted LoRA's base price and fine-tuned premium."""

from __future__ import annotations

import math

import pytest

from calculator.costs import evaluate
from calculator.scenario_io import apply_overrides, load_preset


def test_support_intents_lora_at_the_cent():
    report = evaluate(load_preset("support_intents"))
    p = report.inputs
    tokens = p["tokens.tuned.input"] + p["tokens.answer"]  # served prompt + answer
    assert p["labeling.evaluation_labels"] == 865  # ⌈1.96² × 0.9 × 0.1 / 0.02²⌉ = ⌈864.36⌉
    evaluation = 865 * 0.40  # LoRA's 5,000 labels use all 5,000 on hand: the test set is bought
    training_hours = 5_000 * tokens * 3 * 4 * 8e9 / (121e12 * 0.35) / 3600  # 4·N FLOPs on L4s at MFU 0.35
    training = training_hours * 0.80
    one_off = 0 + evaluation + 80 * 110 + training
    # the fleet: 16 GB of weights + 32 × tokens × 131,072 B of KV fit one L4 (21.6 GB usable)
    assert 16e9 + 32 * tokens * 131_072 <= 24e9 * 0.9
    peak = 3e6 * 1.03**23 / (730 * 3600) * 2  # the last month's rate × peak-to-average
    per_gpu = 121e12 * 0.25 / (2 * 8e9 * tokens)
    replicas = max(1, math.ceil(peak / per_gpu))
    fixed = replicas * 730 * 0.80 + 17 * 110 + training / 3 + 0.2 * 5_000 * 0.40 / 3
    lora = report.approaches["lora"]
    assert lora.tco_usd == pytest.approx(one_off + 24 * fixed, abs=0.005)
    assert float(lora.profile.one_off["evaluation labels"]) == pytest.approx(346.0, abs=0.005)
    assert float(lora.profile.fixed["retraining labels"]) == pytest.approx(133.33, abs=0.005)
    assert float(lora.profile.fixed["operations"]) == pytest.approx(1_870.0, abs=0.005)


def test_support_intents_hosted_lora_at_openai_at_the_cent():
    scenario = apply_overrides(load_preset("support_intents"), [
        "finetuning.hosting=provider", "finetuning.provider_base_model=gpt-4.1-mini-2025-04-14"])
    report = evaluate(scenario)
    p = report.inputs
    prompt, answer = p["tokens.tuned.input"], p["tokens.answer"]
    training = 5_000 * (prompt + answer) * 3 * 5.00 / 1e6
    one_off = 865 * 0.40 + 80 * 110 + training
    fixed = training / 3 + 0.2 * 5_000 * 0.40 / 3  # no fleet, no operations
    requests = sum(3e6 * 1.03**m for m in range(24))
    base = (prompt * 0.40 + answer * 1.60) / 1e6
    premium = (prompt * (0.80 - 0.40) + answer * (3.20 - 1.60)) / 1e6
    lora = report.approaches["lora"]
    assert lora.tco_usd == pytest.approx(one_off + 24 * fixed + requests * (base + premium), abs=0.005)
    assert lora.profile.per_request["fine-tuned premium"] * requests == pytest.approx(premium * requests, abs=0.005)
