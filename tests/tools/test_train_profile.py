"""The training profile: the products torch.profiler saw are the FLOPs the MFU counts."""

from __future__ import annotations

import pytest

from tools.train_profile import matmul_rates, operator_shares, profile_training

pytestmark = pytest.mark.slow


def test_the_profiled_products_are_the_flops_the_mfu_counts(tiny_config):
    run = profile_training(steps=1, batch_size=4, config=tiny_config(dtype="float32", device="cpu"))
    shares = operator_shares(run.profiler)
    assert shares.share.sum() == pytest.approx(1.0) and "aten::mm" in set(shares.operator)
    rates = matmul_rates(run.profiler)
    assert (rates.gflops > 0).all() and rates.share.sum() < 1
    flops = 2 * rates.m * rates.k * rates.n * rates.calls
    adapter = rates[["m", "k", "n"]].eq(run.rank).any(axis=1)
    head = rates[["k", "n"]].max(axis=1) > 10_000  # the vocabulary projection, at the label positions only
    base = flops[~adapter & ~head].sum()
    # forward and input-gradient products of every frozen weight a token passes: 4 N, less the input
    # gradient of the first layer's q/k/v (the embeddings need none: 0.3%), plus packed rows' padding
    assert 0.99 <= base / run.stats.flops < 1.25
    # the adapters: forward, input gradient and weight gradient of A and B, 6 per trainable value
    assert 0.99 <= flops[adapter].sum() / (6 * run.stats.trainable_parameters * run.stats.tokens) < 1.25
