"""Correctness of the fast path: on a small CPU slice its label scores equal the baseline's.

Tolerance: 2e-3 absolute on label log-probabilities (fp32; batching, padding and the prefix
cache change only the order of floating-point sums), and identical predictions.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from benchmarks.approaches.base import Context
from benchmarks.environment import describe
from benchmarks.models import cpu_has_bf16_matrix_units
from benchmarks.scoring import score_choices
from benchmarks.tasks import balanced_shots, load_task
from tools.perf import baseline_scores

pytestmark = pytest.mark.slow
TOLERANCE = 2e-3


@pytest.mark.parametrize("shots", [0, 2])
def test_fast_scores_equal_per_example_generate(loaded, tiny_config, shots):
    config = tiny_config(test_size=12)
    ctx = Context(config=config, loaded=loaded, task=load_task(config), environment=describe("cpu"), emit=lambda e: None)
    builder = ctx.templates.builder(shots=balanced_shots(ctx.task, shots, 0))
    suffixes = builder.suffix_ids([e.text for e in ctx.task.test])
    fast = score_choices(loaded.model, builder.prefix_ids, suffixes, builder.choice_ids,
                         loaded.tokenizer.pad_token_id, max_batch=5)
    slow, parsed = baseline_scores(loaded.model, loaded.tokenizer, [builder.prefix_ids + s for s in suffixes],
                                   builder.choice_ids, ctx.task.verbalizers)
    assert np.abs(fast.logprobs - slow).max() < TOLERANCE
    assert list(fast.predictions) == list(slow.argmax(1))
    # greedy generation names a label exactly when that label is the top choice among them
    agree = parsed >= 0
    assert agree.any() and all(fast.predictions[agree] == parsed[agree])


def test_packed_training_loss_equals_one_sequence_at_a_time(loaded):
    from benchmarks.training import TrainItem, packed_loss

    tok = loaded.tokenizer
    items = [TrainItem(tok(t).input_ids, 1) for t in ("The film was great. positive", "Dull and long. negative",
                                                        "I would watch it again. positive")]
    with torch.no_grad():
        packed, n = packed_loss(loaded.model, [items])  # all three in one row
        single = [packed_loss(loaded.model, [[it]])[0] for it in items]
    assert n == sum(len(it.ids) for it in items)
    assert float(packed) == pytest.approx(float(sum(single) / 3), abs=1e-4)


def test_bf16_fast_scores_stay_close_to_float32_baseline(loaded, tiny_config):
    """The bf16 fast path (the default on AMX CPUs and GPUs) against the float32 per-example baseline.

    Stated tolerance: bf16 keeps ~3 significant digits, so label log-probabilities may move by up
    to 0.5 (0.21 measured on 128 examples) and the mean move stays under 0.1; at most one of 16
    predictions may flip (99.2% agreement measured).
    """
    import copy

    config = tiny_config(test_size=16)
    ctx = Context(config=config, loaded=loaded, task=load_task(config), environment=describe("cpu"), emit=lambda e: None)
    builder = ctx.templates.builder()
    suffixes = builder.suffix_ids([e.text for e in ctx.task.test])
    bf16_model = copy.deepcopy(loaded.model).to(torch.bfloat16)
    fast = score_choices(bf16_model, builder.prefix_ids, suffixes, builder.choice_ids,
                         loaded.tokenizer.pad_token_id, max_batch=8)
    slow, _ = baseline_scores(loaded.model, loaded.tokenizer, [builder.prefix_ids + s for s in suffixes],
                              builder.choice_ids, ctx.task.verbalizers)
    diff = np.abs(fast.logprobs - slow)
    assert diff.max() < 0.5 and diff.mean() < 0.1
    assert np.sum(fast.predictions != slow.argmax(1)) <= 1


# bf16 is the fast path only where the CPU multiplies bf16 natively (AMX): elsewhere every bf16 product is
# torch's emulation (~1 GFLOP/s: 214 s for this slice at load 7), which no run there chooses (`auto` is
# float32) and whose timings mean nothing; the float32 case runs everywhere.
NATIVE_BF16 = cpu_has_bf16_matrix_units()


@pytest.mark.parametrize("dtype", ["float32", pytest.param("bfloat16", marks=pytest.mark.skipif(
    not NATIVE_BF16, reason="this CPU only emulates bf16 (no AMX): a bf16 harness run would time emulation"))])
def test_harness_reports_consistent_figures_on_a_tiny_slice(dtype):
    """The perf harness end to end on a few examples: every named figure present and derived
    from the timings it reports (not a speed claim: timings belong to the harness's own run).
    In bf16 the fast path runs in one dtype with the float32 figures beside it."""
    from tools.perf import EVAL_SLICES, run_perf

    # the slice is as small as two steps and the 10-example test split allow
    report = run_perf(device="cpu", train_examples=8, eval_examples=12, batch_size=4, dtype=dtype,
                      log=lambda message: None, generation=(4, 3))
    bf16 = dtype == "bfloat16"
    fast_sides = ["fast", "fast_fp32"] if bf16 else ["fast"]
    fp32_side = fast_sides[-1]  # the fast path in float32: the side that must equal the baseline
    assert (report["baseline_dtype"], report["fast_dtype"]) == ("float32", dtype)
    zero = report["eval"]
    assert zero["baseline_slices"] == EVAL_SLICES and {"baseline", *fast_sides} <= set(zero)
    assert zero["fast"]["dtype"] == dtype and zero[fp32_side]["dtype"] == "float32"
    assert bf16 == ("fast_fp32" in zero) == ("fast_fp32" in report["train"])
    for side in fast_sides:
        assert zero[side]["speedup"] == pytest.approx(zero["baseline"]["seconds"] / zero[side]["seconds"])
    assert zero[fp32_side]["max_abs_logprob_diff"] < TOLERANCE  # fp32 fast path = baseline
    assert zero["fast"]["prediction_agreement"] >= 10 / 12
    train = report["train"]
    assert train["steps"] == 2 and {train[side]["tokens"] for side in ["baseline", *fast_sides]} == {
        train["baseline"]["tokens"]}
    assert report["train_speedup"] == pytest.approx(
        train["fast"]["tokens_per_second"] / train["baseline"]["tokens_per_second"])
    assert report["eval_speedup"] == zero["fast"]["speedup"]
    generation = report["generation"]  # its own figures: tests/tools/test_perf_generation.py
    assert {"baseline", *fast_sides} <= set(generation) and generation[fp32_side]["identical_outputs"] == 1.0
    assert report["generation_speedup"] == generation["fast"]["speedup"] > 0
    assert report["eval_speedup_all_prompts"] == pytest.approx(
        (zero["baseline"]["seconds"] + report["eval_few_shot"]["baseline"]["seconds"])
        / (zero["fast"]["seconds"] + report["eval_few_shot"]["fast"]["seconds"]))
    # MFU on CPU is against the measured matmul peak of each side's dtype (the fast path's, float32 the rest)
    peaks, n = report["peak_flops"], report["model"]["matmul_parameters"]  # the weights a token multiplies
    assert n < report["model"]["parameters"]
    assert set(peaks) == {dtype, "float32"} and all(p > 0 for p in peaks.values())
    assert report["train_mfu"] == pytest.approx(4 * n * train["fast"]["tokens_per_second"] / peaks[dtype])
    assert train["baseline"]["mfu"] == pytest.approx(4 * n * train["baseline"]["tokens_per_second"] / peaks["float32"])
    assert zero[fp32_side]["mfu"] == pytest.approx(
        2 * n * zero[fp32_side]["computed_tokens"] / zero[fp32_side]["seconds"] / peaks["float32"])
    assert report["machine_class"] == report["environment"]["machine_class"]
    # MFU's token count: the baseline runs every prompt whole, the fast path each slice's prefix once
    prompt_tokens = zero["prompt_tokens_per_example"] * 12
    assert zero["baseline"]["computed_tokens"] == prompt_tokens
    assert zero["fast"]["computed_tokens"] < prompt_tokens
