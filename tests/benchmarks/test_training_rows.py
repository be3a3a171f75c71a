"""Training rows padded as little as the packer allows, and FLOPs counted on the weights a token multiplies."""

from __future__ import annotations

import pytest
import torch
from transformers import LlamaConfig, LlamaForCausalLM

from benchmarks.config import BenchConfig
from benchmarks.models import matmul_parameters
from benchmarks.scoring import pack_rows
from benchmarks.training import balanced_width


def _computed(lengths: list[int], width: int) -> int:
    rows = pack_rows(lengths, width)
    return len(rows) * max(sum(lengths[i] for i in row) for row in rows)


def test_five_items_of_100_fill_three_rows_of_200_not_three_of_256():
    lengths = [100] * 5
    assert len(pack_rows(lengths, 256)) == 3  # 2 + 2 + 1 items, every row padded to 200 or 256
    width = balanced_width(lengths, 256)
    assert width == 200  # below 200 (from 167 = 500 / 3) only one item fits a row
    assert len(pack_rows(lengths, width)) == 3


def test_a_quick_batch_computes_about_its_own_tokens():
    lengths = [30, 35, 28, 41, 33, 30, 29, 36, 31, 34, 32, 30, 38, 27, 33, 35]  # ~32.6 a prompt, as quick mode's
    assert sum(lengths) == 522
    assert _computed(lengths, 256) == 756  # rows of 252, 243 and 27 tokens, all padded to 252
    assert _computed(lengths, balanced_width(lengths, 256)) <= 540


def test_an_item_longer_than_a_row_keeps_its_own_row():
    assert balanced_width([300, 20, 20], 256) == 300


@pytest.mark.parametrize("tied", [True, False])
def test_flops_count_every_weight_but_the_embedding_and_the_head(tied):
    config = LlamaConfig(vocab_size=100, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=1, tie_word_embeddings=tied)
    torch.manual_seed(0)
    model = LlamaForCausalLM(config)
    total = sum(p.numel() for p in model.parameters())
    assert matmul_parameters(model) == total - 100 * 16 * (1 if tied else 2)


def test_quick_mode_trains_batches_of_8_and_caps_extra_passes():
    quick, full = BenchConfig(quick=True), BenchConfig()
    assert (quick.train_batch_size, quick.extra_pass_size) == (8, 60)
    assert (full.train_batch_size, full.extra_pass_size) == (16, 100_000)
    assert BenchConfig(quick=True, train_batch_size=4).train_batch_size == 4
