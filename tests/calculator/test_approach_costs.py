"""Each approach's one-off, fixed and per-request cost against hand calculations.

The inputs are round numbers; every expected figure below is worked out in the comment beside
it, not recomputed by the code under test.
"""

from __future__ import annotations

import pytest

from calculator.approaches import REGISTRY
from calculator.costs import monthly_volumes, tco, total_volume

P = {
    "workload.requests_per_month": 100_000.0,
    "workload.monthly_growth_pct": 0.0,
    "workload.horizon_months": 12.0,
    "task.few_shot_k": 8.0,
    "task.reasoning_tokens": 200.0,
    "api.input_usd_per_mtok": 2.0,
    "api.output_usd_per_mtok": 8.0,
    "api.cached_input_usd_per_mtok": 0.5,
    "api.batch_input_usd_per_mtok": 1.0,
    "api.batch_output_usd_per_mtok": 4.0,
    "api.cache_hit_share": 0.0,
    "api.batch_share": 0.0,
    "api.cache_write_usd_per_mtok": 2.0,  # writes at the input price, as at OpenAI
    "api.min_cacheable_tokens": 0.0,  # no minimum prefix here (tests/calculator/test_provider_rules.py has them)
    "api.reasoning_tokens_per_request": 0.0,
    "labeling.cost_per_label_usd": 0.5,
    "labeling.labels_on_hand": 500.0,
    "labeling.evaluation_labels": 0.0,  # the test set is priced in test_evaluation_and_retraining_labels
    "team.engineer_usd_per_hour": 100.0,
    "team.hours.zero_shot": 8.0,
    "team.hours.few_shot": 16.0,
    "team.hours.chain_of_thought": 24.0,
    "team.hours.prompt_tuning": 60.0,
    "team.hours.lora": 80.0,
    "team.hours.full_finetune": 120.0,
    "team.hours.pretrain": 4000.0,
    "finetuning.base_model_params": 8e9,
    "finetuning.labeled_examples": 2000.0,
    "finetuning.prompt_tuning_labeled_examples": 1000.0,
    "finetuning.epochs": 3.0,
    "finetuning.training_mfu": 0.4,
    "finetuning.soft_prompt_tokens": 20.0,
    "finetuning.retrain_every_months": 0.0,
    "finetuning.retrain_new_label_share": 0.0,
    "hosting.gpu_usd_per_hour": 3.6,
    "hosting.min_replicas": 1.0,
    "hosting.peak_to_average": 2.0,
    "hosting.bytes_per_param": 2.0,
    "hosting.concurrent_requests": 32.0,
    "hosting.ops_hours_per_month": 0.0,
    "gpu.memory_gb": 80.0,
    "gpu.memory_bytes_per_second": 3.35e12,
    "hosting.serving_mbu": 0.6,
    "hosting.serving_mfu": 0.25,
    "gpu.peak_flops": 1e15,
    "pretrain.model_params": 1e9,
    "pretrain.tokens_per_param": 20.0,
    "pretrain.mfu": 0.5,
    "pretrain.data_cost_usd": 100_000.0,
    "pretrain.gpu_usd_per_hour": 3.6,
    "gpu.pretrain.peak_flops": 1e15,
    "tokens.zero_shot.input": 300.0,
    "tokens.zero_shot.prefix": 250.0,
    "tokens.few_shot.input": 1000.0,
    "tokens.few_shot.prefix": 950.0,
    "tokens.chain_of_thought.input": 320.0,
    "tokens.chain_of_thought.prefix": 270.0,
    "tokens.tuned.input": 60.0,
    "tokens.answer": 2.0,
}


def costs(name: str, **changes: float):
    p = {**P, **changes}
    profile = REGISTRY[name].profile(p)
    return profile.one_off_usd, profile.monthly_fixed_usd, profile.per_request_usd, tco(profile, p)


def test_zero_shot():
    one_off, fixed, per_request, total = costs("zero_shot")
    assert one_off == pytest.approx(800.0)  # 8 h × $100
    assert fixed == 0
    assert per_request == pytest.approx(616e-6)  # (300 × $2 + 2 × $8) / 1M
    assert total == pytest.approx(1539.2)  # 800 + 12 × 100,000 × 0.000616


