"""The perf harness's generation line on a few headlines: batched generation from the shared prefix
computed once writes, in float32, exactly what one plain `model.generate` per prompt writes, and the
line's figures are counted from those outputs (no speed claim: timings belong to the harness's run)."""

from __future__ import annotations

import json

import pytest

from benchmarks.config import BenchConfig
from tools.perf import EVAL_SLICES
from tools.perf_generation import (
    ARTICLE_CHARS,
    INSTRUCTION,
    baseline_generate,
    fast_generate,
    headline_prompts,
    measure_generation,
)

pytestmark = pytest.mark.slow
NEW_TOKENS = 6


def test_headline_prompts_share_one_prefix_and_cut_each_article(loaded):
    prompts = headline_prompts(loaded.tokenizer, 5)
    tok = loaded.tokenizer
    assert len(prompts.suffixes) == len(prompts.texts) == 5
    assert INSTRUCTION in tok.decode(prompts.prefix_ids)
    # the text a peer tokenizes itself is the same prompt: here to the very ids the other paths run
    assert [tok(t, add_special_tokens=False).input_ids for t in prompts.texts] == prompts.ids
    articles = [t.split(f"{INSTRUCTION}\n")[1].split("<|im_end|>")[0] for t in prompts.texts]
    assert all(0 < len(a) <= ARTICLE_CHARS for a in articles) and len(set(articles)) == 5


def test_fast_generation_equals_per_example_generate(loaded):
    """float32: batched rows (padding between prefix and suffix, the prefix's keys/values shared) and rows
    one at a time both give the greedy tokens of each whole prompt generated alone."""
    tok, prompts = loaded.tokenizer, headline_prompts(loaded.tokenizer, 5)
    expected = baseline_generate(loaded.model, tok.pad_token_id, prompts.ids, NEW_TOKENS)
    batched, batch = fast_generate(loaded.model, tok.pad_token_id, prompts, NEW_TOKENS, max_batch=3, token_budget=8192)
    alone, one = fast_generate(loaded.model, tok.pad_token_id, prompts, NEW_TOKENS, max_batch=1, token_budget=8192)
    assert (batch, one) == (3, 1) and len({len(s) for s in prompts.suffixes}) > 1  # padded rows really ran
    assert batched == alone == expected
    assert all(0 < len(out) <= NEW_TOKENS and tok.pad_token_id not in out for out in expected)


def test_generation_line_counts_its_tokens_and_reports_positive_figures(loaded):
    config = BenchConfig(eval_batch_size=4)  # 5 prompts: a batch of 4 and one alone
    peak = 1e11
    section = measure_generation(loaded, config, {"fast": loaded.model}, {"float32": peak}, examples=5,
                                 new_tokens=NEW_TOKENS)
    section = json.loads(json.dumps(section))  # as the harness writes it
    base, fast = section["baseline"], section["fast"]
    prompts = headline_prompts(loaded.tokenizer, 5)
    outputs = baseline_generate(loaded.model, loaded.tokenizer.pad_token_id, prompts.ids, NEW_TOKENS)
    new = sum(map(len, outputs))
    served = sum(map(len, prompts.ids))
    assert fast["identical_outputs"] == 1.0 and fast["batch_size"] == 4
    assert base["new_tokens"] == fast["new_tokens"] == new
    # MFU's tokens: the baseline runs every prompt whole, the fast path the shared prefix once
    assert base["computed_tokens"] == served + new
    assert fast["computed_tokens"] == served - 4 * section["prefix_tokens"] + new
    n = loaded.info.flop_parameters
    for side in (base, fast):
        s = side["seconds"]
        assert s > 0 and side["peak_memory_mb"] > 0 and side["dtype"] == "float32"
        assert side["new_tokens_per_second"] == pytest.approx(new / s)
        assert side["tokens_per_second"] == pytest.approx((served + new) / s)
        assert side["requests_per_second"] == pytest.approx(5 / s)
        assert side["mfu"] == pytest.approx(2 * n * side["computed_tokens"] / s / peak)
    assert fast["speedup"] == pytest.approx(base["seconds"] / fast["seconds"])
    assert (section["examples"], section["max_new_tokens"], section["baseline_slices"]) == (5, NEW_TOKENS, EVAL_SLICES)
