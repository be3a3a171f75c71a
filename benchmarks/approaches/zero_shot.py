"""Zero-shot: instruction + input, every label scored by log-likelihood."""

from __future__ import annotations

from benchmarks.approaches.base import Context
from benchmarks.approaches.prompted import run_prompt
from core.result import ApproachResult


def run(ctx: Context) -> ApproachResult:
    return run_prompt(ctx, "zero_shot")
