"""Batched greedy generation from a shared prompt prefix computed once (`benchmarks.prefix`).

Each row is laid out [prefix][padding][suffix] with the padding masked: positions come from the
mask, so every suffix sits where it would sit without padding, and every row continues at the end.
The prefix's keys and values are computed once (or handed in, shared by every batch of a run), so a
batch runs only its suffixes and the new tokens.
"""

from __future__ import annotations

import torch

from benchmarks.prefix import KeysValues, prefix_keys_values, shared_cache


@torch.inference_mode()
def generate(
    model, pad_id: int, prefix_ids: list[int], suffixes: list[list[int]], max_new_tokens: int,
    kv: KeysValues | None = None,
) -> list[list[int]]:
    """Greedy continuations of [prefix][suffix_i] for each i (padding and what follows an end dropped).

    `kv` is the prefix's keys and values from `prefix_keys_values`; without it they are computed here,
    as one request served alone computes its whole prompt.
    """
    device = model.get_input_embeddings().weight.device
    kv = kv if kv is not None else prefix_keys_values(model, prefix_ids)
    start, width = len(prefix_ids), max(map(len, suffixes))
    ids = torch.full((len(suffixes), start + width), pad_id, dtype=torch.long)
    ids[:, :start] = torch.tensor(prefix_ids)
    mask = torch.zeros_like(ids)
    mask[:, :start] = 1
    for row, suffix in enumerate(suffixes):
        ids[row, start + width - len(suffix):] = torch.tensor(suffix)
        mask[row, start + width - len(suffix):] = 1
    generated = model.generate(
        input_ids=ids.to(device), attention_mask=mask.to(device), cache=shared_cache(kv, len(suffixes)),
        max_new_tokens=max_new_tokens, do_sample=False, pad_token_id=pad_id,
    )[:, start + width:]
    return [[t for t in row.tolist() if t != pad_id] for row in generated]
