"""Many labels: the extra passes (template choice, consistency) are sized to what a pass costs."""

from __future__ import annotations

import math

import pytest

from benchmarks.approaches.base import Context
from benchmarks.environment import describe
from benchmarks.scoring import trie_nodes
from benchmarks.tasks import load_task
from benchmarks.templates import MIN_EXTRA_EXAMPLES
from tools import intents

pytestmark = pytest.mark.slow


def _ctx(config, loaded) -> Context:
    return Context(config=config, loaded=loaded, task=load_task(config), environment=describe("cpu"),
                   emit=lambda e: None)


def test_sixty_intents_score_their_extra_passes_on_a_cost_sized_subset(tmp_path, loaded, tiny_config):
    path = intents.write_csv(tmp_path / "it.csv", per_label=8)
    ctx = _ctx(tiny_config(data_file=path, test_size=240, val_size=60, train_size=120), loaded)
    assert len(ctx.task.labels) == 60
    builder = ctx.templates.builder(use_chat=False)
    nodes = trie_nodes(builder.choice_ids)
    branches = sum(len(c) - 1 for c in builder.choice_ids)
    assert 0 < nodes < branches / 2  # intents share their topic's tokens: the trie halves (or better) the work
    inputs = [len(s) for s in builder.suffix_ids([e.text for e in ctx.task.test[:100]])]
    mean = sum(inputs) / len(inputs)
    n = len(ctx.task.test)  # 158: the stratified split keeps examples of every label for train and validation
    # as many examples as the inputs alone would cost: n × 11.0 / (11.0 + 13) ≈ 73 of 158 here
    expected = max(MIN_EXTRA_EXAMPLES, math.ceil(n * mean / (mean + nodes)))
    subset = ctx.templates.extra_examples(ctx.task.test)
    assert subset == ctx.task.test[:expected] and MIN_EXTRA_EXAMPLES <= len(subset) < n


def test_a_binary_task_scores_every_example_in_its_extra_passes(loaded, tiny_config):
    ctx = _ctx(tiny_config(test_size=40), loaded)
    assert trie_nodes(ctx.templates.builder(use_chat=False).choice_ids) == 0  # " negative" / " positive": one token each
    assert ctx.templates.extra_examples(ctx.task.test) == ctx.task.test
