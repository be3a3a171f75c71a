"""One module per approach, each with `run(ctx) -> ApproachResult`; adding one touches this table."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from benchmarks.config import ALL_APPROACHES as NAMES
from benchmarks.result import ApproachResult


def runner(name: str) -> Callable[..., ApproachResult]:
    if name not in NAMES:
        raise ValueError(f"unknown approach {name!r}; allowed: {', '.join(NAMES)}")
    return import_module(f"benchmarks.approaches.{name}").run
