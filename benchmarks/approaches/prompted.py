"""Approaches that only prompt: one prompt kind of the spec, every label scored by log-likelihood.

Zero-shot, persona and output-format are this run; few-shot adds its examples, and
chain-of-thought generates. With `consistency`, the prompt's paraphrases are scored as well.
"""

from __future__ import annotations

from benchmarks.approaches.base import Context
from calculator.prompts import PARAPHRASES
from core.approaches import spec
from core.result import ApproachResult


def run(ctx: Context, name: str) -> ApproachResult:
    kind = spec(name).prompt_kind
    parts = ctx.templates.prompt_parts(len(PARAPHRASES) - 1 if ctx.config.consistency else 0)
    with ctx.progress.part_of_approach(*parts["template"]):
        builder = ctx.templates.builder(kind=kind)
    with ctx.progress.part_of_approach(*parts["main"]):
        ev = ctx.evaluator.evaluate(builder, ctx.task.test, stage=name, latency=True)
    consistency = None
    if ctx.config.consistency:
        variants = {f"paraphrase {v}": ctx.templates.builder(kind=kind, variant=v) for v in range(1, len(PARAPHRASES))}
        with ctx.progress.part_of_approach(*parts["consistency"]):
            consistency = ctx.evaluator.consistency(
                ev, variants, ctx.templates.extra_examples(ctx.task.test))
    return ctx.rows.result(
        name, ev, labeled=0, consistency=consistency,
        config={"chat_template": builder.chat, "prompt": builder.text("{input}")},
    )
