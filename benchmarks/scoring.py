"""Log-likelihood label scoring, fast: the fast path every scoring approach uses.

- The shared prompt prefix (instruction, few-shot examples, chat header, soft prompt) is run
  once; each batch reuses its keys/values, so per example only the input text is processed.
- Single-token labels are all scored from the one forward pass over the input (the next-token
  distribution at the last real token); multi-token labels reuse that pass's cache and add one
  short pass over the label tokens.
- Batches are length-sorted and capped by tokens (dynamic batching), right-padded (so positions
  need no correction and the causal mask alone keeps pads out of the real tokens), and the
  vocabulary projection runs only at the positions scored.
- On CUDA an out-of-memory batch is split in two and retried.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from transformers import DynamicCache


@dataclass
class Scores:
    logprobs: np.ndarray  # [examples, labels]: summed log-probability of each label's tokens
    latency_s: np.ndarray  # per example: wall time of the batch it was scored in
    seconds: float  # total, including the one-off prefix pass
    prompt_tokens: int  # prefix + input tokens over all examples (what a cache-less server would run)
    computed_tokens: int  # tokens the model actually ran: the prefix once, then each input
    max_batch: int
    oom_splits: int = 0  # batches halved after a CUDA out-of-memory error

    @property
    def predictions(self) -> np.ndarray:
        return self.logprobs.argmax(axis=1)


def sync(device: torch.device) -> None:
    """Wait for the device's queued work, so a timer read after it measures the work (CUDA is async)."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def length_batches(lengths: list[int], max_batch: int, token_budget: int) -> list[list[int]]:
    """Indices grouped longest first; a batch holds at most `max_batch` rows and `token_budget` padded tokens."""
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    batches: list[list[int]] = []
    for index in order:
        current = batches[-1] if batches else None
        if current and len(current) < max_batch and lengths[current[0]] * (len(current) + 1) <= token_budget:
            current.append(index)
        else:
            batches.append([index])
    return batches


def embed_prefix(model, prefix_ids: list[int], soft_prompt: torch.Tensor | None = None) -> torch.Tensor:
    """Input embeddings of [soft prompt][prefix tokens], batch of one."""
    device = model.get_input_embeddings().weight.device
    embeds = model.get_input_embeddings()(torch.tensor([prefix_ids], device=device))
    if soft_prompt is not None:
        embeds = torch.cat([soft_prompt.to(embeds.dtype).reshape(1, -1, embeds.shape[-1]), embeds], dim=1)
    return embeds


def _expand(kv: list[tuple[torch.Tensor, torch.Tensor]], rows: int) -> DynamicCache:
    return DynamicCache(ddp_cache_data=[(k.expand(rows, -1, -1, -1), v.expand(rows, -1, -1, -1)) for k, v in kv])


def _pad(rows: list[list[int]], pad_id: int, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, row in enumerate(rows):
        ids[i, : len(row)] = torch.tensor(row)
        mask[i, : len(row)] = 1
    return ids.to(device), mask.to(device)


@torch.inference_mode()
def _score_batch(
    model, kv, prefix_len: int, suffixes: list[list[int]], choices: list[list[int]], pad_id: int
) -> torch.Tensor:
    device = model.get_input_embeddings().weight.device
    decoder, head = model.base_model, model.get_output_embeddings()
    rows = len(suffixes)
    ids, mask = _pad(suffixes, pad_id, device)
    multi = any(len(c) > 1 for c in choices)
    # No padding mask: pads sit right of every real token, and under the causal mask a real token
    # never sees a later one, so the plain causal pass gives the real positions exactly (and is
    # ~10% faster on CPU). Only the label continuations below would see pads; they mask them.
    out = decoder(input_ids=ids, past_key_values=_expand(kv, rows), use_cache=multi)
    lengths = mask.sum(1)
    last = out.last_hidden_state[torch.arange(rows, device=device), lengths - 1]
    first = head(last).float().log_softmax(-1)
    scores = first[:, [c[0] for c in choices]]
    if not multi:
        return scores
    # Label continuations: every (example, label) pair reuses the example's cache.
    n_labels = len(choices)
    cache = out.past_key_values
    cache.batch_repeat_interleave(n_labels)
    cont = [c[:-1] or [pad_id] for c in choices]
    cont_ids, cont_mask = _pad(cont, pad_id, device)
    cont_ids, cont_mask = cont_ids.repeat(rows, 1), cont_mask.repeat(rows, 1)
    positions = (prefix_len + lengths).repeat_interleave(n_labels)[:, None] + torch.arange(cont_ids.shape[1], device=device)
    full_mask = torch.cat([torch.ones((rows, prefix_len), dtype=mask.dtype, device=device), mask], dim=1)
    attn = torch.cat([full_mask.repeat_interleave(n_labels, 0), cont_mask], dim=1)
    hidden = decoder(input_ids=cont_ids, attention_mask=attn, past_key_values=cache, position_ids=positions).last_hidden_state
    logp = head(hidden).float().log_softmax(-1)  # [rows*labels, width, vocab]
    targets = torch.full(cont_ids.shape, 0, dtype=torch.long, device=device)
    valid = torch.zeros(cont_ids.shape, dtype=torch.bool, device=device)
    for j, c in enumerate(choices):
        targets[j::n_labels, : len(c) - 1] = torch.tensor(c[1:], device=device)
        valid[j::n_labels, : len(c) - 1] = True
    rest = (logp.gather(-1, targets[..., None])[..., 0] * valid).sum(1)
    return scores + rest.view(rows, n_labels)


@torch.inference_mode()
def score_choices(
    model,
    prefix_ids: list[int],
    suffixes: list[list[int]],
    choices: list[list[int]],
    pad_id: int,
    *,
    max_batch: int = 32,
    token_budget: int = 8192,
    soft_prompt: torch.Tensor | None = None,
    on_batch: Callable[[int, int], None] | None = None,
) -> Scores:
    """Log-likelihood of each choice after [soft prompt][prefix][suffix_i], for every i."""
    device = model.get_input_embeddings().weight.device
    start = time.perf_counter()
    prefix = model.base_model(inputs_embeds=embed_prefix(model, prefix_ids, soft_prompt), use_cache=True)
    kv = [(layer.keys, layer.values) for layer in prefix.past_key_values.layers]
    prefix_len = kv[0][0].shape[-2]
    logprobs = np.zeros((len(suffixes), len(choices)), dtype=np.float64)
    latency = np.zeros(len(suffixes))
    queue = length_batches([len(s) for s in suffixes], max_batch, token_budget)
    done, biggest, oom_splits = 0, 0, 0
    while queue:
        batch = queue.pop(0)
        t0 = time.perf_counter()
        try:
            scores = _score_batch(model, kv, prefix_len, [suffixes[i] for i in batch], choices, pad_id)
        except torch.OutOfMemoryError:
            if len(batch) == 1:
                raise
            torch.cuda.empty_cache()
            oom_splits += 1
            half = len(batch) // 2
            queue[:0] = [batch[:half], batch[half:]]
            continue
        sync(device)
        logprobs[batch] = scores.cpu().double().numpy()
        latency[batch] = time.perf_counter() - t0
        biggest = max(biggest, len(batch))
        done += len(batch)
        if on_batch:
            on_batch(done, len(suffixes))
    sync(device)
    inputs = sum(map(len, suffixes))
    return Scores(logprobs, latency, time.perf_counter() - start, prefix_len * len(suffixes) + inputs,
                  prefix_len + inputs, biggest, oom_splits)
