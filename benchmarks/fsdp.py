"""FSDP for a model that does not fit one device: torch's `fully_shard` (FSDP2) on each decoder layer.

What is sharded: every decoder layer's weights (and the LoRA adapters inside them), each rank holding
1/N of each. What stays replicated: the token embedding, the (often tied) output projection and the
final norm, a few percent of a large model's weights (2.1B of Llama-3-70B's 70.6B). The loop calls
them directly (the embedding before `base_model`, the output projection at the label positions
only), outside any module forward an FSDP root would see, so a sharded root would never gather them.

Every sharded layer's forward is a collective (it gathers the layer's weights), so the ranks must run
the same forward passes. Training does (each step, every rank); scoring and generation do not (rank
r scores every N-th example, in however many batches that makes). So each forward first tells the
other ranks it runs (`_announce`), and a rank that has finished its share runs a one-token dummy
forward for each forward announced (`drain`, called by `benchmarks.collectives.gather` before it
gathers), until every rank has finished.

Gradients are summed over the ranks, as the data-parallel loop sums them: `set_gradient_divide_factor(1.0)`
(FSDP averages by default), with sum-only collectives (gloo has no pre-multiplied sum).
"""

from __future__ import annotations

import weakref

import torch
import torch.distributed as dist
from torch.distributed.tensor import DTensor

from core.approaches import spec

# Each sharded model's inner module (`base_model`) and device, in the order they were sharded: the same
# order on every rank, so a slot names the same model everywhere (whether a dropped one is collected
# yet may differ between ranks, so nothing collective depends on that).
_SHARDED: list[tuple[weakref.ref, torch.device]] = []
_draining = [False]


def is_sharded(tensor: torch.Tensor) -> bool:
    return isinstance(tensor, DTensor)


def model_is_sharded(model) -> bool:
    return any(is_sharded(p) for p in model.parameters())


def decoder_layers(model) -> torch.nn.ModuleList:
    """The model's stack of decoder layers: its module list that holds the most weights."""
    stacks = [m for m in model.modules() if isinstance(m, torch.nn.ModuleList) and len(m)]
    if not stacks:
        raise ValueError(f"FSDP: no decoder layer list found in {type(model).__name__}")
    return max(stacks, key=lambda m: sum(p.numel() for p in m.parameters()))


def shard_layers(model, device: str):
    """Shard each decoder layer of `model` (on the CPU, whole) over the ranks' `device`s; move the rest there.

    Layer by layer, so a device never holds more than one whole layer. Adapters to be trained must
    already be in the model: FSDP manages the weights its modules hold when they are sharded.
    """
    from torch.distributed.device_mesh import init_device_mesh
    from torch.distributed.fsdp import fully_shard

    mesh = init_device_mesh(device, (dist.get_world_size(),))  # the ranks' process group
    for layer in decoder_layers(model):
        fully_shard(layer, mesh=mesh, reshard_after_forward=True)
        layer.set_gradient_divide_factor(1.0)  # sum, as the replicated weights' gradients are summed
        layer.set_force_sum_reduction_for_comms(True)
    place = torch.device("cuda", torch.cuda.current_device()) if device == "cuda" else torch.device("cpu")
    for p in model.parameters():
        if not is_sharded(p):
            p.data = p.data.to(place)  # in place: a tied output projection stays tied
    for module in model.modules():
        for name, buffer in module._buffers.items():
            if buffer is not None:
                module._buffers[name] = buffer.to(place)
    inner = model.base_model
    _SHARDED.append((weakref.ref(inner), place))
    inner.register_forward_pre_hook(_announce(len(_SHARDED) - 1))
    return model


def _flags(hot: int | None, device: torch.device) -> torch.Tensor:
    flags = torch.zeros(len(_SHARDED), dtype=torch.int64, device=device)
    if hot is not None:
        flags[hot] = 1
    return flags


def _announce(slot: int):
    def hook(module, args) -> None:
        if not _draining[0]:
            dist.all_reduce(_flags(slot, _SHARDED[slot][1]))

    return hook


def drain() -> None:
    """Run a dummy forward for every forward another rank announces, until no rank announces one.

    Called by every rank when it has finished its share of uneven work (scoring, generation), before
    the collective that gathers the shares. Nothing here when no model is sharded.
    """
    if not _SHARDED:
        return
    device = _SHARDED[-1][1]
    _draining[0] = True
    try:
        while True:
            flags = _flags(None, device)
            dist.all_reduce(flags)
            if not flags.any():
                return
            ref, at = _SHARDED[int(flags.nonzero()[0])]
            inner = ref()  # alive: another rank is running it
            with torch.inference_mode():  # uneven forwards are scoring's and generation's, also inference-only
                inner(input_ids=torch.zeros((1, 1), dtype=torch.long, device=at), use_cache=False)
    finally:
        _draining[0] = False


def refused_approaches(approaches: list[str]) -> str | None:
    """Why these approaches cannot run with their model sharded, or None when they can."""
    refused = [a for a in approaches if not spec(a).shardable]
    if not refused:
        return None
    they = "they train" if len(refused) > 1 else "it trains"
    return (f"{' and '.join(refused)}: not supported under FSDP yet (only LoRA trains there, on a freshly loaded "
            f"model; {they} the run's shared model or a copy of it, and FSDP2 cannot train a model that "
            "scoring already ran in inference mode); run without --shard fsdp")