def test_few_shot_with_labels_on_hand_and_cache():
    one_off, _, per_request, total = costs("few_shot")
    assert one_off == pytest.approx(1600.0)  # 16 h × $100; the 8 example labels are on hand
    assert per_request == pytest.approx(2016e-6)  # (1000 × 2 + 2 × 8) / 1M
    assert total == pytest.approx(4019.2)  # 1600 + 1.2M × 0.002016
    one_off, _, per_request, _ = costs("few_shot", **{"api.cache_hit_share": 0.5, "labeling.labels_on_hand": 0.0})
    assert one_off == pytest.approx(1604.0)  # + 8 labels × $0.50
    # 475 cached prefix tokens: ((1000 − 475) × 2 + 475 × 0.5 + 2 × 8) / 1M
    assert per_request == pytest.approx(1303.5e-6)


SEARCH = {"team.hours.prompt_search": 4.0, "task.prompt_search_trials": 8.0, "task.prompt_search_validation": 100.0,
          "labeling.labels_on_hand": 0.0}


def test_prompt_search_pays_its_search_once_and_serves_the_few_shot_sized_prompt():
    one_off, fixed, per_request, total = costs("prompt_search", **SEARCH)
    assert per_request == pytest.approx(2016e-6)  # the few-shot prompt's (1000 × 2 + 2 × 8) / 1M
    # 4 h × $100 = 400; search calls 8 trials × 100 examples × $0.002016 = 1.6128;
    # labels 100 validation + 8 trials × k 8 = 164 × $0.50 = 82
    assert one_off == pytest.approx(483.6128)
    assert fixed == 0
    assert total == pytest.approx(483.6128 + 1.2e6 * 2016e-6)
    profile = REGISTRY["prompt_search"].profile({**P, **SEARCH, "task.prompt_search_trials": 16.0})
    assert profile.one_off["search calls"] == pytest.approx(2 * 1.6128)  # calls grow with the trials
    measured = REGISTRY["prompt_search"].profile({**P, **SEARCH, "labels.prompt_search": 112.0})
    assert measured.one_off["labels"] == pytest.approx(56.0)  # a run's own count: 112 × $0.50
    assert REGISTRY["prompt_search"].labels_needed({**P, **SEARCH}) == 164


def test_a_searched_prompt_with_each_requests_own_examples_caches_only_its_instruction():
    """A search that chose nearest examples: as many prompt tokens as the few-shot prompt, but the examples change
    with every request, so only the instruction before them is a cached prefix (what an applied run sets:
    tokens.prompt_search.*, calculator/inputs.py)."""
    half = {**SEARCH, "api.cache_hit_share": 0.5}
    fixed = costs("prompt_search", **half, **{"tokens.prompt_search.input": 1000.0,
                                               "tokens.prompt_search.prefix": 950.0})[2]
    # a fixed set, like few-shot: 950 cacheable, half hit at $0.5, half written at $2:
    # ((1000 − 950) × 2 + 475 × 0.5 + 475 × 2 + 2 × 8) / 1M
    assert fixed == pytest.approx(1303.5e-6)
    per_input = costs("prompt_search", **half, **{"tokens.prompt_search.input": 1000.0,
                                                   "tokens.prompt_search.prefix": 250.0})[2]
    # only the 250 instruction tokens cacheable: ((1000 − 250) × 2 + 125 × 0.5 + 125 × 2 + 2 × 8) / 1M
    assert per_input == pytest.approx(1828.5e-6)


def test_chain_of_thought_bills_reasoning():
    one_off, _, per_request, total = costs("chain_of_thought")
    assert one_off == pytest.approx(2400.0)
    assert per_request == pytest.approx(2256e-6)  # (320 × 2 + (200 + 2) × 8) / 1M
    assert total == pytest.approx(5107.2)  # 2400 + 1.2M × 0.002256


def test_batch_share_mixes_prices():
    _, _, per_request, _ = costs("zero_shot", **{"api.batch_share": 0.5})
    assert per_request == pytest.approx(462e-6)  # ½ × 616e-6 + ½ × (300 × 1 + 2 × 4) / 1M


def test_lora_self_hosted():
    one_off, fixed, per_request, total = costs("lora")
    # labels (2000 − 500) × 0.5 = 750; engineering 80 × 100 = 8000;
    # training 2000 × (60 + 2) × 3 = 372,000 tokens × 4 × 8e9 = 1.1904e16 FLOPs
    #   / (1e15 × 0.4) = 29.76 s = 0.0082667 GPU-h × $3.6 = $0.02976
    assert one_off == pytest.approx(8750.02976)
    # 16 GB weights + 32 × 62 × 131,072 B KV fit one 80 GB GPU; peak 100,000 / 2.628M s × 2 = 0.076 req/s
    # against 2.5e14 FLOP/s / (2 × 8e9 × 62) = 252 req/s: the 1 minimum replica, 730 h × $3.6
    assert fixed == pytest.approx(2628.0)
    assert per_request == 0  # the fleet is paid whether busy or idle (per-request GPU time was 3.968e-6)
    assert total == pytest.approx(40286.02976)  # 8750.02976 + 12 × 2628


