"""The perf harness's real peers on a tiny slice: lm-evaluation-harness scores the same prompts as
this project's scorer and generates from the generation line's prompts, and TRL's SFTTrainer trains
LoRA on the same ids, leaving the model as it was."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("lm_eval")
pytest.importorskip("trl")

from benchmarks.approaches.base import Context  # noqa: E402
from benchmarks.environment import describe  # noqa: E402
from benchmarks.tasks import load_task  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture
def ctx(loaded, tiny_config):
    config = tiny_config(test_size=24)
    return Context(config=config, loaded=loaded, task=load_task(config), environment=describe("cpu"), emit=lambda e: None)


def test_lm_eval_scores_the_same_prompts_and_mostly_agrees(ctx):
    from tools.peers import lm_eval_scoring

    figures = lm_eval_scoring(ctx, ctx.templates.builder(), ctx.task.test, batch_size=8)
    assert figures["examples"] == 24
    # its own aggregate equals the accuracy of the predictions read from its per-sample log-likelihoods
    assert figures["lm_eval"]["accuracy"] == pytest.approx(figures["lm_eval"]["reported_acc"])
    # same model, same prompt text, same labels: only token boundaries at the label may differ
    assert figures["prediction_agreement"] >= 0.9
    assert abs(figures["lm_eval"]["accuracy"] - figures["ours"]["accuracy"]) <= 0.1
    assert figures["lm_eval"]["examples_per_second"] > 0


def test_trl_trains_lora_on_the_same_ids_and_restores_the_model(ctx):
    from peft import LoraConfig

    from benchmarks.approaches.lora import lora_targets
    from tools.peers import trl_training

    before = {name: p.detach().clone() for name, p in ctx.model.named_parameters()}
    builder = ctx.templates.builder()
    items = ctx.trainer.items(builder, ctx.task.train[:16])
    lora = LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0, target_modules=lora_targets(ctx.model, None),
                      task_type="CAUSAL_LM")
    figures = trl_training(ctx, builder, items, lora, batch_size=8, steps=2, lr=1e-3, examples=ctx.task.test)
    assert figures["tokens"] == sum(len(it.ids) for it in items)  # 2 steps of 8 = every item once
    assert 0.0 <= figures["accuracy"] <= 1.0 and figures["tokens_per_second"] > 0
    assert figures["dtype"] == ctx.loaded.info.dtype  # not TRL's default bf16 (emulated, ~1 GFLOP/s, on AVX2)
    after = dict(ctx.model.named_parameters())
    assert after.keys() == before.keys()  # no adapter left behind for the approaches that follow
    assert all(np.array_equal(before[n].numpy(), after[n].detach().numpy()) for n in before)


def test_lm_eval_generates_from_the_same_prompts_as_the_generation_line(loaded):
    from benchmarks.config import BenchConfig
    from tools.perf_generation import measure_generation

    section = measure_generation(loaded, BenchConfig(), {"fast": loaded.model}, {"float32": 1e11}, examples=4,
                                 new_tokens=5, peers=True)
    peer = section["lm_eval"]
    assert peer["same_prompt_ids"] == 1.0  # its tokenizer call gives the ids the other paths run
    assert peer["batch_size"] == section["fast"]["batch_size"] == 4
    # greedy on the same ids; its left padding may move float rounding, so not every text need equal
    assert peer["identical_outputs"] >= 0.5
    assert peer["new_tokens"] > 0 and peer["seconds"] > 0 and peer["mfu"] > 0
    assert peer["speedup"] == pytest.approx(section["baseline"]["seconds"] / peer["seconds"])
