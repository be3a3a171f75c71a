"""A tiny CPU benchmark started from the page (on an uploaded CSV) finishes and is listed."""

from __future__ import annotations

import time

import pytest

from tests.dashboard.apptest import open_app
from tests.dashboard.tiny_run import start_tiny_run

pytestmark = pytest.mark.slow


def test_a_quick_run_started_from_the_page_finishes_and_is_listed():
    from benchmarks import jobs
    from benchmarks.result import load_result

    at = open_app("benchmark")
    run_dir = start_tiny_run(at, ["zero_shot"], precision="float32")
    deadline = time.monotonic() + 600
    while (status := jobs.run_status(run_dir)).state in ("queued", "running"):
        assert time.monotonic() < deadline, f"run still {status.state} at {status.progress:.0%}"
        time.sleep(2)
    assert status.state == "complete", status.error
    assert load_result(run_dir).model.dtype == "float32"  # the form's precision reached the run
    at.run()
    listed = {run for frame in at.dataframe if "run" in frame.value for run in frame.value["run"]}
    assert status.run_id in listed
