"""One module per benchmarkable approach of the spec, each with `run(ctx) -> ApproachResult`."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from core.approaches import BENCHMARKABLE
from core.result import ApproachResult


def runner(name: str) -> Callable[..., ApproachResult]:
    if name not in BENCHMARKABLE:
        raise ValueError(f"unknown approach {name!r}; allowed: {', '.join(BENCHMARKABLE)}")
    return import_module(f"benchmarks.approaches.{name}").run
