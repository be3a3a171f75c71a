"""Full fine-tune (small models): every weight trained, on an fp32 copy so other approaches see the original."""

from __future__ import annotations

import copy

from benchmarks.approaches.base import Context
from core.approaches import spec
from core.result import ApproachResult

MAX_PARAMETERS = 2_000_000_000  # beyond this a full fine-tune does not fit a single benchmark machine


def master_copy(model):
    """A trainable float32 copy of `model`: master weights, since a bf16 weight cannot hold an update of
    lr 3e-5 (bf16 keeps ~3 digits); the forward and backward still run in bf16 under autocast when the
    run is bf16, and `model` itself is left as it was for the approaches that follow."""
    master = copy.deepcopy(model).float()
    for p in master.parameters():
        p.requires_grad_(True)
    return master


def rounding_error(start, trained, dtype) -> float:
    """The error rounding `trained`'s weights to `dtype` (as scoring in the run's dtype does) makes, as a
    share of the training's update: ‖round(W) − W‖ / ‖W − W₀‖ over every weight (0 without an update)."""
    import torch

    lost = size = 0.0
    with torch.no_grad():
        for before, after in zip(start.parameters(), trained.parameters(), strict=True):
            after = after.detach().float()
            lost += float((after.to(dtype).float() - after).pow(2).sum())
            size += float((after - before.detach().float()).pow(2).sum())
    return (lost / size) ** 0.5 if size else 0.0


def run(ctx: Context, name: str) -> ApproachResult:
    task, settings = ctx.task, ctx.config.settings(name)
    if ctx.loaded.info.parameters > MAX_PARAMETERS:
        raise ValueError(f"{name} is for models up to {MAX_PARAMETERS / 1e9:.0f}B parameters")
    model = master_copy(ctx.model)
    builder = ctx.templates.builder(kind=spec(name).prompt_kind)  # served as trained: input and cue
    stats = ctx.trainer.train(name, ctx.train, list(model.parameters()), lr=settings.lr,
                      builder=builder, model=model)
    if ctx.model.dtype != model.dtype:  # scored as a bf16 deployment serves it: say what its rounding costs
        error = rounding_error(ctx.model, model, ctx.model.dtype)
        ctx.notes.append(f"{name} scored in {str(ctx.model.dtype).removeprefix('torch.')}: rounding the "
                         f"trained float32 weights errs by {error:.0%} of the training's update")
    model.to(ctx.model.dtype)  # scored in the run's dtype, like every other approach
    ev = ctx.evaluator.evaluate(builder, task.test, model=model, stage="scoring", latency=True)
    return ctx.rows.result(
        name, ev, labeled=len(ctx.train), training=stats,
        config={"lr": settings.lr, "epochs": stats.epochs, "chat_template": builder.use_chat},
    )
