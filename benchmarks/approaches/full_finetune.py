"""Full fine-tune (small models): every weight trained, on an fp32 copy so other approaches see the original."""

from __future__ import annotations

import copy

from benchmarks.approaches.base import Context
from benchmarks.result import ApproachResult
from calculator.approaches.spec import spec

MAX_PARAMETERS = 2_000_000_000  # beyond this a full fine-tune does not fit a single benchmark machine


def run(ctx: Context) -> ApproachResult:
    cfg, task = ctx.config, ctx.task
    if ctx.loaded.info.parameters > MAX_PARAMETERS:
        raise ValueError(f"full_finetune is for models up to {MAX_PARAMETERS / 1e9:.0f}B parameters")
    # fp32 master weights: a bf16 weight cannot hold an update of lr 3e-5 (bf16 keeps ~3 digits);
    # the forward and backward still run in bf16 under autocast when the run is bf16.
    model = copy.deepcopy(ctx.model).float()
    for p in model.parameters():
        p.requires_grad_(True)
    builder = ctx.builder(kind=spec("full_finetune").prompt_kind)  # served as trained: input and cue
    stats = ctx.train("full_finetune", task.train, list(model.parameters()), lr=cfg.full_finetune_lr,
                      builder=builder, model=model)
    model.to(ctx.model.dtype)  # scored in the run's dtype, like every other approach
    ev = ctx.evaluate(builder, task.test, model=model, stage="scoring", latency=True)
    return ctx.result(
        "full_finetune", ev, labeled=len(task.train), training=stats,
        config={"lr": cfg.full_finetune_lr, "epochs": stats.epochs, "chat_template": builder.use_chat},
    )
