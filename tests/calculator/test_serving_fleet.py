"""Self-hosted serving sized from the model: GPUs per replica from memory, replicas for the peak,
the availability floor and operations time, each against a hand calculation."""

from __future__ import annotations

import pytest

from calculator.approaches import REGISTRY
from calculator.approaches.base import fleet_costs, fleet_size, gpus_per_replica, kv_bytes_per_token
from calculator.costs import evaluate
from calculator.inputs import resolve_inputs
from calculator.scenario import Scenario
from calculator.scenario_io import ScenarioError, apply_overrides, load_preset

P = {
    "workload.requests_per_month": 26.28e6,  # 10 requests/s on average (26.28M / 2.628M s)
    "workload.monthly_growth_pct": 0.0,
    "workload.horizon_months": 12.0,
    "team.engineer_usd_per_hour": 100.0,
    "hosting.gpu_usd_per_hour": 3.6,
    "hosting.min_replicas": 1.0,
    "hosting.peak_to_average": 3.0,
    "hosting.bytes_per_param": 2.0,
    "hosting.concurrent_requests": 32.0,
    "hosting.ops_hours_per_month": 0.0,
    "hosting.serving_requests_per_gpu_second": 10.0,
    "hosting.serving_mfu": 0.25,
    "gpu.peak_flops": 1e15,
    "gpu.memory_gb": 80.0,
    "gpu.memory_bytes_per_second": 3.35e12,
    "hosting.serving_mbu": 0.6,
}
MONTH_USD = 730 * 3.6  # one GPU all month: $2,628


def fleet(params: float = 8e9, prompt: float = 60.0, answer: float = 2.0, **changes: float) -> dict[str, float]:
    p = {**P, **changes}
    return fleet_costs(p, fleet_size(p, params, prompt, answer))


def test_kv_cache_per_token_follows_llama():
    assert kv_bytes_per_token(8e9) == 131_072  # 2 × 32 layers × 8 KV heads × 128 × 2 bytes
    # √(70 / 8) × 131,072 = 387,716 B; Llama 3.1 70B's real 2 × 80 × 8 × 128 × 2 = 327,680 (18% over)
    assert kv_bytes_per_token(70e9) == pytest.approx(387_716, rel=1e-5)


def test_a_models_own_kv_bytes_replace_the_estimate():
    # Llama 2 7B has no grouped-query attention: 2 × 32 layers × 32 heads × 128 × 2 bytes = 524,288 B
    # a token, where the estimate gives 131,072 × √(7 / 8) = 122,606. 128 requests × 4,000 tokens:
    # estimate 62.8 GB KV + 14 GB weights = 76.8 GB → 2 GPUs of 72 GB usable; own 268.4 + 14 = 282.4 GB → 4
    busy = {**P, "hosting.concurrent_requests": 128.0}
    assert gpus_per_replica(busy, 7e9, 4_000.0) == 2
    own = {**busy, "finetuning.kv_bytes_per_token": 524_288.0}
    assert gpus_per_replica(own, 7e9, 4_000.0, "finetuning.kv_bytes_per_token") == 4
    assert gpus_per_replica(own, 7e9, 4_000.0) == 2  # another model's figure is not read
    scenario = Scenario(approaches=["lora"], finetuning={"base_model_params": 7e9, "kv_bytes_per_token": 524_288})
    assert resolve_inputs(scenario)["finetuning.kv_bytes_per_token"] == 524_288


def test_gpus_per_replica_from_memory():
    # 8B: 16 GB weights + 32 × 62 × 131,072 B = 0.26 GB KV ≤ 72 GB usable of one 80 GB GPU
    assert gpus_per_replica(P, 8e9, 62.0) == 1
    # 70B: 140 GB + 32 × 62 × 387,716 B = 0.77 GB → 140.77 / 72 = 1.96 → 2 GPUs
    assert gpus_per_replica(P, 70e9, 62.0) == 2
    # at fp8 (1 byte): 70 GB + 0.77 GB = 70.77 GB ≤ 72 GB → 1 GPU
    assert gpus_per_replica({**P, "hosting.bytes_per_param": 1.0}, 70e9, 62.0) == 1
    # on 24 GB GPUs (21.6 GB usable): 140.77 / 21.6 = 6.5 → the next power of two, 8
    assert gpus_per_replica({**P, "gpu.memory_gb": 24.0}, 70e9, 62.0) == 8
    # a long context fills memory too: 32 × 8,000 tokens × 131,072 B = 33.6 GB + 16 GB = 49.6 GB → 1
    # GPU; 200 concurrent requests: 209.7 GB + 16 GB = 225.7 GB / 72 = 3.1 → 4
    assert gpus_per_replica(P, 8e9, 8_000.0) == 1
    assert gpus_per_replica({**P, "hosting.concurrent_requests": 200.0}, 8e9, 8_000.0) == 4


def test_replicas_for_the_peak():
    # 8B at 10 req/s per GPU, 1 GPU a replica: peak 10 × 3 = 30 req/s → 3 replicas
    assert fleet()["GPUs"] == pytest.approx(3 * MONTH_USD)
    # 70B: 2 GPUs a replica serve 20 req/s → ⌈30 / 20⌉ = 2 replicas × 2 GPUs
    assert fleet(70e9)["GPUs"] == pytest.approx(4 * MONTH_USD)
    # growth: the fleet is sized for the horizon's last month, 10 × 1.05^11 = 17.10 req/s × 3 = 51.3 → 6
    assert fleet(**{"workload.monthly_growth_pct": 5.0})["GPUs"] == pytest.approx(6 * MONTH_USD)
    # decline: the first month is the busiest
    assert fleet(**{"workload.monthly_growth_pct": -5.0})["GPUs"] == pytest.approx(3 * MONTH_USD)


