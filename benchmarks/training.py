"""The fast training loop shared by LoRA, prompt-tuning and full fine-tuning.

Why not `Trainer`: classification fine-tuning puts the loss on one or two label tokens per
example, so this loop (1) packs examples into rows with no padding (position ids restart per
example; transformers builds the block-diagonal mask), (2) runs the vocabulary projection only
at the label positions, (3) computes in bf16 when the run's dtype is bf16 (on CUDA, or a CPU whose
bf16 products measure faster: `models.choose_dtype`), in mixed precision: the frozen base weights
bf16, the trained ones (LoRA adapters, soft prompt, a full fine-tune's master copy), their gradients
and AdamW's state float32, the products under bf16 autocast; fused AdamW on CUDA. The perf harness
measures it against a plain `Trainer` run.

Fixed work, not fixed time: a run trains the steps its settings plan, on any machine, so its
result depends on its configuration and seed, not on how fast or busy the machine is. The time
guard only stops a run that would otherwise go on far too long; the stats then say how many of
the planned steps were done (`TrainingStats.under_trained`).
"""

from __future__ import annotations

import bisect
import random
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass

import torch

from benchmarks.collectives import gather
from benchmarks.gradient_sync import GradientSync
from benchmarks.scoring import pack_rows
from core.result import TrainingStats


@dataclass(frozen=True)
class TrainItem:
    ids: list[int]  # the whole sequence: prompt then target tokens
    n_target: int  # the last n_target tokens are predicted (a label's, or a reference answer's and its end token)


@dataclass(frozen=True)
class TrainSettings:
    lr: float
    epochs: float
    batch_size: int
    seed: int = 0
    warmup_ratio: float = 0.1
    weight_decay: float = 0.0
    row_tokens: int = 0  # packed row length; 0 = pick per device
    bf16: bool = False  # autocast to bfloat16 (the trained weights must be float32: `train` checks)
    time_guard_s: float | None = None  # stop after the step that passes this many seconds (a guard, not a plan)


