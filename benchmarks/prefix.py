"""A prompt prefix shared by many requests, run once: its keys and values, handed to each batch.

Every prompt of one approach starts with the same tokens (the instruction, the label list, the
few-shot examples, the chat template's system turn and header, a soft prompt). Scoring and
generation run that prefix once and give every row of every batch a view of its keys and values,
so per example only the example's own tokens are computed.
"""

from __future__ import annotations

import torch
from transformers import DynamicCache

KeysValues = list[tuple[torch.Tensor, torch.Tensor]]  # one (keys, values) pair per layer, batch of one


def embed_prefix(model, prefix_ids: list[int], soft_prompt: torch.Tensor | None = None) -> torch.Tensor:
    """Input embeddings of [soft prompt][prefix tokens], batch of one."""
    device = model.get_input_embeddings().weight.device
    embeds = model.get_input_embeddings()(torch.tensor([prefix_ids], device=device))
    if soft_prompt is not None:
        embeds = torch.cat([soft_prompt.to(embeds.dtype).reshape(1, -1, embeds.shape[-1]), embeds], dim=1)
    return embeds


@torch.inference_mode()
def prefix_keys_values(model, prefix_ids: list[int], soft_prompt: torch.Tensor | None = None) -> KeysValues:
    """The prefix's keys and values in every layer, computed in one forward pass."""
    out = model.base_model(inputs_embeds=embed_prefix(model, prefix_ids, soft_prompt), use_cache=True)
    return [(layer.keys, layer.values) for layer in out.cache.layers]


def shared_cache(kv: KeysValues, rows: int) -> DynamicCache:
    """A cache holding the prefix for `rows` rows: views of the one copy, no memory per row.

    Generation appends each row's own tokens to it (a new tensor per layer), never into the views.
    """
    return DynamicCache(ddp_cache_data=[(k.expand(rows, -1, -1, -1), v.expand(rows, -1, -1, -1)) for k, v in kv])
