"""A tiny CPU benchmark started from the page finishes and appears in the list of runs."""

from __future__ import annotations

import importlib.util
import time

import pytest

from tests.dashboard.apptest import open_app

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(importlib.util.find_spec("benchmarks.jobs") is None,
                       reason="the background runner benchmarks/jobs.py is not in this checkout"),
]


def test_a_quick_zero_shot_run_from_the_page_finishes_and_is_listed():
    from benchmarks import jobs

    at = open_app("benchmark")
    at.radio[0].set_value("quick")
    next(m for m in at.multiselect if m.label == "Approaches").set_value(["zero_shot"])
    next(b for b in at.button if b.label == "Start run").click().run()
    assert not at.error, [e.value for e in at.error]
    run_dir = at.session_state["my_runs"][-1]
    deadline = time.monotonic() + 600
    while (status := jobs.run_status(run_dir)).state in ("queued", "running"):
        assert time.monotonic() < deadline, f"run still {status.state} at {status.progress:.0%}"
        time.sleep(2)
    assert status.state == "complete", status.error
    at.run()
    assert status.run_id in set(at.dataframe[0].value["run"])