def steps_per_epoch(n_items: int, batch_size: int) -> int:
    return max(1, -(-n_items // batch_size))


def epochs_for(n_items: int, batch_size: int, epochs: float, min_steps: int = 0) -> float:
    """`epochs`, raised so that a small training set still gets `min_steps` optimizer steps."""
    return max(epochs, min_steps * batch_size / max(n_items, 1))


def planned_steps(n_items: int, batch_size: int, epochs: float) -> int:
    """Optimizer steps a run plans (and trains, unless its time guard stops it)."""
    return max(1, round(steps_per_epoch(n_items, batch_size) * epochs))


def peak_memory_mb(device: torch.device) -> float:
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device) / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def balanced_width(lengths: list[int], row_tokens: int) -> int:
    """The narrowest row width that packs `lengths` into as few rows as `row_tokens` would.

    Every row is padded to the longest one, so packing 520 tokens into rows of 256 (256 + 256 + 8)
    computed 768; three rows of ~175 compute ~525. Fewer rows would mean longer ones, whose
    attention grows with the square of their length.
    """
    widest = max(row_tokens, max(lengths))
    rows = len(pack_rows(lengths, widest))
    low = max(max(lengths), -(-sum(lengths) // rows))
    return low + bisect.bisect_left(range(low, widest + 1), True, key=lambda w: len(pack_rows(lengths, w)) <= rows)


def pack(items: list[TrainItem], row_tokens: int) -> list[list[TrainItem]]:
    """The batch in rows of at most `row_tokens` (the scorer's packer), as even as `balanced_width`
    makes them; an item longer than a row gets its own, and the others then fill rows of its length."""
    lengths = [len(it.ids) for it in items]
    return [[items[i] for i in row] for row in pack_rows(lengths, balanced_width(lengths, row_tokens))]


def packed_loss(model, rows: list[list[TrainItem]], soft_prompt: torch.Tensor | None = None) -> tuple[torch.Tensor, int]:
    """Mean cross-entropy over the target tokens of every item; and the tokens processed."""
    embed = model.get_input_embeddings()
    device = embed.weight.device
    n_soft = 0 if soft_prompt is None else soft_prompt.shape[0]
    width = max(sum(len(it.ids) + n_soft for it in row) for row in rows)
    ids = torch.zeros((len(rows), width), dtype=torch.long)
    positions = torch.zeros((len(rows), width), dtype=torch.long)
    soft_at, pred_at, targets = [], [], []
    for r, row in enumerate(rows):
        offset = 0
        for item in row:
            length = len(item.ids) + n_soft
            ids[r, offset + n_soft: offset + length] = torch.tensor(item.ids)
            positions[r, offset: offset + length] = torch.arange(length)
            soft_at.append((r, offset))
            start = offset + length - item.n_target
            pred_at.extend((r, p - 1) for p in range(start, offset + length))
            targets.extend(item.ids[-item.n_target:])
            offset += length
        if offset < width:  # trailing pad continues the positions so it reads as one more sequence
            positions[r, offset:] = torch.arange(width - offset)
    embeds = embed(ids.to(device))
    if soft_prompt is not None:
        embeds = embeds.clone()
        for r, offset in soft_at:
            embeds[r, offset: offset + n_soft] = soft_prompt.to(embeds.dtype)
    hidden = model.base_model(
        inputs_embeds=embeds, position_ids=positions.to(device), use_cache=False
    ).last_hidden_state
    rows_idx = torch.tensor([p[0] for p in pred_at], device=device)
    cols_idx = torch.tensor([p[1] for p in pred_at], device=device)
    logits = model.get_output_embeddings()(hidden[rows_idx, cols_idx]).float()
    loss = torch.nn.functional.cross_entropy(logits, torch.tensor(targets, device=device))
    return loss, sum(len(it.ids) + n_soft for row in rows for it in row)


def train(
    model,
    items: list[TrainItem],
    params: list[torch.nn.Parameter],
    settings: TrainSettings,
    *,
    flops_per_token: float,
    peak_flops: float | None = None,
    soft_prompt: Callable[[], torch.Tensor] | None = None,
    on_step: Callable[[int, int, float], None] | None = None,
) -> TrainingStats:
    """Train `params` on `items`; returns the measured stats (loss per step, tokens/s, memory, MFU).

    Under several ranks each trains on its share of every step's batch and the gradients are summed
    (`benchmarks.gradient_sync.GradientSync`): the batches, and so the result, do not depend on the ranks.
    With the model sharded (FSDP) every rank runs every step's forward and backward, which gather and
    reduce each layer's weights: a rank whose share is empty runs one item of the batch at weight 0.
    """
    from benchmarks.fsdp import model_is_sharded

    if settings.bf16 and (low := [p for p in params if p.dtype != torch.float32]):
        raise ValueError(f"bf16 training keeps the trained weights in float32 (a bf16 weight loses every update "
                         f"under half its rounding step); {len(low)} of them are {low[0].dtype}")
    device = model.get_input_embeddings().weight.device
    cuda = device.type == "cuda"
    row_tokens = settings.row_tokens or (2048 if cuda else 256)
    per_epoch = steps_per_epoch(len(items), settings.batch_size)
    total_steps = planned_steps(len(items), settings.batch_size, settings.epochs)
    optimizer = torch.optim.AdamW(params, lr=settings.lr, weight_decay=settings.weight_decay, fused=cuda or None)
    warmup = max(1, int(settings.warmup_ratio * total_steps))

    def lr_factor(step: int) -> float:  # linear warmup, then linear decay to 0 at the planned end
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (total_steps - step) / max(1, total_steps - warmup))

    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_factor)
    rng = random.Random(settings.seed)
    if cuda:
        torch.cuda.reset_peak_memory_stats(device)
    sync = GradientSync(params)
    sharded = model_is_sharded(model)
    model.train()
    losses: list[float] = []
    tokens = own_tokens = 0
    order: list[TrainItem] = []
    start = time.perf_counter()
    step = 0
    while step < total_steps:
        if len(order) < settings.batch_size:
            fresh = list(items)
            rng.shuffle(fresh)
            order.extend(fresh)
        batch, order = order[: settings.batch_size], order[settings.batch_size:]
        share, n, loss_part = sync.share(batch), 0, 0.0
        if share or sharded:  # this rank's items weigh by their label tokens in the whole batch's mean
            weight = sum(it.n_target for it in share) / sum(it.n_target for it in batch)
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=settings.bf16):
                loss, n = packed_loss(model, pack(share or batch[:1], row_tokens),
                                      soft_prompt() if soft_prompt else None)
            loss = loss * weight
            loss.backward()
            loss_part, n = loss.item(), n if share else 0
        own_tokens += n
        over = bool(settings.time_guard_s and time.perf_counter() - start >= settings.time_guard_s)
        loss_value, n, over = sync.reduce(loss_part, n, over)
        sync.clip_grad_norm(1.0)
        optimizer.step()
        schedule.step()
        optimizer.zero_grad(set_to_none=True)
        tokens += n
        losses.append(loss_value)
        step += 1
        if on_step:
            on_step(step, total_steps, losses[-1])
        if over:
            break  # the guard (every rank agrees): the stats below record the planned and the done steps
    if cuda:
        torch.cuda.synchronize(device)
    seconds = time.perf_counter() - start
    model.eval()
    flops = flops_per_token * tokens
    ranks = gather((own_tokens / seconds, peak_memory_mb(device)))
    return TrainingStats(
        seconds=seconds, steps=step, epochs=step / per_epoch, tokens=tokens,
        tokens_per_second=tokens / seconds, peak_memory_mb=max(memory for _, memory in ranks), flops=flops,
        mfu=flops / seconds / peak_flops if peak_flops else None,
        trainable_parameters=sum(p.numel() for p in params), loss_curve=losses, planned_steps=total_steps,
        world_size=len(ranks), rank_tokens_per_second=[rate for rate, _ in ranks] if len(ranks) > 1 else [],
    )
