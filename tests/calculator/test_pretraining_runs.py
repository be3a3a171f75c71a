"""Training from scratch against published runs: GPU-hours = 6·N·D / (peak bf16 × MFU) / 3600."""

from __future__ import annotations

import pytest

from calculator.approaches.pretrain import pretraining_gpu_hours
from calculator.costs import evaluate
from calculator.inputs import resolve_inputs
from calculator.scenario import Scenario


def gpu_hours(params: float, tokens: float, gpu: str, mfu: float) -> float:
    scenario = Scenario(approaches=["pretrain"], pretrain={
        "model_params": params, "tokens_per_param": tokens / params, "gpu": gpu, "mfu": mfu})
    return float(pretraining_gpu_hours(resolve_inputs(scenario)))


def test_llama_2_7b_on_2t_tokens_on_a100s():
    """Llama 2 paper, table 2: 184,320 A100-80GB hours for 7B on 2T tokens. At MFU 0.40:
    6 × 6.74e9 × 2e12 = 8.09e22 FLOPs / (312e12 × 0.40) / 3600 = 180,000 h."""
    hours = gpu_hours(6.74e9, 2e12, "A100 80GB", 0.40)
    assert hours == pytest.approx(6 * 6.74e9 * 2e12 / (312e12 * 0.40) / 3600)
    assert hours == pytest.approx(184_320, rel=0.25)


def test_llama_3_2_1b_on_9t_tokens_on_h100s():
    """Llama 3.2 1B model card: 370k H100-80GB hours for 1.23B parameters on up to 9T tokens. Those
    hours include the forward passes of the 8B and 70B teachers it was distilled from, so the
    effective MFU of the 6·N·D student count is low: at 0.05, 6 × 1.23e9 × 9e12 = 6.64e22 FLOPs /
    (989e12 × 0.05) / 3600 = 373,000 h."""
    hours = gpu_hours(1.23e9, 9e12, "H100 80GB", 0.05)
    assert hours == pytest.approx(6 * 1.23e9 * 9e12 / (989e12 * 0.05) / 3600)
    assert hours == pytest.approx(370_000, rel=0.25)


def test_pretraining_rents_its_own_gpu_type_and_defaults_to_current_practice():
    scenario = Scenario(approaches=["pretrain"], hosting={"gpu": "L4 24GB"})
    inputs = resolve_inputs(scenario)
    assert scenario.pretrain.tokens_per_param == 2_000 and scenario.pretrain.gpu == "H100 80GB"
    assert inputs["gpu.pretrain.peak_flops"] == 989e12 and inputs["gpu.peak_flops"] == 121e12
    training = float(evaluate(scenario).approaches["pretrain"].profile.one_off["training"])
    # 6 × 1e9 × 2e12 = 1.2e22 FLOPs / (989e12 × 0.40) / 3600 = 8,426 H100-hours × the H100's price
    assert training == pytest.approx(1.2e22 / (989e12 * 0.40) / 3600 * inputs["pretrain.gpu_usd_per_hour"])
    chinchilla = Scenario(approaches=["pretrain"], pretrain={"tokens_per_param": 20})
    assert float(evaluate(chinchilla).approaches["pretrain"].profile.one_off["training"]) == \
        pytest.approx(training / 100)
