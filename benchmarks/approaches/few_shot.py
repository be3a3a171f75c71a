"""Few-shot: k labeled training examples (balanced) in the prompt, then scored like zero-shot."""

from __future__ import annotations

from benchmarks.approaches.base import Context
from benchmarks.prompts import PARAPHRASES
from benchmarks.result import ApproachResult


def run(ctx: Context) -> ApproachResult:
    k, seed = ctx.config.k, ctx.config.seed
    shots = ctx.balanced_shots(k, seed)
    builder = ctx.builder(shots=shots)
    ev = ctx.evaluate(builder, ctx.task.test, stage="few_shot")
    consistency = None
    if ctx.config.consistency:
        variants = {f"paraphrase {v}": ctx.builder(shots=shots, variant=v) for v in range(1, len(PARAPHRASES))}
        variants["other examples and order"] = ctx.builder(shots=ctx.balanced_shots(k, seed + 1))
        consistency = ctx.consistency(ev, variants)
    return ctx.result(
        "few_shot", ev, labeled=len(shots), consistency=consistency,
        config={"k": k, "chat_template": builder.use_chat, "prompt": builder.text("{input}")},
    )
