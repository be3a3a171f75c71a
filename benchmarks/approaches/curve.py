"""The learning curve of a trained approach (LoRA, prompt-tuning): the same recipe at several
training sizes, each scored on the same test split, the full training set last."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from benchmarks.approaches.base import Context
from benchmarks.evaluation import Evaluation
from benchmarks.tasks import Example
from benchmarks.training import epochs_for, planned_steps
from core.result import CurvePoint, TrainingStats

MIN_STEPS = 30  # small learning-curve sizes still get this many steps (at most the full run's)

# train_and_score(examples, min_steps, latency) -> (evaluation, training stats, anything else to keep)
TrainAndScore = Callable[[list[Example], int, bool], tuple]


def curve_point(ctx: Context, size: int, ev: Evaluation) -> CurvePoint:
    q = ctx.kind.quality(ev.targets, ev.answers)
    return CurvePoint(labeled_examples=size, quality=q["quality"], accuracy=q.get("accuracy"),
                      accuracy_ci=q.get("accuracy_ci"), macro_f1=q.get("macro_f1"))


def progress_shares(ctx: Context, sizes: list[int]) -> list[tuple[float, float]]:
    """Each training run's share of the approach's progress, in proportion to its expected steps."""
    batch, epochs = ctx.config.train_batch_size, ctx.config.train_epochs
    full = planned_steps(len(ctx.train), batch, epochs)
    weights = [full] + [planned_steps(size, batch, epochs_for(size, batch, epochs, min(MIN_STEPS, full)))
                        for size in sizes]
    edges = np.cumsum([0.0, *weights]) / sum(weights)
    return list(zip(edges[:-1], edges[1:], strict=True))


def with_curve(ctx: Context, train_and_score: TrainAndScore) -> tuple[tuple, list[CurvePoint]]:
    """The full-training run's (evaluation, stats, ...) and the curve: one fresh training per size of
    `config.learning_curve` smaller than the training set, then the full run's point."""
    train = ctx.train
    sizes = [size for size in ctx.config.learning_curve if size < len(train)]
    shares = progress_shares(ctx, sizes)
    with ctx.progress.part_of_approach(*shares[0]):
        main = train_and_score(train, 0, True)
    stats: TrainingStats = main[1]
    curve = []
    for size, share in zip(sizes, shares[1:], strict=True):
        with ctx.progress.part_of_approach(*share):
            ev = train_and_score(train[:size], min(MIN_STEPS, stats.steps), False)[0]
        curve.append(curve_point(ctx, size, ev))
    curve.append(curve_point(ctx, len(train), main[0]))
    return main, curve
