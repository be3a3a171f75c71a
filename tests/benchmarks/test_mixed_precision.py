"""Mixed precision in a bf16 run (issue 24): the frozen base stays bf16, the trained weights (LoRA adapters,
the soft prompt, a full fine-tune's master copy), their gradients and AdamW's state are float32, so an
update far below bf16's rounding step still moves them; LoRA is scored merged only where folding it into
the base weights keeps its update (float32), otherwise with the adapters unmerged.

A random two-layer Llama with 32-wide layers: this project's CPU only emulates bf16 products (~1.5 GFLOP/s),
so the shapes stay tiny and each test takes well under a second of bf16."""

from __future__ import annotations

import copy
import random

import pytest
import torch

from benchmarks import training
from benchmarks.approaches.full_finetune import master_copy, rounding_error
from benchmarks.approaches.lora import MERGE_TOLERANCE, fresh_adapter, merge_error, scoring_model
from benchmarks.approaches.prompt_tuning import soft_prompt_adapter

LR = 1e-6  # AdamW moves each weight by ~LR a step: under half a bf16 step of any weight above ~0.0005


def tiny_llama(dtype: torch.dtype):
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=64, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64)
    return LlamaForCausalLM(config).to(dtype).eval()


def lora(model):
    from peft import LoraConfig

    return fresh_adapter(model, LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0, target_modules=["q_proj", "up_proj"],
                                           task_type="CAUSAL_LM"), seed=0)


class RecordingAdamW(torch.optim.AdamW):
    """AdamW that keeps the dtypes of the gradients it stepped on."""

    made: list[RecordingAdamW] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.grad_dtypes: set[torch.dtype] = set()
        RecordingAdamW.made.append(self)

    def step(self, closure=None):
        self.grad_dtypes |= {p.grad.dtype for group in self.param_groups for p in group["params"] if p.grad is not None}
        return super().step(closure)


def _train(model, params, monkeypatch, soft_prompt=None, steps: int = 3):
    RecordingAdamW.made.clear()
    monkeypatch.setattr(training.torch.optim, "AdamW", RecordingAdamW)
    rng = random.Random(0)
    items = [training.TrainItem([rng.randrange(64) for _ in range(rng.randrange(4, 10))], 1) for _ in range(4)]
    settings = training.TrainSettings(lr=LR, epochs=steps / 2, batch_size=2, warmup_ratio=0.0, bf16=True)
    stats = training.train(model, items, params, settings, flops_per_token=1.0, soft_prompt=soft_prompt)
    assert stats.steps == steps
    (optimizer,) = RecordingAdamW.made
    return optimizer


def _setup(approach: str, base):
    """(the model trained, its trained params, the frozen weights, the soft prompt callable or None)."""
    if approach == "lora":
        peft_model = lora(base)
        model = peft_model.get_base_model()
        return model, [p for p in model.parameters() if p.requires_grad], \
            [p for p in model.parameters() if not p.requires_grad], None
    if approach == "prompt_tuning":
        peft_model = soft_prompt_adapter(base, tokens=4)
        return base, [p for p in peft_model.parameters() if p.requires_grad], list(base.parameters()), \
            lambda: peft_model.get_prompt(batch_size=1)[0]
    master = master_copy(base)
    return master, list(master.parameters()), list(base.parameters()), None


@pytest.mark.parametrize("approach", ["lora", "prompt_tuning", "full_finetune"])
def test_a_bf16_run_trains_float32_weights_over_a_bf16_base_and_keeps_updates_bf16_would_lose(approach, monkeypatch):
    base = tiny_llama(torch.bfloat16)
    model, params, frozen, soft_prompt = _setup(approach, base)
    frozen_before = [p.detach().clone() for p in frozen]
    before = [p.detach().clone() for p in params]
    optimizer = _train(model, params, monkeypatch, soft_prompt)
    assert {p.dtype for p in params} == {torch.float32}  # master weights
    assert optimizer.grad_dtypes == {torch.float32}  # their gradients, as AdamW stepped on them
    states = [t for state in optimizer.state.values() for t in (state["exp_avg"], state["exp_avg_sq"])]
    assert len(states) == 2 * len(params) and {t.dtype for t in states} == {torch.float32}
    assert frozen and {p.dtype for p in frozen} == {torch.bfloat16}  # the frozen base, untouched
    assert all(torch.equal(p, q) for p, q in zip(frozen, frozen_before, strict=True))
    moved = kept = lost = 0
    for p, start in zip(params, before, strict=True):
        step = p.detach() - start
        assert step.abs().max() > 0 and step.abs().max() < 10 * LR * 3  # every trained tensor moved, by ~LR a step
        nonzero = start != 0  # LoRA's B starts at zero, where any update is representable
        in_bf16 = (start.to(torch.bfloat16).float() + step).to(torch.bfloat16) != start.to(torch.bfloat16)
        moved += int((step != 0)[nonzero].sum())
        kept += int(in_bf16[nonzero & (step != 0)].sum())
        lost += int((~in_bf16)[nonzero & (step != 0)].sum())
    # the same updates on bf16 weights: nearly all of them round away
    assert moved > 0 and lost > 0.9 * moved, (kept, lost)


