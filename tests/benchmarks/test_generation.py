"""Generation from a shared prefix computed once equals each prompt generated alone, in full."""

from __future__ import annotations

import pytest
import torch

from benchmarks.config import BenchConfig
from benchmarks.generation import generate, stop_ids
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


def test_a_soft_prompt_generates_as_if_its_vectors_were_in_the_prompt(loaded):
    """Prompt-tuning's answers: the soft prompt's keys and values held in the shared cache (its positions
    never run again) give what the whole [soft prompt][prefix][suffix] embedding gives alone."""
    task = load_task(BenchConfig(quick=True, test_size=10))
    builder = PromptBuilder(task, loaded.tokenizer, use_chat=False, kind="tuned")
    texts = sorted((e.text for e in task.test[:3]), key=len)
    prefix, suffixes = builder.prefix_ids, builder.suffix_ids(texts)
    model, pad = loaded.model, loaded.tokenizer.pad_token_id
    width = model.get_input_embeddings().weight.shape[1]
    soft = torch.randn(4, width, generator=torch.Generator().manual_seed(0)) * 0.02
    kv = prefix_keys_values(model, prefix, soft)
    batched = generate(model, pad, prefix, suffixes, NEW_TOKENS, kv)
    expected = []
    with torch.inference_mode():
        for suffix in suffixes:
            embeds = torch.cat([soft[None], model.get_input_embeddings()(torch.tensor([prefix + suffix]))], dim=1)
            out = model.generate(inputs_embeds=embeds, attention_mask=torch.ones(1, embeds.shape[1], dtype=torch.long),
                                 max_new_tokens=NEW_TOKENS, do_sample=False, pad_token_id=pad)[0]
            expected.append([t for t in out.tolist() if t != pad])
    assert batched == expected
    assert generate(model, pad, prefix, suffixes[:1], NEW_TOKENS, soft_prompt=soft) == expected[:1]  # one alone


def test_a_one_line_answer_stops_at_its_first_line_break(loaded):
    tok, model = loaded.tokenizer, loaded.model
    stops = stop_ids(model, tok, at_newline=True)
    assert tok.eos_token_id in stops and tok.convert_tokens_to_ids("Ċ") in stops  # byte-level BPE's "\n"
    assert all("\n" in tok.decode([t]) for t in set(stops) - {tok.eos_token_id, *stop_ids(model, tok, at_newline=False)})
    prefix, suffix = tok("Fruits:\n1. apples\n2. pears\n3").input_ids, tok(".", add_special_tokens=False).input_ids
    free = generate(model, tok.pad_token_id, prefix, [suffix], 16)[0]
    stopped = generate(model, tok.pad_token_id, prefix, [suffix], 16, stop_ids=stops)[0]
    cut = next(i for i, t in enumerate(free) if t in stops)  # the list's next line break
    assert cut > 0 and stopped == free[:cut + 1] and len(stopped) < len(free)  # the stop token kept, counted
    # a stop token is never the first: an answer that would begin with a line break writes something first
    right_after = generate(model, tok.pad_token_id, prefix, [suffix + free[:cut]], 4, stop_ids=stops)[0]
    assert right_after[0] not in stops
