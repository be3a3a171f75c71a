"""Output-format: the zero-shot prompt asking for {"label": ...}; the label is scored inside the open JSON string."""

from __future__ import annotations

from benchmarks.approaches.base import Context
from benchmarks.approaches.prompted import run_prompt
from core.result import ApproachResult


def run(ctx: Context) -> ApproachResult:
    return run_prompt(ctx, "output_format")
