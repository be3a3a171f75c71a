"""Log-likelihood label scoring, fast: the fast path every scoring approach uses.

- The shared prompt prefix (instruction, few-shot examples, chat header, soft prompt) is run
  once; each batch reuses its keys/values, so per example only the input text is processed.
- Single-token labels are all scored from the one forward pass over the input (the next-token
  distribution at the last input token). Multi-token labels add their tokens but the last as a
  token trie on the example's own sequence (labels sharing leading tokens share those nodes; a
  node sees the input and its trie ancestors, not the other labels), so every label of every
  example is scored in that same pass.
- Examples are packed into rows with no padding between them (first-fit decreasing by length);
  a block mask keeps each example to the prefix and its own tokens, and position ids restart per
  example. Batches are capped by tokens, not by a fixed row count, so one matrix product sees
  thousands of rows. The vocabulary projection runs only at the positions scored.
- On CUDA an out-of-memory batch is split in two and retried.
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

from benchmarks.prefix import prefix_keys_values, shared_cache


@dataclass
class Scores:
    logprobs: np.ndarray  # [examples, labels]: summed log-probability of each label's tokens
    seconds: float  # total, including the one-off prefix pass
    prompt_tokens: int  # prefix + input tokens over all examples (what a cache-less server would run)
    computed_tokens: int  # tokens the model actually ran: the prefix once, then each input and label branch
    max_batch: int  # most examples in one forward pass
    oom_splits: int = 0  # batches halved after a CUDA out-of-memory error
    rank_tokens_per_second: list[float] = field(default_factory=list)  # each rank's own, when sharded

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


def pack_rows(lengths: list[int], width: int) -> list[list[int]]:
    """Items packed into rows of `width` tokens, longest first, each into the row it fills best
    (best-fit decreasing; a sorted list of rows' free space keeps it O(n log n)). Each row lists
    its item indices."""
    rows: list[list[int]] = []
    spaces: list[tuple[int, int]] = []  # (free tokens, row), sorted; full rows leave it
    for index in sorted(range(len(lengths)), key=lambda i: -lengths[i]):
        at = bisect.bisect_left(spaces, (lengths[index], -1))
        if at == len(spaces):
            rows.append([index])
            free, row = width - lengths[index], len(rows) - 1
        else:
            free, row = spaces.pop(at)
            rows[row].append(index)
            free -= lengths[index]
        if free > 0:
            bisect.insort(spaces, (free, row))
    return rows


def row_batches(rows: list[list[int]], width: int, max_examples: int, token_budget: int) -> list[list[list[int]]]:
    """Consecutive rows grouped so a batch holds at most `token_budget` tokens and `max_examples` examples."""
    per_batch = max(1, token_budget // width)
    batches: list[list[list[int]]] = []
    examples = 0
    for row in rows:
        if batches and len(batches[-1]) < per_batch and examples + len(row) <= max_examples:
            batches[-1].append(row)
            examples += len(row)
        else:
            batches.append([row])
            examples = len(row)
    return batches


@dataclass
class _Item:
    """One example laid out for a packed row: its input, then the label trie's inner nodes.

    Labels sharing leading tokens share those tokens' positions (a token trie): each node holds one
    label token, sees the input and its ancestors in the trie, and scores every label passing
    through it, so 60 intents such as "card_arrival" / "card_linking" run their shared "card"
    once per example. Label j's first token is read at the input's last token, each later token at
    the node of the one before it, all in the one pass.
    """

    ids: list[int]
    offsets: list[int]  # position of each token after the prefix
    visible: np.ndarray  # [tokens, tokens] bool: which of the item's tokens each token attends to
    reads: list[tuple[int, int, int]]  # (token index within the item, label, label token scored there)

    @classmethod
    def build(cls, suffix: list[int], choices: list[list[int]]) -> _Item:
        if not suffix or not all(choices):
            raise ValueError("scoring needs at least one input token per example and per label")
        n = len(suffix)
        ids, offsets, parents = list(suffix), list(range(n)), list(range(-1, n - 1))
        nodes: dict[tuple[int, ...], int] = {}  # label prefix -> its node's token index
        reads = []
        for j, choice in enumerate(choices):
            at = n - 1
            reads.append((at, j, choice[0]))
            for t in range(len(choice) - 1):
                key = tuple(choice[: t + 1])
                if key not in nodes:
                    nodes[key] = len(ids)
                    ids.append(choice[t])
                    offsets.append(n + t)
                    parents.append(at)
                at = nodes[key]
                reads.append((at, j, choice[t + 1]))
        visible = np.eye(len(ids), dtype=bool)
        for q, parent in enumerate(parents):
            if parent >= 0:  # parents come before their children, so their rows are complete
                visible[q] |= visible[parent]
        return cls(ids, offsets, visible, reads)


def trie_nodes(choices: list[list[int]]) -> int:
    """Tokens the label trie adds to each example: the distinct label prefixes (all but each last token)."""
    return len({tuple(c[: t + 1]) for c in choices for t in range(len(c) - 1)})


@torch.inference_mode()
def _score_batch(
    model, kv, prefix_len: int, rows: list[list[int]], items: list[_Item], n_labels: int, width: int, pad_id: int
) -> tuple[list[int], torch.Tensor]:
    """(example indices, their [examples, labels] log-probabilities) for one batch of packed rows."""
    device = model.get_input_embeddings().weight.device
    n_rows = len(rows)
    ids = torch.full((n_rows, width), pad_id, dtype=torch.long)
    positions = torch.full((n_rows, width), prefix_len, dtype=torch.long)
    # A token sees the whole shared prefix and the tokens its item's `visible` names (its input's
    # earlier tokens, its trie ancestors); padding sees only itself, and nothing reads its outputs.
    own = np.broadcast_to(np.eye(width, dtype=bool), (n_rows, width, width)).copy()
    read_row, read_col, read_example, read_label, read_token = [], [], [], [], []
    examples = [i for row in rows for i in row]
    slot = {example: k for k, example in enumerate(examples)}
    for r, row in enumerate(rows):
        col = 0
        for i in row:
            item = items[i]
            n = len(item.ids)
            ids[r, col : col + n] = torch.tensor(item.ids)
            positions[r, col : col + n] = prefix_len + torch.tensor(item.offsets)
            own[r, col : col + n, col : col + n] = item.visible
            for at, label, token in item.reads:
                read_row.append(r)
                read_col.append(col + at)
                read_example.append(slot[i])
                read_label.append(label)
                read_token.append(token)
            col += n
    mask = torch.cat([torch.ones((n_rows, width, prefix_len), dtype=torch.bool), torch.from_numpy(own)], dim=2)[:, None]
    hidden = model.base_model(
        input_ids=ids.to(device), attention_mask=mask.to(device), position_ids=positions.to(device),
        cache=shared_cache(kv, n_rows), use_cache=False,
    ).last_hidden_state
    # The vocabulary projection runs once per scored position (labels sharing a first token share it).
    places = torch.tensor([read_row, read_col], device=device)
    unique, where = torch.unique(places, dim=1, return_inverse=True)
    logp = model.get_output_embeddings()(hidden[unique[0], unique[1]]).float().log_softmax(-1)
    picked = logp[where, torch.tensor(read_token, device=device)]
    scores = torch.zeros((len(examples), n_labels), device=device)
    flat = torch.tensor(read_example, device=device) * n_labels + torch.tensor(read_label, device=device)
    scores.view(-1).index_add_(0, flat, picked)
    return examples, scores


@torch.inference_mode()
def score_choices(
    model,
    prefix_ids: list[int],
    suffixes: list[list[int]],
    choices: list[list[int]],
    pad_id: int,
    *,
    max_batch: int = 256,
    token_budget: int = 8192,
    soft_prompt: torch.Tensor | None = None,
    on_batch: Callable[[int, int], None] | None = None,
) -> Scores:
    """Log-likelihood of each choice after [soft prompt][prefix][suffix_i], for every i.

    `max_batch` caps the examples and `token_budget` the packed tokens (rows x width) per forward pass.
    """
    device = model.get_input_embeddings().weight.device
    start = time.perf_counter()
    kv = prefix_keys_values(model, prefix_ids, soft_prompt)
    prefix_len = kv[0][0].shape[-2]
    items = [_Item.build(s, choices) for s in suffixes]
    width = max(len(item.ids) for item in items)
    logprobs = np.zeros((len(suffixes), len(choices)), dtype=np.float64)
    queue = row_batches(pack_rows([len(item.ids) for item in items], width), width, max_batch, token_budget)
    done, biggest, oom_splits = 0, 0, 0
    while queue:
        batch = queue.pop(0)
        try:
            examples, scores = _score_batch(model, kv, prefix_len, batch, items, len(choices), width, pad_id)
        except torch.OutOfMemoryError:
            if len(batch) == 1:
                raise
            torch.cuda.empty_cache()
            oom_splits += 1
            half = len(batch) // 2
            queue[:0] = [batch[:half], batch[half:]]
            continue
        sync(device)
        logprobs[examples] = scores.cpu().double().numpy()
        biggest = max(biggest, len(examples))
        done += len(examples)
        if on_batch:
            on_batch(done, len(suffixes))
    sync(device)
    return Scores(logprobs, time.perf_counter() - start,
                  prefix_len * len(suffixes) + sum(map(len, suffixes)),
                  prefix_len + sum(len(item.ids) for item in items), biggest, oom_splits)