def test_full_finetune_uses_six_n():
    one_off, _, _, _ = costs("full_finetune")
    # 750 + 12,000 + 372,000 × 6 × 8e9 / 4e14 / 3600 × 3.6 = 750 + 12,000 + 0.04464
    assert one_off == pytest.approx(12750.04464)


def test_prompt_tuning_serves_soft_prompt_tokens():
    one_off, _, per_request, _ = costs("prompt_tuning")
    # labels (1000 − 500) × 0.5 = 250; 6000 engineering; the 20 virtual tokens train too:
    # 1000 × (20 + 60 + 2) × 3 = 246,000 tokens × 4 × 8e9 / 4e14 = 19.68 s / 3600 × $3.6 = 0.01968
    assert one_off == pytest.approx(6250.01968)
    assert per_request == 0
    # the soft prompt lengthens every served request: 2.5e14 / (2 × 8e9 × 82) = 190.55 req/s per GPU,
    # so a 200 req/s peak (262.8M requests/month × 2 / 2.628M s) needs 2 replicas; LoRA's 62 tokens, 252 req/s, 1
    busy = {"workload.requests_per_month": 262.8e6}
    assert costs("prompt_tuning", **busy)[1] == pytest.approx(2 * 2628.0)
    assert costs("lora", **busy)[1] == pytest.approx(2628.0)


def test_retraining_is_spread_over_its_months():
    _, fixed, _, _ = costs("lora", **{"finetuning.retrain_every_months": 3.0})
    assert fixed == pytest.approx(2628.0 + 0.02976 / 3)


PROVIDER = {  # OpenAI's gpt-4o-mini-2024-07-18 row: tuned $0.30/$1.20, base $0.15/$0.60
    "provider_ft.training_usd_per_mtok": 3.0,
    "provider_ft.input_usd_per_mtok": 0.3,
    "provider_ft.output_usd_per_mtok": 1.2,
    "provider_ft.base_input_usd_per_mtok": 0.15,
    "provider_ft.base_output_usd_per_mtok": 0.6,
}


def test_provider_hosted_lora():
    one_off, fixed, per_request, _ = costs("lora", **PROVIDER)
    assert one_off == pytest.approx(750 + 8000 + 1.116)  # 372,000 tokens × $3 / 1M
    assert fixed == 0  # the provider serves it: no standby GPUs
    assert per_request == pytest.approx(20.4e-6)  # (60 × 0.3 + 2 × 1.2) / 1M
    # prompt-tuning cannot be bought from the provider: stays self-hosted
    _, fixed_pt, _, _ = costs("prompt_tuning", **PROVIDER)
    assert fixed_pt == pytest.approx(2628.0)


def test_fine_tuned_premium_is_its_own_part():
    parts = REGISTRY["lora"].profile({**P, **PROVIDER}).per_request
    assert parts["tokens at the base-model price"] == pytest.approx(10.2e-6)  # (60 × 0.15 + 2 × 0.6) / 1M
    assert parts["fine-tuned premium"] == pytest.approx(10.2e-6)  # (60 × (0.30 − 0.15) + 2 × (1.20 − 0.60)) / 1M
    # over 1.2M requests the premium is $12.24 of the $24.48 served
    assert parts["fine-tuned premium"] * 1.2e6 == pytest.approx(12.24)


def test_open_model_trained_per_token_and_served_on_a_dedicated_fleet():
    # Fireworks' 8B row: $0.50 per 1M training tokens, LoRA only, tuned models on dedicated deployments
    dedicated = {"provider_ft.training_usd_per_mtok": 0.5, "provider_ft.hosts.lora": 1.0,
                 "provider_ft.hosts.full_finetune": 0.0}
    one_off, fixed, per_request, total = costs("lora", **dedicated)
    assert one_off == pytest.approx(750 + 8000 + 0.186)  # 372,000 tokens × $0.50 / 1M
    assert fixed == pytest.approx(2628.0)  # 1 replica of the 8B model, 730 h × $3.6
    assert per_request == 0
    assert total == pytest.approx(8750.186 + 12 * 2628.0)
    # the full fine-tune is not sold there: trained on own GPUs at 6·N (as test_full_finetune_uses_six_n)
    assert costs("full_finetune", **dedicated)[0] == pytest.approx(12750.04464)


