"""Request latency samples: which examples are timed, and that each is timed on its own."""

from __future__ import annotations

import time

import pytest
import torch

from benchmarks.approaches.base import Context
from benchmarks.environment import describe
from benchmarks.latency import spread_by_length, time_requests
from benchmarks.tasks import load_task
from core.result import LATENCY_BASES, LATENCY_SAMPLES, QUICK_LATENCY_SAMPLES


def test_samples_span_the_length_range_in_order():
    lengths = [50, 5, 30, 10, 40, 20, 60, 15]
    picks = spread_by_length(lengths, samples=4)
    # sorted: 5 10 15 20 30 40 50 60; positions 0, 7/3, 14/3, 7 round to 0, 2, 5, 7
    assert [lengths[i] for i in picks] == [5, 15, 40, 60]
    assert spread_by_length(lengths, samples=100) == sorted(range(8), key=lengths.__getitem__)  # all, once each
    assert spread_by_length([7], samples=16) == [0]


def test_each_request_is_timed_alone():
    served = []

    def serve(index: int) -> None:
        served.append(index)
        time.sleep(0.01 * (index + 1))

    seconds = time_requests(serve, [2, 0], torch.device("cpu"))
    assert served == [2, 0]
    assert 0.03 <= seconds[0] < 0.2 and 0.01 <= seconds[1] < seconds[0]


@pytest.mark.slow
@pytest.mark.parametrize(("quick", "timed"), [(True, QUICK_LATENCY_SAMPLES), (False, LATENCY_SAMPLES)])
def test_quick_mode_times_fewer_single_requests(loaded, tiny_config, quick, timed):
    config = tiny_config(test_size=40, quick=quick)
    ctx = Context(config=config, loaded=loaded, task=load_task(config), environment=describe("cpu"),
                  emit=lambda e: None)
    ev = ctx.evaluator.evaluate(ctx.templates.builder(use_chat=False), ctx.task.test, latency=True)
    assert len(ev.latency_s) == timed and (ev.latency_s > 0).all()
    assert f"over {LATENCY_SAMPLES} test examples ({QUICK_LATENCY_SAMPLES} in quick mode)" in LATENCY_BASES["one_request"]
