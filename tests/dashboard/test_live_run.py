"""A tiny CPU benchmark started from the page (on an uploaded CSV) finishes, is listed, and its
examples show in the results grid with the answers the run scored."""

from __future__ import annotations

import time

import pytest

from tests.dashboard.apptest import open_app
from tests.dashboard.tiny_run import start_tiny_run

pytestmark = [pytest.mark.slow, pytest.mark.runs]  # a real background benchmark process: `make test-runs`


def test_a_quick_run_started_from_the_page_finishes_and_is_listed(runs_root):
    """In a runs folder of its own: a run another test left behind would be the Run picker's first
    choice when the page first renders, and stay chosen after this run finishes."""
    from benchmarks import jobs
    from core.result import load_result

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
    result = load_result(run_dir)
    assert next(s for s in at.selectbox if s.label == "Run").value == status.run_id  # the newest run
    assert any("uploaded file my\\_reviews\\.csv" in c.value for c in at.caption)
    grid = next(f.value for f in at.dataframe if "true label" in f.value)
    zero_shot = result.approaches[0]
    assert len(grid) == zero_shot.n_test == result.task.split_sizes["test"]
    right = grid["Zero-shot prompt"].str.startswith("✓").sum()
    assert right == round(zero_shot.accuracy * zero_shot.n_test)  # the grid's ✓ are the run's own score
    assert not at.exception