def test_evaluation_and_retraining_labels():
    labels = {"labeling.evaluation_labels": 1000.0, "finetuning.retrain_every_months": 3.0,
              "finetuning.retrain_new_label_share": 0.25}
    zero = REGISTRY["zero_shot"].profile({**P, **labels}).one_off
    # 500 labels on hand, zero-shot uses none: 1000 − 500 = 500 bought × $0.50
    assert zero["evaluation labels"] == pytest.approx(250.0)
    few = REGISTRY["few_shot"].profile({**P, **labels}).one_off
    # the 8 example labels come from those on hand, 492 left for the test set: 508 × $0.50
    assert few["evaluation labels"] == pytest.approx(254.0)
    lora = REGISTRY["lora"].profile({**P, **labels})
    # LoRA's 2,000 labels take all 500 on hand: the whole test set is bought, 1000 × $0.50
    assert lora.one_off["evaluation labels"] == pytest.approx(500.0)
    # each retraining buys 25% of 2,000 = 500 fresh labels × $0.50 = $250, every 3 months
    assert lora.fixed["retraining labels"] == pytest.approx(250.0 / 3)
    assert lora.fixed["retraining"] == pytest.approx(0.02976 / 3)
    # the pretrained model is evaluated too (its 2,000 task labels also use up those on hand)
    assert REGISTRY["pretrain"].profile({**P, **labels}).one_off["evaluation labels"] == pytest.approx(500.0)


def test_pretrain_chinchilla_compute():
    one_off, fixed, per_request, _ = costs("pretrain")
    # 6 × 1e9 × 20e9 = 1.2e20 FLOPs / (1e15 × 0.5) = 240,000 s = 66.67 h × $3.6 = $240
    # + corpus 100,000 + 4000 h × 100 + labels 750
    assert one_off == pytest.approx(500_990.0)
    assert fixed == pytest.approx(2628.0)  # 1 replica of the 1B model on 1 GPU
    assert per_request == 0


def test_volume_growth_path():
    p = {**P, "workload.monthly_growth_pct": 10.0, "workload.horizon_months": 3.0}
    assert list(monthly_volumes(p)) == pytest.approx([100_000, 110_000, 121_000])
    assert total_volume(p) == pytest.approx(331_000)
    # zero-shot: 800 + 331,000 × 0.000616
    assert tco(REGISTRY["zero_shot"].profile(p), p) == pytest.approx(800 + 203.896)


def test_serverless_lora_at_the_base_price_has_no_premium():
    # a per-token open-model offer that bills a LoRA at its base model's rate: Llama 3.1 8B at $0.18
    serverless = {"provider_ft.training_usd_per_mtok": 0.5, "provider_ft.input_usd_per_mtok": 0.18,
                  "provider_ft.output_usd_per_mtok": 0.18, "provider_ft.base_input_usd_per_mtok": 0.18,
                  "provider_ft.base_output_usd_per_mtok": 0.18}
    one_off, fixed, per_request, total = costs("lora", **serverless)
    assert one_off == pytest.approx(750 + 8000 + 0.186)  # 372,000 training tokens × $0.50 / 1M
    assert fixed == 0
    assert per_request == pytest.approx(11.16e-6)  # (60 + 2) × $0.18 / 1M
    parts = REGISTRY["lora"].profile({**P, **serverless}).per_request
    assert parts["fine-tuned premium"] == 0
    assert total == pytest.approx(8750.186 + 1.2e6 * 11.16e-6)  # + $13.39 of tokens a year


def test_evaluation_set_defaults_to_two_points_at_the_target():
    from calculator.inputs import resolve_inputs
    from calculator.scenario import Scenario

    derived = resolve_inputs(Scenario(quality={"target": 0.8}))
    assert derived["labeling.evaluation_labels"] == 1_537  # ⌈3.8416 × 0.8 × 0.2 / 0.0004⌉ = ⌈1536.64⌉
    assert derived.quantities["labeling.evaluation_labels"].source.startswith("formula: 1.96²")
    typed = resolve_inputs(Scenario(labeling={"evaluation_labels": 300}))
    assert typed["labeling.evaluation_labels"] == 300
    assert typed.quantities["labeling.evaluation_labels"].source == "user input"
