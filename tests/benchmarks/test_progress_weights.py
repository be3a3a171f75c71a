"""The run's progress bar: each approach gets a share by its expected time, checked by hand."""

from __future__ import annotations

import pytest

from benchmarks.approaches.curve import MIN_STEPS, progress_shares
from benchmarks.runner import progress_edges
from tests.conftest import make_tiny_config


def test_quick_run_gives_lora_most_of_the_bar():
    # loading 0.2, zero-shot 1, few-shot 1.1, LoRA 4.4: total 6.7 (an idle quick run's 7, 34, 38 and 149 s)
    config = make_tiny_config(approaches=["zero_shot", "few_shot", "lora"], learning_curve=[])
    assert progress_edges(config) == pytest.approx([0, 0.2 / 6.7, 1.2 / 6.7, 2.3 / 6.7, 1])


def test_learning_curve_sizes_widen_lora_share():
    # LoRA 4.4 × (1 + 0.3 × 2 sizes) = 7.04; zero-shot 1; loading 0.2: total 8.24
    config = make_tiny_config(approaches=["zero_shot", "lora"], learning_curve=[16, 64])
    assert progress_edges(config) == pytest.approx([0, 0.2 / 8.24, 1.2 / 8.24, 1])


def test_each_training_run_of_the_curve_gets_a_share_by_its_steps():
    class Ctx:  # only what progress_shares reads: the examples the tuned approaches train on (Context.train)
        config = make_tiny_config(train_batch_size=16, train_epochs=3.0)
        train = [None] * 320

    # full run: 20 batches × 3 epochs = 60 steps; size 16: 1 × 3 = 3 → raised to MIN_STEPS (30);
    # size 160: 10 × 3 = 30 steps. Total 120.
    assert MIN_STEPS == 30
    shares = progress_shares(Ctx(), [16, 160])
    assert [edge for share in shares for edge in share] == pytest.approx([0, 0.5, 0.5, 0.75, 0.75, 1.0])
