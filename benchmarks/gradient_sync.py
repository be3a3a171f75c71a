"""Training over the ranks of a data-parallel run: each rank's share of a step, the gradients summed.

Each optimizer step's batch is drawn exactly as in one process, and rank r trains on items r, r+N,
...; the gradients are summed over ranks, so a step is the one-process step up to the order of
floating-point sums.

Why an explicit all-reduce and not DDP's wrapper: the training loop calls the model's inner
modules (`base_model`, then the output projection at the label positions only), which DDP's
forward never sees, so its reducer would not run. The arithmetic is DDP's (one sum of the
trainable gradients per step), and for LoRA (4.9M values on SmolLM2-135M) or a soft prompt
(9k) the one flattened all-reduce after backward is small next to the step.

With the model sharded (`benchmarks.fsdp`) FSDP sums the sharded weights' gradients itself: the
same steps, for a model that does not fit one device.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from benchmarks.collectives import world

if TYPE_CHECKING:
    import torch

BUCKET_VALUES = 1 << 24  # gradients all-reduced in flat buckets of at most this many values (64 MiB fp32)


class GradientSync:
    """The training loop's data-parallel hook: this rank's share of each batch, and the sums over ranks.

    With one process it changes nothing: the share is the batch and the sums are the local values.
    Under FSDP the sharded weights' gradients are summed by FSDP itself (reduce-scatter, in backward);
    this sums the replicated trainable ones and clips by the norm over both.
    """

    def __init__(self, params: list[torch.nn.Parameter]) -> None:
        import torch.distributed as dist
        from torch.distributed.tensor import DTensor

        self.world, self.params = world(), params
        self.sharded = [p for p in params if isinstance(p, DTensor)]
        self.replicated = [p for p in params if not isinstance(p, DTensor)]
        if self.world.size > 1:  # the same start everywhere, whatever each rank's random state was
            for p in self.replicated:
                dist.broadcast(p.data, src=0)

    def share(self, batch: list) -> list:
        return batch[self.world.rank::self.world.size]

    def reduce(self, loss: float, tokens: int, stop: bool) -> tuple[float, int, bool]:
        """Sum the gradients of `params` over ranks (in place) with (loss, tokens, stop); stop if any rank stops."""
        if self.world.size == 1:
            return loss, tokens, stop
        import torch
        import torch.distributed as dist

        device = self.params[0].device
        scalars = torch.tensor([loss, float(tokens), float(stop)], dtype=torch.float64, device=device)
        dist.all_reduce(scalars)
        for bucket in _buckets(self.replicated):
            grads = [p.grad if p.grad is not None else torch.zeros_like(p) for p in bucket]
            flat = torch.cat([g.reshape(-1).float() for g in grads])
            dist.all_reduce(flat)
            offset = 0
            for p, g in zip(bucket, grads, strict=True):
                p.grad = g.copy_(flat[offset: offset + g.numel()].view_as(g))
                offset += g.numel()
        return float(scalars[0]), int(scalars[1]), bool(scalars[2] > 0)

    def clip_grad_norm(self, max_norm: float) -> None:
        """`torch.nn.utils.clip_grad_norm_` over the whole model's gradients, sharded ones included
        (torch's own refuses a mix of sharded and plain tensors)."""
        import torch

        if not self.sharded:
            torch.nn.utils.clip_grad_norm_(self.params, max_norm)
            return
        import torch.distributed as dist

        device = self.params[0].device
        sharded = [p.grad.to_local() for p in self.sharded if p.grad is not None]
        replicated = [p.grad for p in self.replicated if p.grad is not None]
        squares = torch.zeros((), dtype=torch.float64, device=device)
        for g in sharded:
            squares += g.double().pow(2).sum()
        dist.all_reduce(squares)  # the ranks' shards together: the whole sharded weights'
        for g in replicated:  # already summed: the same on every rank
            squares += g.double().pow(2).sum()
        scale = (max_norm / (squares.sqrt() + 1e-6)).clamp(max=1.0)  # torch's clip_grad_norm_ formula
        for g in sharded + replicated:
            g.mul_(scale.to(g.dtype))


def _buckets(params: list[torch.nn.Parameter]) -> list[list[torch.nn.Parameter]]:
    buckets: list[list[torch.nn.Parameter]] = [[]] if params else []
    size = 0
    for p in params:
        if buckets[-1] and size + p.numel() > BUCKET_VALUES:
            buckets.append([])
            size = 0
        buckets[-1].append(p)
        size += p.numel()
    return buckets
