"""Generation from a shared prefix computed once equals each prompt generated alone, in full."""

from __future__ import annotations

import pytest
import torch

from benchmarks.config import BenchConfig
from benchmarks.generation import generate
from benchmarks.prefix import prefix_keys_values
from benchmarks.prompt_ids import PromptBuilder
from benchmarks.tasks import load_task

pytestmark = pytest.mark.slow

NEW_TOKENS = 12


def alone(model, pad_id: int, prompt: list[int]) -> list[int]:
    """The plain path: the whole prompt, batch of one, no padding and no cache handed in."""
    with torch.inference_mode():
        out = model.generate(input_ids=torch.tensor([prompt]), attention_mask=torch.ones(1, len(prompt), dtype=torch.long),
                             max_new_tokens=NEW_TOKENS, do_sample=False, pad_token_id=pad_id)[0, len(prompt):]
    return [t for t in out.tolist() if t != pad_id]


@pytest.mark.parametrize("kind", ["zero_shot", "chain_of_thought"])
def test_batched_generation_from_a_cached_prefix_equals_each_prompt_alone(loaded, kind):
    task = load_task(BenchConfig(quick=True, test_size=10))
    builder = PromptBuilder(task, loaded.tokenizer, use_chat=True, kind=kind)
    texts = sorted((e.text for e in task.test[:5]), key=len)  # unequal lengths: rows padded in between
    prefix, suffixes = builder.prefix_ids, builder.suffix_ids(texts)
    assert len(prefix) > 20 and len({len(s) for s in suffixes}) > 1
    pad = loaded.tokenizer.pad_token_id

    kv = prefix_keys_values(loaded.model, prefix)
    batched = generate(loaded.model, pad, prefix, suffixes, NEW_TOKENS, kv)
    expected = [alone(loaded.model, pad, prefix + s) for s in suffixes]
    assert batched == expected
    assert all(len(tokens) > 0 for tokens in batched)
    # the prefix's keys and values are read, never written: a second batch from them gives the same
    assert generate(loaded.model, pad, prefix, suffixes[:2], NEW_TOKENS, kv) == expected[:2]
    # one request alone (its prefix computed inside the call), as latency is timed
    assert generate(loaded.model, pad, prefix, suffixes[-1:], NEW_TOKENS) == expected[-1:]
