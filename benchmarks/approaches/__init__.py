"""The benchmark runner of each benchmarkable approach of the spec: `run(ctx, name) -> ApproachResult`.

An explicit registry: an approach that is a variant of another (DoRA of LoRA, every plain prompt of
`prompted`) names the same runner, which reads the approach's spec and settings.
"""

from __future__ import annotations

from collections.abc import Callable

from benchmarks.approaches import (
    chain_of_thought,
    few_shot,
    full_finetune,
    lora,
    prompt_search,
    prompt_tuning,
    prompted,
)
from benchmarks.approaches.base import Context
from core.approaches import BENCHMARKABLE
from core.result import ApproachResult

Runner = Callable[[Context, str], ApproachResult]

RUNNERS: dict[str, Runner] = {
    "zero_shot": prompted.run,
    "few_shot": few_shot.run,
    "chain_of_thought": chain_of_thought.run,
    "persona": prompted.run,
    "output_format": prompted.run,
    "prompt_search": prompt_search.run,
    "prompt_tuning": prompt_tuning.run,
    "lora": lora.run,
    "dora": lora.run,
    "full_finetune": full_finetune.run,
}


def runner(name: str) -> Runner:
    if name not in BENCHMARKABLE:
        raise ValueError(f"unknown approach {name!r}; allowed: {', '.join(BENCHMARKABLE)}")
    return RUNNERS[name]
