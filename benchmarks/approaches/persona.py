"""Persona: the zero-shot prompt spoken to an expert role (calculator.prompts.DEFAULT_PERSONA)."""

from __future__ import annotations

from benchmarks.approaches.base import Context
from benchmarks.approaches.prompted import run_prompt
from core.result import ApproachResult


def run(ctx: Context) -> ApproachResult:
    return run_prompt(ctx, "persona")
