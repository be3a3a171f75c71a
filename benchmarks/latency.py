"""Request latency: one request served alone, timed on a sample of the test examples.

Throughput is measured on packed batches of the whole test split, where every example waits for
its whole batch; that wall time says nothing about how long one request takes. So each result
row's latency percentiles come from separate requests of one example each (the whole prompt, no
cache, batch of one), for examples spread evenly over the range of input lengths.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import torch

from benchmarks.scoring import sync
from core.result import LATENCY_SAMPLES, QUICK_LATENCY_SAMPLES


def samples_for(config) -> int:
    """Single requests a result row times: fewer in quick mode, where they were a tenth of the run."""
    return QUICK_LATENCY_SAMPLES if config.quick else LATENCY_SAMPLES


def spread_by_length(lengths: list[int], samples: int = LATENCY_SAMPLES) -> list[int]:
    """Indices of up to `samples` examples, evenly spaced in length order (shortest to longest)."""
    order = np.argsort(lengths, kind="stable")
    picks = np.unique(np.linspace(0, len(order) - 1, min(samples, len(order))).round().astype(int))
    return [int(order[p]) for p in picks]


def time_requests(serve_one: Callable[[int], object], indices: list[int], device: torch.device) -> np.ndarray:
    """Seconds per call of `serve_one(index)`, each call finished on the device before the clock stops."""
    seconds = []
    for index in indices:
        start = time.perf_counter()
        serve_one(index)
        sync(device)
        seconds.append(time.perf_counter() - start)
    return np.array(seconds)
