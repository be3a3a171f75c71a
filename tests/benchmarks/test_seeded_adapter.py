"""LoRA's random start comes from the run's seed, not from whatever drew from torch's generator before."""

from __future__ import annotations

import torch
from peft import LoraConfig
from transformers import LlamaConfig, LlamaForCausalLM

from benchmarks.approaches.lora import fresh_adapter


def _adapter_start(seed: int, draws_before: int) -> tuple[torch.Tensor, torch.Tensor]:
    config = LlamaConfig(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=1)
    torch.manual_seed(123)
    model = LlamaForCausalLM(config)
    torch.randn(draws_before)  # an earlier approach, or the CPU peak's random matrices
    lora = LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0, target_modules=["q_proj", "v_proj"], task_type="CAUSAL_LM")
    peft_model = fresh_adapter(model, lora, seed)
    state = {n: p.detach().clone() for n, p in peft_model.named_parameters() if "lora_" in n}
    a = torch.cat([v.reshape(-1) for n, v in sorted(state.items()) if "lora_A" in n])
    b = torch.cat([v.reshape(-1) for n, v in sorted(state.items()) if "lora_B" in n])
    return a, b


def test_the_same_seed_gives_the_same_start_whatever_ran_before():
    a1, b1 = _adapter_start(seed=0, draws_before=0)
    a2, b2 = _adapter_start(seed=0, draws_before=1000)
    assert torch.equal(a1, a2) and a1.abs().sum() > 0  # random, and the same
    assert torch.equal(b1, b2) and not b1.any()  # B starts at zero: the adapter starts as the base model


def test_another_seed_gives_another_start_and_the_callers_generator_is_left_alone():
    a0, _ = _adapter_start(seed=0, draws_before=0)
    a1, _ = _adapter_start(seed=1, draws_before=0)
    assert not torch.equal(a0, a1)
    model = LlamaForCausalLM(LlamaConfig(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                                         num_attention_heads=2, num_key_value_heads=1))
    state = torch.random.get_rng_state()
    fresh_adapter(model, LoraConfig(r=2, target_modules=["q_proj"], task_type="CAUSAL_LM"), seed=5)
    assert torch.equal(torch.random.get_rng_state(), state)
