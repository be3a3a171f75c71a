"""Zero-shot: instruction + input, every label scored by log-likelihood."""

from __future__ import annotations

from benchmarks.approaches.base import Context
from benchmarks.prompts import PARAPHRASES
from benchmarks.result import ApproachResult


def run(ctx: Context) -> ApproachResult:
    builder = ctx.builder()
    ev = ctx.evaluate(builder, ctx.task.test, stage="zero_shot", latency=True)
    consistency = None
    if ctx.config.consistency:
        variants = {f"paraphrase {v}": ctx.builder(variant=v) for v in range(1, len(PARAPHRASES))}
        consistency = ctx.consistency(ev, variants)
    return ctx.result(
        "zero_shot", ev, labeled=0, consistency=consistency,
        config={"chat_template": builder.use_chat, "prompt": builder.text("{input}")},
    )