def test_training_refuses_bf16_trained_weights_under_bf16():
    base = tiny_llama(torch.bfloat16)
    norm = base.model.norm.weight
    norm.requires_grad_(True)
    items = [training.TrainItem([1, 2, 3, 4], 1)] * 2
    with pytest.raises(ValueError, match="keeps the trained weights in float32.*1 of them are torch.bfloat16"):
        training.train(base, items, [norm], training.TrainSettings(lr=LR, epochs=1, batch_size=2, bf16=True),
                       flops_per_token=1.0)


def _trained_looking(peft_model, std: float) -> None:
    """B is zero at initialisation: give it the size training would."""
    with torch.no_grad():
        for name, param in peft_model.named_parameters():
            if "lora_B" in name:
                param.normal_(0, std, generator=torch.Generator().manual_seed(0))


@pytest.mark.parametrize(("dtype", "std", "scored"), [
    (torch.float32, 5e-5, "merged"),  # float32 weights hold any update
    (torch.bfloat16, 1e-3, "merged into"),  # ΔW ~1e-3 on weights ~2e-2 (step ~1e-4): rounding errs by ~8%
    (torch.bfloat16, 5e-5, "unmerged"),  # ΔW ~5e-5, mostly under half a step: it would round away
])
def test_lora_is_scored_merged_unless_merging_would_round_its_update_away(dtype, std, scored):
    ids = torch.tensor([[1, 5, 9, 13, 17, 21, 25, 29, 33, 37, 41, 45]])
    peft_model = lora(tiny_llama(dtype))
    _trained_looking(peft_model, std)
    error = merge_error(peft_model)
    model, how = scoring_model(peft_model)
    assert how.startswith(scored) and (model is peft_model.get_base_model()) == (scored == "unmerged")
    if dtype == torch.float32:
        assert error < 1e-5 and how == "merged"
        return
    assert (error > MERGE_TOLERANCE) == (scored == "unmerged") and f"{error:.0%} of the adapters' update" in how
    # what the merge's rounding does to the adapter's effect on the logits, all computed in float32 so that
    # only the weights differ: the bf16 weights plus the exact update, against the bf16 weights merged
    with torch.no_grad():
        unmerged = copy.deepcopy(peft_model).float().get_base_model()(ids).logits
        merged = copy.deepcopy(peft_model).merge_and_unload().float()(ids).logits
        base = tiny_llama(dtype).float()(ids).logits
    effect = unmerged - base
    assert effect.norm() > 0
    if scored == "unmerged":  # most of the adapter's effect would be lost
        assert (merged - unmerged).norm() > 0.5 * effect.norm()
    else:  # the merged model keeps the effect, to the rounding's share
        assert (merged - unmerged).norm() < 2 * error * effect.norm()


def test_a_full_fine_tune_scored_in_bf16_says_how_much_of_its_update_rounding_costs():
    base = tiny_llama(torch.bfloat16)
    master = master_copy(base)
    with torch.no_grad():
        for p in master.parameters():
            p.add_(LR)  # one small step: under half a bf16 step of almost every weight
    assert rounding_error(base, master, torch.float32) == 0.0
    assert rounding_error(base, master, torch.bfloat16) > 0.9
    assert rounding_error(base, master_copy(base), torch.bfloat16) == 0.0  # no update, nothing to lose
