"""Fixed work, not fixed time: training runs the steps its settings plan; the time guard only stops a
run that would go on far too long, and then the stats and the run's notes say how far it got."""

from __future__ import annotations

import random
import time

import pytest
import torch

from benchmarks import training
from core.result import TrainingStats, load_result


class ScriptedClock:
    """Stands in for the `time` module in training: each reading moves on by the next scripted gap,
    then by `then` once the script is spent."""

    def __init__(self, gaps: list[float], then: float):
        self.now, self.gaps, self.then = 0.0, iter(gaps), then

    def perf_counter(self) -> float:
        self.now += next(self.gaps, self.then)
        return self.now


@pytest.fixture(scope="module")
def tiny_llama():
    """A random two-layer Llama small enough to train in milliseconds a step."""
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=64, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64)
    return LlamaForCausalLM(config)


def _train(model, settings: training.TrainSettings) -> TrainingStats:
    rng = random.Random(0)
    items = [training.TrainItem([rng.randrange(64) for _ in range(rng.randrange(4, 12))], 1) for _ in range(8)]
    norm = model.model.norm.weight
    saved = norm.detach().clone()
    norm.requires_grad_(True)
    try:
        return training.train(model, items, [norm], settings, flops_per_token=1.0)
    finally:
        norm.requires_grad_(False)
        with torch.no_grad():
            norm.copy_(saved)


def test_a_slow_machine_is_stopped_by_the_guard_and_the_stats_say_so(tiny_llama, monkeypatch):
    # 8 items, batches of 2, 50 epochs: 200 planned steps; each step reads 0.5 s on the clock, so
    # the 6 s guard passes at step 12 (12 × 0.5 = 6.0) and training stops there.
    monkeypatch.setattr(training, "time", ScriptedClock([0.0], then=0.5))
    stats = _train(tiny_llama, training.TrainSettings(lr=1e-3, epochs=50, batch_size=2, time_guard_s=6.0))
    assert (stats.steps, stats.planned_steps, stats.under_trained) == (12, 200, True)
    assert stats.epochs == 12 * 2 / 8 and len(stats.loss_curve) == 12
    assert stats.seconds == 6.5  # the final reading is one more step's gap


def test_a_fast_machine_trains_the_whole_plan_under_the_same_guard(tiny_llama, monkeypatch):
    # 200 steps × 0.01 s = 2 s never reach the 6 s guard: the plan is trained, not re-planned.
    monkeypatch.setattr(training, "time", ScriptedClock([0.0], then=0.01))
    stats = _train(tiny_llama, training.TrainSettings(lr=1e-3, epochs=50, batch_size=2, time_guard_s=6.0))
    assert (stats.steps, stats.planned_steps, stats.under_trained) == (200, 200, False)


def _slow_steps(monkeypatch, seconds: float) -> None:
    """Every training step sleeps `seconds` before its real loss."""
    real = training.packed_loss

    def slow_loss(*args, **kwargs):
        time.sleep(seconds)
        return real(*args, **kwargs)

    monkeypatch.setattr(training, "packed_loss", slow_loss)


def test_without_a_guard_a_slowed_step_still_trains_every_planned_step(tiny_llama, monkeypatch):
    _slow_steps(monkeypatch, 0.05)
    stats = _train(tiny_llama, training.TrainSettings(lr=1e-3, epochs=3, batch_size=2))
    assert (stats.steps, stats.planned_steps, stats.under_trained) == (12, 12, False)
    assert stats.seconds >= 12 * 0.05


def test_a_slowed_step_under_a_guard_stops_and_is_marked(tiny_llama, monkeypatch):
    _slow_steps(monkeypatch, 0.2)
    stats = _train(tiny_llama, training.TrainSettings(lr=1e-3, epochs=50, batch_size=2, time_guard_s=0.5))
    # the step that passes 0.5 s is the last: the third at the latest (3 × 0.2 s already pass it, however
    # fast the machine), earlier when a slow or busy machine adds to the sleeps; never the plan
    assert 1 <= stats.steps <= 3 and stats.seconds >= 0.5
    assert stats.planned_steps == 200 and stats.under_trained


def test_files_written_before_planned_steps_read_as_not_cut():
    old = {"seconds": 10.0, "steps": 6, "epochs": 0.06, "tokens": 900, "tokens_per_second": 90.0,
           "peak_memory_mb": 800.0, "flops": 1e12, "trainable_parameters": 1000}
    stats = TrainingStats.model_validate(old)
    assert stats.planned_steps is None and not stats.under_trained  # unknown plan: not claimed cut


@pytest.mark.slow
def test_a_slowed_lora_run_marks_its_row_under_trained(tmp_path, tiny_config, monkeypatch):
    """A real quick run of LoRA on the packaged model, each training step slowed past a 1 s guard:
    32 examples in batches of 8 for half an epoch plan 2 steps; the guard stops it after the first."""
    from benchmarks.runner import run_benchmark

    real = training.packed_loss

    def slow_loss(*args, **kwargs):
        time.sleep(1.2)
        return real(*args, **kwargs)

    monkeypatch.setattr(training, "packed_loss", slow_loss)
    config = tiny_config(approaches=["lora"], train_time_budget_s=1.0, test_size=10)  # the split is not the point
    run_benchmark(config, tmp_path / "run")
    result = load_result(tmp_path / "run")  # as every reader sees it: from the file
    lora = result.approach("lora").training
    assert (lora.steps, lora.planned_steps, lora.under_trained) == (1, 2, True)
    assert ("lora stopped after 1 of 2 planned steps (time guard 1 s, 32 training examples): its accuracy is "
            "not LoRA fine-tune's quality; measure again") in result.notes


def test_quick_mode_plans_lora_to_fit_120_s_on_a_2_core_avx2_cpu():
    """That CPU trains batches of 8 at ~145 tokens/s (run 20261201-123938-d4b6e7: 146); a
    rotten_tomatoes example with the served prompt (input and cue) is 32.5 tokens. 512 examples ×
    1 epoch in batches of 8 = 64 steps, 16,640 tokens ≈ 115 s; the guard leaves room for a machine
    running at a fifth of that pace."""
    from benchmarks.config import BenchConfig

    quick = BenchConfig(quick=True)
    steps = training.planned_steps(quick.training_examples(2), quick.train_batch_size, quick.train_epochs)
    assert steps == 64
    seconds = steps * quick.train_batch_size * 32.5 / 145
    assert seconds == pytest.approx(114.8, abs=0.1) and seconds <= 120
    assert quick.train_time_budget_s >= 5 * seconds


def test_training_packs_its_batch_with_the_scorers_packer():
    """One row packer: a training batch of lengths 5, 9, 2, 4, 3 in rows of 9 is 9 | 5+4 | 3+2; an
    item longer than a row gets a row of its own, and as every row is padded to it, the others
    fill rows of its length: 12 | 9+3 | 5+4+2 computes 36 tokens where rows of 9 computed 48."""
    items = [training.TrainItem(list(range(n)), 1) for n in (5, 9, 2, 4, 3)]
    assert [[len(it.ids) for it in row] for row in training.pack(items, row_tokens=9)] == [[9], [5, 4], [3, 2]]
    items.append(training.TrainItem(list(range(12)), 1))
    rows = training.pack(items, row_tokens=9)
    assert [[len(it.ids) for it in row] for row in rows] == [[12], [9, 3], [5, 4, 2]]
