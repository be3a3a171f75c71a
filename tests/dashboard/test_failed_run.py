"""A run that passes the upload check but fails in the runner (its model is not on disk): its error
is shown, the page goes on. (Data a run cannot use is refused at upload: test_dataset_check.)"""

from __future__ import annotations

import time

import pytest

from tests.dashboard.apptest import open_app, unfinished_runs
from tests.dashboard.tiny_run import start_tiny_run, tiny_csv

pytestmark = pytest.mark.slow


def test_a_run_failing_in_the_runner_shows_its_error_and_the_page_keeps_working(tmp_path):
    from benchmarks import jobs

    missing = str(tmp_path / "no-such-model")
    at = open_app("benchmark")
    run_dir = start_tiny_run(at, ["zero_shot"], tiny_csv(), model=missing)
    deadline = time.monotonic() + 300
    while (status := jobs.run_status(run_dir)).state in jobs.ACTIVE:
        assert time.monotonic() < deadline, f"run still {status.state}"
        time.sleep(1)
    assert status.state == "failed" and "no-such-model" in status.error, status
    at.run()
    assert not at.exception
    errors = [e.value.replace("\\", "") for e in at.error]  # shown escaped (Markdown)
    assert any(e.startswith(f"Your run {status.run_id} failed") and "no-such-model" in e
               for e in errors), errors
    ended = unfinished_runs(at)
    assert ended.loc[status.run_id, "state"] == "failed"
    assert ended.loc[status.run_id, "why"] == status.error
    assert [s.value for s in at.subheader] == ["In progress", "Start a run", "Finished runs"]
