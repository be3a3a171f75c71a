"""Few-shot: k labeled training examples (balanced) in the prompt, then scored like zero-shot."""

from __future__ import annotations

from benchmarks.approaches.base import Context
from benchmarks.tasks import Example, balanced_shots
from calculator.prompts import PARAPHRASES
from core.result import ApproachResult

PREFIX_SHARE = 0.5  # the examples may take at most half of max_seq_len; the input needs the rest


def fitted(ctx: Context, shots: list[Example]) -> list[Example]:
    """Drop the longest examples until the prompt prefix leaves room for the input."""
    budget = int(ctx.config.max_seq_len * PREFIX_SHARE)
    kept = list(shots)
    while len(kept) > 1 and len(ctx.templates.builder(shots=kept).prefix_ids) > budget:
        kept.remove(max(kept, key=lambda ex: len(ex.text)))
    return kept


def fitted_shots(ctx: Context, shots: list[Example]) -> list[Example]:
    """`fitted`, and say so when examples were dropped."""
    kept = fitted(ctx, shots)
    if len(kept) < len(shots):
        classes = len(ctx.task.labels)
        shown = len({ex.label for ex in kept})
        ctx.notes.append(
            f"k: {len(shots)} few-shot examples do not fit in half of max_seq_len ({ctx.config.max_seq_len} "
            f"tokens); {len(kept)} used" + (f", showing {shown} of {classes} classes" if classes else "")
            + ("; raise max_seq_len or lower k to show every class" if shown < classes else "")
        )
    return kept


def run(ctx: Context, name: str) -> ApproachResult:
    k, seed = ctx.config.k, ctx.config.seed
    parts = ctx.templates.prompt_parts(len(PARAPHRASES) if ctx.config.consistency else 0)
    with ctx.progress.part_of_approach(*parts["template"]):
        shots = fitted_shots(ctx, balanced_shots(ctx.task, k, seed))
        builder = ctx.templates.builder(shots=shots)
    with ctx.progress.part_of_approach(*parts["main"]):
        ev = ctx.evaluator.evaluate(builder, ctx.task.test, stage=name, latency=True)
    consistency = None
    if ctx.config.consistency:
        variants = {f"paraphrase {v}": ctx.templates.builder(shots=shots, variant=v) for v in range(1, len(PARAPHRASES))}
        variants["other examples and order"] = ctx.templates.builder(
            shots=fitted_shots(ctx, balanced_shots(ctx.task, len(shots), seed + 1)))
        with ctx.progress.part_of_approach(*parts["consistency"]):
            consistency = ctx.evaluator.consistency(
                ev, variants, ctx.templates.extra_examples(ctx.task.test))
    return ctx.rows.result(
        name, ev, labeled=len(shots), consistency=consistency,
        config={"k": k, "chat_template": builder.use_chat, "prompt": builder.text("{input}")},
    )