def test_throughput_estimated_from_prefill_and_decode_when_not_measured():
    p = {k: v for k, v in P.items() if k != "hosting.serving_requests_per_gpu_second"}
    p["workload.requests_per_month"] = 876e6  # a 1,000 req/s peak (333 req/s × 3)
    # prefill: 2 × 8e9 × 60 / (1e15 × 0.25) = 3.84 ms; a decode step reads 16 GB + 32 × 61 × 131,072 B
    # = 16.256 GB at 3.35e12 × 0.6 B/s = 8.087 ms (its 2 × 8e9 × 32 FLOPs would take 2.05 ms), each step
    # writes 32 answers' next token: 2 tokens × 8.087 / 32 = 0.505 ms. 1 / 4.345 ms = 230.1 req/s per GPU
    prefill = 2 * 8e9 * 60 / (1e15 * 0.25)
    step = (16e9 + 32 * 61 * 131_072) / (3.35e12 * 0.6)
    sized = fleet_size(p, 8e9, 60.0, 2.0)
    assert sized.requests_per_replica_second == pytest.approx(1 / (prefill + 2 * step / 32))
    assert sized.requests_per_replica_second == pytest.approx(230.1, abs=0.1)
    assert sized.replicas == 5 and fleet_costs(p, sized)["GPUs"] == pytest.approx(5 * MONTH_USD)  # ⌈1000 / 230⌉
    # a reply of 200 tokens: decode dominates, 1 / (3.84 + 200 × step' / 32) ms with the KV at 160 tokens
    reply = fleet_size(p, 8e9, 60.0, 200.0)
    step = (16e9 + 32 * 160 * 131_072) / (3.35e12 * 0.6)
    assert reply.requests_per_replica_second == pytest.approx(1 / (prefill + 200 * step / 32))
    assert reply.replicas == 56  # ⌈1000 / 17.96⌉: the same volume needs 11× the GPUs


def test_availability_floor_and_operations():
    low = {"workload.requests_per_month": 1_000.0}
    assert fleet(**low)["GPUs"] == pytest.approx(MONTH_USD)  # idle traffic still keeps 1 replica up
    assert fleet(**low, **{"hosting.min_replicas": 2.0})["GPUs"] == pytest.approx(2 * MONTH_USD)
    assert fleet(70e9, **low, **{"hosting.min_replicas": 2.0})["GPUs"] == pytest.approx(4 * MONTH_USD)
    assert fleet(**low, **{"hosting.min_replicas": 0.0})["GPUs"] == pytest.approx(MONTH_USD)  # traffic needs 1
    assert fleet(**{"hosting.ops_hours_per_month": 16.0})["operations"] == pytest.approx(1_600.0)  # 16 h × $100


def test_70b_on_l4_gets_eight_gpus_a_replica():
    scenario = apply_overrides(load_preset("support_intents"),
                               ["finetuning.base_model_params=70e9", "hosting.gpu=L4 24GB"])
    report = evaluate(scenario)
    inputs = resolve_inputs(scenario)
    usd_per_gpu_month = 730 * float(inputs["hosting.gpu_usd_per_hour"])
    for name in ("lora", "full_finetune", "prompt_tuning"):
        gpus = float(report.approaches[name].profile.fixed["GPUs"]) / usd_per_gpu_month
        # 140 GB of bf16 weights on 24 GB GPUs (21.6 GB usable): never one, 8 by tensor parallel
        assert gpus >= 8 and gpus % 8 == 0, (name, gpus)


def test_a_model_too_large_for_one_node_is_refused():
    scenario = apply_overrides(load_preset("support_intents"),
                               ["finetuning.base_model_params=405e9", "hosting.gpu=L4 24GB"])
    with pytest.raises(ScenarioError) as refused:
        resolve_inputs(scenario)
    assert refused.value.field == "hosting.gpu"
    message = str(refused.value)
    assert "810.0 GB of weights" in message and "8 × L4 24GB" in message and "172.8 GB" in message
    # at provider hosting only prompt-tuning is self-hosted; without it nothing needs the fit
    hosted = apply_overrides(scenario, ["finetuning.hosting=provider"])
    hosted = hosted.model_copy(update={"approaches": ["zero_shot", "lora"]})
    assert "lora" in evaluate(hosted).approaches


def test_old_standby_gpus_read_as_the_replica_floor():
    assert Scenario.model_validate({"hosting": {"standby_gpus": 2}}).hosting.min_replicas == 2
    assert Scenario.model_validate({"hosting": {"standby_gpus": 1.5}}).hosting.min_replicas == 2
    assert Scenario.model_validate({"hosting": {"standby_gpus": 0}}).hosting.min_replicas == 0


def test_self_hosted_approaches_cost_nothing_per_request_without_errors():
    p = resolve_inputs(Scenario())
    for name in ("prompt_tuning", "lora", "full_finetune", "pretrain"):
        profile = REGISTRY[name].profile(p)
        assert profile.per_request_usd == 0 and set(profile.fixed) >= {"GPUs", "operations"}
