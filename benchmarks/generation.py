"""Batched greedy generation from a shared prompt prefix computed once (`benchmarks.prefix`).

Each row is laid out [soft prompt][prefix][padding][suffix] with the padding masked: positions come
from the mask, so every suffix sits where it would sit without padding, and every row continues at
the end. The prefix's keys and values (a soft prompt's too) are computed once for a whole split, so
a batch runs only its suffixes and the new tokens; a row stops at its first stop token and the
batch when every row has stopped or the token limit is reached.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np
import torch

from benchmarks.collectives import gather, merged, shard
from benchmarks.prefix import KeysValues, prefix_keys_values, shared_cache
from benchmarks.scoring import length_batches


@torch.inference_mode()
def generate(
    model, pad_id: int, prefix_ids: list[int], suffixes: list[list[int]], max_new_tokens: int,
    kv: KeysValues | None = None, *, soft_prompt: torch.Tensor | None = None, stop_ids: list[int] | None = None,
) -> list[list[int]]:
    """Greedy continuations of [soft prompt][prefix][suffix_i] for each i (padding and what follows an
    end dropped).

    `kv` is the prefix's keys and values from `prefix_keys_values`; without it they are computed here,
    as one request served alone computes its whole prompt. `stop_ids` end a row, which keeps its stop
    token (counted as generated; `skip_special_tokens` drops an end of turn when decoding), and an
    answer has at least one token before a stop: a prompt ending in "Headline:" is often followed by a
    line break first. Without `stop_ids` the model's own end of sequence ends a row, dropped with the
    padding.
    """
    device = model.get_input_embeddings().weight.device
    kv = kv if kv is not None else prefix_keys_values(model, prefix_ids, soft_prompt)
    virtual = kv[0][0].shape[-2] - len(prefix_ids)  # soft prompt positions: held by the cache, never run
    start, width = virtual + len(prefix_ids), max(map(len, suffixes))
    ids = torch.full((len(suffixes), start + width), pad_id, dtype=torch.long)
    ids[:, virtual:start] = torch.tensor(prefix_ids)
    mask = torch.zeros_like(ids)
    mask[:, :start] = 1
    for row, suffix in enumerate(suffixes):
        ids[row, start + width - len(suffix):] = torch.tensor(suffix)
        mask[row, start + width - len(suffix):] = 1
    stop = {"eos_token_id": stop_ids, "min_new_tokens": 1} if stop_ids else {}
    generated = model.generate(
        input_ids=ids.to(device), attention_mask=mask.to(device), cache=shared_cache(kv, len(suffixes)),
        max_new_tokens=max_new_tokens, do_sample=False, pad_token_id=pad_id, **stop,
    )[:, start + width:]
    return [_until_stop(row.tolist(), set(stop_ids or ()), pad_id) for row in generated]


def _until_stop(row: list[int], stops: set[int], pad_id: int) -> list[int]:
    """A row's tokens up to its first stop token (kept), or all of them but the padding."""
    end = next((i for i, token in enumerate(row) if token in stops), None)
    return row[:end + 1] if end is not None else [t for t in row if t != pad_id]


@cache
def _newline_ids(tokenizer) -> tuple[int, ...]:
    return tuple(i for i, piece in enumerate(tokenizer.batch_decode([[i] for i in range(len(tokenizer))]))
                 if "\n" in piece)


def stop_ids(model, tokenizer, *, at_newline: bool) -> list[int]:
    """The tokens that end an answer: the model's end of sequence (a chat model's end of turn), and
    with `at_newline` every token that holds a line break (a one-line answer)."""
    ends = model.generation_config.eos_token_id
    ids = {tokenizer.eos_token_id, *(ends if isinstance(ends, list) else [ends])} - {None}
    return sorted(ids | set(_newline_ids(tokenizer) if at_newline else ()))


@dataclass
class Generated:
    """Every example's continuation, and what producing them cost."""

    texts: list[str]  # decoded, special tokens dropped
    new_tokens: np.ndarray  # tokens generated per example (its stop token included)
    seconds: float  # the slowest rank's, the one-off prefix pass included
    batch_size: int  # most examples in one batch
    prompt_tokens: int  # prefix + suffix per example, summed (what a server without a prefix cache runs)
    computed_tokens: int  # the prefix once, every suffix and every new token


def generate_all(
    model, tokenizer, prefix_ids: list[int], suffixes: list[list[int]], max_new_tokens: int, *,
    batching: dict[str, int], stop: list[int] | None = None, soft_prompt: torch.Tensor | None = None,
    on_batch: Callable[[int, int], None] | None = None,
) -> Generated:
    """Greedy answers to [prefix][suffix_i] for every i, in batches of similar length; the prefix's keys
    and values computed once for all of them. Under several ranks each generates every N-th batch and
    all get every answer."""
    start = time.perf_counter()
    kv = prefix_keys_values(model, prefix_ids, soft_prompt)
    batches = length_batches([len(s) for s in suffixes], batching["max_batch"], batching["token_budget"])
    mine = shard(batches)
    answers: dict[int, tuple[str, int]] = {}
    for done, batch in enumerate(mine, 1):
        rows = generate(model, tokenizer.pad_token_id, prefix_ids, [suffixes[i] for i in batch], max_new_tokens,
                        kv, stop_ids=stop)
        for i, row in zip(batch, rows, strict=True):
            answers[i] = (tokenizer.decode(row, skip_special_tokens=True), len(row))
        if on_batch:
            on_batch(sum(map(len, mine[:done])), sum(map(len, mine)))
    seconds = max(gather(time.perf_counter() - start))  # the slowest rank's
    answers = merged(answers)
    new_tokens = np.array([answers[i][1] for i in range(len(suffixes))])
    prefix_len = kv[0][0].shape[-2]
    return Generated(
        texts=[answers[i][0] for i in range(len(suffixes))], new_tokens=new_tokens, seconds=seconds,
        batch_size=max(map(len, batches)), prompt_tokens=prefix_len * len(suffixes) + sum(map(len, suffixes)),
        computed_tokens=prefix_len + sum(map(len, suffixes)) + int(new_tokens.sum()),
    )
